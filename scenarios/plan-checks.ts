// Checks of a resolved plan that need no run: engine dependencies, the work the timers schedule,
// expectation references and event times. Each problem is located at the entry that causes it.
import { BUILTIN_ENGINE_SPECS, TRACE_KINDS, type EngineNeed, type NetworkPlan, type PlanEngine } from '../core/index.js';
import { didYouMean } from './excerpt.js';
import { overLimit, type Limits } from './limits.js';
import type { ScenarioDocument } from './schema.js';
import type { LocatedDocument, Problem } from './yaml.js';

/** What the checks look at. */
export interface PlanCheckInput {
  readonly doc: LocatedDocument;
  readonly scenario: ScenarioDocument;
  readonly plan: NetworkPlan;
  readonly origins: ReadonlyMap<PlanEngine, ReadonlyArray<PropertyKey>>;
  readonly limits: Limits;
  /** The run length (ms): the scenario's, or a flag's. */
  readonly durationMs: number;
}

export function planProblems(input: PlanCheckInput): Problem[] {
  return [...engineProblems(input), ...expectProblems(input), ...timeProblems(input)];
}

/** Engine instances, their timers' work, and the engines and nodes they need. */
function engineProblems({ doc, plan, origins, limits, durationMs }: PlanCheckInput): Problem[] {
  const problems: Problem[] = [];
  // As the simulator gives engines their neighbours: hosts directly linked (routers run no engines).
  // Made when first needed (a region underlay has no links: 10⁵ empty lists otherwise).
  let madeNeighbors: Map<string, string[]> | undefined;
  const neighbors = (): ReadonlyMap<string, ReadonlyArray<string>> => {
    if (madeNeighbors !== undefined) return madeNeighbors;
    const made = new Map<string, string[]>(plan.nodes.map((node) => [node.name, []]));
    for (const link of plan.links) {
      if (!made.has(link.a) || !made.has(link.b)) continue;
      made.get(link.a)!.push(link.b);
      made.get(link.b)!.push(link.a);
    }
    return (madeNeighbors = made);
  };
  const degreeOf = (node: string): number => (plan.links.length === 0 ? 0 : neighbors().get(node)!.length);
  // Each node's engine names, made when a need is first checked (10⁵ sets of names otherwise).
  let madeEnginesOn: ReadonlyMap<string, ReadonlySet<string>> | undefined;
  const enginesOn = (): ReadonlyMap<string, ReadonlySet<string>> => (madeEnginesOn ??= new Map(plan.nodes.map((node) => [node.name, new Set(node.engines.map((engine) => engine.name))])));
  const instances = plan.nodes.reduce((sum, node) => sum + node.engines.length, 0);
  if (instances > limits.engines) problems.push(doc.problem(['engines'], overLimit('engines', 'engine instances', instances, limits), 'limits/engines'));
  /**
   * What each engine entry needs checked, made once per entry (entries are shared by the nodes
   * they are placed on): its key, parsed params (undefined: reported by the loader) and needs.
   */
  const entries = new Map<PlanEngine, { readonly key: string; readonly path: ReadonlyArray<PropertyKey>; readonly params: unknown; readonly needs: ReadonlyArray<EngineNeed> } | null>();
  const parsed = new Map<Readonly<Record<string, unknown>>, unknown>();
  const reported = new Set<string>();
  const loads = new Map<string, { path: ReadonlyArray<PropertyKey>; load: number }>();
  let totalLoad = 0;
  for (const node of plan.nodes) {
    for (const engine of node.engines) {
      let entry = entries.get(engine);
      if (entry === undefined) {
        const path = origins.get(engine);
        const spec = BUILTIN_ENGINE_SPECS.get(engine.kind);
        if (path === undefined || spec === undefined || engine.module !== undefined) entry = null;
        else {
          if (!parsed.has(engine.params)) {
            const result = spec.params.safeParse(engine.params);
            parsed.set(engine.params, result.success ? result.data : undefined);
          }
          const params = parsed.get(engine.params);
          entry = params === undefined ? null : { key: JSON.stringify(path), path, params, needs: spec.needs?.(params) ?? [] };
        }
        entries.set(engine, entry);
      }
      if (entry === null) continue;
      const load = BUILTIN_ENGINE_SPECS.get(engine.kind)!.load?.(entry.params, { durationMs, degree: degreeOf(node.name) }) ?? 0;
      totalLoad += load;
      const sum = loads.get(entry.key);
      if (sum === undefined) loads.set(entry.key, { path: entry.path, load });
      else sum.load += load;
      for (const need of entry.needs) {
        const message = unmet(need, node.name, engine, neighbors(), enginesOn());
        const once = `${entry.key}\0${JSON.stringify(need.param)}`;
        if (message === undefined || reported.has(once)) continue;
        reported.add(once);
        problems.push(doc.problem([...entry.path, ...(entry.path[0] === 'engines' ? ['params'] : []), ...need.param], message.text, message.code));
      }
    }
  }
  if (totalLoad > limits.sends) {
    const largest = [...loads.values()].reduce((a, b) => (b.load > a.load ? b : a));
    problems.push(doc.problem(largest.path, `${overLimit('sends', `timer firings and messages over the run (${Math.round(durationMs)} ms)`, totalLoad, limits)}; this entry schedules the most`, 'limits/sends'));
  }
  return problems;
}

