// Checks of the overlay examples (overlay-churn.yaml, overlay-failure-50.yaml, overlay-failure-80.yaml):
// the Topology's active views at the end of the run, read from its `view added` / `view removed`
// logs, and the pub/sub deliveries to subscribers that were up around each publication.
import type { TraceEvent, TraceHeader } from '../../../core/index.js';

/** A subscriber must have been up this long before a publication to be expected to receive it (ms). */
const SETTLED_MS = 15_000;
/** …and stay up this long after it (ms); publications this close to the end are not judged. */
const AFTER_MS = 5_000;

/** Each live node's active view at the end of the run (node name → peer names). */
function finalViews(events: ReadonlyArray<TraceEvent>, header: TraceHeader): Map<string, Set<string>> {
  const names = new Map(Object.entries(header.nodes).map(([name, id]) => [id, name] as const));
  const views = new Map<string, Set<string>>();
  for (const event of events) {
    if (event.kind === 'crash') views.delete(event.node);
    if (event.kind !== 'log' || event.engine !== 'topology' || (event.text !== 'view added' && event.text !== 'view removed')) continue;
    const view = views.get(event.node) ?? new Set<string>();
    views.set(event.node, view);
    const peer = names.get(String(event.data?.['peer'])) ?? String(event.data?.['peer']);
    if (event.text === 'view added') view.add(peer);
    else view.delete(peer);
  }
  return views;
}

/** Node name → the times it went down and came back, in order. */
function outages(events: ReadonlyArray<TraceEvent>): Map<string, Array<{ downMs: number; upMs: number }>> {
  const byNode = new Map<string, Array<{ downMs: number; upMs: number }>>();
  for (const event of events) {
    if (event.kind === 'crash') byNode.set(event.node, [...(byNode.get(event.node) ?? []), { downMs: event.t, upMs: Infinity }]);
    if (event.kind === 'restart') {
      const last = byNode.get(event.node)?.at(-1);
      if (last !== undefined) last.upMs = event.t;
    }
  }
  return byNode;
}

/** Every live node has active peers, none of them down, views are symmetric and form one connected overlay. */
export function overlayConnected(events: ReadonlyArray<TraceEvent>, header: TraceHeader): true | string[] {
  const views = finalViews(events, header);
  const down = new Set([...outages(events)].filter(([, spells]) => spells.at(-1)!.upMs === Infinity).map(([node]) => node));
  const live = Object.keys(header.nodes).filter((node) => !down.has(node));
  const failures: string[] = [];
  for (const node of live) {
    const view = views.get(node) ?? new Set<string>();
    if (view.size === 0) failures.push(`${node} has an empty active view`);
    for (const peer of view) {
      if (down.has(peer)) failures.push(`${node} keeps ${peer}, which is down, in its active view`);
      else if (views.get(peer)?.has(node) !== true) failures.push(`${node} has ${peer} in its active view, but not the other way round`);
    }
  }
  const seen = new Set<string>();
  const stack = live.slice(0, 1);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const peer of views.get(node) ?? []) stack.push(peer);
  }
  if (seen.size !== live.length) failures.push(`the largest overlay component from ${live[0]} holds ${seen.size} of ${live.length} live nodes`);
  return failures.length === 0 ? true : failures;
}

/** Every publication reached every subscriber that was up from 15 s before it until 5 s after it. */
export function settledSubscribersReached(events: ReadonlyArray<TraceEvent>, header: TraceHeader): true | string[] {
  const spells = outages(events);
  const endMs = events.at(-1)?.t ?? 0;
  const isUpAround = (node: string, atMs: number): boolean => (spells.get(node) ?? []).every((spell) => spell.upMs <= atMs - SETTLED_MS || spell.downMs >= atMs + AFTER_MS);
  const subscribers = Object.keys(header.engines).filter((engine) => engine.endsWith('/subscriber')).map((engine) => engine.slice(0, -'/subscriber'.length));
  const received = new Map<string, Set<string>>();
  for (const event of events) if (event.kind === 'deliver' && event.engine === 'subscriber' && event.msg !== undefined) received.set(event.msg, (received.get(event.msg) ?? new Set()).add(event.node));
  const failures: string[] = [];
  let judged = 0;
  for (const event of events) {
    if (event.kind !== 'send' || event.dst !== 'topic' || event.t < SETTLED_MS || event.t > endMs - AFTER_MS) continue;
    judged++;
    const missing = subscribers.filter((node) => isUpAround(node, event.t) && received.get(event.msg!)?.has(node) !== true);
    if (missing.length > 0) failures.push(`the event published at ${event.t} ms missed ${missing.join(', ')}`);
  }
  if (judged === 0) failures.push('no publication was judged');
  return failures.length === 0 ? true : failures;
}

/** Both: the overlay is whole at the end, and settled subscribers received every event. */
export function overlayHealthy(events: ReadonlyArray<TraceEvent>, header: TraceHeader): true | string[] {
  const failures = [overlayConnected(events, header), settledSubscribersReached(events, header)].flatMap((result) => (result === true ? [] : result));
  return failures.length === 0 ? true : failures;
}
