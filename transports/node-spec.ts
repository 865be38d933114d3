import { pathToFileURL } from 'node:url';
// What one real node runs: its key, listeners, peers (ids, addresses, engine ids) and engines. It
// is the node config file (`netmachine node --config`) and what `deploy` hands each node process.
import { z } from 'zod';
import {
  BUILTIN_ENGINES,
  nodeRng,
  deriveSecret,
  err,
  fromHex,
  IdentityStore,
  NetmachineError,
  ok,
  toHex,
  type EngineEnv,
  type EngineFactory,
  type Id,
  type KeyPair,
  type PlanEvent,
  type TraceSink,
} from '../core/index.js';
import type { Scheme } from './channel.js';
import type { EmulationState } from './emulation.js';
import { emulationFilter } from './emulation.js';
import { startRealNode, type RealNode } from './real-node.js';
import { createRealNodeCrypto } from './node-crypto.js';
import type { QuicDriverOptions } from './quic/driver.js';

const Hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');
const Name = z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'expected a name of letters, digits, "_", ".", ":" or "-"');
const Port = z.number().int().min(0).max(65535);

export const PeerSpecSchema = z.strictObject({
  name: Name,
  id: Hex32,
  /** Addresses in preference order: `quic://host:port`, `tls://host:port`. */
  addresses: z.array(z.string().regex(/^(quic|tls):\/\/.+:\d+$/, 'expected an address like quic://127.0.0.1:7001 or tls://127.0.0.1:7002')),
  /** Engine name → engine id, so `peer/engine` references resolve. */
  engines: z.record(z.string(), Hex32).default({}),
});

export const EngineSpecSchema = z.strictObject({
  name: Name,
  kind: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  /** The engine's secret seed; absent = derived from the node secret and the engine name. */
  secret: Hex32.optional(),
  /** A TypeScript/JavaScript module exporting a factory named `kind` (absolute, or relative to the config). */
  module: z.string().min(1).optional(),
});

export const NodeSpecSchema = z.strictObject({
  name: Name,
  /** The node's 32-byte secret seed (hex); `netmachine node` also accepts `key: <file>`. */
  secret: Hex32,
  /** Boot number; must grow across restarts (default: seconds since the epoch). */
  session: z.number().int().positive().optional(),
  transport: z.enum(['quic', 'tls', 'both']).default('both'),
  listen: z.strictObject({ host: z.string().default('127.0.0.1'), quic: Port.default(0), tls: Port.default(0) }).default({ host: '127.0.0.1', quic: 0, tls: 0 }),
  /** Accept nodes that are not among the peers. */
  open: z.boolean().default(false),
  /** Topic names become ids derived from this seed (the same as in the simulator). */
  seed: z.union([z.number().int(), z.string()]).default(0),
  /** Wall-clock origin (Unix epoch ms) shared by a deployment; 0 = the epoch. */
  clockOrigin: z.number().nonnegative().default(0),
  /** Wall ms per clock ms (a deployment's --time-scale). */
  timeScale: z.number().positive().default(1),
  /** Keep permanent connections to the neighbours (re-dialled on loss). */
  permanent: z.boolean().default(true),
  peers: z.array(PeerSpecSchema).default([]),
  engines: z.array(EngineSpecSchema).default([]),
  /** Names of the linked peers (the `neighbors` engines see); default: every peer. */
  neighbors: z.array(Name).optional(),
  /** JSONL trace file written by `netmachine node` (events without a header). */
  trace: z.string().optional(),
  quic: z.strictObject({ udpPayloadBytes: z.number().int().min(1200).max(65527).optional(), maxIdleTimeoutMs: z.number().int().positive().optional(), worker: z.boolean().optional() }).optional(),
});

export type NodeSpec = z.output<typeof NodeSpecSchema>;
export type PeerSpec = z.output<typeof PeerSpecSchema>;

/** Schemes of a `transport` setting, in preference order. */
export function schemesOf(transport: 'quic' | 'tls' | 'both'): Scheme[] {
  return transport === 'both' ? ['quic', 'tls'] : [transport];
}

