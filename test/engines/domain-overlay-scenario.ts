// The scenario the topology tests share: `count` members n1..n{count} and the domain's owner and
// bootstrap node `boot` on a two-region underlay, every node running the topology engine.
export interface DomainOverlayScenario {
  readonly name: string;
  readonly seed: number;
  readonly count: number;
  readonly duration: string;
  /** Extra params of the topology engine, written after `contacts`, e.g. `, activeMax: 3`. */
  readonly topologyParams?: string;
  /** Further engine entries, as YAML lines. */
  readonly engines?: string;
  readonly events?: ReadonlyArray<string>;
}

export function domainOverlayScenario(options: DomainOverlayScenario): string {
  return `
name: ${options.name}
seed: ${options.seed}
duration: ${options.duration}
crypto: sim-keyed
topology:
  nodes: [boot]
  generate:
    - { kind: empty, nodes: ${options.count}, name: "n{i}" }
  regions:
    rtt: continents
    assign:
      - { weights: { europe: 1, asia: 1 } }
knows:
  - { on: all, peers: [boot] }
engines:
  - { on: boot, kind: domain, params: { domain: city, owner: { policy: open } } }
  - { on: "n*", kind: domain, params: { domain: city, join: true, contacts: [boot], joinDelayMs: 3000 } }
  - { on: all, kind: topology, params: { domain: city, contacts: [boot]${options.topologyParams ?? ''} } }
${options.engines === undefined ? '' : `${options.engines}\n`}events: [${(options.events ?? []).join(', ')}]
`;
}
