// A channel retired while frames are in flight on it (simultaneous dials: the dialler of the
// non-canonical channel retires it) loses none of them, and they are not reordered behind the new
// channel's frames (the Router's replay window refuses a frame more than 1024 behind the newest).
// The receivers are kept over their inbound budget (channels paused) and the retire grace is
// short, so frames are still unread on the retired channel when it is retired. Before the fix,
// 1799 of the 3000 frames a → b were lost: refused as replays, traced only 100 times (the drop
// record limit), or cut off with the retired connection.
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, sendFrom, startNodes, waitFor, type TestNode } from './helpers.js';

const FRAMES = 3000;

/** Resolves once `value()` has not changed for `quietMs` (frames still arriving keep it waiting). */
async function settled(value: () => number, quietMs: number, what: string): Promise<void> {
  let last = -1;
  let since = Date.now();
  await waitFor(
    () => {
      const now = value();
      if (now !== last) {
        last = now;
        since = Date.now();
      }
      return Date.now() - since >= quietMs;
    },
    what,
    60_000,
  );
}

describe('QUIC: retiring a channel loses no frame', () => {
  let nodes: TestNode[] = [];
  afterEach(async () => {
    await closeAll(nodes);
    nodes = [];
  });

  it('simultaneous dials with frames in flight both ways: sent = received + traced drops', async () => {
    nodes = await startNodes(['a', 'b'], ['quic'], { quic: { retireGraceMs: 100 }, transport: { backoffMsMin: 50, backoffMsMax: 500, dialTimeoutMs: 3000, inboundFramesMax: 16 } });
    const [a, b] = nodes as [TestNode, TestNode];
    sendFrom(a, [b], FRAMES, 'm', 200);
    sendFrom(b, [a], FRAMES, 'm', 200);
    const drops = (node: TestNode): number => node.trace.filter((record) => record.kind === 'drop').length;
    await settled(() => a.received.length + b.received.length + drops(a) + drops(b), 3000, 'frames to stop arriving');
    const lost = (from: TestNode, to: TestNode): number => FRAMES - to.received.length - drops(from) - drops(to);
    expect({ aToB: lost(a, b), bToA: lost(b, a), dropsA: drops(a), dropsB: drops(b) }).toEqual({ aToB: 0, bToA: 0, dropsA: 0, dropsB: 0 });
    expect(new Set(b.received.map((entry) => entry.body)).size).toBe(FRAMES);
  }, 90_000);
});
