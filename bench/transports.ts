// Transport benchmarks (issues 5 and 9): handshake time; request/reply rate and latency for 100 B and
// 4 KiB payloads, sequential and 64 in flight, two endpoints in one process on loopback:
// bare @matrixai/quic (a stream per message; one long framed stream written once per frame; the
// same stream corked: frames queued in one event-loop turn go out as one write), bare node:tls (one
// connection, 4-byte length prefix), and the full netmachine stack (sign, route, frame, transport,
// verify, deliver; the echo engine replies) over QUIC with 1350- and 9000-byte datagrams and over
// TLS. Also, in the same run, the crypto-bound limit of the full stack: each round trip signs twice
// and verifies twice (the engine signatures of request and reply; the mutually authenticated
// channel carries the node signature), measured in CPU time on the stack's own crypto path. Every rate is also given per CPU-second of this process, which
// other load on a shared machine does not distort; the crypto share of CPU time is the stack's sign/verify
// calls (counted) × their CPU cost per call (measured). Each case runs for a fixed time (≈ 2 minutes in all).
// Probes behind these choices: bench/quic-probe.ts, bench/quic-fullstack-probe.ts.
import { randomBytes, webcrypto } from 'node:crypto';
import { createServer as createTlsServer, connect as tlsConnect, type TLSSocket } from 'node:tls';
import Logger, { LogLevel } from '@matrixai/logger';
import { QUICClient, QUICServer, events as quicEvents, type QUICStream } from '@matrixai/quic';
import { createRng, deriveSecret, IdentityStore, type Engine, type Id } from '../core/index.js';
import { createNodeCertificate, createRealNodeCrypto, encodeFrames, FrameReader, startRealNode, type RealNode, type Scheme } from '../transports/index.js';
import type { QuicDriverOptions } from '../transports/quic/driver.js';

export interface TransportBenchRow {
  readonly case: string;
  readonly payload: string;
  readonly mode: string;
  readonly roundTripsPerSecond: number;
  /** Round trips per second of this process's CPU time (user + system). */
  readonly perCpuSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly note: string;
}

const CASE_MS = Number(process.env.BENCH_CASE_MS ?? 1500);
const WARMUP_MS = 200;
const REQUEST_TIMEOUT_MS = 5000;
const logger = new Logger('bench', LogLevel.WARN);
export const benchCrypto = createRealNodeCrypto(); // as every real node (transports/node-crypto.ts)
const crypto = benchCrypto;

type RoundTrip = (payload: Uint8Array) => Promise<void>;

interface Measured {
  readonly rate: number;
  /** Round trips per second of this process's CPU time (robust to other load on a shared machine). */
  readonly perCpuSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly timeouts: number;
}

/** Runs `inFlight` request loops for `CASE_MS` (after a warm-up); each request has a timeout. */
export async function measure(roundTrip: RoundTrip, payload: Uint8Array, inFlight: number): Promise<Measured> {
  const latencies: number[] = [];
  let timeouts = 0;
  let isMeasuring = false;
  let isDone = false;
  const once = async (): Promise<void> => {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([roundTrip(payload).then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), REQUEST_TIMEOUT_MS)))]);
    clearTimeout(timer);
    if (timedOut) timeouts++;
    else if (isMeasuring) latencies.push(performance.now() - started);
  };
  const worker = async (): Promise<void> => {
    while (!isDone) await once();
  };
  const workers = Array.from({ length: inFlight }, worker);
  await sleep(WARMUP_MS);
  isMeasuring = true;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await sleep(CASE_MS);
  isMeasuring = false;
  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = performance.now() - started;
  const count = latencies.length;
  isDone = true;
  await Promise.all(workers);
  latencies.sort((a, b) => a - b);
  const rank = (p: number): number => latencies[Math.min(count - 1, Math.max(0, Math.ceil(p * count) - 1))] ?? NaN;
  return { rate: (count * 1000) / elapsed, perCpuSecond: count / ((cpu.user + cpu.system) / 1e6), p50: rank(0.5), p99: rank(0.99), timeouts };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---- bare @matrixai/quic ---------------------------------------------------------------------

