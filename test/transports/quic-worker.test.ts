// The QUIC driver with @matrixai/quic in the process's QUIC worker thread
// (transports/quic/worker-driver.ts): the shared transport suite over it, backpressure, dial
// failures, large frames (moved buffers), one worker for all drivers, that a process exits after
// close(), and worker failure (last: it ends the file's shared worker).
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeCertificate, createQuicDriver, createQuicWorkerDriver, describeWorkerError, DialError, encodeFrames, onQuicWorkerFailure, parseAddress, quicWorkerState, type Channel, type Driver, type DriverHost, type QuicWorkerDriver, type QuicWorkerError, QuicWorkerError as QuicWorkerErrorClass } from '../../transports/index.js';
import { keyOf, waitFor } from './helpers.js';
import { stalledPeerCheck, startStalledQuicPeer, transportSuite } from './suite.js';

transportSuite('quic', { worker: true });

it('quic (worker thread): a reader that stops reading causes queue-full drops, not unbounded memory', async () => {
  await stalledPeerCheck('quic', await startStalledQuicPeer('stalled-w'), 'stalled-w', { worker: true });
});

interface Endpoint {
  readonly id: string;
  readonly frames: Uint8Array[];
  readonly closes: string[];
  readonly refusals: string[];
  drains: number;
  channel?: Channel;
}

/** A host that records what its driver reports; `allow` answers isAllowed (sync or async). */
function endpoint(name: string, allow: (peer: string) => boolean | Promise<boolean> = () => true): { host: DriverHost; state: Endpoint; certificate: ReturnType<typeof createNodeCertificate> } {
  const key = keyOf(name);
  const state: Endpoint = { id: key.id, frames: [], closes: [], refusals: [], drains: 0 };
  const host: DriverHost = {
    self: key.id,
    frameSizeMaxBytes: 1 << 24,
    isAllowed: allow,
    established: (channel) => {
      state.channel = channel;
      return { frame: (frame) => void state.frames.push(new Uint8Array(frame)), oversize: () => {}, drain: () => void state.drains++, close: (reason) => void state.closes.push(reason) };
    },
    refused: (_peer, _address, reason) => void state.refusals.push(reason),
  };
  return { host, state, certificate: createNodeCertificate(key.secret) };
}

