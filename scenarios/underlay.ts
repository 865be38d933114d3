// The underlay parts of a scenario: which nodes are hosts and which are routers, the links (given,
// generated, attached), per-host access links, and the region model. Every bad value becomes a
// located problem; nothing here builds the network itself.
import { createRng, LINK_DEFAULTS, type AccessSpec, type LinkSpec, type PlanLink, type PlanRegions } from '../core/index.js';
import { generateEdges, generatorSize, nodeName, type GeneratorSpec } from './generators.js';
import { resolveRegions } from './regions.js';
import { layerLink } from './link-fields.js';
import type { AccessEntryValue, ScenarioDocument, SelectorValue } from './schema.js';
import { selectNodes } from './selectors.js';
import type { LocatedDocument, Problem } from './yaml.js';

export interface ResolvedTopology {
  /** Nodes that run engines, in declaration order (the plan's nodes). */
  readonly hosts: string[];
  readonly routers: string[];
  readonly isRouter: (name: string) => boolean;
  /** Hosts and routers. */
  readonly declared: ReadonlySet<string>;
  readonly links: PlanLink[];
  /** `linkKey(a, b)` of every link. */
  readonly linkKeys: ReadonlySet<string>;
  readonly access: ReadonlyMap<string, AccessSpec>;
  readonly regions?: PlanRegions;
  readonly regionOf?: ReadonlyMap<string, string>;
}

export function linkKey(a: string, b: string): string {
  return a < b ? `${a}\0${b}` : `${b}\0${a}`;
}

/** Hosts `selector` selects; naming a router is an error that says so. */
export function selectHosts(selector: SelectorValue, topology: Pick<ResolvedTopology, 'hosts' | 'isRouter'>, seed: number, label: string): ReturnType<typeof selectNodes> {
  const selected = selectNodes(selector, topology.hosts, seed, label);
  if (selected.ok) return selected;
  const names = typeof selector === 'string' ? [selector] : Array.isArray(selector) ? selector : [];
  const router = names.find((name) => topology.isRouter(name));
  return router === undefined ? selected : { ok: false, error: `"${router}" is a router: routers run no engines and have no access link, region or knowledge` };
}

/** Resolves `topology` (and `defaults.link`, `linkClasses`), pushing every problem found. */
export function resolveTopology(doc: LocatedDocument, scenario: ScenarioDocument, problems: Problem[]): ResolvedTopology {
  const topology = scenario.topology;
  const hosts: string[] = [];
  const routers: string[] = [];
  const routerSet = new Set<string>();
  const declared = new Set<string>();
  const declare = (name: string, isRouter: boolean, path: PropertyKey[], duplicate: string): boolean => {
    if (declared.has(name)) return problems.push(doc.problem(path, duplicate, 'scenario/duplicate-node')), false;
    declared.add(name);
    if (isRouter) {
      routers.push(name);
      routerSet.add(name);
    } else hosts.push(name);
    return true;
  };
  (topology.nodes ?? []).forEach((node, index) => declare(node.name, node.router === true, ['topology', 'nodes', index], `node "${node.name}" is declared twice`));
  (topology.routers ?? []).forEach((name, index) => declare(name, true, ['topology', 'routers', index], `node "${name}" is declared twice`));
  const requireNode = (name: string, path: PropertyKey[]): void => {
    if (!declared.has(name)) problems.push(doc.problem(path, `node "${name}" is not declared in topology.nodes`, 'scenario/unknown-node'));
  };

  const base = layerLink(LINK_DEFAULTS, scenario.defaults?.link);
  const classSpec = (name: string | undefined, path: PropertyKey[]): LinkSpec => {
    if (name === undefined) return base;
    const linkClass = scenario.linkClasses?.[name];
    if (linkClass === undefined) problems.push(doc.problem(path, `unknown link class "${name}" (declare it under linkClasses)`, 'scenario/unknown-class'));
    return layerLink(base, linkClass);
  };
  const links: PlanLink[] = [];
  const linkKeys = new Set<string>();
  const generatedLinks = new Map<string, PlanLink>();
  const addGenerated = (a: string, b: string, spec: LinkSpec): void => {
    const link = { a, b, ab: spec, ba: spec };
    linkKeys.add(linkKey(a, b));
    generatedLinks.set(linkKey(a, b), link);
    links.push(link);
  };
  (topology.generate ?? []).forEach((generator, index) => {
    const path = ['topology', 'generate', index];
    const isRouter = 'router' in generator && generator.router === true;
    const taken = `use a distinct name pattern such as "${index === 0 ? 'g' : String.fromCharCode(97 + index)}{i}"`;
    if (generator.kind === 'attach') {
      // The pool is what was declared before this entry, so it is drawn from before its own nodes exist.
      const pool = selectNodes(generator.to, [...declared], scenario.seed, `topology/generate/${index}/to`);
      if (!pool.ok) return void problems.push(doc.problem([...path, 'to'], pool.error, 'scenario/no-match'));
      if (generator.links > pool.value.length) return void problems.push(doc.problem([...path, 'links'], `cannot link each node to ${generator.links} distinct nodes of the ${pool.value.length} that "to" selects`, 'scenario/generator'));
      const spec = layerLink(classSpec(generator.class, [...path, 'class']), generator.link);
      const rng = createRng(scenario.seed, `topology/${index}/attach`);
      for (let i = 0; i < generator.nodes; i++) {
        const name = nodeName(generator.name, i, { kind: 'empty', nodes: generator.nodes });
        if (!declare(name, isRouter, [...path, 'name'], `generated node "${name}" is already declared (${taken})`)) return;
        for (const target of drawDistinct(pool.value, generator.links, rng)) addGenerated(name, target, spec);
      }
      return;
    }
    const { name: pattern, ...rest } = generator;
    const spec = rest as GeneratorSpec & { class?: string; link?: ScenarioLinkFields; connected?: boolean };
    const edges = generateEdges(spec, scenario.seed, String(index), spec.connected ?? true);
    if (!edges.ok) return void problems.push(doc.problem([...path, 'kind'], edges.error, 'scenario/generator'));
    const names = Array.from({ length: generatorSize(spec) }, (_, i) => nodeName(pattern, i, spec));
    for (const name of names) if (!declare(name, isRouter, [...path, 'name'], `generated node "${name}" is already declared (${taken})`)) return;
    const linkSpec = layerLink(classSpec(spec.class, [...path, 'class']), spec.link);
    for (const [i, j] of edges.value) addGenerated(names[i]!, names[j]!, linkSpec);
  });
  (topology.links ?? []).forEach((link, index) => {
    const path = ['topology', 'links', index];
    const [a, b] = link.between;
    requireNode(a, [...path, 'between', 0]);
    requireNode(b, [...path, 'between', 1]);
    if (a === b) problems.push(doc.problem([...path, 'between'], `a link cannot join node "${a}" to itself`, 'scenario/self-link'));
    const key = linkKey(a, b);
    const { between: _between, class: _class, forward, backward, ...fields } = link;
    // An explicit link over a generated one overrides its settings (per-link overrides).
    const generated = generatedLinks.get(key);
    if (generated !== undefined) {
      generatedLinks.delete(key);
      const over = link.class === undefined ? (generated.a === a ? generated.ab : generated.ba) : classSpec(link.class, [...path, 'class']);
      const reverse = link.class === undefined ? (generated.a === a ? generated.ba : generated.ab) : over;
      links[links.indexOf(generated)] = { a, b, ab: layerLink(layerLink(over, fields), forward), ba: layerLink(layerLink(reverse, fields), backward) };
      return;
    }
    if (linkKeys.has(key)) problems.push(doc.problem([...path, 'between'], `link ${a}–${b} is declared twice`, 'scenario/duplicate-link'));
    linkKeys.add(key);
    const both = layerLink(classSpec(link.class, [...path, 'class']), fields);
    links.push({ a, b, ab: layerLink(both, forward), ba: layerLink(both, backward) });
  });

  const isRouter = (name: string): boolean => routerSet.has(name);
  const resolved = { hosts, isRouter };
  const access = resolveAccess(doc, topology.access, resolved, scenario.seed, problems);
  if (topology.regions === undefined) return { hosts, routers, isRouter, declared, links, linkKeys, access };
  if (links.length > 0) problems.push(doc.problem(['topology', 'regions'], `a region underlay has no links, but the topology declares ${links.length} (declare nodes with topology.nodes or a generator of kind "empty")`, 'scenario/region-links'));
  if (routers.length > 0) problems.push(doc.problem(['topology', 'regions'], `a region underlay has no routers, but the topology declares ${routers.length} ("${routers[0]}" first)`, 'scenario/region-links'));
  const regions = resolveRegions(doc, topology.regions, resolved, scenario.seed, problems);
  return { hosts, routers, isRouter, declared, links, linkKeys, access, ...regions };
}

