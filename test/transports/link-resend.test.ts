// A channel that dies with frames written on it and not yet read at the other end loses none of
// them: the writer keeps each frame until the peer acknowledges it, and writes the unacknowledged
// ones again on its next channel; the reader takes each frame once (transports/link-control.ts).
// The paths this covers: a channel destroyed at once by its writer (a same-direction redial
// replacing it, a dial given up, an idle close) or by its reader (the same at the other end), and
// a disconnect asked for while frames are in flight (retired, not destroyed).
// Two transports in this process, a → b, with b slow to handle frames (so that frames wait unread
// in the network and in b's channel when the channel is destroyed); the channel is destroyed from
// one side after b has handled a tenth of them. Before the acknowledgements, over TLS and over
// QUIC, every frame still in flight was lost without a trace (hundreds to thousands of the 3000).
import { afterEach, describe, expect, it } from 'vitest';
import { createRng, IdentityStore, type Id, type TraceRecord } from '../../core/index.js';
import { createNodeCertificate, createPeerTransport, createQuicDriverOf, createTlsDriver, createWallClock, type Channel, type DriverHost, type PeerTransport, type Scheme } from '../../transports/index.js';
import { keyOf, waitFor } from './helpers.js';

const FRAMES = 3000;
const FRAME_BYTES = 1024;
/** What b spends per frame handled (ms): it then lags a's writes by hundreds of frames. */
const HANDLE_MS = 0.15;

interface End {
  readonly id: Id;
  readonly transport: PeerTransport;
  readonly trace: TraceRecord[];
  /** Channels as they were established, newest last. */
  readonly channels: Channel[];
  /** Frame numbers handled, in order. */
  readonly handled: number[];
  readonly directory: IdentityStore;
  readonly addresses: string[];
}

async function startEnd(name: string, scheme: Scheme, quicWorker: boolean, isSlow: boolean): Promise<End> {
  const key = keyOf(name);
  const certificate = createNodeCertificate(key.secret);
  const trace: TraceRecord[] = [];
  const channels: Channel[] = [];
  const handled: number[] = [];
  const directory = new IdentityStore();
  const capture = (host: DriverHost): DriverHost => ({
    ...host,
    established(channel) {
      channels.push(channel);
      return host.established(channel);
    },
  });
  const transport = createPeerTransport(
    {
      clock: createWallClock(0, 1),
      rng: createRng(1, name),
      trace: { emit: (record) => trace.push(record) },
      drivers: [(host) => (scheme === 'tls' ? createTlsDriver(capture(host), certificate) : createQuicDriverOf(capture(host), certificate, { worker: quicWorker }))],
    },
    { nodeName: name, self: key.id, directory, backoffMsMin: 50, backoffMsMax: 200, dialTimeoutMs: 5000, inboundFramesMax: 64 },
  );
  transport.onFrame((_from, frame) => {
    if (isSlow) for (const until = performance.now() + HANDLE_MS; performance.now() < until; );
    handled.push(new DataView(frame.buffer, frame.byteOffset).getUint32(1));
  });
  const addresses = await transport.listen('127.0.0.1');
  return { id: key.id, transport, trace, channels, handled, directory, addresses };
}

/** A frame numbered `index`: the envelope tag first (a control frame's first byte is never it), then the number, then padding. */
function frameOf(index: number): Uint8Array {
  const frame = new Uint8Array(FRAME_BYTES);
  frame[0] = 0xf1;
  new DataView(frame.buffer).setUint32(1, index);
  return frame;
}

/** Resolves once `value()` has not changed for `quietMs`. */
async function settled(value: () => number, quietMs: number, what: string): Promise<void> {
  let last = -1;
  let since = Date.now();
  await waitFor(
    () => {
      const now = value();
      if (now !== last) [last, since] = [now, Date.now()];
      return Date.now() - since >= quietMs;
    },
    what,
    60_000,
  );
}

const CASES: ReadonlyArray<{ scheme: Scheme; worker: boolean; label: string }> = [
  { scheme: 'tls', worker: false, label: 'TLS' },
  { scheme: 'quic', worker: true, label: 'QUIC (worker thread)' },
  { scheme: 'quic', worker: false, label: 'QUIC (main thread)' },
];

describe.each(CASES)('$label: a channel destroyed with frames in flight', ({ scheme, worker }) => {
  let ends: End[] = [];
  afterEach(async () => {
    await Promise.all(ends.map((end) => end.transport.close()));
    ends = [];
  });

  it.each(['writer', 'reader'] as const)('destroyed by its %s: every frame is handled once, none dropped', async (side) => {
    const a = await startEnd('a', scheme, worker, false);
    const b = await startEnd('b', scheme, worker, true);
    ends = [a, b];
    // Only a knows b's address: the channel a → b is the only one, and a redials it.
    a.directory.setNode({ id: b.id, addresses: b.addresses, trust: 128 });
    b.directory.setNode({ id: a.id, addresses: [], trust: 128 });
    for (let index = 0; index < FRAMES; index++) a.transport.send(b.id, frameOf(index), { msg: `m${index}` });
    await waitFor(() => b.handled.length >= FRAMES / 10, 'b to handle a tenth of the frames', 30_000);
    const inFlight = FRAMES - b.handled.length;
    const victim = (side === 'writer' ? a : b).channels[0]!;
    victim.destroy();
    await settled(() => b.handled.length, 2000, 'frames to stop arriving');
    const drops = [...a.trace, ...b.trace].filter((record) => record.kind === 'drop');
    const counts = new Map<number, number>();
    for (const index of b.handled) counts.set(index, (counts.get(index) ?? 0) + 1);
    const missing = Array.from({ length: FRAMES }, (_, index) => index).filter((index) => !counts.has(index));
    const twice = [...counts].filter(([, count]) => count > 1).map(([index]) => index);
    expect({ inFlightAtDestroy: inFlight > 0, missing: missing.length, twice: twice.length, drops }).toEqual({ inFlightAtDestroy: true, missing: 0, twice: 0, drops: [] });
    expect(a.channels.length + b.channels.length).toBeGreaterThanOrEqual(3); // a dialled again
  }, 90_000);

  it('disconnected by its writer right after the frames were sent: every frame still arrives, once', async () => {
    const a = await startEnd('a', scheme, worker, false);
    const b = await startEnd('b', scheme, worker, true);
    ends = [a, b];
    a.directory.setNode({ id: b.id, addresses: b.addresses, trust: 128 });
    b.directory.setNode({ id: a.id, addresses: [], trust: 128 });
    for (let index = 0; index < FRAMES; index++) a.transport.send(b.id, frameOf(index), { msg: `m${index}` });
    await waitFor(() => b.handled.length >= FRAMES / 10, 'b to handle a tenth of the frames', 30_000);
    a.transport.disconnect(b.id); // as HyParView does when it drops a peer from its view
    await settled(() => b.handled.length, 2000, 'frames to stop arriving');
    const drops = [...a.trace, ...b.trace].filter((record) => record.kind === 'drop');
    expect({ handled: b.handled.length, distinct: new Set(b.handled).size, drops }).toEqual({ handled: FRAMES, distinct: FRAMES, drops: [] });
  }, 90_000);
});
