// Domains at 10⁴ nodes (sim-keyed, the continents region underlay): members join one domain through
// one bootstrap node (its owner), and non-members make external requests to its serving members, a
// quarter of which crash half-way. Figures: join latency percentiles (JoinRequest sent → accepted
// JoinResponse, the dial included), external-request success rate, latency percentiles and the
// typed failures, each from the trace's logs ("domain joined", "ext result").
import { percentiles, type TraceEvent } from '../core/index.js';
import { loadScenarioText } from '../scenarios/index.js';
import { simulate } from '../sim/index.js';

export interface DomainsShape {
  /** Members that only join (besides the serving ones). */
  readonly members: number;
  /** Members listed in the advert as serving external requests (each runs echo). */
  readonly serving: number;
  /** Non-members making external requests. */
  readonly clients: number;
  /** External requests per client, one a second from 7 s. */
  readonly requests: number;
  /** Serving members that crash at 10 s. */
  readonly crashes: number;
}

export const DOMAINS_10K: DomainsShape = { members: 8_979, serving: 20, clients: 1_000, requests: 10, crashes: 5 };

const names = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);

/** The scenario text: boot owns domain "city"; every m* and s* joins through boot in the first 5 s; c* ask s* through boot's advert. */
export function domainsScenario(shape: DomainsShape): string {
  const serving = names('s', shape.serving);
  return `name: bench-domains-${shape.members + shape.serving + shape.clients + 1}
seed: 1
crypto: sim-keyed
duration: ${8 + shape.requests}s
topology:
  nodes: [boot]
  generate:
    - { kind: empty, nodes: ${shape.members}, name: "m{i}" }
    - { kind: empty, nodes: ${shape.serving}, name: "s{i}" }
    - { kind: empty, nodes: ${shape.clients}, name: "c{i}" }
  regions:
    rtt: continents
    assign:
      - { on: boot, region: europe }
      - { weights: { europe: 3, north-america: 3, asia: 4, south-america: 1, africa: 1, oceania: 1 } }
    link: { jitter: 5ms }
knows:
  - { on: ["m*", "s*"], peers: [boot] }
  - { on: "c*", peers: [boot, "s*"] }
engines:
  - { on: boot, kind: domain, params: { domain: city, owner: { policy: open, serving: [${serving.join(', ')}] } } }
  - { on: "m*", kind: domain, params: { domain: city, join: true, contacts: [boot], joinDelayMs: 5000 } }
  - { on: "s*", kind: echo }
  - { on: "s*", kind: domain, params: { domain: city, join: true, contacts: [boot], joinDelayMs: 5000, service: echo } }
  - { on: "c*", kind: domain, params: { domain: city, contacts: [boot], requestTimeoutMs: 1000, attemptsMax: 3 } }
  - { on: "c*", kind: ext-client, params: { startMs: 7000, intervalMs: 1000, count: ${shape.requests} } }
events:
${names('s', shape.crashes).map((node) => `  - { at: 10s, crash: ${node} }`).join('\n')}
`;
}

/** Join and external-request figures of a finished run's trace. */
export function domainFigures(events: ReadonlyArray<TraceEvent>): Record<string, number | string> {
  const joins: number[] = [];
  const okLatencies: number[] = [];
  const results = new Map<string, number>();
  for (const event of events) {
    if (event.kind !== 'log') continue;
    if (event.engine === 'domain' && event.text === 'domain joined') joins.push(Number(event.data?.['latencyMs']));
    if (event.engine !== 'ext-client' || event.text !== 'ext result') continue;
    const result = String(event.data?.['result']);
    results.set(result, (results.get(result) ?? 0) + 1);
    if (result === 'ok') okLatencies.push(Number(event.data?.['latencyMs']));
  }
  const join = percentiles(joins);
  const ext = percentiles(okLatencies);
  const requests = [...results.values()].reduce((sum, count) => sum + count, 0);
  const ms = (value: number | undefined): number => Math.round((value ?? Number.NaN) * 10) / 10;
  return {
    joined: joins.length,
    joinP50Ms: ms(join?.p50),
    joinP90Ms: ms(join?.p90),
    joinP99Ms: ms(join?.p99),
    joinMaxMs: ms(join?.max),
    extRequests: requests,
    extOkShare: requests === 0 ? 0 : (results.get('ok') ?? 0) / requests,
    extOkP50Ms: ms(ext?.p50),
    extOkP90Ms: ms(ext?.p90),
    extOkP99Ms: ms(ext?.p99),
    extFailures: [...results].filter(([result]) => result !== 'ok').map(([result, count]) => `${result}=${count}`).join(' ') || '-',
  };
}

export async function benchDomains(shape: DomainsShape = DOMAINS_10K): Promise<Record<string, number | string>[]> {
  const started = performance.now();
  const plan = await loadScenarioText(domainsScenario(shape), 'bench-domains.yaml');
  const result = simulate(plan);
  const wallS = (performance.now() - started) / 1000;
  return [{ nodes: plan.nodes.length, servingMembers: shape.serving, crashedAt10s: shape.crashes, clients: shape.clients, ...domainFigures(result.events), wallSeconds: Math.round(wallS * 10) / 10 }];
}
