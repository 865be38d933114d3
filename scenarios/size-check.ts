// Sizes a scenario document asks for, counted from the document alone (nothing is generated), and
// checked against the limits: a 10⁷×10⁷ grid or a 100k-node mesh fails here in microseconds.
import type { GeneratorSpec } from './generators.js';
import { generatorSize } from './generators.js';
import { overLimit, type Limits } from './limits.js';
import type { GeneratorEntryValue, ScenarioDocument } from './schema.js';
import type { LocatedDocument, Problem } from './yaml.js';

/** Links a generator makes (expected count for Erdős–Rényi), without generating them. */
export function generatorLinks(spec: GeneratorSpec): number {
  const n = generatorSize(spec);
  switch (spec.kind) {
    case 'line':
    case 'star':
    case 'tree':
      return Math.max(0, n - 1);
    case 'ring':
      return n;
    case 'mesh':
      return (n * (n - 1)) / 2;
    case 'grid':
      return spec.rows * (spec.cols - 1) + spec.cols * (spec.rows - 1);
    case 'random-regular':
      return (n * spec.degree) / 2;
    case 'erdos-renyi':
      return (spec.p * n * (n - 1)) / 2;
    case 'watts-strogatz':
      return (n * spec.k) / 2;
    case 'barabasi-albert':
      return spec.m * Math.max(0, n - spec.m);
    case 'empty':
      return 0;
  }
}

interface Contribution {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly count: number;
}

/** Problems for counts over the limits, located at the largest contributor. Runs before anything is built. */
export function sizeProblems(doc: LocatedDocument, scenario: ScenarioDocument, limits: Limits): Problem[] {
  const problems: Problem[] = [];
  const entries = (scenario.topology.generate ?? []).map((generator, index) => ({ index, generator }));
  const generators = entries.flatMap(({ index, generator }) => (generator.kind === 'attach' ? [] : [{ index, spec: generatorSpec(generator) }]));
  const attached = entries.flatMap(({ index, generator }) => (generator.kind === 'attach' ? [{ index, nodes: generator.nodes, links: generator.nodes * generator.links }] : []));
  const nodes: Contribution[] = [
    { path: ['topology', 'nodes'], count: scenario.topology.nodes?.length ?? 0 },
    { path: ['topology', 'routers'], count: scenario.topology.routers?.length ?? 0 },
    ...generators.map(({ index, spec }) => ({ path: ['topology', 'generate', index, spec.kind === 'grid' ? 'rows' : 'nodes'], count: generatorSize(spec) })),
    ...attached.map(({ index, nodes }) => ({ path: ['topology', 'generate', index, 'nodes'], count: nodes })),
  ];
  const links: Contribution[] = [
    { path: ['topology', 'links'], count: scenario.topology.links?.length ?? 0 },
    ...generators.map(({ index, spec }) => ({ path: ['topology', 'generate', index, 'kind'], count: generatorLinks(spec) })),
    ...attached.map(({ index, links }) => ({ path: ['topology', 'generate', index, 'links'], count: links })),
  ];
  over(doc, problems, limits, 'nodes', 'nodes of the topology', nodes);
  over(doc, problems, limits, 'links', 'links of the topology', links);
  over(doc, problems, limits, 'events', 'timed events', [{ path: ['events'], count: scenario.events.length }]);
  const sizes: Contribution[] = [];
  scenario.events.forEach((event, index) => {
    if ('send' in event) sizes.push({ path: ['events', index, 'send', 'size'], count: event.send.size });
    if ('publish' in event) sizes.push({ path: ['events', index, 'publish', 'size'], count: event.publish.size });
  });
  scenario.workloads.forEach((workload, index) => {
    const size = workload.size;
    // An exponential draw exceeds 20 × its mean about once in 500 million draws.
    const largest = size.dist === 'fixed' ? size.bytes : size.dist === 'uniform' ? size.maxBytes : 20 * size.meanBytes;
    sizes.push({ path: ['workloads', index, 'size'], count: largest });
  });
  for (const size of sizes) if (size.count > limits.messageBytes) problems.push(doc.problem(size.path, overLimit('messageBytes', 'bytes in one message', size.count, limits), 'limits/message-bytes'));
  return problems;
}

function over(doc: LocatedDocument, problems: Problem[], limits: Limits, name: keyof Limits, what: string, contributions: ReadonlyArray<Contribution>): void {
  const total = contributions.reduce((sum, contribution) => sum + contribution.count, 0);
  if (total <= limits[name]) return;
  const largest = contributions.reduce((a, b) => (b.count > a.count ? b : a));
  problems.push(doc.problem(largest.path, overLimit(name, what, total, limits), `limits/${name}`));
}

function generatorSpec(generator: Exclude<GeneratorEntryValue, { kind: 'attach' }>): GeneratorSpec {
  // The shape fields are those of GeneratorSpec; the naming and link fields are ignored here.
  return generator as unknown as GeneratorSpec;
}
