// Each invariant on hand-made traces: the allowed case holds, the forbidden case fails and names
// the offending event (seq, time, node, message).
import { describe, expect, it } from 'vitest';
import {
  allDeliveredWhenLossFree,
  atMostOnceDelivery,
  causalOrder,
  noDeliveryAcrossPartition,
  noDeliveryWithoutValidSignature,
  pubsubSubscribersReceiveAll,
  pubsubSubscribersReceiveAllWith,
  type SimulatedTrace,
  type TraceEvent,
} from '../../kit/index.js';

type Row = Omit<TraceEvent, 'seq'>;
function trace(rows: ReadonlyArray<Row>, durationMs = 10_000): SimulatedTrace {
  const events = rows.map((row, seq) => ({ ...row, seq }));
  return {
    header: { format: 'netmachine-trace', version: 1, backend: 'sim', seed: 1, scenario: {}, durationMs, started: 0, crypto: 'sim-keyed', nodes: {}, engines: {} } as unknown as SimulatedTrace['header'],
    events,
    summary: { endMs: durationMs } as SimulatedTrace['summary'],
    seed: 1,
    scenario: {},
  };
}

const send: Row = { t: 1, kind: 'send', node: 'a', engine: 'w', msg: 'm:1', dst: 'engine', to: 'b/sink' };
const transmit: Row = { t: 1, kind: 'transmit', node: 'a', msg: 'm:1', peer: 'b' };
const receive: Row = { t: 5, kind: 'receive', node: 'b', msg: 'm:1', peer: 'a' };
const deliver: Row = { t: 5, kind: 'deliver', node: 'b', engine: 'sink', msg: 'm:1', peer: 'a' };

describe('invariants', () => {
  it('atMostOnceDelivery names the second delivery', () => {
    expect(atMostOnceDelivery(trace([send, transmit, receive, deliver])).isOk).toBe(true);
    const result = atMostOnceDelivery(trace([send, transmit, receive, deliver, { ...deliver, t: 7 }]));
    expect(result.isOk).toBe(false);
    expect(result.message).toContain('#4 t=7ms deliver b/sink msg=m:1');
    expect(result.message).toContain('already delivered at #3');
  });

  it('noDeliveryWithoutValidSignature: a delivery after verify-fail, or of a message nobody sent', () => {
    expect(noDeliveryWithoutValidSignature(trace([send, transmit, receive, deliver])).isOk).toBe(true);
    const forged = noDeliveryWithoutValidSignature(trace([send, transmit, receive, { t: 5, kind: 'verify-fail', node: 'b', msg: 'm:1', peer: 'a', reason: 'engine-signature' }, deliver]));
    expect(forged.isOk).toBe(false);
    expect(forged.message).toContain('failed verification');
    expect(noDeliveryWithoutValidSignature(trace([receive, deliver])).message).toContain('never sent');
  });

  it('noDeliveryAcrossPartition names a frame received across the cut', () => {
    const cut: Row = { t: 0, kind: 'partition', node: '*', text: '[["a"],["b"]]' };
    expect(noDeliveryAcrossPartition(trace([send, transmit, cut, receive])).isOk).toBe(true); // on the wire before the cut
    const result = noDeliveryAcrossPartition(trace([cut, send, transmit, receive]));
    expect(result.isOk).toBe(false);
    expect(result.message).toContain('#3 t=5ms receive b msg=m:1');
  });

  it('allDeliveredWhenLossFree: a lost message fails only a fault-free run', () => {
    expect(allDeliveredWhenLossFree(trace([send, transmit, receive, deliver])).isOk).toBe(true);
    const lost = allDeliveredWhenLossFree(trace([send, transmit]));
    expect(lost.isOk).toBe(false);
    expect(lost.message).toContain('#0 t=1ms send a/w msg=m:1');
    const withLoss = allDeliveredWhenLossFree(trace([send, transmit, { t: 1, kind: 'drop', node: 'a', msg: 'm:1', reason: 'loss' }]));
    expect(withLoss.isOk).toBe(true);
    expect(withLoss.message).toContain('not applicable');
    expect(allDeliveredWhenLossFree(trace([send, transmit], 300)).isOk).toBe(true); // still in flight at the end
  });

  it('causalOrder: deliver before send, and pub/sub out of publisher order', () => {
    expect(causalOrder(trace([deliver, send])).message).toContain('delivered before it was sent');
    const publish = (n: number, t: number): Row => ({ t, kind: 'send', node: 'a', engine: 'p', msg: `p:${n}`, dst: 'topic', to: 'news' });
    const got = (n: number, t: number): Row => ({ t, kind: 'deliver', node: 'b', engine: 'r', msg: `p:${n}` });
    expect(causalOrder(trace([publish(1, 1), publish(2, 2), got(1, 3), got(2, 4)])).isOk).toBe(true);
    const result = causalOrder(trace([publish(1, 1), publish(2, 2), got(2, 3), got(1, 4)]));
    expect(result.isOk).toBe(false);
    expect(result.message).toContain('#3 t=4ms deliver b/r msg=p:1');
  });

  it('pubsubSubscribersReceiveAll: a subscriber that misses an event, unless it crashed or the event came first', () => {
    const subscribe: Row = { t: 0, kind: 'subscribe', node: 'a', engine: 'r', topic: 'news' };
    const publish: Row = { t: 10, kind: 'send', node: 'a', engine: 'p', msg: 'p:1', dst: 'topic', to: 'news' };
    const got: Row = { t: 10, kind: 'deliver', node: 'a', engine: 'r', msg: 'p:1' };
    expect(pubsubSubscribersReceiveAll(trace([subscribe, publish, got])).isOk).toBe(true);
    const missing = pubsubSubscribersReceiveAllWith({ scope: 'node' })(trace([subscribe, publish]));
    expect(missing.isOk).toBe(false);
    expect(missing.message).toContain('never delivered to subscriber a/r');
    expect(pubsubSubscribersReceiveAllWith({ scope: 'node' })(trace([publish, subscribe])).isOk).toBe(true);
    expect(pubsubSubscribersReceiveAllWith({ scope: 'node' })(trace([subscribe, publish, { t: 10, kind: 'crash', node: 'a' }])).isOk).toBe(true);
    const remote: Row = { t: 0, kind: 'subscribe', node: 'b', engine: 'r', topic: 'news' };
    expect(pubsubSubscribersReceiveAllWith({ scope: 'node' })(trace([remote, { ...publish, t: 2000 }])).isOk).toBe(true);
    expect(pubsubSubscribersReceiveAllWith({ scope: 'network' })(trace([remote, { ...publish, t: 2000 }])).isOk).toBe(false);
    const cut: Row = { t: 1500, kind: 'partition', node: '*', text: '[["a"],["b"]]' };
    expect(pubsubSubscribersReceiveAll(trace([remote, cut, { ...publish, t: 2000 }])).isOk).toBe(true); // published while cut off
    const heal: Row = { t: 2100, kind: 'heal', node: '*' };
    expect(pubsubSubscribersReceiveAll(trace([remote, cut, heal, { ...publish, t: 2500 }])).isOk).toBe(true); // re-acknowledging after the heal
    expect(pubsubSubscribersReceiveAll(trace([remote, cut, heal, { ...publish, t: 3200 }])).isOk).toBe(false);
  });
});
