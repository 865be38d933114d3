// A real node built from its spec: listening, then started with its peers' signed adverts. Engines
// see the network through an EngineEnv that answers only from configuration: peers' engines by
// name, topics and domains by their configured ids, and keys only where this node holds them.
import {
  BUILTIN_ENGINES,
  importModuleFile,
  err,
  IdentityStore,
  NetmachineError,
  nodeRng,
  ok,
  type EngineEnv,
  type EngineFactory,
  type Id,
  type NodeAdvert,
  type TraceSink,
} from '../core/index.js';
import type { EmulationState } from './emulation.js';
import { emulationFilter } from './emulation.js';
import { createRealNodeCrypto } from './node-crypto.js';
import { nodeIdentities, type KeyedIdentity } from './node-identities.js';
import { schemesOf, type NodePlanEvent, type NodeSpec, type PeerSpec } from './node-spec.js';
import { admitPeer, advertText, signEngineAdvert, signNodeAdvert, type AdmittedPeer, type PeerAdverts } from './peer-adverts.js';
import type { QuicDriverOptions } from './quic/driver.js';
import { startRealNode, type RealNode } from './real-node.js';

/** A configured node: listening, not yet started. */
export interface ConfiguredNode {
  readonly real: RealNode;
  readonly addresses: ReadonlyArray<string>;
  /** Engine name → id, in spec order. */
  readonly engineIds: ReadonlyMap<string, Id>;
  /** Names → ids of this node, its engines and (once started) its peers and their engines. */
  known(): { nodes: Record<string, Id>; engines: Record<string, Id> };
  /** This node's own adverts for its listening addresses (what its peers configure). */
  adverts(version: number): Omit<PeerAdverts, 'name'>;
  /**
   * Verifies and learns the peers' adverts (a bad one throws `node/bad-advert` naming the peer and
   * field), adds the engines and starts them; `clockOriginMs` moves time zero.
   */
  start(peers: ReadonlyArray<PeerSpec>, clockOriginMs?: number): void;
  /**
   * Applies a plan event aimed at this node's engines (send, publish, subscribe, unsubscribe,
   * clock-skew), as the simulator does; false when the engine or topic is missing or the node stopped.
   */
  perform(event: NodePlanEvent): boolean;
  close(): Promise<void>;
}

export interface ConfiguredNodeComponents {
  readonly trace: TraceSink;
  /** Engine kinds by name (default: the built-in engines). */
  readonly engines?: ReadonlyMap<string, EngineFactory>;
  /** Current emulated-network state; absent = a plain real network. */
  readonly emulation?: () => EmulationState;
  /** Maps the host of every dialled address (`netmachine node --resolve`). */
  readonly resolveHost?: (host: string) => string;
}

function keyedLookup(kind: 'topic' | 'domain', nodeName: string, entries: ReadonlyMap<string, KeyedIdentity>): { id(name: string): Id; key(name: string): NonNullable<KeyedIdentity['key']> } {
  const field = kind === 'topic' ? 'topics' : 'domains';
  const entry = (name: string): KeyedIdentity => {
    const found = entries.get(name);
    if (found === undefined) throw new NetmachineError(`node/unknown-${kind}`, `node ${nodeName}: ${kind} "${name}" is not configured (add it under ${field}: its id, or its key on the node that holds it)`);
    return found;
  };
  return {
    id: (name) => entry(name).id,
    key(name) {
      const key = entry(name).key;
      if (key === undefined) throw new NetmachineError(`node/no-${kind}-key`, `node ${nodeName}: this node does not hold the key of ${kind} "${name}" (only the ${kind === 'topic' ? "publisher's node" : "domain's owner"} does: ${field}.${name}.key)`);
      return key;
    },
  };
}

