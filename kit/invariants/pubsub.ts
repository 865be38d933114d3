// Pub/sub completeness: every engine subscribed to a topic receives every event published to it
// after its `subscribe` was traced, while it stayed subscribed, up and connected to the publisher.
import type { TraceEvent } from '../../core/index.js';
import { FAULT_DROP_REASONS } from './delivery.js';
import { replayable } from './replay.js';
import { describeEvent, failed, held, vacuous, type InvariantResult, type SimulatedTrace } from './types.js';

export interface PubSubOptions {
  /**
   * `network`: subscribers anywhere (the SPEC's semantics; needs cross-node pub/sub, issue 6).
   * `node`: only subscribers on the publisher's node (what local pub/sub guarantees today).
   */
  readonly scope?: 'node' | 'network';
  /** Events published this close to the end may still be in flight (ms, default 500). */
  readonly settleMs?: number;
  /**
   * Time from a `subscribe` event until the subscription counts as acknowledged (ms; default 0 for
   * `node`, 1000 for `network`, where the subscription must first reach the publisher's node).
   */
  readonly subscriptionSettleMs?: number;
}

/** Network-wide: every subscriber receives every later event while connected. */
export function pubsubSubscribersReceiveAll(trace: SimulatedTrace): InvariantResult {
  return pubsubSubscribersReceiveAllWith({})(trace);
}

/** `pubsubSubscribersReceiveAll` with a scope and settle time. */
export function pubsubSubscribersReceiveAllWith(options: PubSubOptions): (trace: SimulatedTrace) => InvariantResult {
  const scope = options.scope ?? 'network';
  const settleMs = options.settleMs ?? 500;
  const subscriptionSettleMs = options.subscriptionSettleMs ?? (scope === 'network' ? 1000 : 0);
  return replayable(function pubsubSubscribersReceiveAll(trace: SimulatedTrace): InvariantResult {
    const name = `pubsubSubscribersReceiveAll(${scope})`;
    const endMs = trace.header.durationMs ?? trace.summary.endMs;
    const subscribers = new Map<string, Map<string, number>>(); // topic → node/engine → subscribed at (ms)
    const pending = new Map<string, { publish: TraceEvent; waiting: Set<string> }>();
    const excuse = (isExcused: (subscriber: string, publish: TraceEvent) => boolean): void => {
      for (const entry of pending.values()) for (const subscriber of [...entry.waiting]) if (isExcused(subscriber, entry.publish)) entry.waiting.delete(subscriber);
    };
    const connectivity = new Connectivity();
    let checked = 0;
    for (const event of trace.events) {
      const engine = `${event.node}/${event.engine ?? ''}`;
      const topic = event.topic ?? '';
      switch (event.kind) {
        case 'subscribe':
          subscribers.set(topic, (subscribers.get(topic) ?? new Map<string, number>()).set(engine, event.t));
          break;
        case 'unsubscribe':
          subscribers.get(topic)?.delete(engine);
          excuse((subscriber) => subscriber === engine);
          break;
        case 'crash':
          for (const map of subscribers.values()) for (const subscriber of [...map.keys()]) if (subscriber.startsWith(`${event.node}/`)) map.delete(subscriber);
          excuse((subscriber, publish) => subscriber.startsWith(`${event.node}/`) || (scope === 'network' && publish.node === event.node));
          break;
        case 'restart':
          // Subscriptions to a restarted node's topics must be acknowledged again.
          if (scope === 'network') for (const map of subscribers.values()) for (const subscriber of map.keys()) map.set(subscriber, Math.max(map.get(subscriber)!, event.t));
          break;
        case 'partition':
        case 'heal':
        case 'link':
          if (scope === 'network' && connectivity.apply(event)) {
            excuse((subscriber, publish) => !subscriber.startsWith(`${publish.node}/`));
            // A subscriber cut off and reconnected counts as subscribing again at the reconnection.
            for (const map of subscribers.values()) for (const subscriber of map.keys()) map.set(subscriber, Math.max(map.get(subscriber)!, event.t));
          }
          break;
        case 'drop':
          if (scope === 'network' && event.msg !== undefined && FAULT_DROP_REASONS.has(event.reason ?? '')) pending.get(event.msg)?.waiting.clear();
          break;
        case 'send': {
          if (event.dst !== 'topic' || event.msg === undefined || event.t > endMs - settleMs) break;
          const waiting = [...(subscribers.get(event.to ?? '') ?? [])]
            .filter(([subscriber, sinceMs]) => subscriber !== engine && sinceMs + subscriptionSettleMs <= event.t && (scope === 'network' ? connectivity.isConnected(event.node, nodeOf(subscriber)) : subscriber.startsWith(`${event.node}/`)))
            .map(([subscriber]) => subscriber);
          checked += waiting.length;
          pending.set(event.msg, { publish: event, waiting: new Set(waiting) });
          break;
        }
        case 'deliver':
          if (event.msg !== undefined) pending.get(event.msg)?.waiting.delete(engine);
          break;
        default:
          break;
      }
    }
    const missing = [...pending.values()].flatMap(({ publish, waiting }) => [...waiting].map((subscriber) => ({ publish, subscriber })));
    if (missing.length === 0 && checked === 0) return vacuous(name, 'no subscriber was due any event');
    return missing.length === 0
      ? held(name, `${checked} subscriber deliveries expected, all made`)
      : failed(name, `${missing.length} of ${checked} subscriber deliveries missing`, missing.map(({ publish, subscriber }) => `${describeEvent(publish)}: never delivered to subscriber ${subscriber}`), missing.map(({ publish }) => publish));
  }, { builtin: 'pubsubSubscribersReceiveAllWith', args: [options] });
}

const nodeOf = (subscriber: string): string => subscriber.slice(0, subscriber.indexOf('/'));

/** Which nodes can reach each other: a partition cuts between groups; a downed link may cut anything. */
class Connectivity {
  private groups: Map<string, number> | undefined;
  private readonly linksDown = new Set<string>();

  /** Applies a fault event; true when connectivity changed. */
  apply(event: TraceEvent): boolean {
    if (event.kind === 'partition') {
      const parsed = JSON.parse(event.text ?? '[]') as unknown;
      const groups = Array.isArray(parsed) ? (parsed as unknown[]).map((group) => (Array.isArray(group) ? group.map(String) : [])) : [];
      this.groups = new Map(groups.flatMap((group, index) => group.map((node) => [node, index] as const)));
      return true;
    }
    if (event.kind === 'heal') return (this.groups = undefined), true;
    if (event.kind !== 'link') return false;
    // New link settings (a lossy spell beginning or ending) delay subscriptions as a cut does.
    if (event.text !== 'down' && event.text !== 'up') return true;
    const key = [event.node, event.peer ?? ''].sort().join('|');
    if (event.text === 'down') this.linksDown.add(key);
    else this.linksDown.delete(key);
    return true;
  }

  isConnected(a: string, b: string): boolean {
    if (a === b) return true;
    if (this.linksDown.size > 0) return false;
    return this.groups === undefined || (this.groups.get(a) ?? -1) === (this.groups.get(b) ?? -1);
  }
}