describe('quic worker driver', () => {
  const drivers: Driver[] = [];
  afterEach(async () => {
    await Promise.all(drivers.splice(0).map((driver) => driver.close()));
  });
  const workerDriver = (side: ReturnType<typeof endpoint>): QuicWorkerDriver => {
    const driver = createQuicWorkerDriver(side.host, side.certificate, {});
    drivers.push(driver);
    return driver;
  };

  it('carries frames both ways in order, large ones intact (moved buffers), and acknowledges every written byte', async () => {
    const a = endpoint('wa');
    const b = endpoint('wb');
    const server = workerDriver(b);
    const client = workerDriver(a);
    const address = parseAddress(await server.listen('127.0.0.1', 0))!;
    const channel = await client.dial(address, b.state.id, 5000);
    expect(channel.isDialer).toBe(true);
    expect(channel.peer).toBe(b.state.id);
    const big = new Uint8Array(300 * 1024).map((_, i) => (i * 7) % 251);
    const small = Array.from({ length: 200 }, (_, i) => Buffer.from(`frame ${i}`));
    channel.write(encodeFrames(small.slice(0, 100)));
    channel.write(encodeFrames([big])); // ≥ 64 KiB and owning its buffer: moved, not copied
    channel.write(encodeFrames(small.slice(100)));
    expect(channel.bufferedBytes()).toBeGreaterThan(300 * 1024);
    await waitFor(() => b.state.frames.length === 201, '201 frames at b');
    expect(b.state.frames.slice(0, 100).map((frame) => Buffer.from(frame).toString())).toEqual(small.slice(0, 100).map(String));
    expect(Buffer.from(b.state.frames[100]!).equals(Buffer.from(big))).toBe(true);
    expect(b.state.frames.slice(101).map((frame) => Buffer.from(frame).toString())).toEqual(small.slice(100).map(String));
    await waitFor(() => channel.bufferedBytes() === 0, 'every written byte acknowledged');
    expect(a.state.drains).toBeGreaterThan(0);
    // And back, on the acceptor's channel.
    b.state.channel!.write(encodeFrames([Buffer.from('reply')]));
    await waitFor(() => a.state.frames.length === 1, 'the reply at a');
    expect(Buffer.from(a.state.frames[0]!).toString()).toBe('reply');
  });

  it('the acceptor asks its host across threads: an async refusal is refused on both sides', async () => {
    const a = endpoint('wa2');
    const b = endpoint('wb2', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return false;
    });
    const server = workerDriver(b);
    const client = workerDriver(a);
    const address = parseAddress(await server.listen('127.0.0.1', 0))!;
    const error = await client.dial(address, b.state.id, 3000).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(DialError);
    expect(b.state.refusals).toContain('binding/unknown-node');
    expect(b.state.channel).toBeUndefined();
  });

  it('dialling the wrong key fails with binding/wrong-key, as in the main-thread driver', async () => {
    const a = endpoint('wa3');
    const b = endpoint('wb3');
    const server = workerDriver(b);
    const client = workerDriver(a);
    const address = parseAddress(await server.listen('127.0.0.1', 0))!;
    await expect(client.dial(address, a.state.id, 3000)).rejects.toMatchObject({ name: 'DialError', code: 'binding/wrong-key' });
  });

  it('a dead address fails with the same DialError code as the main-thread driver', async () => {
    const dead = parseAddress('quic://127.0.0.1:9')!;
    const a = endpoint('wa4');
    const inThread = createQuicDriver(a.host, a.certificate, {});
    drivers.push(inThread);
    const expected = await inThread.dial(dead, keyOf('nobody').id, 800).then(
      () => undefined,
      (error: DialError) => error.code,
    );
    const error = await workerDriver(endpoint('wa5')).dial(dead, keyOf('nobody').id, 800).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(DialError);
    expect(expected).toBeDefined();
    expect((error as DialError).code).toBe(expected);
  });

  it('every driver of the process shares one worker, which stays (unreferenced) after the last close', async () => {
    const a = endpoint('wa7');
    const b = endpoint('wb7');
    const server = workerDriver(b);
    const client = workerDriver(a);
    const address = parseAddress(await server.listen('127.0.0.1', 0))!;
    await client.dial(address, b.state.id, 5000);
    expect(server.worker).toBeDefined();
    expect(client.worker).toBe(server.worker); // a third thread loading the native binding corrupts memory
    expect(quicWorkerState()).toEqual({ threadId: server.worker!.threadId, sessions: 2 });
    const threadId = server.worker!.threadId;
    await client.close();
    expect(a.state.closes.length).toBe(1);
    expect(client.worker).toBeUndefined();
    await expect(client.dial(address, b.state.id, 1000)).rejects.toMatchObject({ code: 'dial/closed' });
    await server.close();
    expect(quicWorkerState()).toEqual({ threadId, sessions: 0 });
    // A later driver reuses it.
    const again = workerDriver(endpoint('wb8'));
    await again.listen('127.0.0.1', 0);
    expect(again.worker!.threadId).toBe(threadId);
  });

  it('a process that used the worker driver exits on its own after close()', async () => {
    const { code, stdout } = await runFixture('worker-exit.ts');
    expect(stdout).toContain('frames 3');
    expect(code).toBe(0); // null: still alive 30 s later, killed
  }, 40_000);

  it('a process whose QUIC worker dies while a driver uses it fails loudly (uncaught QuicWorkerError), not silently without its peers', async () => {
    const { code, stdout, stderr } = await runFixture('worker-crash.ts');
    expect(stdout).toContain('listening');
    expect(stdout).not.toContain('still alive');
    expect(code).toBe(1);
    expect(stderr).toContain('QuicWorkerError');
    expect(stderr).toContain('every QUIC peer of this process is lost');
  }, 40_000);

  it('a worker that throws is named by what it threw: the QUIC library\'s errors have an empty message, their name, cause and stack say what failed', async () => {
    // A thread of its own throws one of the library's errors (only its error classes are loaded: not the native binding), as an uncaught rejection.
    const code = `import('@matrixai/quic/errors.js').then(({ ErrorQUICStreamDestroyed }) => { Promise.reject(new ErrorQUICStreamDestroyed(undefined, { cause: new Error('stream 4 reset') })); });`;
    const worker = new Worker(code, { eval: true });
    const thrown = await new Promise<unknown>((resolve) => worker.once('error', resolve));
    await worker.terminate();
    expect((thrown as Error).message).toBe(''); // what `worker error: ${error.message}` printed
    const described = describeWorkerError(thrown);
    expect(described).toMatch(/^ErrorQUICStreamDestroyed: \(no message\), caused by Error: stream 4 reset, at /);
    const failure = new QuicWorkerErrorClass(`worker error: ${described}`, 1, thrown);
    expect(failure.message).toContain('worker error: ErrorQUICStreamDestroyed: (no message)');
    expect(failure.stack).toContain('worker stack:');
    expect(describeWorkerError(undefined)).toBe('a thrown undefined (undefined)');
    expect(describeWorkerError('text')).toBe('a thrown string (text)');
  });

  it('a failed worker closes its channels and fails pending and later dials (never hangs)', async () => {
    const a = endpoint('wa6');
    const b = endpoint('wb6');
    const server = workerDriver(b);
    const client = workerDriver(a);
    const address = parseAddress(await server.listen('127.0.0.1', 0))!;
    await client.dial(address, b.state.id, 5000);
    const failures: QuicWorkerError[] = [];
    onQuicWorkerFailure((error) => void failures.push(error)); // instead of failing this test process
    const pending = client.dial(parseAddress('quic://127.0.0.1:9')!, keyOf('nobody').id, 30_000);
    const started = Date.now();
    const threadId = client.worker!.threadId;
    await client.worker!.terminate(); // as if it crashed (this ends the file's shared worker: keep this test last)
    await expect(pending).rejects.toMatchObject({ code: 'dial/worker' });
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor(() => a.state.closes.includes('worker-failed'), 'the channel closed with worker-failed');
    expect(client.worker).toBeUndefined();
    await expect(client.dial(address, b.state.id, 1000)).rejects.toMatchObject({ code: 'dial/worker' });
    expect(quicWorkerState()).toBeUndefined(); // a later driver would start a new worker
    expect(threadId).toBeGreaterThan(0);
    expect(b.state.closes).toEqual(['worker-failed']); // the acceptor's driver shared the worker
    expect(failures.map((error) => [error.code, error.sessions])).toEqual([['quic/worker-failed', 2]]);
    onQuicWorkerFailure(undefined);
  });
});

/** Runs `fixtures/<name>` in a child process (killed after 30 s: code null). */
async function runFixture(name: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const fixture = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const child = fork(fixture, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, 30_000);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  return { code, stdout, stderr };
}

describe('main-thread quic driver with an asynchronous host', () => {
  it('an isAllowed answered later still welcomes the dialler (the stream is taken from the server, not lost)', async () => {
    const a = endpoint('ma');
    const b = endpoint('mb', () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 30)));
    const server = createQuicDriver(b.host, b.certificate, { worker: false });
    const client = createQuicDriver(a.host, a.certificate, {});
    try {
      const address = parseAddress(await server.listen('127.0.0.1', 0))!;
      const channel = await client.dial(address, b.state.id, 5000);
      channel.write(encodeFrames([Buffer.from('hi')]));
      await waitFor(() => b.state.frames.length === 1, 'the frame at b');
    } finally {
      await Promise.all([client.close(), server.close()]);
    }
  });
});
