// Engines and expectations of the domain examples (domain-*.yaml).
import type { EngineFactory, TraceEvent, TraceHeader } from '../../../core/index.js';

/** At `atMs`, sends one byte to the `echo` engine of each node in `to`, scoped Domain(`domain`). */
export const scopedSender: EngineFactory = (params, env) => {
  const to = Array.isArray(params['to']) ? params['to'].filter((name): name is string => typeof name === 'string') : [];
  const atMs = typeof params['atMs'] === 'number' ? params['atMs'] : 1000;
  const domain = env.domain!(String(params['domain']));
  return {
    handle(input, ctx) {
      if (input.kind === 'start') ctx.setTimer(atMs, 'send');
      if (input.kind !== 'timer') return;
      for (const name of to) {
        const target = env.resolve(`${name}/echo`);
        if (target.ok) ctx.send({ kind: 'engine', ...target.value }, new Uint8Array([1]), { scope: { kind: 'domain', domain } });
      }
    },
  };
};

const logsOf = (events: ReadonlyArray<TraceEvent>, node: string, text: string): TraceEvent[] => events.filter((event) => event.kind === 'log' && event.node === node && event.engine === 'domain' && event.text === text);

/** a and b joined lab once each; x was refused with domain/not-allowed (by b, and x heard it) and never joined (domain-allow-list.yaml). */
export function outsiderRefused(events: ReadonlyArray<TraceEvent>): true | string[] {
  const failures: string[] = [];
  for (const node of ['a', 'b']) if (logsOf(events, node, 'domain joined').length !== 1) failures.push(`${node} joined ${logsOf(events, node, 'domain joined').length} times, expected once`);
  if (logsOf(events, 'x', 'domain joined').length > 0) failures.push('x joined the domain');
  for (const node of ['x', 'b']) {
    const reasons = logsOf(events, node, 'domain join refused').map((event) => String(event.data?.['reason']));
    if (reasons.length !== 1 || reasons[0] !== 'domain/not-allowed') failures.push(`${node} logged refusals [${reasons.join(', ')}], expected [domain/not-allowed]`);
  }
  return failures.length === 0 ? true : failures;
}

/** What each external request of domain-ext-requests.yaml ended with, by when it started. */
export function extRequestOutcomes(events: ReadonlyArray<TraceEvent>): true | string[] {
  const failures: string[] = [];
  let ok = 0;
  let total = 0;
  for (const event of events) {
    if (event.kind !== 'log' || event.engine !== 'ext-client' || event.text !== 'ext result') continue;
    const result = String(event.data?.['result']);
    const startedMs = event.t - Number(event.data?.['latencyMs']);
    // c4 asks the domain that no member serves; the others are answered while s2 lives (crashed at 1.8 s).
    const expected = event.node === 'c4' ? 'domain/no-member' : startedMs < 1600 ? 'ok' : startedMs >= 1800 ? 'domain/timeout' : undefined;
    if (event.node !== 'c4') total++;
    if (result === 'ok' && event.node !== 'c4') ok++;
    if (expected !== undefined && result !== expected) failures.push(`${event.node}: the request started at ${startedMs} ms ended with ${result}, expected ${expected}`);
  }
  if (total === 0) failures.push('no external request of c1, c2 or c3 ended');
  return failures.length === 0 ? true : [...failures, `success rate ${ok}/${total}`];
}

/** Join latencies (ms) the joiners of a domain logged, in trace order. */
export function joinLatencies(events: ReadonlyArray<TraceEvent>): number[] {
  return events.filter((event) => event.kind === 'log' && event.engine === 'domain' && event.text === 'domain joined').map((event) => Number(event.data?.['latencyMs']));
}

/** Every node but boot joined once, none was refused, and the slowest join took under a second (domain-join-crowd.yaml). */
export function everyJoinerJoined(events: ReadonlyArray<TraceEvent>, header: TraceHeader): true | string[] {
  const joined = new Map<string, number>();
  const failures: string[] = [];
  for (const event of events) {
    if (event.kind !== 'log' || event.engine !== 'domain') continue;
    if (event.text === 'domain joined') joined.set(event.node, (joined.get(event.node) ?? 0) + 1);
    if (event.text === 'domain join refused') failures.push(`${event.node} was refused: ${String(event.data?.['reason'])}`);
  }
  const joiners = Object.keys(header.nodes).filter((node) => node !== 'boot');
  const missing = joiners.filter((node) => joined.get(node) !== 1);
  if (missing.length > 0) failures.push(`${missing.length} of ${joiners.length} joiners did not join exactly once (${missing.slice(0, 5).join(', ')}…)`);
  const slowestMs = Math.max(0, ...joinLatencies(events));
  if (slowestMs >= 1000) failures.push(`the slowest join took ${slowestMs} ms`);
  return failures.length === 0 ? true : failures;
}