/** A configured node: listening, not yet started. */
export interface ConfiguredNode {
  readonly real: RealNode;
  readonly addresses: ReadonlyArray<string>;
  /** Learns the peers (adverts), adds the engines and starts them; `clockOriginMs` moves time zero. */
  start(peers: ReadonlyArray<PeerSpec>, clockOriginMs?: number): void;
  /**
   * Applies a plan event aimed at this node's engines (send, publish, subscribe, unsubscribe,
   * clock-skew), as the simulator does; false when the engine is missing or the node stopped.
   */
  perform(event: NodePlanEvent): boolean;
  close(): Promise<void>;
}

/** The plan events a node applies itself. */
export type NodePlanEvent = Extract<PlanEvent, { kind: 'send' | 'publish' | 'subscribe' | 'unsubscribe' | 'clock-skew' }>;

/** The node a plan event concerns, or undefined for network-wide events. */
export function nodeOfPlanEvent(event: PlanEvent): string | undefined {
  switch (event.kind) {
    case 'send':
    case 'publish':
      return event.from.split('/')[0];
    case 'subscribe':
    case 'unsubscribe':
      return event.engine.split('/')[0];
    case 'clock-skew':
    case 'crash':
    case 'restart':
      return event.node;
    default:
      return undefined;
  }
}

export interface ConfiguredNodeComponents {
  readonly trace: TraceSink;
  /** Engine kinds by name (default: the built-in engines). */
  readonly engines?: ReadonlyMap<string, EngineFactory>;
  /** Current emulated-network state; absent = a plain real network. */
  readonly emulation?: () => EmulationState;
}

