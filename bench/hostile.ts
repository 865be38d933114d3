// Attack harness: a real node (`open: true`, its own process) with an echo engine; a legitimate
// peer (this process) measures its ping round trip alone, then while an attacker (a third process)
// attacks the node, for each remote attack and transport:
// - forged-flood: small frames with forged engine signatures (each costs the node a signature
//   check) as fast as the node takes them, on 4 connections at once; the attacker comes back under
//   a fresh identity whenever a connection is closed or not read for 2 s;
// - signed-flood: the same flood with valid signatures (its own engine key) to an engine the node
//   does not host: nothing to penalise, the node must verify every one and share its time fairly;
// - uni-stream (QUIC): connection after connection whose first stream is unidirectional;
// - huge-frames: frames of 16 MiB of garbage and length prefixes above the maximum (the channel is
//   closed after the prefix), on 4 connections at once, identity after identity;
// - slow-readers: 30 identities each asking the echo engine for 25 MiB of replies and never
//   reading them (the node's per-peer and per-node memory caps hold).
// Printed per attack × transport: the round trip alone and under attack (p50, p95), their ratio
// (goal ≤ 2), pings lost, what the attacker did, what the node refused, its RSS, and whether the
// node process was alive and serving after the attack. Each child's stderr is prefixed with its role.
// Run: npm run bench -- --only hostile   (or: node --import tsx bench/hostile.ts [attack…])
import { fork, type ChildProcess } from 'node:child_process';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { events as quicEvents } from '@matrixai/quic';
import { createRng, deriveSecret, encodeP2PMessage, IdentityStore, signEngineMessage, type Engine, type TraceRecord } from '../core/index.js';
import { createRealNodeCrypto, encodeFrames, startRealNode, type NodeCertificate, type RealNode, type Scheme } from '../transports/index.js';
import { forgedFrames, hostileQuicClient, randomCertificate } from '../test/transports/hostile.js';

const crypto = createRealNodeCrypto();
const targetKey = crypto.keyPair(deriveSecret(1, 'node', 'hostile-target'));
const echoKey = crypto.keyPair(deriveSecret(1, 'eng', 'hostile-target/echo'));
const PINGS = 200;
const PING_TIMEOUT_MS = 10_000;
const FRAMES_PER_WRITE = 500;
const SLOW_READERS = 30;
const SLOW_READER_REPLY_BYTES = 25 * 2 ** 20;
const SLOW_READER_BODY_BYTES = 256 * 1024;
const HUGE_FRAME_BYTES = 16 * 2 ** 20;
/** Flooding attacks run this many connections at once, each under its own identity. */
const ATTACK_CONNECTIONS = 4;
/** An attacker whose write the node has not taken for this long (it was slowed) comes back under a new identity (ms). */
const STALL_MS = 2000;

export type Attack = 'forged-flood' | 'signed-flood' | 'uni-stream' | 'huge-frames' | 'slow-readers';
interface Variant {
  readonly attack: Attack;
  readonly scheme: Scheme;
  /** QUIC only: the QUIC library in a worker thread (the default) or on the main thread. */
  readonly worker?: boolean;
  /** False: the node does not penalise peers whose frames keep failing checks (to compare). */
  readonly penalty?: boolean;
}

export const VARIANTS: ReadonlyArray<Variant> = [
  { attack: 'forged-flood', scheme: 'tls', penalty: false },
  { attack: 'forged-flood', scheme: 'tls' },
  { attack: 'forged-flood', scheme: 'quic', worker: true, penalty: false },
  { attack: 'forged-flood', scheme: 'quic', worker: true },
  { attack: 'forged-flood', scheme: 'quic', worker: false },
  { attack: 'signed-flood', scheme: 'tls' },
  { attack: 'signed-flood', scheme: 'quic', worker: true },
  { attack: 'uni-stream', scheme: 'quic', worker: true },
  { attack: 'uni-stream', scheme: 'quic', worker: false },
  { attack: 'huge-frames', scheme: 'tls' },
  { attack: 'huge-frames', scheme: 'quic', worker: true },
  { attack: 'slow-readers', scheme: 'tls' },
  { attack: 'slow-readers', scheme: 'quic', worker: true },
];