function unmet(need: EngineNeed, node: string, engine: PlanEngine, neighbors: ReadonlyMap<string, ReadonlyArray<string>>, enginesOn: ReadonlyMap<string, ReadonlySet<string>>): { text: string; code: string } | undefined {
  const what = `engine "${engine.name}"${engine.name === engine.kind ? '' : ` (${engine.kind})`} on node "${node}"`;
  switch (need.where) {
    case 'local':
      return enginesOn.get(node)!.has(need.engine) ? undefined : { text: `${what} needs an engine named "${need.engine}" on its own node, and "${node}" runs none${didYouMean(need.engine, [...enginesOn.get(node)!])}`, code: 'scenario/missing-engine' };
    case 'neighbors': {
      const missing = neighbors.get(node)!.filter((neighbor) => !enginesOn.get(neighbor)!.has(need.engine));
      if (missing.length === 0) return undefined;
      return { text: `${what} talks to engine "${need.engine}" on each link neighbour, and ${missing.slice(0, 3).map((name) => `"${name}"`).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''} run${missing.length === 1 ? 's' : ''} none`, code: 'scenario/missing-engine' };
    }
    case 'node': {
      const engines = enginesOn.get(need.node);
      if (engines === undefined) return { text: `${what} names node "${need.node}", which is not declared${didYouMean(need.node, [...enginesOn.keys()])}`, code: 'scenario/unknown-node' };
      if (need.engine === undefined || engines.has(need.engine)) return undefined;
      return { text: `${what} needs engine "${need.engine}" on node "${need.node}", which runs none${didYouMean(need.engine, [...engines])}`, code: 'scenario/missing-engine' };
    }
  }
}

/** `expect:` names workloads, topics, nodes, engines and event kinds that exist. */
function expectProblems({ doc, scenario, plan }: PlanCheckInput): Problem[] {
  const expect = scenario.expect;
  if (expect === undefined) return [];
  const problems: Problem[] = [];
  const workloads = scenario.workloads.map((workload) => workload.name);
  const workload = (name: string | undefined, path: ReadonlyArray<PropertyKey>): void => {
    if (name !== undefined && !workloads.includes(name)) problems.push(doc.problem(path, `no workload is named "${name}"${didYouMean(name, workloads)}${workloads.length === 0 ? ' (the scenario has no workloads)' : ` (workloads: ${workloads.join(', ')})`}`, 'scenario/unknown-workload'));
  };
  const topics = knownTopics(scenario);
  const hasModules = plan.nodes.some((node) => node.engines.some((engine) => engine.module !== undefined));
  expect.delivered?.forEach((entry, index) => {
    if ('workload' in entry) workload(entry.workload, ['expect', 'delivered', index, 'workload']);
    else if (!hasModules && !topics.has(entry.topic)) problems.push(doc.problem(['expect', 'delivered', index, 'topic'], `nothing in the scenario publishes or subscribes to topic "${entry.topic}"${didYouMean(entry.topic, [...topics])}`, 'scenario/unknown-topic'));
  });
  expect.latency?.forEach((entry, index) => workload(entry.workload, ['expect', 'latency', index, 'workload']));
  // Routers appear in traces (transmit, receive, drop) though they run no engines.
  const nodes = [...plan.nodes.map((node) => node.name), ...(plan.routers ?? [])];
  const engines = [...new Set(plan.nodes.flatMap((node) => node.engines.map((engine) => engine.name)))];
  expect.events?.forEach((entry, index) => {
    const path = ['expect', 'events', index];
    if (!(TRACE_KINDS as ReadonlyArray<string>).includes(entry.kind)) problems.push(doc.problem([...path, 'kind'], `no trace event has kind "${entry.kind}"${didYouMean(entry.kind, TRACE_KINDS)} (kinds: ${TRACE_KINDS.join(', ')})`, 'scenario/unknown-event-kind'));
    if (entry.node !== undefined && entry.node !== '*' && !nodes.includes(entry.node)) problems.push(doc.problem([...path, 'node'], `node "${entry.node}" is not declared${didYouMean(entry.node, nodes)}`, 'scenario/unknown-node'));
    if (entry.engine !== undefined && !hasModules && !engines.includes(entry.engine) && entry.engine !== 'router') problems.push(doc.problem([...path, 'engine'], `no node runs an engine named "${entry.engine}"${didYouMean(entry.engine, engines)}`, 'scenario/unknown-engine-ref'));
    if (entry.atLeast !== undefined && entry.atMost !== undefined && entry.atLeast > entry.atMost) problems.push(doc.problem(path, `atLeast ${entry.atLeast} is above atMost ${entry.atMost}: no count meets both`, 'scenario/impossible-bound'));
  });
  return problems;
}

function knownTopics(scenario: ScenarioDocument): Set<string> {
  const topics = new Set<string>();
  for (const workload of scenario.workloads) if (workload.topic !== undefined) topics.add(workload.topic);
  for (const entry of scenario.engines) if (typeof entry.params?.['topic'] === 'string') topics.add(entry.params['topic']);
  for (const event of scenario.events) {
    if ('publish' in event) topics.add(event.publish.topic);
    if ('subscribe' in event) topics.add(event.subscribe.topic);
  }
  return topics;
}

/** Timed events and workload starts after the run's end never happen. */
function timeProblems({ doc, scenario, durationMs }: PlanCheckInput): Problem[] {
  const problems: Problem[] = [];
  const end = `the run ends at ${durationMs} ms (its duration; --until can change it)`;
  scenario.events.forEach((event, index) => {
    if (event.at > durationMs) problems.push(doc.problem(['events', index, 'at'], `at ${event.at} ms comes after the end: ${end}`, 'scenario/after-end'));
  });
  scenario.workloads.forEach((workload, index) => {
    if (workload.start >= durationMs) problems.push(doc.problem(['workloads', index, 'start'], `start ${workload.start} ms is not before the end, so the workload sends nothing: ${end}`, 'scenario/after-end'));
  });
  return problems;
}
