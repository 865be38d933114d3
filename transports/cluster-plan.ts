// A scenario's nodes as a cluster runs them: one `netmachine node` per node, each with its config
// (listeners on fixed ports, its peers' signed adverts naming their DNS addresses, the topics and
// domains it names, its engines and its schedule: the emulated links, its timed events and when to
// stop) and its secrets (its own node key and the topic and domain keys its engines claim). Keys are
// random (or from a key directory), never derived from names or the scenario's seed; each node is
// given only its own. The manifests around it (Kubernetes, Compose) are written by the CLI.
import { NetmachineError, toHex, type NetworkPlan, type PlanEvent } from '../core/index.js';
import { initialEmulation } from './emulation.js';
import { engineKeyOf } from './node-identities.js';
import { nodeOfPlanEvent, schemesOf, ScheduleSchema, type NodeSchedule, type ScheduleEvent } from './node-spec.js';
import { advertText, signEngineAdvert, signNodeAdvert } from './peer-adverts.js';
import { createDeploymentKeys, planNeighbors } from './plan-identities.js';

export interface ClusterPlanOptions {
  readonly transport: 'quic' | 'tls' | 'both';
  /** Time zero of every node (Unix ms): the nodes wait for it, then run their schedules. */
  readonly originMs: number;
  /** Adverts' `created` time and version source (Unix ms; default: now). */
  readonly nowMs?: number;
  readonly seed?: number;
  readonly durationMs?: number;
  readonly timeScale?: number;
  /** Node i listens on QUIC portBase + 2i and TLS portBase + 2i + 1 (distinct, so one machine can run them all too). */
  readonly portBase: number;
  /** The host name peers dial for a node, from its DNS label (`n1` → `n1.run.default.svc.cluster.local`). */
  readonly addressOf: (label: string) => string;
  /** Where a node's config finds its key files, relative to the config file (e.g. `../keys`). */
  readonly keyPath: string;
  /** Read keys from this directory, creating missing ones there (default: random keys, kept nowhere). */
  readonly keyDir?: string;
}

/** One node of the cluster. */
export interface ClusterNode {
  readonly name: string;
  /** Its DNS label (Kubernetes pod hostname, Compose service name). */
  readonly label: string;
  readonly host: string;
  readonly ports: { readonly quic: number; readonly tls: number };
  /** The node config (`netmachine node --config`), as plain data. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Key file name → content: `node.key` and the topic and domain keys this node holds. */
  readonly secrets: ReadonlyMap<string, string>;
}

export interface ClusterPlan {
  readonly nodes: ReadonlyArray<ClusterNode>;
  /** Scenario events left out (simulator-only faults), one line each. */
  readonly notes: ReadonlyArray<string>;
}

const LABEL_CHARS_MAX = 63;
const SIMULATOR_ONLY = new Set(['crash-where', 'pause-where', 'lose-writes', 'corrupt-write']);
const NETWORK_KINDS = new Set(['partition', 'heal', 'link-down', 'link-up', 'set-link']);

/** A DNS label (RFC 1123) for a node name: lowercase, other characters as `-`; undefined when none is left. */
export function dnsLabel(name: string): string | undefined {
  const label = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return label === '' || label.length > LABEL_CHARS_MAX ? undefined : label;
}

/** The labels of the plan's nodes; a name without one, or two names with one label, is an error. */
function labelsOf(plan: NetworkPlan): Map<string, string> {
  const labels = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const node of plan.nodes) {
    const label = dnsLabel(node.name);
    if (label === undefined) throw new NetmachineError('deploy/emit-name', `node "${node.name}": no DNS label (letters, digits and "-", at most ${LABEL_CHARS_MAX}) can be made of this name`);
    const owner = owners.get(label);
    if (owner !== undefined) throw new NetmachineError('deploy/emit-name', `nodes "${owner}" and "${node.name}" would both be called "${label}" (DNS names are lowercase letters, digits and "-"); rename one`);
    owners.set(label, node.name);
    labels.set(node.name, label);
  }
  return labels;
}

/** The schedule event of a plan event (set-link keeps what the filter emulates), or undefined when it is simulator-only. */
function scheduleEventOf(event: PlanEvent): ScheduleEvent | undefined {
  if (SIMULATOR_ONLY.has(event.kind)) return undefined;
  if (event.kind === 'set-link') {
    const { latencyMs, lossProbability, frameSizeMaxBytes } = event.change;
    return { ...event, change: { ...(latencyMs !== undefined && { latencyMs }), ...(lossProbability !== undefined && { lossProbability }), ...(frameSizeMaxBytes !== undefined && { frameSizeMaxBytes }) } };
  }
  return event as ScheduleEvent;
}

/** True when `event` is part of node `name`'s schedule. */
function concerns(event: PlanEvent, name: string): boolean {
  if (NETWORK_KINDS.has(event.kind)) return true;
  const node = nodeOfPlanEvent(event);
  return node === name || node === '*';
}

