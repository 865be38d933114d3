// A second shrinking stage over scenario documents, after fast-check's: moves fast-check cannot
// make because each part only shrinks on its own. It trades a fault for one more message, turns a
// lossy spell into a certain one (a failure that needs a lucky draw is not a good explanation),
// drops events and workloads, lowers message counts and shortens the run. Each accepted move keeps
// the case failing and makes it smaller; it stops at a local minimum or when its time is up.
import { parseDuration } from '../scenarios/index.js';

type Document = Record<string, unknown>;

export interface ShrinkOptions {
  /** Wall-clock budget (ms, default 20,000). */
  readonly timeMs?: number;
  /** Most candidates tried (default 500). */
  readonly attemptsMax?: number;
}

export interface ShrinkResult {
  readonly document: Document;
  /** Moves accepted, as short descriptions (`traded crash of n2 for a message`). */
  readonly moves: ReadonlyArray<string>;
  readonly attempts: number;
  readonly isOutOfTime: boolean;
}

/** How big a case is: faults weigh most, then nodes, messages and run length. */
export function documentSize(document: Document): number {
  const events = list(document['events']).length;
  const workloads = list(document['workloads']);
  const messages = workloads.reduce((total: number, workload) => total + Number((workload as Document)['count'] ?? 10), 0);
  const nodes = list((document['topology'] as Document | undefined)?.['nodes']).length;
  const durationMs = durationOf(document) ?? 0;
  return events * 100 + nodes * 20 + messages * 10 + durationMs / 1000;
}

/** Shrinks `document` while `fails(candidate)` holds. */
export async function shrinkDocument(document: Document, fails: (candidate: Document) => Promise<boolean>, options: ShrinkOptions = {}): Promise<ShrinkResult> {
  const deadline = performance.now() + (options.timeMs ?? 20_000);
  const attemptsMax = options.attemptsMax ?? 500;
  let current = document;
  const moves: string[] = [];
  let attempts = 0;
  for (let isImproved = true; isImproved; ) {
    isImproved = false;
    for (const [move, candidate] of candidatesOf(current)) {
      if (performance.now() > deadline || attempts >= attemptsMax) return { document: current, moves, attempts, isOutOfTime: true };
      if (!(documentSize(candidate) < documentSize(current)) && !move.startsWith('made')) continue;
      attempts++;
      if (await fails(candidate)) {
        current = candidate;
        moves.push(move);
        isImproved = true;
        break;
      }
    }
  }
  return { document: current, moves, attempts, isOutOfTime: false };
}

/** Candidate documents, most promising first. */
function* candidatesOf(document: Document): Generator<[string, Document]> {
  const events = list(document['events']) as Document[];
  const workloads = list(document['workloads']) as Document[];
  // A fault goes with the event that undoes it (never the undo alone: the quiet phase stays whole).
  for (let i = 0; i < events.length; i++) {
    if (!isFaultStart(events[i]!)) continue;
    const undo = undoOf(events, i);
    const without = events.filter((_, j) => j !== i && j !== undo);
    yield [`dropped ${describe(events[i]!)}`, { ...document, events: without }];
    const counted = workloads.findIndex((workload) => typeof workload['count'] === 'number');
    if (counted >= 0) yield [`traded ${describe(events[i]!)} for a message`, { ...document, events: without, workloads: workloads.map((workload, j) => (j === counted ? { ...workload, count: Number(workload['count']) + 1 } : workload)) }];
  }
  for (let i = 0; i < events.length; i++) {
    const change = events[i]!['set-link'] as Document | undefined;
    const loss = change?.['loss'];
    if (loss !== undefined && loss !== '100%' && loss !== 1 && !isZero(loss)) yield [`made the loss at ${String(events[i]!['at'])} certain`, { ...document, events: events.map((event, j) => (j === i ? { ...event, 'set-link': { ...change, loss: '100%' } } : event)) }];
  }
  for (let i = 0; i < workloads.length; i++) {
    if (workloads.length > 1) yield [`dropped workload ${String(workloads[i]!['name'])}`, { ...document, workloads: workloads.filter((_, j) => j !== i) }];
    const count = workloads[i]!['count'];
    if (typeof count === 'number' && count > 1) yield [`workload ${String(workloads[i]!['name'])} sends ${count - 1}`, { ...document, workloads: workloads.map((workload, j) => (j === i ? { ...workload, count: count - 1 } : workload)) }];
  }
  const durationMs = durationOf(document);
  const lastEventMs = Math.max(0, ...events.map((event) => durationOfValue(event['at']) ?? 0));
  if (durationMs !== undefined && durationMs > lastEventMs + 1) {
    const shorter = Math.max(lastEventMs + 1, Math.floor((durationMs + lastEventMs) / 2));
    if (shorter < durationMs) yield [`run shortened to ${shorter}ms`, { ...document, duration: `${shorter}ms` }];
  }
}

/** Events that start a fault (a crash, a cut, a downed link, new link settings, a clock skew). */
function isFaultStart(event: Document): boolean {
  if ('crash' in event || 'pause' in event || 'partition' in event || 'link-down' in event || 'clock-strobe' in event || 'lose-writes' in event || 'corrupt-write' in event) return true;
  if ('clock-drift' in event) return (event['clock-drift'] as Document)['rate'] !== 1;
  if ('clock-skew' in event) return !isZero(String((event['clock-skew'] as Document)['by']).replace(/ms$/, ''));
  const change = event['set-link'] as Document | undefined;
  return change !== undefined && !Object.entries(change).every(([key, value]) => key === 'between' || isZero(value) || value === 'unlimited' || value === '0ms');
}

/** The index of the later event that undoes fault `i`, or -1. */
function undoOf(events: ReadonlyArray<Document>, i: number): number {
  const fault = events[i]!;
  const pair = (value: unknown): string => (Array.isArray(value) ? [...value].map(String).sort().join('|') : '');
  for (let j = i + 1; j < events.length; j++) {
    const event = events[j]!;
    if ('crash' in fault && (event['restart'] === fault['crash'] || (typeof fault['crash'] === 'object' && event['restart'] === '*'))) return j;
    if ('pause' in fault && (event['resume'] === fault['pause'] || (typeof fault['pause'] === 'object' && event['resume'] === '*'))) return j;
    if ('partition' in fault && 'heal' in event) return j;
    if ('link-down' in fault && pair(event['link-up']) === pair(fault['link-down'])) return j;
    if ('set-link' in fault && 'set-link' in event && pair((event['set-link'] as Document)['between']) === pair((fault['set-link'] as Document)['between'])) return j;
    if ('clock-drift' in fault && 'clock-drift' in event && (event['clock-drift'] as Document)['node'] === (fault['clock-drift'] as Document)['node']) return j;
    if ('clock-skew' in fault && 'clock-skew' in event && (event['clock-skew'] as Document)['node'] === (fault['clock-skew'] as Document)['node']) return j;
  }
  return -1;
}

function describe(event: Document): string {
  const [action, value] = Object.entries(event).find(([key]) => key !== 'at') ?? ['event', ''];
  return `${action} ${typeof value === 'string' ? value : JSON.stringify(value)} at ${String(event['at'])}`;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isZero(value: unknown): boolean {
  return value === 0 || value === '0%' || value === '0';
}

function durationOf(document: Document): number | undefined {
  return durationOfValue(document['duration'] ?? document['until']);
}

function durationOfValue(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseDuration(value);
  return parsed.ok ? parsed.value : undefined;
}
