// Expectations checked over a finished run's trace (backend-agnostic: sim and real traces alike).
import { percentiles, type TraceEvent, type TraceHeader } from '../core/index.js';
import { CONFINED_MODULES, importModule, resolveModule, type ModulePolicy } from './modules.js';
import type { ExpectValue } from './schema.js';

/** One checked expectation. */
export interface ExpectationResult {
  readonly name: string;
  readonly isMet: boolean;
  /** The evidence: measured values, or the offending events. */
  readonly detail: string;
}

/** A user check: returns true, or the failures as strings. */
export type CustomCheck = (events: ReadonlyArray<TraceEvent>, header: TraceHeader) => true | ReadonlyArray<string> | Promise<true | ReadonlyArray<string>>;

const pct = (value: number): string => `${Math.round(value * 10000) / 100}%`;

/** Delivered share of a workload's messages: unique (msg, engine) deliveries over messages sent. */
export function workloadDelivery(events: ReadonlyArray<TraceEvent>, workload: string): { sent: number; delivered: number; latenciesMs: number[] } {
  const sentAt = new Map<string, number>();
  for (const event of events) if (event.kind === 'send' && event.engine === workload && event.msg !== undefined) sentAt.set(event.msg, event.t);
  const seen = new Set<string>();
  const latenciesMs: number[] = [];
  for (const event of events) {
    if (event.kind !== 'deliver' || event.msg === undefined) continue;
    const start = sentAt.get(event.msg);
    if (start === undefined || seen.has(event.msg)) continue;
    seen.add(event.msg);
    latenciesMs.push(event.t - start);
  }
  return { sent: sentAt.size, delivered: seen.size, latenciesMs };
}

/**
 * Delivered share of a topic: for each publication, every engine subscribed at that moment (other
 * than the publisher) should receive it. Crashed nodes lose their subscriptions.
 */
export function topicDelivery(events: ReadonlyArray<TraceEvent>, topic: string): { expected: number; delivered: number } {
  const subscribers = new Set<string>();
  const expectedBy = new Map<string, Set<string>>();
  let delivered = 0;
  for (const event of events) {
    const engine = `${event.node}/${event.engine ?? ''}`;
    if (event.kind === 'subscribe' && event.topic === topic) subscribers.add(engine);
    else if (event.kind === 'unsubscribe' && event.topic === topic) subscribers.delete(engine);
    else if (event.kind === 'crash') {
      for (const subscriber of [...subscribers]) if (subscriber.startsWith(`${event.node}/`)) subscribers.delete(subscriber);
    } else if (event.kind === 'send' && event.dst === 'topic' && event.to === topic && event.msg !== undefined) {
      expectedBy.set(event.msg, new Set([...subscribers].filter((subscriber) => subscriber !== engine)));
    } else if (event.kind === 'deliver' && event.msg !== undefined && expectedBy.get(event.msg)?.delete(engine) === true) delivered++;
  }
  let expected = delivered;
  for (const remaining of expectedBy.values()) expected += remaining.size;
  return { expected, delivered };
}

/** Frames received across an active partition that were transmitted after it began. */
export function partitionCrossings(events: ReadonlyArray<TraceEvent>): TraceEvent[] {
  let groups: Map<string, number> | undefined;
  let isOneWay = false;
  const cutTransmits = new Set<string>();
  const crossings: TraceEvent[] = [];
  const isCut = (from: string, to: string): boolean => {
    if (groups === undefined) return false;
    const a = groups.get(from) ?? -1;
    const b = groups.get(to) ?? -1;
    if (a === b) return false;
    return !isOneWay || (a !== -1 && (b === -1 || a < b));
  };
  for (const event of events) {
    if (event.kind === 'partition') {
      const parsed = JSON.parse(event.text ?? '[]') as string[][];
      groups = new Map(parsed.flatMap((group, index) => group.map((node) => [node, index] as const)));
      isOneWay = event.reason === 'one-way';
    } else if (event.kind === 'heal') groups = undefined;
    else if (event.kind === 'transmit' && event.peer !== undefined && isCut(event.node, event.peer)) cutTransmits.add(`${event.msg}>${event.peer}`);
    // A frame that waited for its connection went on the wire only now (docs/overlay.md).
    else if (event.kind === 'log' && event.reason === 'queued' && event.peer !== undefined) {
      if (isCut(event.node, event.peer)) cutTransmits.add(`${event.msg}>${event.peer}`);
      else cutTransmits.delete(`${event.msg}>${event.peer}`);
    }
    else if (event.kind === 'receive' && event.peer !== undefined && cutTransmits.has(`${event.msg}>${event.node}`)) crossings.push(event);
  }
  return crossings;
}

function brief(event: TraceEvent): string {
  return `#${event.seq} t=${Math.round(event.t * 1000) / 1000}ms ${event.kind} ${event.node}${event.engine === undefined ? '' : `/${event.engine}`}${event.peer === undefined ? '' : ` peer=${event.peer}`}${event.msg === undefined ? '' : ` msg=${event.msg}`}${event.reason === undefined ? '' : ` reason=${event.reason}`}`;
}