/** Creates a node from its spec and starts listening. */
export async function createConfiguredNode(spec: NodeSpec, components: ConfiguredNodeComponents): Promise<ConfiguredNode> {
  const crypto = spec.limits?.keyObjects === undefined ? createRealNodeCrypto() : createRealNodeCrypto(spec.limits.keyObjects);
  const identities = nodeIdentities(crypto, spec);
  const key = identities.node;
  const names = new Map<Id, string>([[key.id, spec.name]]);
  for (const [name, engineKey] of identities.engines) names.set(engineKey.id, `${spec.name}/${name}`);
  for (const [name, topic] of identities.topics) names.set(topic.id, name);
  for (const [name, domain] of identities.domains) names.set(domain.id, name);
  const nameOf = (id: Id): string | undefined => names.get(id);
  const directory = new IdentityStore();
  const session = spec.session ?? Math.floor(Date.now() / 1000);
  const rng = nodeRng(spec.seed, spec.name, session);
  const factories = new Map(components.engines ?? BUILTIN_ENGINES);
  for (const engine of spec.engines) if (engine.module !== undefined) factories.set(engine.kind, await loadEngineModule(engine.module, engine.kind));
  for (const engine of spec.engines) {
    if (!factories.has(engine.kind)) throw new NetmachineError('node/unknown-engine-kind', `engine "${engine.name}": unknown kind "${engine.kind}" (known: ${[...factories.keys()].join(', ')})`);
  }
  /**
   * The advert this node hands out through its engines: the one it last signed for its peers
   * (`adverts`), else one it signs when first asked, for `advertise` or its listening addresses,
   * versioned by its session (a restarted node's is newer).
   */
  let selfAdvert: NodeAdvert | undefined;
  /** The listening addresses, once bound. */
  let listening: ReadonlyArray<string> = [];
  const ownAdvert = (): NodeAdvert | undefined => {
    if (selfAdvert !== undefined) return selfAdvert;
    const addresses = spec.advertise ?? (isWildcardHost(spec.listen.host) ? [] : listening);
    if (addresses.length === 0) return undefined;
    selfAdvert = signNodeAdvert(crypto, key, addresses, session, Date.now());
    return selfAdvert;
  };
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
      advert: ownAdvert,
      ...(spec.limits !== undefined && {
        transport: {
          ...(spec.limits.inboundBytes !== undefined && { inboundBytesMax: spec.limits.inboundBytes }),
          ...(spec.limits.inboundFrames !== undefined && { inboundFramesMax: spec.limits.inboundFrames }),
          ...(spec.limits.queueBytes !== undefined && { queueBytesMax: spec.limits.queueBytes }),
          ...(spec.limits.queueFrames !== undefined && { queueFramesMax: spec.limits.queueFrames }),
          ...(spec.limits.nodeBufferedBytes !== undefined && { nodeBufferedBytesMax: spec.limits.nodeBufferedBytes }),
        },
        dropRecordLimit: {
          ...(spec.limits.dropRecordsPerWindow !== undefined && { perWindow: spec.limits.dropRecordsPerWindow }),
          ...(spec.limits.dropRecordWindowMs !== undefined && { windowMs: spec.limits.dropRecordWindowMs }),
        },
      }),
      ...(components.resolveHost !== undefined && { resolveHost: components.resolveHost }),
    },
  );
  listening = real.addresses;
  const topics = keyedLookup('topic', spec.name, identities.topics);
  const domains = keyedLookup('domain', spec.name, identities.domains);
  let peers: ReadonlyArray<AdmittedPeer> = [];
  const env: EngineEnv = {
    nodeName: spec.name,
    get neighbors() {
      return spec.neighbors ?? peers.map((peer) => peer.name);
    },
    resolve(reference) {
      const [nodeName, engineName, extra] = reference.split('/');
      if (engineName === undefined || extra !== undefined) return err(`no engine "${reference}" (expected node/engine)`);
      if (nodeName === spec.name) {
        const engine = identities.engines.get(engineName);
        return engine === undefined ? err(`no engine "${reference}" on this node`) : ok({ engine: engine.id, node: key.id });
      }
      const peer = peers.find((candidate) => candidate.name === nodeName);
      const engine = peer?.engines.get(engineName);
      if (peer === undefined) return err(`no engine "${reference}": "${nodeName}" is not among the peers`);
      if (engine === undefined) return err(`no engine "${reference}": the peer's config entry names no engine "${engineName}"`);
      return ok({ engine, node: peer.id });
    },
    topic: topics.id,
    topicKey: topics.key,
    domainKey: domains.key,
    domain: domains.id,
    nodeId: (name) => (name === spec.name ? key.id : peers.find((peer) => peer.name === name)?.id),
  };
  return {
    real,
    addresses: real.addresses,
    engineIds: new Map([...identities.engines].map(([name, engineKey]) => [name, engineKey.id])),
    known() {
      const nodes: Record<string, Id> = { [spec.name]: key.id };
      const engines: Record<string, Id> = {};
      for (const [name, engineKey] of identities.engines) engines[`${spec.name}/${name}`] = engineKey.id;
      for (const peer of peers) {
        nodes[peer.name] = peer.id;
        for (const [name, id] of peer.engines) engines[`${peer.name}/${name}`] = id;
      }
      return { nodes, engines };
    },
    adverts(version) {
      const created = Date.now();
      selfAdvert = signNodeAdvert(crypto, key, real.addresses, version, created);
      return {
        advert: advertText(selfAdvert),
        engines: Object.fromEntries([...identities.engines].map(([name, engineKey]) => [name, advertText(signEngineAdvert(crypto, engineKey, key.id, version, created))])),
      };
    },
    start(peerSpecs, clockOriginMs) {
      if (clockOriginMs !== undefined) real.clock.setOrigin(clockOriginMs);
      peers = admitPeers(directory, crypto, peerSpecs, key.id, spec.name);
      for (const peer of peers) {
        names.set(peer.id, peer.name);
        for (const [engineName, engineId] of peer.engines) names.set(engineId, `${peer.name}/${engineName}`);
      }
      for (const engine of spec.engines) real.node.addEngine(engine.name, identities.engines.get(engine.name)!, factories.get(engine.kind)!(engine.params, env));
      real.node.start();
      if (spec.permanent === false || spec.permanent === 'none') return;
      const linked = new Set(env.neighbors);
      for (const peer of peers) if (spec.permanent === 'known' || linked.has(peer.name)) real.transport.connect(peer.id, { isPermanent: true });
    },
    perform(event) {
      if (event.kind === 'pause' || event.kind === 'resume') {
        if (event.kind === 'pause') real.node.pause();
        else real.node.resume();
        return true;
      }
      if (event.kind === 'clock-skew' || event.kind === 'clock-drift' || event.kind === 'clock-strobe') {
        if (event.kind === 'clock-skew') real.node.setClockSkew(event.skewMs);
        else if (event.kind === 'clock-drift') real.node.setClockRate(event.rate);
        else real.node.setClockStrobe(event.offsetMs);
        return true;
      }
      const reference = 'engine' in event ? event.engine : event.from;
      const engineName = reference.slice(reference.indexOf('/') + 1);
      const topic = 'topic' in event ? identities.topics.get(event.topic)?.id : undefined;
      if ('topic' in event && topic === undefined) return false;
      return real.node.perform(engineName, (ctx) => {
        switch (event.kind) {
          case 'publish':
            ctx.publish(topic!, new Uint8Array(event.sizeBytes));
            return;
          case 'send': {
            const target = env.resolve(event.to);
            if (target.ok) ctx.send({ kind: 'engine', engine: target.value.engine, node: target.value.node }, new Uint8Array(event.sizeBytes));
            return;
          }
          case 'subscribe':
            ctx.subscribe(topic!);
            return;
          case 'unsubscribe':
            ctx.unsubscribe(topic!);
            return;
        }
      });
    },
    close: () => real.close(),
  };
}

