// Exhaustive exploration of small cases (in the spirit of Stateright): every frame the network
// carries is a decision — arrive after one of a few delays (which orders concurrent deliveries),
// be dropped, or crash its receiver — and the explorer runs the scenario once per schedule,
// breadth-first by the number of decisions that differ from the default, so the first failure it
// finds is a shortest one. States already explored are pruned: at the same frame, two runs whose
// nodes have handled the same inputs in the same order are taken for the same state (sound for
// engines that do not read the time).
import { hash32, type TraceEvent } from '../core/index.js';
import { simulate as simulatePlan } from '../sim/index.js';
import { KitError } from './errors.js';
import { writeFailureFile, type FailureFile } from './failure-file.js';
import { replayOf, runInvariant, type Invariant, type InvariantReplay, type InvariantResult } from './invariants/index.js';
import { loadKitScenario } from './simulate.js';

export interface ExploreOptions {
  /** The delays a frame may take (ms, default [1, 50]): two delays order any two concurrent frames both ways. */
  readonly delaysMs?: ReadonlyArray<number>;
  /** Most frames dropped in one schedule (default 0). */
  readonly dropsMax?: number;
  /** Most receivers crashed in one schedule (default 0); a crashed node restarts after `restartAfterMs` when given. */
  readonly crashesMax?: number;
  readonly restartAfterMs?: number;
  /** Only the first this many frames are decisions; later ones take the first delay (default 24). */
  readonly decisionsMax?: number;
  /** Most schedules run (default 20,000) and wall-clock budget (ms, default 60,000). */
  readonly runsMax?: number;
  readonly timeMs?: number;
  readonly seed?: number;
  readonly baseDir?: string;
  /** Where the shortest failing schedule is written (default `failures`). */
  readonly failuresDir?: string;
}

export interface ExploreResult {
  /** `failed`: a failing schedule was found; `exhausted`: every schedule within the bounds holds; `limit`: runs or time ran out first. */
  readonly verdict: 'failed' | 'exhausted' | 'limit';
  readonly runs: number;
  /** Distinct states the pruning saw. */
  readonly states: number;
  readonly seconds: number;
  /** The failing schedule: one option per frame (see the scenario's `schedule:`), and how many differ from the default. */
  readonly choices?: ReadonlyArray<number>;
  readonly deviations?: number;
  readonly results?: ReadonlyArray<InvariantResult>;
  /** The scenario file that replays it. */
  readonly failure?: FailureFile;
}

interface Decision {
  readonly allowed: ReadonlyArray<number>;
  readonly state: string;
}

/** Explores the schedules of `scenario` within the bounds and checks `invariants` on each. */
export async function explore(scenario: unknown, invariants: ReadonlyArray<Invariant>, options: ExploreOptions = {}): Promise<ExploreResult> {
  const delaysMs = options.delaysMs ?? [1, 50];
  if (delaysMs.length === 0 || delaysMs.length > 16 || delaysMs.some((delay) => !(delay >= 0))) throw new KitError('kit/bad-options', 'explore: delaysMs must list 1 to 16 delays ≥ 0 ms');
  const [dropsMax, crashesMax, decisionsMax, runsMax] = [options.dropsMax ?? 0, options.crashesMax ?? 0, options.decisionsMax ?? 24, options.runsMax ?? 20_000];
  const loaded = await loadKitScenario(scenario, options.baseDir);
  const seed = options.seed ?? loaded.plan.seed;
  const deadline = performance.now() + (options.timeMs ?? 60_000);
  const started = performance.now();
  const visited = new Set<string>();
  const queue: number[][] = [[]];
  let runs = 0;
  while (queue.length > 0) {
    if (runs >= runsMax || performance.now() > deadline) return { verdict: 'limit', runs, states: visited.size, seconds: (performance.now() - started) / 1000 };
    const prefix = queue.shift()!;
    const { choices, decisions, events, run } = runSchedule(loaded.plan, seed, prefix, { delaysMs, dropsMax, crashesMax, decisionsMax, ...(options.restartAfterMs !== undefined && { restartAfterMs: options.restartAfterMs }) });
    runs++;
    const trace = { header: run.header, events, summary: run.summary, seed, scenario: loaded.plan.source };
    const results = await Promise.all(invariants.map((invariant) => runInvariant(invariant, trace)));
    if (results.some((result) => !result.isOk)) {
      const schedule = trimZeros(choices);
      const failure = writeSchedule(loaded.plan.source, seed, schedule, delaysMs, options, invariants, results);
      return { verdict: 'failed', runs, states: visited.size, seconds: (performance.now() - started) / 1000, choices: schedule, deviations: schedule.filter((choice) => choice !== 0).length, results, failure };
    }
    // Alternatives after the prefix, unless the state there was explored from another schedule.
    for (let i = prefix.length; i < decisions.length; i++) {
      const decision = decisions[i]!;
      if (visited.has(decision.state)) break;
      visited.add(decision.state);
      for (const option of decision.allowed) if (option !== 0) queue.push([...choices.slice(0, i), option]);
    }
  }
  return { verdict: 'exhausted', runs, states: visited.size, seconds: (performance.now() - started) / 1000 };
}

