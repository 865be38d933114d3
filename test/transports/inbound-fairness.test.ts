// The order in which a node handles its peers' received frames, and when what they make it send is
// written, with one peer backlogged (a flood queued) and another sending one frame: the second is
// served first in the next slice and its reply is written before any more of the backlog is handled.
// Channels are in memory (a driver that only hands them to the transport), so the test sees every
// frame handed to the node and every write, in order.
import { afterEach, expect, it } from 'vitest';
import { createRng, IdentityStore, type Id } from '../../core/index.js';
import { createPeerTransport, type Channel, type ChannelHandlers, type DriverHost, type PeerTransport } from '../../transports/index.js';
import { createWallClock } from '../../transports/wall-clock.js';
import { keyOf } from './helpers.js';

/** Far more frames than a node handles in a slice (1 ms): a backlog still there when the next frame arrives. */
const BACKLOG_FRAMES = 100_000;

type Entry = { readonly kind: 'handled' | 'written'; readonly peer: string };

interface Bench {
  readonly transport: PeerTransport;
  readonly log: Entry[];
  /** Opens an inbound channel from `name`; returns the function that hands it received frames. */
  connect(name: string): (frame: Uint8Array) => void;
}

let opened: PeerTransport[] = [];
afterEach(async () => {
  await Promise.all(opened.map((transport) => transport.close()));
  opened = [];
});

/** A transport whose frames from a peer named `reply*` are answered (one frame back), others not. */
function bench(): Bench {
  const log: Entry[] = [];
  const names = new Map<Id, string>();
  let host: DriverHost | undefined;
  const self = keyOf('node');
  const transport = createPeerTransport(
    {
      clock: createWallClock(0, 1),
      rng: createRng(1, 'fairness'),
      trace: { emit: () => {} },
      drivers: [
        (given) => {
          host = given;
          return { scheme: 'tls', listen: async () => 'tls://127.0.0.1:1', dial: () => Promise.reject(new Error('not used')), close: async () => {} };
        },
      ],
    },
    // The penalty and the inbound budget do not apply: fake channels cannot be paused, and no frame is refused.
    { nodeName: 'node', self: self.id, directory: new IdentityStore(), isOpen: true, inboundFramesMax: 10 * BACKLOG_FRAMES, inboundBytesMax: 1 << 30 },
  );
  opened.push(transport);
  transport.onFrame((from) => {
    const name = names.get(from)!;
    log.push({ kind: 'handled', peer: name });
    if (name.startsWith('reply')) transport.send(from, new Uint8Array(8), { msg: `${name}.reply` });
  });
  return {
    transport,
    log,
    connect(name) {
      const id = keyOf(name).id;
      names.set(id, name);
      const channel: Channel = {
        peer: id,
        scheme: 'tls',
        address: `tls://127.0.0.1:${1000 + names.size}`,
        isDialer: false,
        write: () => void log.push({ kind: 'written', peer: name }),
        bufferedBytes: () => 0,
        end: () => {},
        destroy: () => {},
      };
      const handlers: ChannelHandlers = host!.established(channel);
      return (frame) => handlers.frame(frame);
    },
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await turn();
}

it('a reply to one frame from a peer is written before more of another peer\'s backlog is handled', async () => {
  const { log, connect } = bench();
  const flood = connect('flood');
  const pinger = connect('reply-pinger');
  for (let index = 0; index < BACKLOG_FRAMES; index++) flood(new Uint8Array(8));
  await until(() => log.length > 0); // a slice ran: the flood is backlogged
  const arrivedAt = log.length;
  pinger(new Uint8Array(8));
  await until(() => log.some((entry) => entry.kind === 'written'));
  const handledAt = log.findIndex((entry) => entry.kind === 'handled' && entry.peer === 'reply-pinger');
  const writtenAt = log.findIndex((entry) => entry.kind === 'written');
  expect(log[writtenAt]!.peer).toBe('reply-pinger');
  // No flood frame between its arrival and its handling, none between its handling and the write of the reply.
  expect(handledAt).toBe(arrivedAt);
  expect(writtenAt).toBe(handledAt + 1);
  await until(() => log.filter((entry) => entry.kind === 'handled').length === BACKLOG_FRAMES + 1); // and the flood is all handled
});

it('one frame from a peer is handled before four backlogged peers each take another turn', async () => {
  const { log, connect } = bench();
  const floods = ['flood1', 'flood2', 'flood3', 'flood4'].map((name) => connect(name));
  const pinger = connect('reply-pinger');
  for (let index = 0; index < BACKLOG_FRAMES / 4; index++) for (const flood of floods) flood(new Uint8Array(8));
  await until(() => log.length > 0);
  for (let ping = 0; ping < 3; ping++) {
    const arrivedAt = log.length;
    pinger(new Uint8Array(8));
    await until(() => log.filter((entry) => entry.kind === 'written').length > ping);
    const handled = log.findIndex((entry, index) => index >= arrivedAt && entry.kind === 'handled' && entry.peer === 'reply-pinger');
    expect(handled).toBe(arrivedAt);
    expect(log[handled + 1]).toEqual({ kind: 'written', peer: 'reply-pinger' });
  }
  // The backlogged peers took turns meanwhile (one frame each in turn), none was starved.
  const counts = new Map<string, number>();
  for (const entry of log) if (entry.kind === 'handled') counts.set(entry.peer, (counts.get(entry.peer) ?? 0) + 1);
  const floodCounts = ['flood1', 'flood2', 'flood3', 'flood4'].map((name) => counts.get(name) ?? 0);
  expect(Math.max(...floodCounts) - Math.min(...floodCounts)).toBeLessThanOrEqual(1);
});