interface TargetStats {
  readonly kind: 'stats';
  readonly rss: number;
  readonly rssPeak: number;
  readonly bufferedBytes: number;
  /** Refusals the node traced since the last stats, by `kind reason`. */
  readonly refusals: Record<string, number>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The attacked node: echo engine, open to anyone; reports its address, then stats when asked. */
async function runTarget(scheme: Scheme, worker: boolean, penalty: boolean): Promise<void> {
  const directory = new IdentityStore();
  let refusals: Record<string, number> = {};
  const count = (record: TraceRecord): void => {
    if (record.kind !== 'drop' && record.kind !== 'verify-fail' && record.kind !== 'disconnect') return;
    const key = `${record.kind} ${record.reason ?? ''}`;
    const suppressed = record.data?.['suppressed'];
    refusals[key] = (refusals[key] ?? 0) + (typeof suppressed === 'number' ? suppressed : 1);
  };
  const real = await startRealNode(
    { crypto, rng: createRng(1, 'target'), trace: { emit: count } },
    { name: 'target', key: targetKey, session: 1, schemes: [scheme], listenHost: '127.0.0.1', directory, isOpen: true, quic: { worker }, ...(!penalty && { transport: { refusalBurst: Number.MAX_SAFE_INTEGER } }) },
  );
  const echo: Engine = { handle: (input, ctx) => void (input.kind === 'message' && ctx.reply(input, input.message.body)) };
  real.node.addEngine('echo', echoKey, echo);
  real.node.start();
  let rssPeak = 0;
  setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50).unref();
  process.send!({ kind: 'listening', address: real.addresses[0]! });
  process.on('message', (message: { kind: string }) => {
    if (message.kind === 'stats') {
      const rss = process.memoryUsage().rss;
      process.send!({ kind: 'stats', rss, rssPeak: Math.max(rssPeak, rss), bufferedBytes: real.transport.bufferedBytes(), refusals } satisfies TargetStats);
      refusals = {};
      rssPeak = 0;
    }
    if (message.kind === 'stop') void real.close().then(() => process.exit(0));
  });
}

// ——— the attacker's raw connections ———