interface Bounds {
  readonly delaysMs: ReadonlyArray<number>;
  readonly dropsMax: number;
  readonly crashesMax: number;
  readonly decisionsMax: number;
  readonly restartAfterMs?: number;
}

/** One run: choices from `prefix`, then option 0; each decision with its allowed options and state. */
function runSchedule(plan: Parameters<typeof simulatePlan>[0], seed: number, prefix: ReadonlyArray<number>, bounds: Bounds) {
  const nodeHashes = new Map<string, number>();
  const choices: number[] = [];
  const decisions: Decision[] = [];
  let [drops, crashes] = [0, 0];
  const drop = bounds.delaysMs.length;
  const crash = drop + 1;
  const onEvent = (event: TraceEvent): void => {
    if (event.kind !== 'deliver' && event.kind !== 'timer' && event.kind !== 'crash' && event.kind !== 'restart' && event.kind !== 'drop') return;
    const input = `${event.kind}|${event.engine ?? ''}|${event.msg ?? ''}|${event.text ?? ''}`;
    nodeHashes.set(event.node, hash32(input, nodeHashes.get(event.node) ?? 0));
  };
  const choose = (index: number): number => {
    if (index >= bounds.decisionsMax) return 0;
    const option = prefix[index] ?? 0;
    const allowed = [...bounds.delaysMs.keys(), ...(drops < bounds.dropsMax ? [drop] : []), ...(crashes < bounds.crashesMax ? [crash] : [])];
    // The frame's position is part of the state: frames still in flight are not seen otherwise.
    const state = `${index}|${drops}|${crashes}|${[...nodeHashes].sort(([a], [b]) => (a < b ? -1 : 1)).map(([node, value]) => `${node}:${value}`).join(',')}`;
    decisions.push({ allowed, state });
    if (option === drop) drops++;
    if (option === crash) crashes++;
    choices.push(option);
    return option;
  };
  const events: TraceEvent[] = [];
  const run = simulatePlan(plan, { seed, isRecording: false, onEvent: (event) => (events.push(event), onEvent(event)), frames: { delaysMs: bounds.delaysMs, ...(bounds.restartAfterMs !== undefined && { restartAfterMs: bounds.restartAfterMs }), choose } });
  return { choices, decisions, events, run };
}

function trimZeros(choices: number[]): number[] {
  let end = choices.length;
  while (end > 0 && choices[end - 1] === 0) end--;
  return choices.slice(0, end);
}

function writeSchedule(source: unknown, seed: number, choices: ReadonlyArray<number>, delaysMs: ReadonlyArray<number>, options: ExploreOptions, invariants: ReadonlyArray<Invariant>, results: ReadonlyArray<InvariantResult>): FailureFile {
  const document: Record<string, unknown> = { ...(source as Record<string, unknown>), schedule: { delays: delaysMs.map((delay) => `${delay}ms`), choices, ...(options.restartAfterMs !== undefined && { restartAfter: `${options.restartAfterMs}ms` }) } };
  const failed = invariants.filter((_, index) => results[index]?.isOk === false);
  return writeFailureFile({
    scenario: document,
    seed,
    failuresDir: options.failuresDir ?? 'failures',
    baseDir: options.baseDir ?? process.cwd(),
    name: `${typeof document['name'] === 'string' ? document['name'] : 'explored'}-schedule`,
    comment: [`Shortest failing schedule found by netmachine's exhaustive exploration (${choices.filter((choice) => choice !== 0).length} decisions off the default).`, `Broken: ${results.filter((result) => !result.isOk).map((result) => result.name).join(', ')}`],
    replays: failed.map(replayOf).filter((replay): replay is InvariantReplay => replay !== undefined),
  });
}
