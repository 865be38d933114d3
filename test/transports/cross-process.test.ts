// Issue 9: two processes with 64 messages in flight over QUIC (and TLS). Every message must come
// back within a bounded time; on failure the test says how many were missing instead of hanging.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { createRng, IdentityStore, type TraceRecord } from '../../core/index.js';
import { createNodeCertificate, createPeerTransport, createQuicDriverOf, createTlsDriver, createWallClock, type PeerTransport, type Scheme } from '../../transports/index.js';
import { keyOf } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/echo-peer.ts', import.meta.url));
const MESSAGES = 3000;
const IN_FLIGHT = 64;
const BOUND_MS = 40_000;

let child: ChildProcess | undefined;
let transport: PeerTransport | undefined;
afterEach(async () => {
  await transport?.close();
  child?.kill('SIGKILL');
  child = transport = undefined;
});

async function startEchoPeer(scheme: Scheme, worker: boolean): Promise<{ address: string; id: string }> {
  child = fork(FIXTURE, [scheme, '-', worker ? 'worker' : 'main'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('echo peer did not start within 20 s')), 20_000);
    child!.once('message', (message: { address: string; id: string }) => {
      clearTimeout(timer);
      resolve(message);
    });
    child!.once('exit', (code) => reject(new Error(`echo peer exited with ${code}`)));
  });
}

for (const [scheme, worker] of [['quic', false], ['quic', true], ['tls', false]] as const) {
  it(`${scheme}${worker ? ' (QUIC in a worker thread, both sides)' : ''}: ${MESSAGES} messages, ${IN_FLIGHT} in flight, between two processes, all arrive within a bound`, async () => {
    const peer = await startEchoPeer(scheme, worker);
    const key = keyOf('client');
    const certificate = createNodeCertificate(key.secret);
    const directory = new IdentityStore();
    directory.setNode({ id: peer.id, addresses: [peer.address], trust: 128 });
    const trace: TraceRecord[] = [];
    transport = createPeerTransport(
      { clock: createWallClock(), rng: createRng(2), trace: { emit: (record) => trace.push(record) }, drivers: [(host) => (scheme === 'tls' ? createTlsDriver(host, certificate) : createQuicDriverOf(host, certificate, { worker }))] },
      { nodeName: 'client', self: key.id, directory },
    );
    const received = new Set<number>();
    let sent = 0;
    const payload = Buffer.alloc(100, 7);
    const sendNext = (): void => {
      const frame = Buffer.from(payload);
      frame.writeUInt32BE(sent, 0);
      transport!.send(peer.id, frame, { msg: String(sent) });
      sent++;
    };
    const done = new Promise<void>((resolve) => {
      transport!.onFrame((_from, frame) => {
        received.add(Buffer.from(frame).readUInt32BE(0));
        if (sent < MESSAGES) sendNext();
        if (received.size === MESSAGES) resolve();
      });
    });
    for (let i = 0; i < IN_FLIGHT; i++) sendNext();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${scheme}: only ${received.size}/${MESSAGES} echoes within ${BOUND_MS} ms (sent ${sent}); drops: ${JSON.stringify(trace.filter((event) => event.kind === 'drop').slice(0, 3))}`)), BOUND_MS);
    });
    await Promise.race([done, bound]).finally(() => clearTimeout(timer));
    expect(received.size).toBe(MESSAGES);
  }, BOUND_MS + 25_000);
}
