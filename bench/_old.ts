// Attack harness: a real node (`open: true`, its own process) with an echo engine; a legitimate
// peer (this process) measures its ping round trip alone, then while an attacker (a third
// process) floods the node with small badly-signed frames (forged engine signatures: each one
// costs the node a signature check) as fast as the node lets it, over QUIC and over TLS.
// Printed: the round trip alone and under attack (p50, p95), their ratio (goal ≤ 2), the frames
// the attacker got in, the node's largest inbound queue for it and its RSS before and under attack.
// Run: npm run bench -- --only hostile   (or: node --import tsx bench/hostile.ts)
import { fork, type ChildProcess } from 'node:child_process';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createRng, deriveSecret, IdentityStore, type Engine, type Id } from '../core/index.js';
import { createRealNodeCrypto, startRealNode, type RealNode, type Scheme } from '../transports/index.js';
import { forgedFrames, hostileQuicChannel, hostileQuicClient, randomCertificate } from '../test/transports/hostile.js';

const crypto = createRealNodeCrypto();
const targetKey = crypto.keyPair(deriveSecret(1, 'node', 'hostile-target'));
const echoKey = crypto.keyPair(deriveSecret(1, 'eng', 'hostile-target/echo'));
const PINGS = 200;
const FRAMES_PER_WRITE = 500;

type Report = { kind: 'listening'; address: string } | { kind: 'stats'; rss: number; inboundFramesMax: number; inboundBytesMax: number } | { kind: 'sent'; frames: number };

/** The attacked node: echo engine, open to anyone; reports its address, then stats when asked. */
async function runTarget(scheme: Scheme): Promise<void> {
  const directory = new IdentityStore();
  const real = await startRealNode(
    { crypto, rng: createRng(1, 'target'), trace: { emit: () => {} } },
    { name: 'target', key: targetKey, session: 1, schemes: [scheme], listenHost: '127.0.0.1', directory, isOpen: true },
  );
  const echo: Engine = { handle: (input, ctx) => void (input.kind === 'message' && ctx.reply(input, input.message.body)) };
  real.node.addEngine('echo', echoKey, echo);
  real.node.start();
  process.send!({ kind: 'listening', address: real.addresses[0]! } satisfies Report);
  process.on('message', (message: { kind: string; peer?: Id }) => {
    if (message.kind === 'stats') {
      const inbound = message.peer === undefined ? undefined : (real.transport as Partial<typeof real.transport>).inbound?.(message.peer);
      process.send!({ kind: 'stats', rss: process.memoryUsage().rss, inboundFramesMax: inbound?.framesMax ?? 0, inboundBytesMax: inbound?.bytesMax ?? 0 } satisfies Report);
    }
    if (message.kind === 'stop') void real.close().then(() => process.exit(0));
  });
}