/** A host that listens on every interface: no peer can dial it by that address. */
function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** Verifies every peer's adverts into `directory`; the first bad one throws, naming peer and field. */
function admitPeers(directory: IdentityStore, crypto: ReturnType<typeof createRealNodeCrypto>, specs: ReadonlyArray<PeerSpec>, self: Id, nodeName: string): AdmittedPeer[] {
  const admitted: AdmittedPeer[] = [];
  const nowMs = Date.now();
  for (const spec of specs) {
    if (admitted.some((peer) => peer.name === spec.name)) throw new NetmachineError('node/bad-advert', `node ${nodeName}: two peers are called "${spec.name}"`);
    const result = admitPeer(directory, crypto, spec, self, nowMs);
    if (!result.ok) throw new NetmachineError('node/bad-advert', `node ${nodeName}: peer "${spec.name}" ${result.error.field.join('.')}: ${result.error.message}`);
    admitted.push(result.value);
  }
  return admitted;
}

/** Loads the factory named `kind` from a user engine module (same rule as scenario files). */
async function loadEngineModule(file: string, kind: string): Promise<EngineFactory> {
  let exports: Record<string, unknown>;
  try {
    exports = await importModuleFile(file);
  } catch (error) {
    throw new NetmachineError('node/engine-module', `cannot load engine module ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  const factory = exports[kind];
  if (typeof factory !== 'function') throw new NetmachineError('node/engine-module', `module ${file} exports no factory function "${kind}"`);
  return factory as EngineFactory;
}

