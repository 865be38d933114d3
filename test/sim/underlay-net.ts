// A VirtualNetwork built directly on a scheduler (no nodes, no engines) for underlay tests.
import { createRng, LINK_DEFAULTS, type AccessSpec, type LinkSpec, type PlanRegions, type TraceRecord } from '../../core/index.js';
import { Scheduler, VirtualNetwork } from '../../sim/index.js';

export interface TestNetwork {
  readonly scheduler: Scheduler;
  readonly records: TraceRecord[];
  readonly net: VirtualNetwork;
  /** Carries `count` frames of `sizeBytes` from → to now and returns their arrivals [t, hops]. */
  send(from: string, to: string, sizeBytes?: number, count?: number): Array<[number, number]>;
}

type LinkEntry = readonly [string, string, Partial<LinkSpec>?];

export function testNetwork(options: { hosts: ReadonlyArray<string>; routers?: ReadonlyArray<string>; links?: ReadonlyArray<LinkEntry>; access?: Readonly<Record<string, AccessSpec>>; regions?: PlanRegions; regionOf?: Readonly<Record<string, string>>; seed?: number }): TestNetwork {
  const scheduler = new Scheduler();
  const records: TraceRecord[] = [];
  const net = new VirtualNetwork(scheduler, createRng(options.seed ?? 1).fork('network'), (record) => records.push(record), options.regions);
  for (const name of options.hosts) net.addNode(name, `id-${name}`, { ...(options.access?.[name] !== undefined && { access: options.access[name] }), ...(options.regionOf?.[name] !== undefined && { region: options.regionOf[name] }) });
  for (const name of options.routers ?? []) net.addRouter(name);
  for (const [a, b, spec] of options.links ?? []) net.addLink({ a, b, ab: { ...LINK_DEFAULTS, ...spec }, ba: { ...LINK_DEFAULTS, ...spec } });
  let msg = 0;
  const send = (from: string, to: string, sizeBytes = 100, count = 1): Array<[number, number]> => {
    const arrivals: Array<[number, number]> = [];
    for (let i = 0; i < count; i++) net.carry(net.indexOf(from), net.indexOf(to), new Uint8Array(sizeBytes), { msg: `m${++msg}` }, (hops) => arrivals.push([scheduler.now(), hops]));
    return arrivals;
  };
  return { scheduler, records, net, send };
}

/** Runs the scheduler until nothing is left and returns the arrivals `send` collected. */
export function settle<T>(network: TestNetwork, arrivals: T): T {
  network.scheduler.run(Number.MAX_SAFE_INTEGER);
  return arrivals;
}

export function spec(change: Partial<LinkSpec>): LinkSpec {
  return { ...LINK_DEFAULTS, ...change };
}
