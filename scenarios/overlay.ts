// The overlay parts of a scenario: `knows:` (whose signed adverts each node's configuration holds)
// and `connections:` (how the Transports connect). Resolved after the topology, since the default
// knowledge and the `neighbors` peers are the link neighbours.
import { CONNECTION_DEFAULTS, createRng, type ConnectionSettings, type PlanLink } from '../core/index.js';
import type { ConnectionsEntryValue, KnowsEntryValue } from './schema.js';
import { selectNodes } from './selectors.js';
import type { LocatedDocument, Problem } from './yaml.js';

/** Above this many nodes `peers: all` is refused: every node would hold every advert (n² in all). */
export const KNOWS_ALL_NODES_MAX = 5000;

/**
 * Each configured node's known peers (nodes no entry names are absent: they know their link
 * neighbours). Lists may include the node itself, which is ignored, so that one list can be shared
 * by every node an entry configures.
 */
export function resolveKnows(doc: LocatedDocument, entries: ReadonlyArray<KnowsEntryValue> | undefined, nodeNames: ReadonlyArray<string>, links: ReadonlyArray<PlanLink>, seed: number, problems: Problem[]): Map<string, ReadonlyArray<string>> {
  const knows = new Map<string, ReadonlyArray<string>>();
  let neighbours: Map<string, string[]> | undefined;
  (entries ?? []).forEach((entry, index) => {
    const path = ['knows', index];
    const on = selectNodes(entry.on, nodeNames, seed, `knows/${index}/on`);
    if (!on.ok) return void problems.push(doc.problem([...path, 'on'], on.error, 'scenario/no-match'));
    const peers = entry.peers;
    if (peers === 'neighbors') {
      neighbours ??= neighbourLists(nodeNames, links);
      for (const node of on.value) add(knows, node, neighbours.get(node)!);
      return;
    }
    if (typeof peers === 'object' && !Array.isArray(peers) && 'random' in peers) {
      const pool = peers.from === undefined ? { ok: true as const, value: nodeNames as string[] } : selectNodes(peers.from, nodeNames, seed, `knows/${index}/from`);
      if (!pool.ok) return void problems.push(doc.problem([...path, 'peers', 'from'], pool.error, 'scenario/no-match'));
      const rng = createRng(seed, `knows/${index}`);
      const inPool = new Set(pool.value);
      for (const node of on.value) {
        const others = pool.value.length - (inPool.has(node) ? 1 : 0);
        if (peers.random > others) return void problems.push(doc.problem([...path, 'peers', 'random'], `cannot draw ${peers.random} random peers for "${node}" from ${others} other node${others === 1 ? '' : 's'}`, 'scenario/knows'));
        add(knows, node, drawPeers(pool.value, node, peers.random, rng));
      }
      return;
    }
    const selected = selectNodes(peers, nodeNames, seed, `knows/${index}/peers`);
    if (!selected.ok) return void problems.push(doc.problem([...path, 'peers'], selected.error, 'scenario/no-match'));
    if (selected.value.length > KNOWS_ALL_NODES_MAX && on.value.length > 1) {
      return void problems.push(doc.problem([...path, 'peers'], `${on.value.length} nodes each knowing ${selected.value.length} peers is too many adverts (more than ${KNOWS_ALL_NODES_MAX} peers per node); use { random: k }`, 'limits/knows'));
    }
    for (const node of on.value) add(knows, node, selected.value);
  });
  return knows;
}

/** Entries for the same node add up, in entry order, without repeats. */
function add(knows: Map<string, ReadonlyArray<string>>, node: string, peers: ReadonlyArray<string>): void {
  const previous = knows.get(node);
  if (previous === undefined) return void knows.set(node, peers);
  const merged = new Set(previous);
  for (const peer of peers) merged.add(peer);
  knows.set(node, [...merged]);
}

/** `count` distinct nodes of `pool` other than `self`, in draw order. */
function drawPeers(pool: ReadonlyArray<string>, self: string, count: number, rng: ReturnType<typeof createRng>): string[] {
  const chosen = new Set<string>();
  if (count * 2 > pool.length) {
    // Most of the pool: a partial shuffle (rejection would retry too often).
    const shuffled = pool.filter((node) => node !== self);
    for (let i = 0; i < count; i++) {
      const j = i + rng.int(shuffled.length - i);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      chosen.add(shuffled[i]!);
    }
    return [...chosen];
  }
  if (count <= DRAW_BY_SCAN_MAX) {
    // A few peers (the usual case, once per node of 10⁵): the kept ones scanned, no set per node.
    const drawn: string[] = [];
    while (drawn.length < count) {
      const node = pool[rng.int(pool.length)]!;
      if (node !== self && !drawn.includes(node)) drawn.push(node);
    }
    return drawn;
  }
  while (chosen.size < count) {
    const node = pool[rng.int(pool.length)]!;
    if (node !== self) chosen.add(node);
  }
  return [...chosen];
}

/** Up to this many random peers, repeats are found by scanning those drawn so far. */
const DRAW_BY_SCAN_MAX = 16;

function neighbourLists(nodeNames: ReadonlyArray<string>, links: ReadonlyArray<PlanLink>): Map<string, string[]> {
  const lists = new Map<string, string[]>(nodeNames.map((name) => [name, []]));
  for (const link of links) {
    // Only hosts are neighbours: a router at the other end is not.
    if (lists.has(link.b)) lists.get(link.a)?.push(link.b);
    if (lists.has(link.a)) lists.get(link.b)?.push(link.a);
  }
  return lists;
}

/** The connection settings: the scenario's fields over CONNECTION_DEFAULTS. */
export function resolveConnections(doc: LocatedDocument, entry: ConnectionsEntryValue | undefined, problems: Problem[]): ConnectionSettings | undefined {
  if (entry === undefined) return undefined;
  const settings: ConnectionSettings = {
    connectTimeoutMs: entry.connectTimeout ?? CONNECTION_DEFAULTS.connectTimeoutMs,
    idleTimeoutMs: entry.idleTimeout ?? CONNECTION_DEFAULTS.idleTimeoutMs,
    ephemeralIdleMs: entry.ephemeralIdle ?? CONNECTION_DEFAULTS.ephemeralIdleMs,
    queueFramesMax: entry.queueFrames ?? CONNECTION_DEFAULTS.queueFramesMax,
    queueBytesMax: entry.queueSize ?? CONNECTION_DEFAULTS.queueBytesMax,
    queuedMsMax: entry.queueWait ?? CONNECTION_DEFAULTS.queuedMsMax,
    backoffMsMin: entry.backoffMin ?? CONNECTION_DEFAULTS.backoffMsMin,
    backoffMsMax: entry.backoffMax ?? CONNECTION_DEFAULTS.backoffMsMax,
    permanent: entry.permanent ?? CONNECTION_DEFAULTS.permanent,
  };
  if (settings.backoffMsMin > settings.backoffMsMax) {
    problems.push(doc.problem(['connections', entry.backoffMin === undefined ? 'backoffMax' : 'backoffMin'], `backoffMin (${settings.backoffMsMin} ms) must not exceed backoffMax (${settings.backoffMsMax} ms)`, 'scenario/connections'));
  }
  return settings;
}