/** Checks every expectation; `scenarioFile` locates a custom check module, which `policy` confines. */
export async function checkExpectations(expect: ExpectValue | undefined, header: TraceHeader, events: ReadonlyArray<TraceEvent>, scenarioFile: string, policy: ModulePolicy = CONFINED_MODULES): Promise<ExpectationResult[]> {
  if (expect === undefined) return [];
  const results: ExpectationResult[] = [];
  for (const entry of expect.delivered ?? []) {
    if ('workload' in entry) {
      const { sent, delivered } = workloadDelivery(events, entry.workload);
      const ratio = sent === 0 ? 0 : delivered / sent;
      results.push({ name: `delivered(${entry.workload}) ≥ ${pct(entry.atLeast)}`, isMet: sent > 0 && ratio >= entry.atLeast, detail: `${delivered}/${sent} = ${pct(ratio)}${sent === 0 ? ' (the workload sent nothing)' : ''}` });
    } else {
      const { expected, delivered } = topicDelivery(events, entry.topic);
      const ratio = expected === 0 ? 0 : delivered / expected;
      results.push({ name: `delivered(topic ${entry.topic}) ≥ ${pct(entry.atLeast)}`, isMet: expected > 0 && ratio >= entry.atLeast, detail: `${delivered}/${expected} subscriber deliveries = ${pct(ratio)}` });
    }
  }
  for (const entry of expect.latency ?? []) {
    const latencies =
      entry.workload === undefined
        ? workloadLatencies(events)
        : workloadDelivery(events, entry.workload).latenciesMs;
    const measured = percentiles(latencies);
    for (const key of ['p50', 'p90', 'p99', 'max'] as const) {
      const bound = entry[key];
      if (bound === undefined) continue;
      const value = measured?.[key];
      results.push({ name: `latency ${key}(${entry.workload ?? 'all'}) ≤ ${bound}ms`, isMet: value !== undefined && value <= bound, detail: value === undefined ? 'no delivered messages' : `${Math.round(value * 100) / 100}ms over ${measured!.count} messages` });
    }
  }
  if (expect.noVerifyFailures === true) {
    const failures = events.filter((event) => event.kind === 'verify-fail');
    results.push({ name: 'no verify-fail', isMet: failures.length === 0, detail: failures.length === 0 ? '0 verify failures' : `${failures.length}: ${failures.slice(0, 5).map(brief).join('; ')}` });
  }
  if (expect.noPartitionCrossing === true) {
    const crossings = partitionCrossings(events);
    results.push({ name: 'no message crosses an active partition', isMet: crossings.length === 0, detail: crossings.length === 0 ? '0 crossings' : `${crossings.length}: ${crossings.slice(0, 5).map(brief).join('; ')}` });
  }
  for (const entry of expect.events ?? []) {
    const count = events.filter((event) => event.kind === entry.kind && (entry.reason === undefined || event.reason === entry.reason) && (entry.node === undefined || event.node === entry.node) && (entry.engine === undefined || event.engine === entry.engine)).length;
    const label = [entry.kind, entry.reason, entry.node, entry.engine].filter((part) => part !== undefined).join(' ');
    const bounds = [entry.atLeast === undefined ? '' : `≥ ${entry.atLeast}`, entry.atMost === undefined ? '' : `≤ ${entry.atMost}`].filter((b) => b !== '').join(' and ');
    results.push({ name: `count(${label}) ${bounds}`, isMet: (entry.atLeast === undefined || count >= entry.atLeast) && (entry.atMost === undefined || count <= entry.atMost), detail: `${count} events` });
  }
  if (expect.check !== undefined) results.push(await runCustomCheck(expect.check, header, events, scenarioFile, policy));
  return results;
}

function workloadLatencies(events: ReadonlyArray<TraceEvent>): number[] {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  for (const event of events) {
    if (event.kind === 'send' && event.msg !== undefined) sentAt.set(event.msg, event.t);
    if (event.kind === 'deliver' && event.msg !== undefined && sentAt.has(event.msg)) latencies.push(event.t - sentAt.get(event.msg)!);
  }
  return latencies;
}

async function runCustomCheck(check: { module: string; function: string }, header: TraceHeader, events: ReadonlyArray<TraceEvent>, scenarioFile: string, policy: ModulePolicy): Promise<ExpectationResult> {
  const name = `check ${check.function}() from ${check.module}`;
  const file = resolveModule(scenarioFile, check.module, policy);
  if (!file.ok) return { name, isMet: false, detail: file.error.message };
  const module = await importModule(file.value);
  if (!module.ok) return { name, isMet: false, detail: module.error.message };
  const fn = module.value[check.function];
  if (typeof fn !== 'function') return { name, isMet: false, detail: `${check.module} exports no function "${check.function}"` };
  try {
    const outcome = await (fn as CustomCheck)(events, header);
    return outcome === true ? { name, isMet: true, detail: 'returned true' } : { name, isMet: false, detail: outcome.join('; ') || 'returned no failures but not true' };
  } catch (error) {
    return { name, isMet: false, detail: `threw: ${(error as Error).message}` };
  }
}