/** The configs and secrets of every node of `plan` on a cluster. */
export function planCluster(plan: NetworkPlan, options: ClusterPlanOptions): ClusterPlan {
  for (const node of plan.nodes) {
    const moduled = node.engines.find((engine) => engine.module !== undefined);
    if (moduled !== undefined) throw new NetmachineError('deploy/emit-module', `engine ${node.name}/${moduled.name} comes from the module ${moduled.module}: emitted nodes run the image's built-in engines only (build an image that contains the module and deploy it by hand)`);
  }
  if (plan.regions !== undefined) throw new NetmachineError('deploy/emit-regions', 'the region underlay is simulated only: a cluster deployment emulates the links of a link graph');
  const labels = labelsOf(plan);
  const keys = createDeploymentKeys(plan, options.keyDir === undefined ? {} : { keyDir: options.keyDir });
  const nowMs = options.nowMs ?? Date.now();
  const version = Math.floor(nowMs / 1000);
  const portsOf = (index: number) => ({ quic: options.portBase + 2 * index, tls: options.portBase + 2 * index + 1 });
  const addresses = new Map(
    plan.nodes.map((node, index) => {
      const host = options.addressOf(labels.get(node.name)!);
      const ports = portsOf(index);
      return [node.name, schemesOf(options.transport).map((scheme) => `${scheme}://${host}:${ports[scheme]}`)] as const;
    }),
  );
  // Every node's own adverts, signed here with its key: its peers' configs carry them.
  const adverts = new Map(
    plan.nodes.map((node) => {
      const key = keys.nodeKeys.get(node.name)!;
      const engines = Object.fromEntries(node.engines.map((engine) => [engine.name, advertText(signEngineAdvert(keys.crypto, engineKeyOf(keys.crypto, toHex(key.secret), engine.name), key.id, version, nowMs))]));
      return [node.name, { advert: advertText(signNodeAdvert(keys.crypto, key, addresses.get(node.name)!, version, nowMs)), engines }] as const;
    }),
  );
  const notes = plan.events.filter((event) => SIMULATOR_ONLY.has(event.kind)).map((event) => `${event.kind} at ${event.atMs} ms left out: it runs in the simulator only`);
  const links = initialEmulation(plan.links).directions;
  const nodes = plan.nodes.map((node, index): ClusterNode => {
    const secrets = new Map<string, string>([['node.key', `${toHex(keys.nodeKeys.get(node.name)!.secret)}\n`]]);
    const keyed = (kind: 'topic' | 'domain', entries: typeof keys.topicKeys, holders: typeof keys.topicHolders): Record<string, unknown> =>
      Object.fromEntries(
        [...entries].map(([entry, key], entryIndex) => {
          const id = `${kind === 'topic' ? 'topic' : 'dom'}:${key.id}`;
          if (holders.get(entry)?.has(node.name) !== true) return [entry, id];
          const file = `${kind}-${entryIndex + 1}.key`;
          secrets.set(file, `${toHex(key.secret)}\n`);
          return [entry, { id, key: `${options.keyPath}/${file}` }];
        }),
      );
    const known = new Set(node.knows ?? planNeighbors(plan, node.name));
    const schedule: NodeSchedule = ScheduleSchema.parse({
      durationMs: options.durationMs ?? plan.durationMs,
      links,
      events: plan.events.filter((event) => concerns(event, node.name)).flatMap((event) => scheduleEventOf(event) ?? []),
      isRecorder: index === 0,
    });
    const config = {
      name: node.name,
      key: `${options.keyPath}/node.key`,
      transport: options.transport,
      listen: { host: '0.0.0.0', ...portsOf(index) },
      // What its own advert names (the one its engines hand out): the DNS addresses its peers' configs carry.
      advertise: addresses.get(node.name)!,
      seed: options.seed ?? plan.seed,
      clockOrigin: options.originMs,
      timeScale: options.timeScale ?? 1,
      permanent: plan.connections?.permanent ?? 'neighbors',
      // A config's neighbours must be among its peers (a `knows:` list may leave a link neighbour out).
      neighbors: planNeighbors(plan, node.name).filter((neighbor) => known.has(neighbor)),
      peers: plan.nodes.filter((peer) => peer.name !== node.name && known.has(peer.name)).map((peer) => ({ name: peer.name, ...adverts.get(peer.name)! })),
      topics: keyed('topic', keys.topicKeys, keys.topicHolders),
      domains: keyed('domain', keys.domainKeys, keys.domainHolders),
      engines: node.engines.map((engine) => ({ name: engine.name, kind: engine.kind, params: engine.params })),
      schedule,
    };
    return { name: node.name, label: labels.get(node.name)!, host: options.addressOf(labels.get(node.name)!), ports: portsOf(index), config, secrets };
  });
  return { nodes, notes };
}