interface RawConnection {
  /** Resolves true once the bytes are taken, false if the connection closed first. */
  write(bytes: Uint8Array): Promise<boolean>;
  isClosed(): boolean;
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/** A connection to the target under `certificate` that has sent the dialler's welcome; `isRead`: whether what the node sends is read (a slow reader reads nothing). */
async function rawConnect(scheme: Scheme, port: number, certificate: NodeCertificate, isRead: boolean): Promise<RawConnection> {
  const welcome = new Uint8Array(4);
  if (scheme === 'tls') {
    const socket = tlsConnect({ host: '127.0.0.1', port, key: certificate.keyPem, cert: certificate.certPem, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    socket.on('error', () => {});
    let isClosed = false;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve((isClosed = true) && undefined)));
    await Promise.race([new Promise<void>((resolve) => socket.once('secureConnect', () => resolve())), closed]);
    if (isRead) socket.resume();
    else socket.pause();
    const write = (bytes: Uint8Array): Promise<boolean> =>
      isClosed ? Promise.resolve(false) : socket.write(bytes) ? Promise.resolve(true) : Promise.race([new Promise<boolean>((resolve) => socket.once('drain', () => resolve(true))), closed.then(() => false)]);
    await write(welcome);
    return { write, isClosed: () => isClosed, closed, close: async () => void socket.destroy() };
  }
  const client = await hostileQuicClient(port, certificate, 10_000);
  let isClosed = false;
  const closed = new Promise<void>((resolve) => client.connection.addEventListener(quicEvents.EventQUICConnectionStopped.name, () => resolve((isClosed = true) && undefined), { once: true }));
  const stream = client.connection.newStream('bidi');
  const writer = stream.writable.getWriter();
  writer.closed.catch(() => {});
  if (isRead) void stream.readable.pipeTo(new WritableStream()).catch(() => {});
  // A write the node refuses (it stopped or closed the stream) rejects: that is the end of this connection, not an error.
  const write = (bytes: Uint8Array): Promise<boolean> => (isClosed ? Promise.resolve(false) : writer.write(bytes).then(() => true, () => false));
  await write(welcome);
  return { write, isClosed: () => isClosed, closed, close: () => client.destroy({ force: true }).catch(() => {}) };
}

interface AttackerReport {
  readonly kind: 'sent';
  /** Connections opened (each under a fresh identity unless the attack keeps one). */
  connections: number;
  /** Connections the node refused or closed. */
  closedByNode: number;
  frames: number;
  bytes: number;
}

/** The attacker: runs `attack` against `address` until told to stop; reports what it did. */
async function runAttacker(attack: Attack, scheme: Scheme, address: string): Promise<void> {
  const port = Number(address.split(':').pop());
  const report: AttackerReport = { kind: 'sent', connections: 0, closedByNode: 0, frames: 0, bytes: 0 };
  let isStopped = false;
  const open: RawConnection[] = [];
  process.on('message', () => {
    isStopped = true;
    void Promise.all(open.map((connection) => connection.close())).then(() => {
      process.send!(report);
      setTimeout(() => process.exit(0), 100);
    });
  });
  const connect = async (certificate: NodeCertificate, isRead = true): Promise<RawConnection | undefined> => {
    report.connections++;
    const connection = await rawConnect(scheme, port, certificate, isRead).catch(() => undefined);
    if (connection === undefined || connection.isClosed()) {
      report.closedByNode++;
      return undefined;
    }
    open.push(connection);
    void connection.closed.then(() => {
      if (!isStopped) report.closedByNode++;
      open.splice(open.indexOf(connection), 1);
    });
    return connection;
  };
  const send = async (connection: RawConnection, bytes: Uint8Array, frames: number): Promise<boolean> => {
    if (!(await connection.write(bytes))) return false;
    report.frames += frames;
    report.bytes += bytes.length;
    return true;
  };
  let isReady = false;
  const ready = (): void => {
    if (!isReady) process.send!({ kind: 'ready' });
    isReady = true;
  };

  /** A write the node has not taken within STALL_MS: the attacker gives up that identity and comes back under a new one. */
  const sendOrGiveUp = (connection: RawConnection, bytes: Uint8Array, frames: number): Promise<boolean> => Promise.race([send(connection, bytes, frames), sleep(STALL_MS).then(() => false)]);
  /** Runs `loop` in ATTACK_CONNECTIONS parallel copies. */
  const inParallel = (loop: () => Promise<void>): Promise<unknown> => Promise.all(Array.from({ length: ATTACK_CONNECTIONS }, loop));

  if (attack === 'forged-flood') {
    await inParallel(async () => {
      while (!isStopped) {
        const certificate = randomCertificate();
        const connection = await connect(certificate);
        if (connection === undefined) continue;
        ready();
        for (let seq = 1; !isStopped && (await sendOrGiveUp(connection, forgedFrames(crypto, certificate.id, targetKey.id, echoKey.id, FRAMES_PER_WRITE, { firstSeq: seq }), FRAMES_PER_WRITE)); seq += FRAMES_PER_WRITE);
        await connection.close();
      }
    });
  } else if (attack === 'signed-flood') {
    const certificate = randomCertificate();
    const engine = crypto.keyPair(deriveSecret(2, 'eng', 'attacker'));
    const nowhere = crypto.keyPair(deriveSecret(2, 'eng', 'nowhere')).id;
    // Signed once, wrapped in fresh envelopes: a real node has no verify cache, each costs a check.
    const signed = Array.from({ length: FRAMES_PER_WRITE }, (_, i) => signEngineMessage(crypto, engine, { src: engine.id, dst: { kind: 'engine', engine: nowhere, node: targetKey.id }, id: i + 1, protocol: 'attack/1.0', body: new Uint8Array(16) }).bytes);
    let seq = 1;
    while (!isStopped) {
      const connection = await connect(certificate);
      if (connection === undefined) continue;
      ready();
      while (!isStopped) {
        const frames = signed.map((msg) => encodeP2PMessage({ src: certificate.id, dst: targetKey.id, session: 1, seq: seq++, inner: 'engine', msg, sig: new Uint8Array(64) }));
        if (!(await send(connection, encodeFrames(frames), frames.length))) break;
      }
      await connection.close();
    }
  } else if (attack === 'uni-stream') {
    ready();
    while (!isStopped) {
      report.connections++;
      const client = await hostileQuicClient(port, randomCertificate(), 10_000).catch(() => undefined);
      if (client === undefined) continue;
      try {
        // The node grants no unidirectional credit: the library refuses the stream at once.
        const writer = client.connection.newStream('uni').writable.getWriter();
        writer.closed.catch(() => {});
        await Promise.race([writer.write(new Uint8Array(4)).catch(() => {}), sleep(200)]);
        report.frames++;
      } catch {
        report.closedByNode++;
      }
      await sleep(20);
      await client.destroy({ force: true }).catch(() => {});
    }
  } else if (attack === 'huge-frames') {
    const huge = new Uint8Array(4 + HUGE_FRAME_BYTES).fill(0xa5);
    new DataView(huge.buffer).setUint32(0, HUGE_FRAME_BYTES);
    const tooLarge = Uint8Array.of(0xff, 0xff, 0xff, 0xf0, 1, 2, 3);
    await inParallel(async () => {
      while (!isStopped) {
        const connection = await connect(randomCertificate());
        if (connection === undefined) continue;
        ready();
        // Two frames of 16 MiB of garbage, then a prefix above the maximum (the node closes the channel).
        if ((await sendOrGiveUp(connection, huge, 1)) && (await sendOrGiveUp(connection, huge, 1))) await sendOrGiveUp(connection, tooLarge, 1);
        await Promise.race([connection.closed, sleep(STALL_MS)]);
        await connection.close();
      }
    });
  } else {
    // Slow readers: each identity asks for 25 MiB of echo replies and reads none of them.
    const asks = Math.ceil(SLOW_READER_REPLY_BYTES / SLOW_READER_BODY_BYTES);
    await Promise.all(
      Array.from({ length: SLOW_READERS }, async (_, index) => {
        const certificate = randomCertificate();
        const engine = crypto.keyPair(deriveSecret(3, 'eng', `slow-${index}`));
        const signed = signEngineMessage(crypto, engine, { src: engine.id, dst: { kind: 'engine', engine: echoKey.id, node: targetKey.id }, id: 1, protocol: 'attack/1.0', body: new Uint8Array(SLOW_READER_BODY_BYTES) }).bytes;
        const connection = await connect(certificate, false);
        if (connection === undefined) return;
        for (let seq = 1; seq <= asks && !isStopped; seq++) {
          if (!(await send(connection, encodeFrames([encodeP2PMessage({ src: certificate.id, dst: targetKey.id, session: 1, seq, inner: 'engine', msg: signed, sig: new Uint8Array(64) })]), 1))) return;
        }
      }),
    );
    ready(); // all asked; they hold their connections, reading nothing
  }
}

// ——— the bench process ———

function child(args: string[], role: string): ChildProcess {
  const created = fork(fileURLToPath(import.meta.url), args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  let partial = '';
  created.stderr!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) process.stderr.write(`[${role}] ${line}\n`);
  });
  return created;
}

