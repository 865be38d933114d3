// Scenario document → NetworkPlan: the topology (scenarios/underlay.ts), node selectors, engine
// factories (built-in or from a user module), knowledge and timed events; every reference is checked and located.
import {
  BUILTIN_ENGINES,
  NetmachineError,
  type EngineFactory,
  type NetworkPlan,
  type PlanEngine,
  type PlanNode,
  type PlanEvent,
} from '../core/index.js';
import { linkChange } from './link-fields.js';
import type { ScenarioDocument } from './schema.js';
import { parseDuration } from './units.js';
import { linkKey, resolveTopology, selectHosts, type ResolvedTopology } from './underlay.js';
import { resolveConnections, resolveKnows } from './overlay.js';
import type { EngineModules } from './engine-modules.js';
import { didYouMean } from './excerpt.js';
import { formatPath, type LocatedDocument, type Problem } from './yaml.js';

/** Most jumps one `clock-strobe` event may make. */
const STROBE_STEPS_MAX = 10_000;

/** A resolved plan with the problems found on the way, and the entry (path) behind each placed engine. */
export interface Resolution {
  readonly plan: NetworkPlan;
  readonly problems: ReadonlyArray<Problem>;
  readonly origins: ReadonlyMap<PlanEngine, ReadonlyArray<PropertyKey>>;
}

