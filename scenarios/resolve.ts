// Scenario document → NetworkPlan: layered link settings, node selectors, engine factories
// (built-in or from a user module), and timed events; every reference is checked and located.
import { pathToFileURL } from 'node:url';
import { dirname, resolve as resolvePath } from 'node:path';
import {
  BUILTIN_ENGINES,
  LINK_DEFAULTS,
  type EngineFactory,
  type JitterSpec,
  type LinkSpec,
  type NetworkPlan,
  type PlanEngine,
  type PlanEvent,
  type PlanLink,
} from '../core/index.js';
import { generateEdges, generatorSize, nodeName, type GeneratorSpec } from './generators.js';
import type { JitterField, LinkFieldsValue, ScenarioDocument } from './schema.js';
import { parseDuration } from './units.js';
import { selectNodes } from './selectors.js';
import { resolveConnections, resolveKnows } from './overlay.js';
import { InputError, type LocatedDocument, type Problem } from './yaml.js';

function jitterSpec(jitter: JitterField): JitterSpec {
  switch (jitter.dist) {
    case 'uniform':
      return { kind: 'uniform', maxMs: jitter.maxMs };
    case 'normal':
      return { kind: 'normal', meanMs: jitter.meanMs, sdMs: jitter.sdMs };
    case 'exponential':
      return { kind: 'exponential', meanMs: jitter.meanMs };
    case 'pareto':
      return { kind: 'pareto', scaleMs: jitter.scaleMs, shape: jitter.shape };
    case 'bimodal':
      return { kind: 'bimodal', fastMs: jitter.fastMs, slowMs: jitter.slowMs, slowProbability: jitter.slowProbability };
  }
}

/** Applies the set fields of `fields` over `base`. */
export function layerLink(base: LinkSpec, fields: LinkFieldsValue | undefined): LinkSpec {
  if (fields === undefined) return base;
  return {
    latencyMs: fields.latency ?? base.latencyMs,
    jitter: fields.jitter === undefined ? base.jitter : jitterSpec(fields.jitter),
    bandwidthBytesPerSecond: fields.bandwidth ?? base.bandwidthBytesPerSecond,
    lossProbability: fields.loss ?? base.lossProbability,
    duplicateProbability: fields.duplicate ?? base.duplicateProbability,
    frameSizeMaxBytes: fields.frameSizeMax ?? base.frameSizeMaxBytes,
    queueBytesMax: fields.queueMax ?? base.queueBytesMax,
  };
}

/** Only the fields a `set-link` event changes. */
export function linkChange(fields: LinkFieldsValue): Partial<LinkSpec> {
  const full = layerLink(LINK_DEFAULTS, fields);
  const change: Partial<Record<keyof LinkSpec, unknown>> = {};
  const names: Record<keyof LinkFieldsValue, keyof LinkSpec> = {
    latency: 'latencyMs',
    jitter: 'jitter',
    bandwidth: 'bandwidthBytesPerSecond',
    loss: 'lossProbability',
    duplicate: 'duplicateProbability',
    frameSizeMax: 'frameSizeMaxBytes',
    queueMax: 'queueBytesMax',
  };
  for (const [field, specName] of Object.entries(names) as [keyof LinkFieldsValue, keyof LinkSpec][]) {
    if (fields[field] !== undefined) change[specName] = full[specName];
  }
  return change as Partial<LinkSpec>;
}