/** A bare @matrixai/quic client to a loopback server that accepts any certificate (benchmarks only). */
export function bareQuicClient(port: number, config: Parameters<typeof QUICClient.createQUICClient>[0]['config']): ReturnType<typeof QUICClient.createQUICClient> {
  return QUICClient.createQUICClient({
    host: '127.0.0.1',
    port,
    localHost: '127.0.0.1',
    crypto: { ops: { randomBytes: async (data: ArrayBuffer) => void webcrypto.getRandomValues(new Uint8Array(data)) } },
    config: { ...config, verifyPeer: true, verifyCallback: async () => undefined },
    logger,
  });
}

export async function bareQuic(): Promise<{ streamPerMessage: RoundTrip; longStream: RoundTrip; longStreamPerFrame: RoundTrip; handshakeMs: number; close(): Promise<void> }> {
  const certificate = createNodeCertificate(deriveSecret(1, 'node', 'bench-quic'));
  const hmac = await webcrypto.subtle.importKey('raw', randomBytes(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const config = { key: certificate.keyPem, cert: certificate.certPem, verifyPeer: false, maxIdleTimeout: 5000, keepAliveIntervalTime: 1000, initialMaxStreamsBidi: 100_000, maxSendUdpPayloadSize: 1350 };
  const server = new QUICServer({
    crypto: { key: new ArrayBuffer(32), ops: { sign: async (_k, data) => webcrypto.subtle.sign('HMAC', hmac, data), verify: async (_k, data, sig) => webcrypto.subtle.verify('HMAC', hmac, sig, data) } },
    config,
    logger,
  });
  let isFirstStream = true;
  server.addEventListener(quicEvents.EventQUICServerConnection.name, (event) => {
    const connection = (event as quicEvents.EventQUICServerConnection).detail;
    connection.addEventListener(quicEvents.EventQUICConnectionStream.name, (streamEvent) => {
      const stream = (streamEvent as quicEvents.EventQUICConnectionStream).detail;
      if (isFirstStream) {
        isFirstStream = false; // the long stream: echo frames
        void echoFrames(stream);
        return;
      }
      void (async () => {
        const chunks: Uint8Array[] = []; // stream per message: read to FIN, answer, FIN
        for await (const chunk of stream.readable) chunks.push(chunk);
        const writer = stream.writable.getWriter();
        await writer.write(Buffer.concat(chunks));
        await writer.close();
      })().catch(() => {});
    });
  });
  await server.start({ host: '127.0.0.1', port: 0 });
  const handshakeStarted = performance.now();
  const client = await bareQuicClient(server.port, config);
  const handshakeMs = performance.now() - handshakeStarted;
  const long = client.connection.newStream('bidi');
  const longWriter = long.writable.getWriter();
  // Corked writer: frames queued in one event-loop turn go out as ONE stream write (a 100-byte
  // write per frame costs one UDP datagram each, and the library's cost is per datagram).
  let corked: Uint8Array[] = [];
  const flushCorked = (): void => {
    const batch = corked;
    corked = [];
    void longWriter.write(encodeFrames(batch)).catch(() => {});
  };
  const writeCorked = (frame: Uint8Array): void => {
    if (corked.push(frame) === 1) setImmediate(flushCorked);
  };
  const waiting: Array<() => void> = [];
  void readFrames(long, () => waiting.shift()?.());
  // Open the long stream first (a stream is visible to the server once it carries data), so the
  // server takes the first stream it sees as the framed one.
  await new Promise<void>((resolve) => {
    waiting.push(resolve);
    void longWriter.write(encodeFrames([new Uint8Array(0)]));
  });
  return {
    handshakeMs,
    async streamPerMessage(payload) {
      const stream = client.connection.newStream('bidi');
      const writer = stream.writable.getWriter();
      await writer.write(payload);
      await writer.close();
      for await (const chunk of stream.readable) void chunk;
    },
    longStreamPerFrame(payload) {
      return new Promise<void>((resolve) => {
        waiting.push(resolve);
        void longWriter.write(encodeFrames([payload])).catch(() => {});
      });
    },
    longStream(payload) {
      return new Promise<void>((resolve) => {
        waiting.push(resolve);
        writeCorked(payload);
      });
    },
    async close() {
      await client.destroy({ force: true }).catch(() => {});
      await server.stop({ force: true }).catch(() => {});
    },
  };
}

async function echoFrames(stream: QUICStream): Promise<void> {
  const writer = stream.writable.getWriter();
  const reader = new FrameReader(1 << 20);
  try {
    for await (const chunk of stream.readable) {
      const { frames } = reader.push(chunk);
      if (frames.length > 0) void writer.write(encodeFrames(frames)).catch(() => {});
    }
  } catch {
    // closed at the end of the bench
  }
}

async function readFrames(stream: QUICStream, onFrame: () => void): Promise<void> {
  const reader = new FrameReader(1 << 20);
  try {
    for await (const chunk of stream.readable) for (const _frame of reader.push(chunk).frames) onFrame();
  } catch {
    // closed at the end of the bench
  }
}

// ---- bare node:tls ---------------------------------------------------------------------------

export async function bareTls(): Promise<{ roundTrip: RoundTrip; handshakeMs: number; close(): Promise<void> }> {
  const certificate = createNodeCertificate(deriveSecret(1, 'node', 'bench-tls'));
  const options = { key: certificate.keyPem, cert: certificate.certPem, minVersion: 'TLSv1.3' as const, rejectUnauthorized: false };
  const sockets: TLSSocket[] = [];
  const server = createTlsServer({ ...options, requestCert: true }, (socket) => {
    sockets.push(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader(1 << 20);
    socket.on('data', (chunk: Buffer) => {
      const { frames } = reader.push(chunk);
      if (frames.length > 0) socket.write(encodeFrames(frames));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const handshakeStarted = performance.now();
  const client = tlsConnect({ ...options, host: '127.0.0.1', port: (server.address() as { port: number }).port });
  await new Promise((resolve) => client.once('secureConnect', resolve));
  const handshakeMs = performance.now() - handshakeStarted;
  client.setNoDelay(true);
  const waiting: Array<() => void> = [];
  const reader = new FrameReader(1 << 20);
  client.on('data', (chunk: Buffer) => {
    for (const _frame of reader.push(chunk).frames) waiting.shift()?.();
  });
  return {
    handshakeMs,
    roundTrip: (payload) =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        client.write(encodeFrames([payload]));
      }),
    async close() {
      client.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// ---- the full netmachine stack -------------------------------------------------------------

export async function fullStack(scheme: Scheme, quic: QuicDriverOptions = {}, transport: { corkMs?: number } = {}): Promise<{ roundTrip: RoundTrip; handshakeMs: number; close(): Promise<void> }> {
  const names = ['client', 'server'];
  const nodes: RealNode[] = [];
  const directories = names.map(() => new IdentityStore());
  for (const [index, name] of names.entries()) {
    nodes.push(
      await startRealNode(
        { crypto, rng: createRng(1, name), trace: { emit: () => {} } },
        { name, key: crypto.keyPair(deriveSecret(1, 'node', `bench-${name}`)), session: 1, schemes: [scheme], listenHost: '127.0.0.1', directory: directories[index]!, quic, transport },
      ),
    );
  }
  const [client, server] = nodes as [RealNode, RealNode];
  directories[0]!.setNode({ id: server.id, addresses: server.addresses, trust: 128 });
  directories[1]!.setNode({ id: client.id, addresses: client.addresses, trust: 128 });
  const echoKey = crypto.keyPair(deriveSecret(1, 'eng', 'bench-echo'));
  const echo: Engine = { handle: (input, ctx) => void (input.kind === 'message' && ctx.reply(input, input.message.body)) };
  server.node.addEngine('echo', echoKey, echo);
  directories[0]!.setEngineNode(echoKey.id, server.id);
  const pending = new Map<number, () => void>();
  const driver: Engine = {
    handle(input) {
      if (input.kind === 'message' && input.message.replyTo !== undefined) {
        pending.get(input.message.replyTo)?.();
        pending.delete(input.message.replyTo);
      }
    },
  };
  client.node.addEngine('driver', crypto.keyPair(deriveSecret(1, 'eng', 'bench-driver')), driver);
  server.node.start();
  client.node.start();
  const destination = { kind: 'engine' as const, engine: echoKey.id as Id, node: server.id };
  const roundTrip: RoundTrip = (payload) =>
    new Promise<void>((resolve) => {
      client.node.perform('driver', (ctx) => pending.set(ctx.send(destination, payload), resolve));
    });
  const handshakeStarted = performance.now();
  await roundTrip(new Uint8Array(1)); // the first round trip includes dialling and the handshake
  const handshakeMs = performance.now() - handshakeStarted;
  return { roundTrip, handshakeMs, close: async () => void (await Promise.all(nodes.map((node) => node.close()))) };
}

// ---- crypto-bound limit ----------------------------------------------------------------------

/**
 * Round trips per second one core could sign and verify with the signatures the full stack needs:
 * on real transports the channel carries the node signature (core/ports.ts isChannelAuthenticated),
 * so that is 2 signs + 2 verifies per round trip (the engine signature of request and reply), for
 * `sizeBytes`. The machine is shared and noisy, so each figure is
 * the median of 7 short runs, in CPU time: this is the round-trip rate of one core doing nothing
 * but the full stack's signatures.
 */
export function cryptoBound(sizeBytes: number, signsPerRoundTrip = 2, verifiesPerRoundTrip = 2): { roundTripsPerSecond: number; signUs: number; verifyUs: number } {
  // The same code path as the stack (transports/node-crypto.ts: node:crypto, cached KeyObjects), two
  // keys, and a fresh message per call.
  const stackCrypto = createRealNodeCrypto();
  const keys = [stackCrypto.keyPair(deriveSecret(1, 'node', 'bench-crypto-a')), stackCrypto.keyPair(deriveSecret(1, 'node', 'bench-crypto-b'))];
  const count = 400;
  const messages = Array.from({ length: count }, () => new Uint8Array(randomBytes(sizeBytes + 150))); // a signed envelope is ≈ 150 bytes more than the body
  const signatures = messages.map((message, i) => stackCrypto.sign(keys[i & 1]!, message));
  // CPU µs per call (process.cpuUsage), so a loaded shared machine does not inflate it.
  const time = (fn: (i: number) => void): number => {
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) fn(i);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / count;
  };
  const median = (values: number[]): number => values.sort((x, y) => x - y)[values.length >> 1]!;
  const signs: number[] = [];
  const verifies: number[] = [];
  for (let run = 0; run < 7; run++) {
    signs.push(time((i) => stackCrypto.sign(keys[i & 1]!, messages[i]!)));
    const verifier = createRealNodeCrypto();
    for (const key of keys) verifier.keyPair(key.secret);
    verifies.push(time((i) => verifier.verify(keys[i & 1]!.id, messages[i]!, signatures[i]!)));
  }
  const signUs = median(signs);
  const verifyUs = median(verifies);
  return { roundTripsPerSecond: 1e6 / (signsPerRoundTrip * signUs + verifiesPerRoundTrip * verifyUs), signUs, verifyUs };
}

/**
 * Counts the full stack's sign/verify calls (benchCrypto is wrapped once). Their CPU time is the
 * count × the CPU cost per call measured by cryptoBound in the same run: timing each call with
 * process.cpuUsage() cost ≈ 20% of the CPU in a profile and distorted what it measured.
 */
export const cryptoCalls = { signs: 0, verifies: 0 };
{
  const target = benchCrypto as { sign: (...args: never[]) => unknown; verify: (...args: never[]) => unknown };
  const sign = target.sign.bind(target) as (...args: never[]) => unknown;
  const verify = target.verify.bind(target) as (...args: never[]) => unknown;
  target.sign = (...args: never[]) => (cryptoCalls.signs++, sign(...args));
  target.verify = (...args: never[]) => (cryptoCalls.verifies++, verify(...args));
}

// ---- the table -------------------------------------------------------------------------------

export async function benchTransports(): Promise<TransportBenchRow[]> {
  const rows: TransportBenchRow[] = [];
  const sizes = [
    { label: '100 B', bytes: 100 },
    { label: '4 KiB', bytes: 4096 },
  ];
  const modes = [
    { label: 'sequential', inFlight: 1 },
    { label: '64 in flight', inFlight: 64 },
  ];
  const push = (name: string, size: string, mode: string, measured: Measured, note = ''): void =>
    void rows.push({ case: name, payload: size, mode, roundTripsPerSecond: Math.round(measured.rate), perCpuSecond: Math.round(measured.perCpuSecond), p50Ms: measured.p50, p99Ms: measured.p99, note: [note, measured.timeouts > 0 ? `${measured.timeouts} requests timed out (${REQUEST_TIMEOUT_MS} ms)` : ''].filter((part) => part !== '').join('; ') });

  const quic = await bareQuic();
  const tls = await bareTls();
  const fullQuic = await fullStack('quic', { loopbackUdpPayloadBytes: 1350 });
  const fullQuicJumbo = await fullStack('quic'); // the defaults on loopback: 9000-byte datagrams, QUIC in the worker thread
  const fullQuicThread = await fullStack('quic', { worker: false }); // the library in the main thread, with the crypto and the Router
  const fullTls = await fullStack('tls');
  for (const [name, ms] of [
    ['bare @matrixai/quic', quic.handshakeMs],
    ['bare node:tls', tls.handshakeMs],
    ['netmachine over QUIC (first round trip)', fullQuic.handshakeMs],
    ['netmachine over TLS (first round trip)', fullTls.handshakeMs],
  ] as const) {
    rows.push({ case: `handshake: ${name}`, payload: '-', mode: '-', roundTripsPerSecond: NaN, perCpuSecond: NaN, p50Ms: ms, p99Ms: NaN, note: '' });
  }
  const rates = new Map<string, number>();
  const FULL_QUIC = 'netmachine over QUIC, 1350-byte datagrams (the default off loopback), worker thread';
  const FULL_QUIC_JUMBO = 'netmachine over QUIC, 9000-byte datagrams (the default on loopback), worker thread (default)';
  const FULL_QUIC_THREAD = 'netmachine over QUIC, 9000-byte datagrams, main thread (worker: false)';
  try {
    for (const size of sizes) {
      const payload = new Uint8Array(randomBytes(size.bytes));
      const bound = cryptoBound(size.bytes);
      rows.push({ case: 'crypto-bound limit (2 sign + 2 verify per round trip: engine signatures; one core)', payload: size.label, mode: '-', roundTripsPerSecond: Math.round(bound.roundTripsPerSecond), perCpuSecond: Math.round(bound.roundTripsPerSecond), p50Ms: NaN, p99Ms: NaN, note: `sign ${bound.signUs.toFixed(1)} µs, verify ${bound.verifyUs.toFixed(1)} µs (median of 7)` });
      for (const mode of modes) {
        const cases: Array<[string, RoundTrip]> = [
          ['bare quic, stream per message', quic.streamPerMessage],
          ['bare quic, one long stream, one write per frame', quic.longStreamPerFrame],
          ['bare quic, one long stream, corked', quic.longStream],
          [FULL_QUIC, fullQuic.roundTrip],
          [FULL_QUIC_JUMBO, fullQuicJumbo.roundTrip],
          [FULL_QUIC_THREAD, fullQuicThread.roundTrip],
          ['bare node:tls', tls.roundTrip],
          ['netmachine over TLS', fullTls.roundTrip],
        ];
        for (const [name, roundTrip] of cases) {
          const isFullStack = name.startsWith('netmachine');
          // The load of a shared machine drifts: a full-stack case is compared with the crypto bound
          // measured right before and right after it (mean CPU cost per call).
          const boundBefore = isFullStack ? cryptoBound(size.bytes) : bound;
          const cpuBefore = process.cpuUsage();
          const callsBefore = { ...cryptoCalls };
          const measured = await measure(roundTrip, payload, mode.inFlight);
          const cpu = process.cpuUsage(cpuBefore);
          const boundAfter = isFullStack ? cryptoBound(size.bytes) : bound;
          const signUs = (boundBefore.signUs + boundAfter.signUs) / 2;
          const verifyUs = (boundBefore.verifyUs + boundAfter.verifyUs) / 2;
          const local = 1e6 / (2 * signUs + 2 * verifyUs); // the engine signatures of request and reply
          rates.set(`${name}/${size.label}/${mode.label}`, measured.rate);
          rates.set(`${name}/${size.label}/${mode.label}/cpu`, measured.perCpuSecond);
          rates.set(`${name}/${size.label}/${mode.label}/bound`, local);
          const cryptoShare = isFullStack
            ? `${((100 * measured.rate) / local).toFixed(0)}% of the adjacent crypto bound ${Math.round(local)} (per CPU-second ${((100 * measured.perCpuSecond) / local).toFixed(0)}%); crypto = ${((100 * ((cryptoCalls.signs - callsBefore.signs) * signUs + (cryptoCalls.verifies - callsBefore.verifies) * verifyUs)) / (cpu.user + cpu.system)).toFixed(0)}% of CPU time`
            : '';
          push(name, size.label, mode.label, measured, cryptoShare);
        }
        const rate = (name: string, cpu = ''): number => rates.get(`${name}/${size.label}/${mode.label}${cpu}`) ?? NaN;
        const both = (value: (cpu: string) => number, digits: number): string => `${value('').toFixed(digits)} (per CPU-second ${value('/cpu').toFixed(digits)})`;
        const perMessage = rate('bare quic, stream per message');
        rows.push({
          case: 'ratios',
          payload: size.label,
          mode: mode.label,
          roundTripsPerSecond: NaN,
          perCpuSecond: NaN,
          p50Ms: NaN,
          p99Ms: NaN,
          note: [
            `QUIC goal target = min(10 × stream-per-message, crypto bound) = ${Math.round(Math.min(10 * perMessage, bound.roundTripsPerSecond))}`,
            `netmachine/QUIC 1350 ÷ bare stream-per-message = ${both((cpu) => rate(FULL_QUIC, cpu) / rate('bare quic, stream per message', cpu), 1)}×`,
            `netmachine/QUIC 9000 ÷ bare stream-per-message = ${both((cpu) => rate(FULL_QUIC_JUMBO, cpu) / rate('bare quic, stream per message', cpu), 1)}× (main thread: ${both((cpu) => rate(FULL_QUIC_THREAD, cpu) / rate('bare quic, stream per message', cpu), 1)}×)`,
            `netmachine/QUIC ÷ adjacent crypto bound = ${both((cpu) => rate(FULL_QUIC, cpu) / rate(FULL_QUIC, '/bound'), 2)} at 1350, ${both((cpu) => rate(FULL_QUIC_JUMBO, cpu) / rate(FULL_QUIC_JUMBO, '/bound'), 2)} at 9000`,
            `netmachine/TLS ÷ adjacent crypto bound = ${both((cpu) => rate('netmachine over TLS', cpu) / rate('netmachine over TLS', '/bound'), 2)}`,
            `bare long stream corked ÷ one write per frame = ${both((cpu) => rate('bare quic, one long stream, corked', cpu) / rate('bare quic, one long stream, one write per frame', cpu), 1)}×`,
          ].join('; '),
        });
      }
    }
  } finally {
    await Promise.all([quic.close(), tls.close(), fullQuic.close(), fullQuicJumbo.close(), fullQuicThread.close(), fullTls.close()]);
  }
  return rows;
}
