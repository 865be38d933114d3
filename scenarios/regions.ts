// `topology.regions`: the region underlay. Round trips between regions (inline or a built-in
// matrix) become one-way latencies of half the round trip; jitter, loss, duplication and frame
// limits layer from `link` (every pair), `intra` (within a region) and `pairs` (given pairs).
// Hosts get their region from the first `assign` entry that selects them: a fixed region, or a
// weighted draw named by (seed, host name), so adding a host never moves another one.
import { labelledUniform, LINK_DEFAULTS, type LinkSpec, type PlanRegions } from '../core/index.js';
import { BUILTIN_RTT_MATRICES } from './continents.js';
import { jitterSpec } from './link-fields.js';
import type { RegionLinkFieldsValue, RegionsEntryValue } from './schema.js';
import { selectHosts, type ResolvedTopology } from './underlay.js';
import type { LocatedDocument, Problem } from './yaml.js';

/** More regions than this would make the matrix (regions² entries) the bulk of a plan. */
export const REGIONS_MAX = 1024;

const PATH = ['topology', 'regions'];

export function resolveRegions(doc: LocatedDocument, entry: RegionsEntryValue, topology: Pick<ResolvedTopology, 'hosts' | 'isRouter'>, seed: number, problems: Problem[]): { regions?: PlanRegions; regionOf?: Map<string, string> } {
  const matrix = roundTrips(doc, entry.rtt, problems);
  if (matrix === undefined) return {};
  const { names, rttMs } = matrix;
  const index = new Map(names.map((name, i) => [name, i]));
  const base = layerRegion({ ...LINK_DEFAULTS, bandwidthBytesPerSecond: 0 }, entry.link);
  const intra = layerRegion(base, entry.intra);
  const overrides = new Map<number, RegionLinkFieldsValue>();
  (entry.pairs ?? []).forEach((pair, p) => {
    const ends = pair.between.map((name, e) => {
      const i = index.get(name);
      if (i === undefined) problems.push(doc.problem([...PATH, 'pairs', p, 'between', e], `unknown region "${name}" (regions: ${names.join(', ')})`, 'scenario/unknown-region'));
      return i;
    });
    const [i, j] = ends;
    if (i === undefined || j === undefined) return;
    if (overrides.has(i * names.length + j)) problems.push(doc.problem([...PATH, 'pairs', p, 'between'], `the pair ${pair.between[0]}–${pair.between[1]} is given twice`, 'scenario/region-pair'));
    overrides.set(i * names.length + j, pair);
    overrides.set(j * names.length + i, pair);
  });
  const pairs: LinkSpec[] = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = 0; j < names.length; j++) {
      const spec = layerRegion(i === j ? intra : base, overrides.get(i * names.length + j));
      pairs.push({ ...spec, latencyMs: rttMs[i]![j]! / 2 });
    }
  }
  const regionOf = assignRegions(doc, entry.assign, topology, index, seed, problems);
  return { regions: { names, pairs }, regionOf };
}

/** Region names (first-seen order) and a full symmetric round-trip matrix, or undefined after a problem. */
function roundTrips(doc: LocatedDocument, rtt: RegionsEntryValue['rtt'], problems: Problem[]): { names: ReadonlyArray<string>; rttMs: number[][] } | undefined {
  if (typeof rtt === 'string') {
    const builtin = BUILTIN_RTT_MATRICES.get(rtt);
    if (builtin === undefined) return void problems.push(doc.problem([...PATH, 'rtt'], `unknown built-in matrix "${rtt}" (built-in: ${[...BUILTIN_RTT_MATRICES.keys()].join(', ')}; or give the round trips inline)`, 'scenario/unknown-matrix'));
    return { names: builtin.names, rttMs: builtin.rttMs.map((row) => row.slice()) };
  }
  const names: string[] = [];
  const seen = new Set<string>();
  for (const [from, row] of Object.entries(rtt)) {
    for (const name of [from, ...Object.keys(row)]) if (!seen.has(name) && seen.add(name)) names.push(name);
  }
  if (names.length > REGIONS_MAX) return void problems.push(doc.problem([...PATH, 'rtt'], `${names.length} regions is more than the ${REGIONS_MAX} allowed`, 'limits/regions'));
  const index = new Map(names.map((name, i) => [name, i]));
  const rttMs = names.map(() => names.map(() => NaN));
  let isValid = true;
  for (const [from, row] of Object.entries(rtt)) {
    for (const [to, ms] of Object.entries(row)) {
      const i = index.get(from)!;
      const j = index.get(to)!;
      const known = rttMs[i]![j]!;
      if (!Number.isNaN(known) && known !== ms) {
        problems.push(doc.problem([...PATH, 'rtt', from, to], `the round trip ${from}–${to} is given twice, as ${known} ms and ${ms} ms (give each pair once)`, 'scenario/region-pair'));
        isValid = false;
      }
      rttMs[i]![j] = ms;
      rttMs[j]![i] = ms;
    }
  }
  for (let i = 0; i < names.length && isValid; i++) {
    for (let j = i; j < names.length; j++) {
      if (!Number.isNaN(rttMs[i]![j]!)) continue;
      problems.push(doc.problem([...PATH, 'rtt'], `no round trip between "${names[i]}" and "${names[j]}" (give rtt.${names[i]}.${names[j]}${i === j ? ': the round trip within the region' : ''})`, 'scenario/region-rtt'));
      isValid = false;
      break;
    }
  }
  return isValid ? { names, rttMs } : undefined;
}

