// A deliberately broken user engine for the kit's own tests: rumour flooding that logs `accept`
// for every copy it hears instead of only the first (it forgets to dedupe before accepting).
// Any cycle makes a rumour arrive twice at some node, which `acceptedOnce` catches. With
// `params: { isFixed: true }` the engine accepts only first copies.
import type { EngineFactory, TraceEvent } from '../../kit/index.js';

const PREFIX = 'rumour:';

export const flood: EngineFactory = (params, env) => {
  const isFixed = params['isFixed'] === true;
  const peers = env.neighbors.map((node) => {
    const resolved = env.resolve(`${node}/sink`);
    if (!resolved.ok) throw new Error(resolved.error);
    return resolved.value;
  });
  const seen = new Set<string>();
  return {
    handle(input, ctx) {
      if (input.kind !== 'message') return;
      const text = new TextDecoder().decode(input.message.body);
      const rumour = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : input.traceId;
      if (!isFixed) ctx.log('accept', { rumour }); // the bug: accepts before the duplicate check
      if (seen.has(rumour)) return;
      seen.add(rumour);
      if (isFixed) ctx.log('accept', { rumour });
      const body = new TextEncoder().encode(PREFIX + rumour);
      for (const peer of peers) if (peer.node !== input.sourceNode) ctx.send({ kind: 'engine', engine: peer.engine, node: peer.node }, body);
    },
  };
};

/** Each node accepts each rumour at most once: `(events) => true | failures` (usable as `expect.check`). */
export function acceptedOnce(events: ReadonlyArray<TraceEvent>): true | string[] {
  const first = new Map<string, TraceEvent>();
  const failures: string[] = [];
  for (const event of events) {
    if (event.kind !== 'log' || event.text !== 'accept') continue;
    const key = `${event.node}|${String(event.data?.['rumour'])}`;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, event);
    else failures.push(`#${event.seq} t=${event.t}ms ${event.node}/${event.engine ?? ''} accepted rumour ${String(event.data?.['rumour'])} again (first at #${earlier.seq})`);
  }
  return failures.length === 0 ? true : failures;
}
