// S21: ephemeral connections close after inactivity and are dialled again on demand; permanent ones stay.
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, sendFrom, startNodes, waitFor, type TestNode } from './helpers.js';

let nodes: TestNode[] = [];
afterEach(async () => {
  await closeAll(nodes);
  nodes = [];
});

const idle = { transport: { backoffMsMin: 50, backoffMsMax: 500, dialTimeoutMs: 3000, idleMsMax: 300 } };
// Only `a` closes for idleness: were both sides ephemeral with the same timeout, whichever idle sweep
// ran first would close the connection, and `a` would see it closed by `b` ('closed', not 'idle').
// Which one that is depends on when each node's sweep timer started: a race the scheduler decides.
const onlyAIdles = (name: string): typeof idle => (name === 'a' ? idle : { transport: { ...idle.transport, idleMsMax: 60_000 } });

describe('connection permanence (S21)', () => {
  it('an idle ephemeral connection is closed (traced as disconnect, reason idle); the next message dials again', async () => {
    nodes = await startNodes(['a', 'b'], ['tls'], onlyAIdles);
    const [a, b] = nodes as [TestNode, TestNode];
    sendFrom(a, [b], 1, 'first');
    await waitFor(() => b.received.length === 1, 'the first message');
    await waitFor(() => a.trace.some((event) => event.kind === 'disconnect' && event.reason === 'idle'), 'an idle disconnect at a', 5000);
    const connects = a.trace.filter((event) => event.kind === 'connect').length;
    sendFrom(a, [b], 1, 'second');
    // (sendFrom restarts a's engines, so the first sender sends once more too.)
    await waitFor(() => b.received.some((message) => message.body.startsWith('second:')), 'the second message after the idle close');
    expect(a.trace.filter((event) => event.kind === 'connect').length).toBe(connects + 1);
    expect(b.trace.filter((event) => event.kind === 'disconnect').map((event) => event.reason)).not.toContain('idle');
  });

  it('a permanent connection is kept however idle it is', async () => {
    nodes = await startNodes(['c', 'd'], ['tls'], idle);
    const [c, d] = nodes as [TestNode, TestNode];
    c.real.transport.connect(d.real.id, { isPermanent: true });
    d.real.transport.connect(c.real.id, { isPermanent: true });
    sendFrom(c, [d], 1, 'first');
    await waitFor(() => d.received.length === 1, 'the first message');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(c.trace.filter((event) => event.kind === 'disconnect')).toEqual([]);
  });
});
