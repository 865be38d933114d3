// A node process ends cleanly with QUIC: its worker's UDP sockets are closed before the process
// exits, under a flood of frames and with a dial in flight (exiting with them open aborts the
// process: "FATAL ERROR: v8::FromJust Maybe value is Nothing … UDPWrap::OnRecv … Worker::Run"),
// and a deployment fails when one of its node processes dies by a signal or a fatal error.
import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../scenarios/index.js';
import { createNodeCertificate, createQuicDriver, deployPlan, encodeFrames, NodeProcessError, parseAddress, type Channel, type DriverHost } from '../../transports/index.js';
import { childFailure } from '../../transports/deploy.js';
import { keyOf } from './helpers.js';

describe('QUIC worker shutdown', () => {
  it('closes every UDP socket (listener, a dial in handshake) before the process exits, under a flood: clean exits, no fatal error', async () => {
    // A port that swallows the dial's handshake packets: the dialling socket stays open.
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    const key = keyOf('flooder');
    const host: DriverHost = { self: key.id, frameSizeMaxBytes: 1 << 20, isAllowed: () => true, established: () => ({ frame: () => {}, oversize: () => {}, drain: () => {}, close: () => {} }), refused: () => {} };
    const flooder = createQuicDriver(host, createNodeCertificate(key.secret), {});
    const flooded = keyOf('flooded', 1); // the fixture's key: deriveSecret(1, 'node', 'flooded')
    try {
      for (let run = 0; run < 2; run++) {
        const child = fork(fileURLToPath(new URL('./fixtures/quic-exit-flood.ts', import.meta.url)), [String(silent.address().port)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
        const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', resolve as (message: unknown) => void));
        const channels: Channel[] = await Promise.all([0, 1, 2].map(() => flooder.dial(parseAddress(`quic://127.0.0.1:${port}`)!, flooded.id, 5000)));
        const frames = encodeFrames(Array.from({ length: 20 }, () => new Uint8Array(200)));
        let isFlooding = true;
        const flood = (): void => {
          if (!isFlooding) return;
          for (const channel of channels) if (channel.bufferedBytes() < 1 << 20) channel.write(frames);
          setImmediate(flood);
        };
        flood();
        await new Promise((resolve) => setTimeout(resolve, 300));
        child.send('stop');
        const { code, signal } = await exit;
        isFlooding = false;
        for (const channel of channels) channel.destroy();
        expect({ code, signal, fatal: /FATAL ERROR/.test(stderr) }).toEqual({ code: 0, signal: null, fatal: false });

        expect(stdout).toContain('udp sockets left 0');
      }
    } finally {
      await flooder.close();
      silent.close();
    }
  }, 60_000);
});

describe('a deployment whose node process dies', () => {
  it('names a death by a signal, a fatal error or a bad exit code; a clean exit is none', () => {
    expect(childFailure('n1', { code: 0, signal: null }, 'some output\n')).toBeUndefined();
    expect(childFailure('n1', { code: null, signal: 'SIGABRT' }, '')).toBe('node n1 died by signal SIGABRT');
    expect(childFailure('n1', { code: 1, signal: null }, '')).toBe('node n1 exited with code 1');
    expect(childFailure('n2', { code: null, signal: 'SIGABRT' }, 'x\n\nFATAL ERROR: v8::FromJust Maybe value is Nothing\n 1: 0xb8 node::Abort()')).toBe('node n2 died by signal SIGABRT after a fatal error: FATAL ERROR: v8::FromJust Maybe value is Nothing');
    expect(childFailure('n3', { code: 0, signal: null }, 'FATAL ERROR: x')).toBe('node n3 exited with code 0 after a fatal error: FATAL ERROR: x');
    // An uncaught error: its first line as Node printed it (the last one, when there were several).
    const uncaught = 'file:///w/worker-driver.js:300\n    throw error;\n    ^\n\nQuicWorkerError: the QUIC worker failed (worker error: ErrorQUICStreamDestroyed: (no message))\n  worker stack:\n    at QUICStream.x (file:///q.js:1:1)\n\nNode.js v20.0.0\n';
    expect(childFailure('n4', { code: 1, signal: null }, uncaught)).toBe('node n4 exited with code 1: QuicWorkerError: the QUIC worker failed (worker error: ErrorQUICStreamDestroyed: (no message))');
    expect(childFailure('n5', { code: 1, signal: null }, 'TypeError [ERR_X]: bad\nError: later\n')).toBe('node n5 exited with code 1: Error: later');
  });

  it('fails (NodeProcessError) when a node process dies by a signal during the run', async () => {
    const module = join(import.meta.dirname, 'fixtures', 'die-by-signal.ts');
    const plan = await loadScenarioText(
      `name: dies
seed: 1
duration: 1500ms
topology: { generate: [{ kind: line, nodes: 2 }] }
engines:
  - { on: [n2], kind: dieBySignal, module: ${module} }
`,
      join(import.meta.dirname, 'dies.yaml'),
      { isModuleOutsideAllowed: true },
    );
    const deployed = deployPlan(plan, { transport: 'quic', startupTimeoutMs: 30_000 });
    await expect(deployed).rejects.toBeInstanceOf(NodeProcessError);
    await expect(deployed).rejects.toThrow(/node n2 \(session 1\) died by signal SIGABRT/);
  }, 60_000);
});