/** Creates and starts listening a node from its spec. */
export async function createConfiguredNode(spec: NodeSpec, components: ConfiguredNodeComponents): Promise<ConfiguredNode> {
  const crypto = createRealNodeCrypto();
  const key = crypto.keyPair(fromHex(spec.secret));
  const names = new Map<Id, string>([[key.id, spec.name]]);
  const nameOf = (id: Id): string | undefined => names.get(id);
  const directory = new IdentityStore();
  const session = spec.session ?? Math.floor(Date.now() / 1000);
  const rng = nodeRng(spec.seed, spec.name, session);
  const real = await startRealNode(
    { crypto, rng, trace: components.trace },
    {
      name: spec.name,
      key,
      session,
      schemes: schemesOf(spec.transport),
      listenHost: spec.listen.host,
      ports: { quic: spec.listen.quic, tls: spec.listen.tls },
      directory,
      nameOf,
      isOpen: spec.open,
      clockOriginMs: spec.clockOrigin,
      timeScale: spec.timeScale,
      ...(components.emulation !== undefined && { filter: emulationFilter(spec.name, components.emulation, nameOf, rng.fork('emulation')) }),
      ...(spec.quic !== undefined && { quic: spec.quic as QuicDriverOptions }),
    },
  );
  const factories = new Map(components.engines ?? BUILTIN_ENGINES);
  for (const engine of spec.engines) if (engine.module !== undefined) factories.set(engine.kind, await loadEngineModule(engine.module, engine.kind));
  const engineKeys = spec.engines.map((engine) => crypto.keyPair(engine.secret !== undefined ? fromHex(engine.secret) : deriveSecret(spec.secret, 'eng', engine.name)));
  spec.engines.forEach((engine, index) => names.set(engineKeys[index]!.id, `${spec.name}/${engine.name}`));
  const topics = new Map<string, KeyPair>();
  function topicKey(name: string): KeyPair {
    let topic = topics.get(name);
    if (topic === undefined) {
      topic = crypto.keyPair(deriveSecret(spec.seed, 'topic', name));
      topics.set(name, topic);
      names.set(topic.id, name);
    }
    return topic;
  }
  let peerList: ReadonlyArray<PeerSpec> = [];
  const env: EngineEnv = {
    nodeName: spec.name,
    get neighbors() {
      return spec.neighbors ?? peerList.map((peer) => peer.name);
    },
    resolve(reference) {
      const [nodeName, engineName, extra] = reference.split('/');
      if (engineName === undefined || extra !== undefined) return err(`no engine "${reference}" (expected node/engine)`);
      if (nodeName === spec.name) {
        const index = spec.engines.findIndex((engine) => engine.name === engineName);
        return index < 0 ? err(`no engine "${reference}" on this node`) : ok({ engine: engineKeys[index]!.id, node: key.id });
      }
      const peer = peerList.find((candidate) => candidate.name === nodeName);
      const engine = peer?.engines[engineName];
      if (peer === undefined || engine === undefined) return err(`no engine "${reference}" (not among the peers' engines)`);
      return ok({ engine, node: peer.id });
    },
    topic: (name) => topicKey(name).id,
    // Topic and domain keys derive from the deployment's seed exactly as in the simulator, so a
    // scenario's publishers and domain members hold the same keys on every backend.
    topicKey,
    domainKey(name) {
      const domain = crypto.keyPair(deriveSecret(spec.seed, 'dom', name));
      names.set(domain.id, name);
      return domain;
    },
    nodeId: (name) => (name === spec.name ? key.id : peerList.find((peer) => peer.name === name)?.id),
  };
  return {
    real,
    addresses: real.addresses,
    start(peers, clockOriginMs) {
      if (clockOriginMs !== undefined) real.clock.setOrigin(clockOriginMs);
      peerList = peers;
      for (const peer of peers) {
        names.set(peer.id, peer.name);
        directory.setNode({ id: peer.id, addresses: peer.addresses, trust: 128 });
        for (const [engineName, engineId] of Object.entries(peer.engines)) {
          names.set(engineId, `${peer.name}/${engineName}`);
          directory.setEngineNode(engineId, peer.id);
        }
      }
      spec.engines.forEach((engine, index) => {
        const factory = factories.get(engine.kind);
        if (factory === undefined) throw new NetmachineError('node/unknown-engine-kind', `engine "${engine.name}": unknown kind "${engine.kind}" (known: ${[...factories.keys()].join(', ')})`);
        real.node.addEngine(engine.name, engineKeys[index]!, factory(engine.params, env));
      });
      real.node.start();
      if (!spec.permanent) return;
      const linked = new Set(env.neighbors);
      for (const peer of peers) if (linked.has(peer.name)) real.transport.connect(peer.id, { isPermanent: true });
    },
    perform(event) {
      if (event.kind === 'clock-skew') {
        real.node.setClockSkew(event.skewMs);
        return true;
      }
      const reference = 'engine' in event ? event.engine : event.from;
      const engineName = reference.slice(reference.indexOf('/') + 1);
      return real.node.perform(engineName, (ctx) => {
        switch (event.kind) {
          case 'publish':
            ctx.publish(env.topic(event.topic), new Uint8Array(event.sizeBytes));
            return;
          case 'send': {
            const target = env.resolve(event.to);
            if (target.ok) ctx.send({ kind: 'engine', engine: target.value.engine, node: target.value.node }, new Uint8Array(event.sizeBytes));
            return;
          }
          case 'subscribe':
            ctx.subscribe(env.topic(event.topic));
            return;
          case 'unsubscribe':
            ctx.unsubscribe(env.topic(event.topic));
            return;
        }
      });
    },
    close: () => real.close(),
  };
}

/** Hex of a fresh random secret (keygen). */
export function secretHex(bytes: Uint8Array): string {
  return toHex(bytes);
}

/** Loads the factory named `kind` from a user engine module (same rule as scenario files). */
async function loadEngineModule(file: string, kind: string): Promise<EngineFactory> {
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new NetmachineError('node/engine-module', `cannot load engine module ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  const factory = exports[kind];
  if (typeof factory !== 'function') throw new NetmachineError('node/engine-module', `module ${file} exports no factory function "${kind}"`);
  return factory as EngineFactory;
}