/** Builds the plan; collects every problem before failing so users fix a file in one pass. */
export async function resolveScenario(doc: LocatedDocument, scenario: ScenarioDocument, source: unknown): Promise<NetworkPlan> {
  const problems: Problem[] = [];
  const nodeNames: string[] = [];
  const declared = new Set<string>();
  (scenario.topology.nodes ?? []).forEach((node, index) => {
    if (declared.has(node.name)) problems.push(doc.problem(['topology', 'nodes', index], `node "${node.name}" is declared twice`));
    declared.add(node.name);
    nodeNames.push(node.name);
  });
  const requireNode = (name: string, path: PropertyKey[]): void => {
    if (!declared.has(name)) problems.push(doc.problem(path, `node "${name}" is not declared in topology.nodes`));
  };

  const base = layerLink(LINK_DEFAULTS, scenario.defaults?.link);
  const links: PlanLink[] = [];
  const linkKeys = new Set<string>();
  const generatedLinks = new Map<string, PlanLink>();
  const classSpec = (name: string | undefined, path: PropertyKey[]): LinkSpec => {
    if (name === undefined) return base;
    const linkClass = scenario.linkClasses?.[name];
    if (linkClass === undefined) problems.push(doc.problem(path, `unknown link class "${name}" (declare it under linkClasses)`));
    return layerLink(base, linkClass);
  };
  (scenario.topology.generate ?? []).forEach((generator, index) => {
    const path = ['topology', 'generate', index];
    const { name: pattern, class: className, link, connected, ...spec } = generator;
    const edges = generateEdges(spec as GeneratorSpec, scenario.seed, String(index), connected);
    if (!edges.ok) return void problems.push(doc.problem([...path, 'kind'], edges.error));
    const names = Array.from({ length: generatorSize(spec as GeneratorSpec) }, (_, i) => nodeName(pattern, i, spec as GeneratorSpec));
    for (const name of names) {
      if (declared.has(name)) return void problems.push(doc.problem([...path, 'name'], `generated node "${name}" is already declared (use a distinct name pattern such as "${index === 0 ? 'g' : String.fromCharCode(97 + index)}{i}")`));
      declared.add(name);
      nodeNames.push(name);
    }
    const linkSpec = layerLink(classSpec(className, [...path, 'class']), link);
    for (const [i, j] of edges.value) {
      const generatedLink = { a: names[i]!, b: names[j]!, ab: linkSpec, ba: linkSpec };
      linkKeys.add(linkKey(generatedLink.a, generatedLink.b));
      generatedLinks.set(linkKey(generatedLink.a, generatedLink.b), generatedLink);
      links.push(generatedLink);
    }
  });
  (scenario.topology.links ?? []).forEach((link, index) => {
    const path = ['topology', 'links', index];
    const [a, b] = link.between;
    requireNode(a, [...path, 'between', 0]);
    requireNode(b, [...path, 'between', 1]);
    if (a === b) problems.push(doc.problem([...path, 'between'], `a link cannot join node "${a}" to itself`));
    const key = linkKey(a, b);
    const { between: _between, class: _class, forward, backward, ...fields } = link;
    // An explicit link over a generated one overrides its settings (per-link overrides).
    const generated = generatedLinks.get(key);
    if (generated !== undefined) {
      generatedLinks.delete(key);
      const base = link.class === undefined ? (generated.a === a ? generated.ab : generated.ba) : classSpec(link.class, [...path, 'class']);
      const reverse = link.class === undefined ? (generated.a === a ? generated.ba : generated.ab) : base;
      links[links.indexOf(generated)] = { a, b, ab: layerLink(layerLink(base, fields), forward), ba: layerLink(layerLink(reverse, fields), backward) };
      return;
    }
    if (linkKeys.has(key)) problems.push(doc.problem([...path, 'between'], `link ${a}–${b} is declared twice`));
    linkKeys.add(key);
    const both = layerLink(classSpec(link.class, [...path, 'class']), fields);
    links.push({ a, b, ab: layerLink(both, forward), ba: layerLink(both, backward) });
  });

  const engines = new Map<string, PlanEngine[]>(nodeNames.map((name) => [name, []]));
  for (const [index, entry] of scenario.engines.entries()) {
    const path = ['engines', index];
    const factory = await engineFactory(doc, entry.kind, entry.module, path, problems);
    const selected = selectNodes(entry.on, nodeNames, scenario.seed, `engines/${index}`);
    if (!selected.ok) {
      problems.push(doc.problem([...path, 'on'], selected.error));
      continue;
    }
    const name = entry.name ?? entry.kind;
    for (const node of selected.value) {
      const list = engines.get(node)!;
      if (list.some((engine) => engine.name === name)) problems.push(doc.problem([...path, 'name'], `node "${node}" already runs an engine named "${name}" (give this one a different name:)`));
      if (factory !== undefined) list.push({ name, kind: entry.kind, params: entry.params ?? {}, factory, ...(entry.persistent === true && { isPersistent: true }), ...(entry.module !== undefined && { module: resolvePath(dirname(resolvePath(doc.file)), entry.module) }) });
    }
  }

  addWorkloads(doc, scenario, nodeNames, engines, problems);
  const requireEngine = (reference: string, path: PropertyKey[]): string => {
    const [node, engine] = reference.includes('/') ? reference.split('/') as [string, string] : [reference, 'sink'];
    if (!declared.has(node)) problems.push(doc.problem(path, `node "${node}" is not declared in topology.nodes`));
    else if (!engines.get(node)!.some((e) => e.name === engine)) {
      if (engine === 'sink') engines.get(node)!.push(SINK);
      else problems.push(doc.problem(path, `node "${node}" runs no engine named "${engine}"`));
    }
    return `${node}/${engine}`;
  };
  const skewEvents: PlanEvent[] = scenario.defaults?.node?.clockSkew === undefined ? [] : nodeNames.map((node) => ({ atMs: 0, kind: 'clock-skew', node, skewMs: scenario.defaults!.node!.clockSkew! }));
  const timed: PlanEvent[] = scenario.events.map((event, index): PlanEvent => {
    const path = ['events', index];
    const atMs = event.at;
    if ('crash' in event) return requireNode(event.crash, [...path, 'crash']), { atMs, kind: 'crash', node: event.crash };
    if ('restart' in event) return requireNode(event.restart, [...path, 'restart']), { atMs, kind: 'restart', node: event.restart };
    if ('partition' in event) {
      const named = Array.isArray(event.partition) ? event.partition.map((group, g) => [g, group] as const) : Object.entries(event.partition);
      named.forEach(([g, group]) => group.forEach((name, n) => requireNode(name, [...path, 'partition', g, n])));
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
    if ('clock-skew' in event) {
      requireNode(event['clock-skew'].node, [...path, 'clock-skew', 'node']);
      const by = event['clock-skew'].by;
      const negative = typeof by === 'string' && by.trim().startsWith('-');
      const parsed = parseDuration(typeof by === 'string' ? by.trim().replace(/^-/, '') : Math.abs(by));
      if (!parsed.ok) problems.push(doc.problem([...path, 'clock-skew', 'by'], parsed.error.replace('a duration', 'a signed duration')));
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
    if (!linkKeys.has(linkKey(a, b))) problems.push(doc.problem(path, `no link ${a}–${b} is declared`));
  }

  const knows = resolveKnows(doc, scenario.knows, nodeNames, links, scenario.seed, problems);
  const connections = resolveConnections(doc, scenario.connections, problems);
  if (scenario.until !== undefined && scenario.duration !== undefined) problems.push(doc.problem(['until'], 'give either duration or until, not both'));
  if (nodeNames.length === 0 && (scenario.topology.generate ?? []).length === 0) problems.push(doc.problem(['topology'], 'the topology declares no nodes'));
  if (problems.length > 0) throw new InputError('scenario/invalid', problems);
  return {
    name: scenario.name,
    seed: scenario.seed,
    durationMs: scenario.until ?? scenario.duration ?? DEFAULT_DURATION_MS,
    crypto: scenario.crypto,
    nodes: nodeNames.map((name) => {
      const known = knows.get(name);
      return known === undefined ? { name, engines: engines.get(name)! } : { name, engines: engines.get(name)!, knows: known };
    }),
    ...(connections !== undefined && { connections }),
    links,
    events: events.map((event, index) => ({ event, index })).sort((x, y) => x.event.atMs - y.event.atMs || x.index - y.index).map((x) => x.event),
    source,
    sourceFile: doc.file,
  };
}

const DEFAULT_DURATION_MS = 30_000;
const SINK: PlanEngine = { name: 'sink', kind: 'sink', params: {}, factory: BUILTIN_ENGINES.get('sink')! };

function linkKey(a: string, b: string): string {
  return a < b ? `${a}\0${b}` : `${b}\0${a}`;
}

/** Each workload becomes a `workload` engine (named after it) on each source node, plus sinks. */
function addWorkloads(doc: LocatedDocument, scenario: ScenarioDocument, nodeNames: ReadonlyArray<string>, engines: Map<string, PlanEngine[]>, problems: Problem[]): void {
  const factory = BUILTIN_ENGINES.get('workload')!;
  scenario.workloads.forEach((workload, index) => {
    const path = ['workloads', index];
    if ((workload.topic === undefined) === (workload.to === undefined)) {
      problems.push(doc.problem(path, 'a workload needs either to: (unicast) or topic: (publish), not both'));
      return;
    }
    const sources = selectNodes(workload.from, nodeNames, scenario.seed, `workloads/${index}`);
    if (!sources.ok) return void problems.push(doc.problem([...path, 'from'], sources.error));
    if (Array.isArray(workload.to)) workload.to.forEach((node, n) => nodeNames.includes(node) || problems.push(doc.problem([...path, 'to', n], `node "${node}" is not declared in topology.nodes`)));
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
    for (const node of sources.value) {
      const list = engines.get(node)!;
      if (list.some((engine) => engine.name === workload.name)) problems.push(doc.problem([...path, 'name'], `node "${node}" already runs an engine named "${workload.name}"`));
      list.push({ name: workload.name, kind: 'workload', params, factory });
    }
    if (workload.topic === undefined) {
      // Every possible target gets a sink engine to receive the messages.
      for (const node of nodeNames) if (!engines.get(node)!.some((engine) => engine.name === 'sink')) engines.get(node)!.push(SINK);
    }
  });
}

async function engineFactory(doc: LocatedDocument, kind: string, module: string | undefined, path: PropertyKey[], problems: Problem[]): Promise<EngineFactory | undefined> {
  if (module === undefined) {
    const builtin = BUILTIN_ENGINES.get(kind);
    if (builtin === undefined) problems.push(doc.problem([...path, 'kind'], `unknown engine kind "${kind}" (built-in kinds: ${[...BUILTIN_ENGINES.keys()].join(', ')}; or give module:)`));
    return builtin;
  }
  const file = resolvePath(dirname(resolvePath(doc.file)), module);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    problems.push(doc.problem([...path, 'module'], `cannot load engine module ${file}: ${(error as Error).message.split('\n')[0]}`));
    return undefined;
  }
  const factory = exports[kind];
  if (typeof factory !== 'function') {
    const names = Object.keys(exports).filter((name) => typeof exports[name] === 'function');
    problems.push(doc.problem([...path, 'kind'], `module ${module} exports no factory function "${kind}" (it exports: ${names.join(', ') || 'none'})`));
    return undefined;
  }
  return factory as EngineFactory;
}