function next<T>(process: ChildProcess, kind: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (message: { kind: string }): void => {
      if (message.kind !== kind) return;
      process.off('message', on);
      resolve(message as T);
    };
    process.on('message', on);
  });
}

/** The legitimate peer: a node of its own pinging the target's echo engine, one ping at a time. */
async function legitPeer(scheme: Scheme, address: string): Promise<{ ping(): Promise<number | undefined>; close(): Promise<void> }> {
  const directory = new IdentityStore();
  directory.setNode({ id: targetKey.id, addresses: [address], trust: 128 });
  directory.setEngineNode(echoKey.id, targetKey.id);
  const real: RealNode = await startRealNode(
    { crypto, rng: createRng(1, 'legit'), trace: { emit: () => {} } },
    { name: 'legit', key: crypto.keyPair(deriveSecret(1, 'node', 'hostile-legit')), session: 1, schemes: [scheme], listenHost: '127.0.0.1', directory, transport: { backoffMsMin: 50, backoffMsMax: 1000 } },
  );
  const pending = new Map<number, () => void>();
  real.node.addEngine('pinger', crypto.keyPair(deriveSecret(1, 'eng', 'hostile-legit/pinger')), {
    handle(input) {
      if (input.kind === 'message' && input.message.replyTo !== undefined) {
        pending.get(input.message.replyTo)?.();
        pending.delete(input.message.replyTo);
      }
    },
  });
  real.node.start();
  const body = new Uint8Array(64);
  return {
    /** The round trip (ms), or undefined when no reply came within PING_TIMEOUT_MS. */
    ping: () =>
      new Promise<number | undefined>((resolve) => {
        const started = performance.now();
        const timer = setTimeout(() => resolve(undefined), PING_TIMEOUT_MS);
        real.node.perform('pinger', (ctx) =>
          pending.set(ctx.send({ kind: 'engine', engine: echoKey.id, node: targetKey.id }, body), () => {
            clearTimeout(timer);
            resolve(performance.now() - started);
          }),
        );
      }),
    close: () => real.close(),
  };
}

const quantile = (values: number[], q: number): number => (values.length === 0 ? NaN : [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor(q * values.length))]!);
const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

export interface HostileBenchRow {
  readonly attack: Attack;
  readonly transport: string;
  readonly aloneP50Ms: number;
  readonly aloneP95Ms: number;
  readonly attackP50Ms: number;
  readonly attackP95Ms: number;
  /** attackP50Ms / aloneP50Ms (goal ≤ 2). */
  readonly ratio: number;
  /** Pings without a reply within 10 s, under attack. */
  readonly lost: number;
  /** The attacker's connections (and how many the node refused or closed), frames and MiB sent. */
  readonly attacker: string;
  /** The node's refusals during the attack, most frequent first. */
  readonly refused: string;
  readonly rssMiB: string;
  /** The node process alive and answering a ping after the attack, and exiting cleanly when stopped. */
  readonly survived: boolean;
}