/** Builds the plan, collecting every problem (the plan is only usable when there are none). */
export async function resolveScenario(doc: LocatedDocument, scenario: ScenarioDocument, source: unknown, modules: EngineModules): Promise<Resolution> {
  const problems: Problem[] = [];
  const topology = resolveTopology(doc, scenario, problems);
  const { declared, links, linkKeys } = topology;
  const nodeNames = topology.hosts;
  const requireNode = (name: string, path: PropertyKey[]): void => {
    if (!declared.has(name)) problems.push(doc.problem(path, `node "${name}" is not declared in topology.nodes`, 'scenario/unknown-node'));
  };
  const requireHost = (name: string, path: PropertyKey[], what: string): void => {
    if (topology.isRouter(name)) problems.push(doc.problem(path, `"${name}" is a router: ${what}`, 'scenario/router'));
    else requireNode(name, path);
  };

  const engines = new Map<string, PlanEngine[]>(nodeNames.map((name) => [name, []]));
  const origins = new Map<PlanEngine, ReadonlyArray<PropertyKey>>();
  for (const [index, entry] of scenario.engines.entries()) {
    const path = ['engines', index];
    const loaded = await modules.factory(doc, entry, path, problems);
    const selected = selectHosts(entry.on, topology, scenario.seed, `engines/${index}`);
    if (!selected.ok) {
      problems.push(doc.problem([...path, 'on'], selected.error, 'scenario/no-match'));
      continue;
    }
    const name = entry.name ?? entry.kind;
    const params = entry.params ?? {}; // one object for every node the entry selects (engines share parsed params)
    const factory = loaded === undefined ? undefined : locatedStart(doc, path, entry.kind, loaded.factory);
    // One engine entry for every node the entry selects (a plan of 10⁵ nodes shares it).
    const engine: PlanEngine | undefined = loaded === undefined || factory === undefined ? undefined : { name, kind: entry.kind, params, factory, ...(entry.persistent === true && { isPersistent: true }), ...(loaded.module !== undefined && { module: loaded.module }) };
    if (engine !== undefined) origins.set(engine, path);
    for (const node of selected.value) {
      const list = engines.get(node)!;
      if (list.some((other) => other.name === name)) problems.push(doc.problem([...path, 'name'], `node "${node}" already runs an engine named "${name}" (give this one a different name:)`, 'scenario/duplicate-engine'));
      if (engine !== undefined) list.push(engine);
    }
  }

  addWorkloads(doc, scenario, topology, engines, problems, origins);
  const requireEngine = (reference: string, path: PropertyKey[]): string => {
    const [node, engine] = reference.includes('/') ? reference.split('/') as [string, string] : [reference, 'sink'];
    if (!declared.has(node)) problems.push(doc.problem(path, `node "${node}" is not declared in topology.nodes`, 'scenario/unknown-node'));
    else if (topology.isRouter(node)) problems.push(doc.problem(path, `"${node}" is a router: routers run no engines`, 'scenario/router'));
    else if (!engines.get(node)!.some((e) => e.name === engine)) {
      if (engine === 'sink') engines.get(node)!.push(SINK);
      else problems.push(doc.problem(path, `node "${node}" runs no engine named "${engine}"${didYouMean(engine, engines.get(node)!.map((e) => e.name))}`, 'scenario/unknown-engine-ref'));
    }
    return `${node}/${engine}`;
  };
  const skewEvents: PlanEvent[] = scenario.defaults?.node?.clockSkew === undefined ? [] : nodeNames.map((node) => ({ atMs: 0, kind: 'clock-skew', node, skewMs: scenario.defaults!.node!.clockSkew! }));
  const timed: PlanEvent[] = scenario.events.flatMap((event, index): PlanEvent | PlanEvent[] => {
    const path = ['events', index];
    const atMs = event.at;
    if ('crash' in event) return typeof event.crash === 'string' ? (requireNode(event.crash, [...path, 'crash']), { atMs, kind: 'crash', node: event.crash }) : { atMs, kind: 'crash-where', ...event.crash.where };
    if ('pause' in event) return typeof event.pause === 'string' ? (requireNode(event.pause, [...path, 'pause']), { atMs, kind: 'pause', node: event.pause }) : { atMs, kind: 'pause-where', ...event.pause.where };
    if ('lose-writes' in event || 'corrupt-write' in event) {
      const fault = 'lose-writes' in event ? event['lose-writes'] : event['corrupt-write'];
      const key = 'lose-writes' in event ? 'lose-writes' : 'corrupt-write';
      if (fault.engine === undefined) requireNode(fault.node, [...path, key, 'node']);
      else requireEngine(`${fault.node}/${fault.engine}`, [...path, key, 'engine']);
      const target = { node: fault.node, ...(fault.engine !== undefined && { engine: fault.engine }) };
      return 'lose-writes' in event ? { atMs, kind: 'lose-writes', ...target, count: event['lose-writes'].count } : { atMs, kind: 'corrupt-write', ...target };
    }
    if ('resume' in event) return event.resume !== '*' && requireNode(event.resume, [...path, 'resume']), { atMs, kind: 'resume', node: event.resume };
    if ('restart' in event) return event.restart !== '*' && requireNode(event.restart, [...path, 'restart']), { atMs, kind: 'restart', node: event.restart };
    if ('partition' in event) {
      const named = Array.isArray(event.partition) ? event.partition.map((group, g) => [g, group] as const) : Object.entries(event.partition);
      named.forEach(([g, group]) => group.forEach((name, n) => requireHost(name, [...path, 'partition', g, n], 'partitions group hosts (a frame is cut by the groups of its two ends)')));
      return { atMs, kind: 'partition', groups: named.map(([, group]) => group), isOneWay: event.oneWay ?? false };
    }
    if ('heal' in event) return { atMs, kind: 'heal' };
    if ('link-down' in event || 'link-up' in event) {
      const kind = 'link-down' in event ? ('link-down' as const) : ('link-up' as const);
      const pair = 'link-down' in event ? event['link-down'] : event['link-up'];
      checkLink(pair, [...path, kind]);
      return { atMs, kind, a: pair[0], b: pair[1] };
    }
    if ('send' in event) return { atMs, kind: 'send', from: requireEngine(event.send.from, [...path, 'send', 'from']), to: requireEngine(event.send.to, [...path, 'send', 'to']), sizeBytes: event.send.size };
    if ('publish' in event) return { atMs, kind: 'publish', from: requireEngine(event.publish.from, [...path, 'publish', 'from']), topic: event.publish.topic, sizeBytes: event.publish.size };
    if ('subscribe' in event) return { atMs, kind: 'subscribe', engine: requireEngine(event.subscribe.engine, [...path, 'subscribe', 'engine']), topic: event.subscribe.topic };
    if ('unsubscribe' in event) return { atMs, kind: 'unsubscribe', engine: requireEngine(event.unsubscribe.engine, [...path, 'unsubscribe', 'engine']), topic: event.unsubscribe.topic };
    if ('clock-drift' in event) return requireHost(event['clock-drift'].node, [...path, 'clock-drift', 'node'], 'routers have no clock'), { atMs, kind: 'clock-drift', node: event['clock-drift'].node, rate: event['clock-drift'].rate };
    if ('clock-strobe' in event) {
      const strobe = event['clock-strobe'];
      requireHost(strobe.node, [...path, 'clock-strobe', 'node'], 'routers have no clock');
      const steps = Math.ceil(strobe.for / strobe.every);
      if (steps > STROBE_STEPS_MAX) return problems.push(doc.problem([...path, 'clock-strobe', 'every'], `a strobe of at most ${STROBE_STEPS_MAX} jumps: ${strobe.for} ms every ${strobe.every} ms is ${steps}`)), [];
      // Forward on even steps, back on odd ones, and back for good at the end.
      return [...Array.from({ length: steps }, (_, k): PlanEvent => ({ atMs: atMs + k * strobe.every, kind: 'clock-strobe', node: strobe.node, offsetMs: k % 2 === 0 ? strobe.by : 0 })), { atMs: atMs + strobe.for, kind: 'clock-strobe', node: strobe.node, offsetMs: 0 }];
    }
    if ('clock-skew' in event) {
      requireHost(event['clock-skew'].node, [...path, 'clock-skew', 'node'], 'routers have no clock');
      const by = event['clock-skew'].by;
      const negative = typeof by === 'string' && by.trim().startsWith('-');
      const parsed = parseDuration(typeof by === 'string' ? by.trim().replace(/^-/, '') : Math.abs(by));
      if (!parsed.ok) problems.push(doc.problem([...path, 'clock-skew', 'by'], parsed.error.replace('a duration', 'a signed duration'), 'scenario/bad-unit'));
      const skewMs = parsed.ok ? (negative || (typeof by === 'number' && by < 0) ? -parsed.value : parsed.value) : 0;
      return { atMs, kind: 'clock-skew', node: event['clock-skew'].node, skewMs };
    }
    const { between, ...fields } = event['set-link'];
    checkLink(between, [...path, 'set-link', 'between']);
    return { atMs, kind: 'set-link', a: between[0], b: between[1], change: linkChange(fields) };
  });
  const events = [...skewEvents, ...timed];
  function checkLink(pair: readonly [string, string], path: PropertyKey[]): void {
    const [a, b] = pair;
    if (!linkKeys.has(linkKey(a, b))) problems.push(doc.problem(path, `no link ${a}–${b} is declared`, 'scenario/unknown-link'));
  }

  const { names: knows, table: knowsTable } = resolveKnows(doc, scenario.knows, nodeNames, links, scenario.seed, problems);
  const connections = resolveConnections(doc, scenario.connections, problems);
  const badChoice = scenario.schedule?.choices.findIndex((choice) => choice > scenario.schedule!.delays.length + 1) ?? -1;
  if (badChoice >= 0) problems.push(doc.problem(['schedule', 'choices', badChoice], `a choice is 0 to ${scenario.schedule!.delays.length + 1} (a delay, ${scenario.schedule!.delays.length} = drop, ${scenario.schedule!.delays.length + 1} = crash the receiver)`));
  if (scenario.until !== undefined && scenario.duration !== undefined) problems.push(doc.problem(['until'], 'give either duration or until, not both', 'scenario/duration-twice'));
  if (nodeNames.length === 0 && problems.length === 0) problems.push(doc.problem(['topology'], topology.routers.length === 0 ? 'the topology declares no nodes' : 'the topology declares only routers (no node runs engines)', 'scenario/no-nodes'));
  const engineLists = new EngineLists();
  // Each node's engine list in node order (the map was made in that order): no lookup per node.
  const engineListsInOrder = [...engines.values()];
  const planNodes: ReadonlyArray<PlanNode> = nodeNames.map((name, index) => {
    const known = knows[index];
    const access = topology.access.get(name);
    const region = topology.regionOf?.get(name);
    return { name, engines: engineLists.of(engineListsInOrder[index]!), ...(known !== undefined && { knows: known }), ...(access !== undefined && { access }), ...(region !== undefined && { region }) };
  });
  const plan: NetworkPlan = {
    name: scenario.name,
    seed: scenario.seed,
    durationMs: scenario.until ?? scenario.duration ?? DEFAULT_DURATION_MS,
    crypto: scenario.crypto,
    ...(scenario.buggify !== undefined && { buggifyProbability: scenario.buggify }),
    ...(scenario.schedule !== undefined && { schedule: { delaysMs: scenario.schedule.delays, choices: scenario.schedule.choices, ...(scenario.schedule.restartAfter !== undefined && { restartAfterMs: scenario.schedule.restartAfter }) } }),
    nodes: planNodes,
    ...(knowsTable !== undefined && { knowsTable: { nodes: planNodes, ...knowsTable } }),
    ...(topology.routers.length > 0 && { routers: topology.routers }),
    ...(topology.regions !== undefined && { regions: topology.regions }),
    ...(connections !== undefined && { connections }),
    links,
    events: events.map((event, index) => ({ event, index })).sort((x, y) => x.event.atMs - y.event.atMs || x.index - y.index).map((x) => x.event),
    source,
    sourceFile: doc.file,
  };
  return { plan, problems, origins };
}