function layerRegion(base: LinkSpec, fields: RegionLinkFieldsValue | undefined): LinkSpec {
  if (fields === undefined) return base;
  return {
    ...base,
    jitter: fields.jitter === undefined ? base.jitter : jitterSpec(fields.jitter),
    lossProbability: fields.loss ?? base.lossProbability,
    duplicateProbability: fields.duplicate ?? base.duplicateProbability,
    frameSizeMaxBytes: fields.frameSizeMax ?? base.frameSizeMaxBytes,
  };
}

function assignRegions(doc: LocatedDocument, entries: RegionsEntryValue['assign'], topology: Pick<ResolvedTopology, 'hosts' | 'isRouter'>, index: ReadonlyMap<string, number>, seed: number, problems: Problem[]): Map<string, string> {
  const regionOf = new Map<string, string>();
  const known = [...index.keys()].join(', ');
  const problemsBefore = problems.length;
  entries.forEach((entry, e) => {
    const path = [...PATH, 'assign', e];
    const selected = entry.on === undefined ? { ok: true as const, value: topology.hosts } : selectHosts(entry.on, topology, seed, `topology/regions/assign/${e}`);
    if (!selected.ok) return void problems.push(doc.problem([...path, 'on'], selected.error, 'scenario/no-match'));
    if ('region' in entry) {
      if (!index.has(entry.region)) return void problems.push(doc.problem([...path, 'region'], `unknown region "${entry.region}" (regions: ${known})`, 'scenario/unknown-region'));
      for (const host of selected.value) if (!regionOf.has(host)) regionOf.set(host, entry.region);
      return;
    }
    const weighted = Object.entries(entry.weights);
    const unknown = weighted.find(([name]) => !index.has(name));
    if (unknown !== undefined) return void problems.push(doc.problem([...path, 'weights', unknown[0]], `unknown region "${unknown[0]}" (regions: ${known})`, 'scenario/unknown-region'));
    if (weighted.length === 0) return void problems.push(doc.problem([...path, 'weights'], 'give at least one region weight', 'scenario/region-weights'));
    const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
    for (const host of selected.value) {
      if (regionOf.has(host)) continue;
      let draw = labelledUniform(seed, `regions/${host}`) * total;
      let chosen = weighted[weighted.length - 1]![0];
      for (const [name, weight] of weighted) {
        if (draw < weight) {
          chosen = name;
          break;
        }
        draw -= weight;
      }
      regionOf.set(host, chosen);
    }
  });
  const unassigned = topology.hosts.filter((host) => !regionOf.has(host));
  // After a bad entry, hosts it would have placed are not reported again.
  if (unassigned.length > 0 && problems.length === problemsBefore) problems.push(doc.problem([...PATH, 'assign'], `${unassigned.length} host${unassigned.length === 1 ? ' has' : 's have'} no region ("${unassigned[0]}" first); add an entry such as { weights: { ${[...index.keys()][0]}: 1 } } for the rest`, 'scenario/region-unassigned'));
  return regionOf;
}