/** The attacker: floods `address` with forged frames until told to stop; reports how many it got in. */
async function runAttacker(scheme: Scheme, address: string): Promise<void> {
  const certificate = randomCertificate();
  process.send!({ kind: 'id', id: certificate.id });
  const port = Number(address.split(':').pop());
  let seq = 1;
  let sent = 0;
  let isStopped = false;
  process.on('message', () => {
    isStopped = true;
    process.send!({ kind: 'sent', frames: sent } satisfies Report);
    setTimeout(() => process.exit(0), 100);
  });
  const batch = (): Uint8Array => {
    const frames = forgedFrames(crypto, certificate.id, targetKey.id, echoKey.id, FRAMES_PER_WRITE, { firstSeq: seq });
    seq += FRAMES_PER_WRITE;
    return frames;
  };
  if (scheme === 'quic') {
    const client = await hostileQuicClient(port, certificate, 10_000);
    const writer = (await hostileQuicChannel(client)).writable.getWriter();
    while (!isStopped) {
      await writer.write(batch());
      sent += FRAMES_PER_WRITE;
    }
  } else {
    const socket = tlsConnect({ host: '127.0.0.1', port, key: certificate.keyPem, cert: certificate.certPem, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
    socket.write(new Uint8Array(4)); // the dialler's welcome
    while (!isStopped) {
      sent += FRAMES_PER_WRITE;
      if (!socket.write(batch())) await new Promise<void>((resolve) => socket.once('drain', () => resolve()));
    }
  }
}

function child(role: string, scheme: Scheme, ...rest: string[]): ChildProcess {
  const c = fork(fileURLToPath(import.meta.url), [role, scheme, ...rest], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  c.stderr!.on('data', (d: Buffer) => process.stderr.write(d.toString().split('\n').map((l) => `[${role}] ${l}`).join('\n')));
  c.on('exit', (code) => process.stderr.write(`[${role}] exit ${code}\n`));
  return c;
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
async function legitPeer(scheme: Scheme, address: string): Promise<{ ping(): Promise<number>; close(): Promise<void> }> {
  const directory = new IdentityStore();
  directory.setNode({ id: targetKey.id, addresses: [address], trust: 128 });
  directory.setEngineNode(echoKey.id, targetKey.id);
  const real: RealNode = await startRealNode(
    { crypto, rng: createRng(1, 'legit'), trace: { emit: () => {} } },
    { name: 'legit', key: crypto.keyPair(deriveSecret(1, 'node', 'hostile-legit')), session: 1, schemes: [scheme], listenHost: '127.0.0.1', directory },
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
    ping: () =>
      new Promise<number>((resolve) => {
        const started = performance.now();
        real.node.perform('pinger', (ctx) => pending.set(ctx.send({ kind: 'engine', engine: echoKey.id, node: targetKey.id }, body), () => resolve(performance.now() - started)));
      }),
    close: () => real.close(),
  };
}

const quantile = (values: number[], q: number): number => [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor(q * values.length))]!;

export interface HostileBenchRow {
  readonly transport: Scheme;
  readonly rttAloneP50Ms: number;
  readonly rttAttackP50Ms: number;
  readonly rttAttackP95Ms: number;
  /** rttAttackP50Ms / rttAloneP50Ms (goal ≤ 2). */
  readonly ratio: number;
  readonly attackFramesSent: number;
  readonly inboundQueueMaxFrames: number;
  readonly rssBeforeMiB: number;
  readonly rssAttackMiB: number;
}

async function benchOne(scheme: Scheme): Promise<HostileBenchRow> {
  const target = child('target', scheme);
  const { address } = await next<{ address: string }>(target, 'listening');
  const legit = await legitPeer(scheme, address);
  const pings = async (): Promise<number[]> => {
    const rtts: number[] = [];
    for (let i = 0; i < PINGS; i++) rtts.push(await legit.ping());
    return rtts;
  };
  await pings(); // warm up: dial, handshake, JIT
  const alone = await pings();
  target.send({ kind: 'stats' });
  const before = await next<{ rss: number }>(target, 'stats');
  const attacker = child('attacker', scheme, address);
  const { id: attackerId } = await next<{ id: Id }>(attacker, 'id');
  await new Promise((resolve) => setTimeout(resolve, 1000)); // the flood is on
  const attacked = await pings();
  target.send({ kind: 'stats', peer: attackerId });
  const during = await next<{ rss: number; inboundFramesMax: number }>(target, 'stats');
  attacker.send({ kind: 'stop' });
  const { frames } = await next<{ frames: number }>(attacker, 'sent');
  await legit.close();
  target.send({ kind: 'stop' });
  await new Promise((resolve) => target.once('exit', resolve));
  const aloneP50 = quantile(alone, 0.5);
  const attackP50 = quantile(attacked, 0.5);
  return {
    transport: scheme,
    rttAloneP50Ms: aloneP50,
    rttAttackP50Ms: attackP50,
    rttAttackP95Ms: quantile(attacked, 0.95),
    ratio: attackP50 / aloneP50,
    attackFramesSent: frames,
    inboundQueueMaxFrames: during.inboundFramesMax,
    rssBeforeMiB: Math.round(before.rss / 2 ** 20),
    rssAttackMiB: Math.round(during.rss / 2 ** 20),
  };
}

export async function benchHostile(): Promise<HostileBenchRow[]> {
  return [await benchOne('quic')];
}

const [role, scheme, address] = process.argv.slice(2);
if (role === 'target') await runTarget(scheme as Scheme);
else if (role === 'attacker') await runAttacker(scheme as Scheme, address!);
else if (process.argv[1] === fileURLToPath(import.meta.url)) console.table(await benchHostile());