async function benchOne(variant: Variant): Promise<HostileBenchRow> {
  const { attack, scheme } = variant;
  const worker = variant.worker ?? true;
  const penalty = variant.penalty ?? true;
  const transport = (scheme === 'tls' ? 'tls' : worker ? 'quic (worker)' : 'quic (main thread)') + (penalty ? '' : ', no penalty');
  const target = child(['target', scheme, String(worker), String(penalty)], `target ${attack} ${transport}`);
  let targetExit: number | null | undefined;
  const exited = new Promise<void>((resolve) => target.once('exit', (code) => resolve(void (targetExit = code))));
  const { address } = await next<{ address: string }>(target, 'listening');
  const legit = await legitPeer(scheme, address);
  const pings = async (count: number): Promise<{ rtts: number[]; lost: number }> => {
    const rtts: number[] = [];
    let lost = 0;
    for (let i = 0; i < count && targetExit === undefined; i++) {
      const rtt = await legit.ping();
      if (rtt === undefined) lost++;
      else rtts.push(rtt);
    }
    return { rtts, lost };
  };
  const stats = async (): Promise<TargetStats | undefined> => {
    if (targetExit !== undefined || !target.connected) return undefined;
    target.send({ kind: 'stats' });
    return Promise.race([next<TargetStats>(target, 'stats'), exited.then(() => undefined)]);
  };
  await pings(PINGS / 2); // warm up: dial, handshake, JIT
  const alone = await pings(PINGS);
  const before = await stats();
  const attacker = child(['attacker', attack, scheme, address], `attacker ${attack} ${transport}`);
  await Promise.race([next(attacker, 'ready'), new Promise((resolve) => attacker.once('exit', resolve))]);
  await sleep(1000); // the attack is on
  if (attack === 'slow-readers') {
    // Until the node has taken what they asked (its buffered bytes stop growing).
    for (let last = -1, i = 0; i < 100; i++) {
      const now = (await stats())?.bufferedBytes ?? 0;
      if (now === last) break;
      last = now;
      await sleep(300);
    }
  }
  const attacked = await pings(PINGS);
  const during = await stats();
  const attackerExit = new Promise<AttackerReport>((resolve) => attacker.once('exit', (code) => resolve({ kind: 'sent', connections: NaN, closedByNode: NaN, frames: NaN, bytes: code ?? NaN })));
  if (attacker.connected) attacker.send({ kind: 'stop' });
  const sent = await Promise.race([next<AttackerReport>(attacker, 'sent'), attackerExit]);
  const after = await pings(1);
  await legit.close();
  if (targetExit === undefined && target.connected) target.send({ kind: 'stop' });
  await exited;
  const aloneP50 = quantile(alone.rtts, 0.5);
  const attackP50 = quantile(attacked.rtts, 0.5);
  const refusals = Object.entries(during?.refusals ?? {}).sort((x, y) => y[1] - x[1]);
  return {
    attack,
    transport,
    aloneP50Ms: round(aloneP50),
    aloneP95Ms: round(quantile(alone.rtts, 0.95)),
    attackP50Ms: round(attackP50),
    attackP95Ms: round(quantile(attacked.rtts, 0.95)),
    ratio: round(attackP50 / aloneP50),
    lost: attacked.lost,
    attacker: `${sent.connections} conn (${sent.closedByNode} closed by node), ${sent.frames} frames, ${round(sent.bytes / 2 ** 20, 1)} MiB`,
    refused: refusals.slice(0, 3).map(([key, count]) => `${key} ×${count}`).join(', '),
    rssMiB: `${Math.round((before?.rss ?? 0) / 2 ** 20)} → peak ${Math.round((during?.rssPeak ?? 0) / 2 ** 20)}`,
    survived: after.rtts.length === 1 && targetExit === 0,
  };
}

/** Runs the attacks named in `only` (all when empty), one node per row. */
export async function benchHostile(only: ReadonlyArray<string> = []): Promise<HostileBenchRow[]> {
  const rows: HostileBenchRow[] = [];
  for (const variant of VARIANTS) if (only.length === 0 || only.includes(variant.attack)) rows.push(await benchOne(variant));
  return rows;
}

const [role, ...rest] = process.argv.slice(2);
if (role === 'target') await runTarget(rest[0] as Scheme, rest[1] === 'true', rest[2] === 'true');
else if (role === 'attacker') await runAttacker(rest[0] as Attack, rest[1] as Scheme, rest[2]!);
else if (process.argv[1] === fileURLToPath(import.meta.url)) console.table(await benchHostile(process.argv.slice(2)));