/** A factory whose start failures name the engine and its place in the file (never a bare stack trace). */
function locatedStart(doc: LocatedDocument, path: ReadonlyArray<PropertyKey>, kind: string, factory: EngineFactory): EngineFactory {
  const { line, column } = doc.locate(path);
  return (params, env) => {
    try {
      return factory(params, env);
    } catch (error) {
      const where = `${doc.file}:${line}:${column} ${formatPath(path)}: engine "${kind}" on node "${env.nodeName}" could not start`;
      if (error instanceof NetmachineError) throw new NetmachineError(error.code, `${where}: ${error.message}`, error.details);
      throw new NetmachineError('engine/start-failed', `${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

const DEFAULT_DURATION_MS = 30_000;

function runsEngineNamed(engines: ReadonlyArray<PlanEngine>, name: string): boolean {
  for (const engine of engines) if (engine.name === name) return true;
  return false;
}

/**
 * Nodes' engine lists, one frozen list shared by every node with the same engines (each engine
 * entry is one object for all the nodes it is placed on): 10⁵ nodes running the same engines hold
 * one list, not 10⁵ copies of ≈ 64 bytes.
 */
class EngineLists {
  private readonly numbers = new Map<PlanEngine, number>();
  private readonly lists = new Map<string, ReadonlyArray<PlanEngine>>();

  of(engines: ReadonlyArray<PlanEngine>): ReadonlyArray<PlanEngine> {
    if (engines.length === 0) return NO_ENGINES;
    let key = '';
    for (const engine of engines) {
      let number = this.numbers.get(engine);
      if (number === undefined) this.numbers.set(engine, (number = this.numbers.size));
      key += `${number},`;
    }
    let list = this.lists.get(key);
    if (list === undefined) this.lists.set(key, (list = Object.freeze(engines.slice())));
    return list;
  }
}

const NO_ENGINES: ReadonlyArray<PlanEngine> = Object.freeze([]);
const SINK: PlanEngine = { name: 'sink', kind: 'sink', params: {}, factory: BUILTIN_ENGINES.get('sink')! };


/** Each workload becomes a `workload` engine (named after it) on each source node, plus sinks. */
function addWorkloads(doc: LocatedDocument, scenario: ScenarioDocument, topology: ResolvedTopology, engines: Map<string, PlanEngine[]>, problems: Problem[], origins: Map<PlanEngine, ReadonlyArray<PropertyKey>>): void {
  const nodeNames = topology.hosts;
  const factory = BUILTIN_ENGINES.get('workload')!;
  scenario.workloads.forEach((workload, index) => {
    const path = ['workloads', index];
    if ((workload.topic === undefined) === (workload.to === undefined)) {
      problems.push(doc.problem(path, 'a workload needs either to: (unicast) or topic: (publish), not both', 'scenario/workload-target'));
      return;
    }
    const sources = selectHosts(workload.from, topology, scenario.seed, `workloads/${index}`);
    if (!sources.ok) return void problems.push(doc.problem([...path, 'from'], sources.error, 'scenario/no-match'));
    if (Array.isArray(workload.to)) workload.to.forEach((node, n) => nodeNames.includes(node) || problems.push(doc.problem([...path, 'to', n], `node "${node}" is not declared in topology.nodes`, 'scenario/unknown-node')));
    const params = {
      mode: workload.topic === undefined ? 'unicast' : 'publish',
      targets: workload.to ?? 'neighbors',
      nodes: workload.to === 'random' ? nodeNames : [],
      ...(workload.topic !== undefined && { topic: workload.topic }),
      intervalMs: 1000 / workload.rate,
      count: workload.count ?? 0,
      startMs: workload.start,
      size: workload.size,
      ...(workload.expiry !== undefined && { expiryMs: workload.expiry }),
    };
    const engine: PlanEngine = { name: workload.name, kind: 'workload', params, factory };
    origins.set(engine, path);
    // Every node, in order, when the sources are all of them (no lookup per node).
    const lists = sources.value.length === nodeNames.length ? [...engines.values()] : sources.value.map((node) => engines.get(node)!);
    for (let n = 0; n < lists.length; n++) {
      const list = lists[n]!;
      if (runsEngineNamed(list, workload.name)) problems.push(doc.problem([...path, 'name'], `node "${sources.value[n]}" already runs an engine named "${workload.name}"`, 'scenario/duplicate-engine'));
      list.push(engine);
    }
    if (workload.topic === undefined) {
      // Every possible target gets a sink engine to receive the messages.
      for (const list of engines.values()) if (!runsEngineNamed(list, 'sink')) list.push(SINK);
    }
  });
}