type ScenarioLinkFields = Parameters<typeof layerLink>[1];

/** `count` distinct members of `pool` (count ≤ pool size), drawn from `rng`. */
function drawDistinct(pool: ReadonlyArray<string>, count: number, rng: ReturnType<typeof createRng>): string[] {
  if (count * 2 > pool.length) {
    const shuffled = pool.slice();
    for (let i = 0; i < count; i++) {
      const j = i + rng.int(shuffled.length - i);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    return shuffled.slice(0, count);
  }
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(pool[rng.int(pool.length)]!);
  return [...chosen];
}

/** Each selected host's access link; entries layer field by field, in order. Equal links share one object. */
function resolveAccess(doc: LocatedDocument, entries: ReadonlyArray<AccessEntryValue> | undefined, topology: Pick<ResolvedTopology, 'hosts' | 'isRouter'>, seed: number, problems: Problem[]): Map<string, AccessSpec> {
  const access = new Map<string, AccessSpec>();
  const shared = new Map<string, AccessSpec>();
  (entries ?? []).forEach((entry, index) => {
    const path = ['topology', 'access', index];
    if (entry.upload === undefined && entry.download === undefined && entry.queueMax === undefined) return void problems.push(doc.problem(path, 'an access entry needs upload:, download: or queueMax:', 'scenario/access'));
    const selected = selectHosts(entry.on, topology, seed, `topology/access/${index}`);
    if (!selected.ok) return void problems.push(doc.problem([...path, 'on'], selected.error, 'scenario/no-match'));
    for (const host of selected.value) {
      const previous = access.get(host);
      const uploadBytesPerSecond = entry.upload ?? previous?.uploadBytesPerSecond ?? 0;
      const downloadBytesPerSecond = entry.download ?? previous?.downloadBytesPerSecond ?? 0;
      const queueBytesMax = entry.queueMax ?? previous?.queueBytesMax ?? LINK_DEFAULTS.queueBytesMax;
      const key = `${uploadBytesPerSecond}/${downloadBytesPerSecond}/${queueBytesMax}`;
      let spec = shared.get(key);
      if (spec === undefined) shared.set(key, (spec = { uploadBytesPerSecond, downloadBytesPerSecond, queueBytesMax }));
      access.set(host, spec);
    }
  });
  return access;
}
