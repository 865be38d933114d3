// An example custom expectation: every node's gossip engine logged the rumour exactly once.
import type { TraceEvent, TraceHeader } from '../../../core/index.js';

export function everyoneHeard(events: ReadonlyArray<TraceEvent>, header: TraceHeader): true | string[] {
  const heard = new Map<string, number>();
  for (const event of events) if (event.kind === 'log' && event.engine === 'gossip' && event.text === 'heard') heard.set(event.node, (heard.get(event.node) ?? 0) + 1);
  const failures = Object.keys(header.nodes)
    .filter((node) => node !== 'n1' && heard.get(node) !== 1)
    .map((node) => `${node} heard the rumour ${heard.get(node) ?? 0} times`);
  return failures.length === 0 ? true : failures;
}

/** Every keeper that lost a peer kept a replacement afterwards (overlay-keeper.yaml). */
export function keepersRecovered(events: ReadonlyArray<TraceEvent>): true | string[] {
  const lostAt = new Map<string, number>();
  const keptAfter = new Set<string>();
  for (const event of events) {
    if (event.kind !== 'log' || event.engine !== 'keeper') continue;
    if (event.text === 'lost') lostAt.set(event.node, event.t);
    if (event.text === 'kept' && lostAt.has(event.node)) keptAfter.add(event.node);
  }
  const failures = [...lostAt.keys()].filter((node) => !keptAfter.has(node)).map((node) => `${node} lost a peer and kept no replacement`);
  if (lostAt.size === 0) failures.push('no keeper lost a peer');
  return failures.length === 0 ? true : failures;
}

/** Every external request of an ext-client got the answer `ok` (anycast-fallback.yaml). */
export function extRequestsAnswered(events: ReadonlyArray<TraceEvent>): true | string[] {
  const results = events.filter((event) => event.kind === 'log' && event.engine === 'ext-client' && event.text === 'ext result');
  const failures = results.filter((event) => event.data?.['result'] !== 'ok').map((event) => `${event.node} at ${event.t} ms: ${String(event.data?.['result'])}`);
  if (results.length === 0) failures.push('no external request was answered');
  return failures.length === 0 ? true : failures;
}
