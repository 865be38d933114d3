// The overlay parts of a scenario: `knows:` (whose signed adverts each node's configuration holds)
// and `connections:` (how the Transports connect). Resolved after the topology, since the default
// knowledge and the `neighbors` peers are the link neighbours.
import { CONNECTION_DEFAULTS, createRng, type ConnectionSettings, type PlanLink } from '../core/index.js';
import type { ConnectionsEntryValue, KnowsEntryValue } from './schema.js';
import { selectNodes } from './selectors.js';
import type { LocatedDocument, Problem } from './yaml.js';

/** Above this many nodes `peers: all` is refused: every node would hold every advert (n² in all). */
export const KNOWS_ALL_NODES_MAX = 5000;

/** What `knows:` resolves to. */
export interface ResolvedKnows {
  /**
   * Each configured node's known peers, by the node's index in the node names (nodes no entry
   * names have none: they know their link neighbours). Lists may include the node itself, which is ignored, so that one list can be
   * shared by every node an entry configures.
   */
  readonly names: ReadonlyArray<ReadonlyArray<string> | undefined>;
  /**
   * The same lists as indexes into the node names, when every node has one drawn by index (the
   * `random` peers of a large scenario): node i knows `peers[offsets[i]]` … `peers[offsets[i + 1] − 1]`.
   */
  readonly table: { readonly offsets: Int32Array; readonly peers: Int32Array } | undefined;
}

export function resolveKnows(doc: LocatedDocument, entries: ReadonlyArray<KnowsEntryValue> | undefined, nodeNames: ReadonlyArray<string>, links: ReadonlyArray<PlanLink>, seed: number, problems: Problem[]): ResolvedKnows {
  const knows = new Array<ReadonlyArray<string> | undefined>(nodeNames.length);
  // The lists by node index too, while every entry draws its peers by index (undefined otherwise).
  let indexes: Array<ReadonlyArray<number> | undefined> | undefined = entries !== undefined && entries.length > 0 ? new Array<ReadonlyArray<number> | undefined>(nodeNames.length) : undefined;
  let indexOf: Map<string, number> | undefined;
  /** The node index of `on[n]` (a selection as long as the node list is all of it, in order). */
  const nodeAt = (on: ReadonlyArray<string>, n: number): number => (on.length === nodeNames.length ? n : (indexOf ??= new Map(nodeNames.map((name, i) => [name, i]))).get(on[n]!)!);
  let neighbours: Map<string, string[]> | undefined;
  (entries ?? []).forEach((entry, index) => {
    const path = ['knows', index];
    const on = selectNodes(entry.on, nodeNames, seed, `knows/${index}/on`);
    if (!on.ok) return void problems.push(doc.problem([...path, 'on'], on.error, 'scenario/no-match'));
    const peers = entry.peers;
    if (peers === 'neighbors') {
      indexes = undefined;
      neighbours ??= neighbourLists(nodeNames, links);
      for (let n = 0; n < on.value.length; n++) add(knows, nodeAt(on.value, n), neighbours.get(on.value[n]!)!);
      return;
    }
    if (typeof peers === 'object' && !Array.isArray(peers) && 'random' in peers) {
      const pool = peers.from === undefined ? { ok: true as const, value: nodeNames as string[] } : selectNodes(peers.from, nodeNames, seed, `knows/${index}/from`);
      if (!pool.ok) return void problems.push(doc.problem([...path, 'peers', 'from'], pool.error, 'scenario/no-match'));
      const rng = createRng(seed, `knows/${index}`);
      const isAllNodes = pool.value === nodeNames;
      const inPool = isAllNodes ? undefined : new Set(pool.value);
      if (!isAllNodes) indexes = undefined;
      for (let n = 0; n < on.value.length; n++) {
        const node = on.value[n]!;
        const others = pool.value.length - (inPool === undefined || inPool.has(node) ? 1 : 0);
        if (peers.random > others) return void problems.push(doc.problem([...path, 'peers', 'random'], `cannot draw ${peers.random} random peers for "${node}" from ${others} other node${others === 1 ? '' : 's'}`, 'scenario/knows'));
        const self = nodeAt(on.value, n);
        if (indexes === undefined) add(knows, self, drawPeers(pool.value, node, peers.random, rng));
        else {
          const drawn = drawPeerIndexes(nodeNames.length, self, peers.random, rng);
          add(knows, self, drawn.map((peer) => nodeNames[peer]!));
          addIndexes(indexes, self, drawn);
        }
      }
      return;
    }
    indexes = undefined;
    const selected = selectNodes(peers, nodeNames, seed, `knows/${index}/peers`);
    if (!selected.ok) return void problems.push(doc.problem([...path, 'peers'], selected.error, 'scenario/no-match'));
    if (selected.value.length > KNOWS_ALL_NODES_MAX && on.value.length > 1) {
      return void problems.push(doc.problem([...path, 'peers'], `${on.value.length} nodes each knowing ${selected.value.length} peers is too many adverts (more than ${KNOWS_ALL_NODES_MAX} peers per node); use { random: k }`, 'limits/knows'));
    }
    for (let n = 0; n < on.value.length; n++) add(knows, nodeAt(on.value, n), selected.value);
  });
  return { names: knows, table: indexes === undefined ? undefined : packIndexes(indexes) };
}

/** Entries for the same node add up, in entry order, without repeats. */
function add(knows: Array<ReadonlyArray<string> | undefined>, node: number, peers: ReadonlyArray<string>): void {
  const previous = knows[node];
  if (previous === undefined) return void (knows[node] = peers);
  const merged = new Set(previous);
  for (const peer of peers) merged.add(peer);
  knows[node] = [...merged];
}

/** `add` by node index. */
function addIndexes(indexes: Array<ReadonlyArray<number> | undefined>, node: number, peers: ReadonlyArray<number>): void {
  const previous = indexes[node];
  if (previous === undefined) return void (indexes[node] = peers);
  const merged = new Set(previous);
  for (const peer of peers) merged.add(peer);
  indexes[node] = [...merged];
}

/** Every node's index list in one table, or undefined when some node has none. */
function packIndexes(indexes: ReadonlyArray<ReadonlyArray<number> | undefined>): { offsets: Int32Array; peers: Int32Array } | undefined {
  let total = 0;
  for (let node = 0; node < indexes.length; node++) {
    const list = indexes[node];
    if (list === undefined) return undefined;
    total += list.length;
  }
  const offsets = new Int32Array(indexes.length + 1);
  const peers = new Int32Array(total);
  let used = 0;
  for (let node = 0; node < indexes.length; node++) {
    for (const peer of indexes[node]!) peers[used++] = peer;
    offsets[node + 1] = used;
  }
  return { offsets, peers };
}

/** `drawPeers` over the indexes 0 … size − 1 of a pool (the same draws, by index). */
function drawPeerIndexes(size: number, self: number, count: number, rng: ReturnType<typeof createRng>): number[] {
  if (count * 2 > size) {
    const shuffled: number[] = [];
    for (let i = 0; i < size; i++) if (i !== self) shuffled.push(i);
    for (let i = 0; i < count; i++) {
      const j = i + rng.int(shuffled.length - i);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    return shuffled.slice(0, count);
  }
  const drawn: number[] = [];
  const seen = count > DRAW_BY_SCAN_MAX ? new Set<number>() : undefined;
  while (drawn.length < count) {
    const peer = rng.int(size);
    if (peer === self || (seen !== undefined ? seen.has(peer) : drawn.includes(peer))) continue;
    seen?.add(peer);
    drawn.push(peer);
  }
  return drawn;
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
