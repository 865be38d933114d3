// The Node runtime: hosts engines, applies their effects, and runs the Router's inbound and
// outbound paths over the ports. Everything observable goes to the TraceSink.
import { NetmachineError } from './assert.js';
import { utf8 } from './bytes.js';
import type { IdentityStore } from './directory.js';
import type { Engine, EngineContext, EngineInput, Notice, RelayPolicy, EngineState } from './engine.js';
import { shortId, type Id } from './ids.js';
import {
  decodeEngineMessage,
  SIGNATURE_SIZE_BYTES,
  signEngineMessage,
  signP2PMessage,
  verifyEngineMessage,
  type Destination,
  type EngineMessage,
  type TransportPrefs,
} from './message.js';
import type { Clock, Crypto, FrameMeta, KeyPair, Rng, TimerId, TraceSink, Transport, TransportEvent } from './ports.js';
import { LocalClock, LocalTimer } from './local-clock.js';
import { DurableStore, type Disk } from './disk.js';
import { chooseDomainMember, resolveTransportPrefs, routeIncoming, routeOutgoing, TopicTable, type ReplayWindow, type RoutingTable } from './router.js';
import { canSeal, sealRelay } from './relay.js';
import { HostedEngine, type ContextHost, type Effect, type KeySource } from './engine-context.js';
import { TopicService, type TopicServiceDeps } from './topic-service.js';
import { checkInbound, type InboundChecks, type NodeRecord } from './inbound.js';
import { IdentityLookups, type LookupHost, type Parked } from './identity-lookups.js';
import { NodeConnections, type ConnectionsHost } from './node-connections.js';
import { NodeDomains, type DomainsHost } from './node-domains.js';
import type { NodeAdvert } from './adverts.js';
import { messageTraceId, type TraceRecord } from './trace.js';

/** The ports a node needs (STYLE rule 1). */
export interface NodeComponents {
  /**
   * Each engine's durable store by engine name and node name (the simulator keeps them across
   * restarts, one function for all its nodes); default: one per node runtime.
   */
  readonly disks?: (engine: string, node: string) => DurableStore;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly transport: Transport;
  readonly trace: TraceSink;
  readonly crypto: Crypto;
}

export interface NodeOptions {
  readonly name: string;
  readonly key: KeyPair;
  readonly directory: IdentityStore;
  /** Session (boot) number; a restarted node must use a higher one so peers reset their replay window. */
  readonly session: number;
  /** Display name of an id for traces (node, engine or topic); short hex when unknown. */
  readonly nameOf?: (id: Id) => string | undefined;
  /** How often a live `ctx.buggify` site fires (simulator only; absent: never, as on real networks). */
  readonly buggifyProbability?: number;
  /** This node's default transport preferences (S22, lowest precedence). */
  readonly transportDefaults?: Partial<TransportPrefs>;
  /** The node's own signed advert, which engines hand to peers (`ctx.connections.selfAdvert()`). */
  readonly advert?: NodeAdvert;
  /** Where engines added by key index find their key pairs. */
  readonly keys?: KeySource;
}

/**
 * A Transport that hands frames and events to a receiver's methods instead of handlers (the
 * simulator's: a node then registers no closures).
 */
export interface ReceivingTransport extends Transport {
  setReceiver(receiver: TransportReceiver): void;
}

/** What a ReceivingTransport calls. */
export interface TransportReceiver {
  transportFrame(from: Id, frame: Uint8Array, hops: number | undefined): void;
  transportEvent(event: TransportEvent): void;
}

export type { KeySource } from './engine-context.js';

export { DEFAULT_PROTOCOL } from './engine-context.js';
/** Most inputs that wait for a paused node; later ones are dropped (`paused-queue-full`). */
export const PAUSED_INPUTS_MAX = 100_000;
/** The envelope signature field on channel-authenticated transports (copied into each frame, never written). */
const ZERO_SIGNATURE = new Uint8Array(SIGNATURE_SIZE_BYTES);
export { PARKED_PER_DESTINATION_MAX, LOOKUP_TIMEOUT_MS } from './identity-lookups.js';

/** A running node. */
export interface Node {
  readonly id: Id;
  readonly name: string;
  /**
   * Hosts `engine` under `name` with signing key `key`, or with the key at that index of the
   * options' `keys`, derived when first needed (its location is recorded then: the node's own
   * store must locate it meanwhile, as a simulated node's configured store does).
   */
  addEngine(name: string, key: KeyPair | number, engine: Engine): void;
  /** Gives every engine its `start` input (in the order they were added). */
  start(): void;
  /** Stops the node: cancels every timer and ignores later inputs (volatile state is lost). */
  stop(): void;
  /** Engine id by name. */
  engineId(name: string): Id | undefined;
  /**
   * Acts as engine `name` from outside (a scenario's timed `send`, `publish`, `subscribe`): runs
   * `action` with the engine's context and applies its effects. False when there is no such engine.
   */
  perform(name: string, action: (ctx: EngineContext) => void): boolean;
  /** Sets this node's clock `skewMs` off the backend's; engines read it with `ctx.now()` and their timers run on it. */
  setClockSkew(skewMs: number): void;
  /**
   * Freezes the node with its state kept (a paused process): frames, timers and notices that come
   * meanwhile wait, in order, and run at `resume()`. At most PAUSED_INPUTS_MAX wait; later frames are dropped.
   */
  pause(): void;
  resume(): void;
  isPaused(): boolean;
  /** The state summary of engine `name` (its `inspect()`), if it has one. */
  inspect(name: string): EngineState | undefined;
  /** Makes this node's clock advance `rate` ms per real ms from now (drift; 1 = on time). */
  setClockRate(rate: number): void;
  /** Displaces this node's clock by `offsetMs` (a strobe's current jump; 0 = none). */
  setClockStrobe(offsetMs: number): void;
}

/** Creates a node bound to its ports. */
export function createNode(components: NodeComponents, options: NodeOptions): Node {
  return new NodeRuntime(components, options);
}

/**
 * One node. A class rather than a closure: a simulator hosts up to a million of these, so its
 * methods live on the prototype, and what many nodes never use (topics, lookups, domains, relay
 * state, replay windows) is created on first use. It is the host of its collaborators (context,
 * topic service, lookups, connections, inbound checks), which call back through small interfaces.
 */
class NodeRuntime implements Node, RoutingTable, ContextHost, TopicServiceDeps, LookupHost, ConnectionsHost, DomainsHost, InboundChecks {
  readonly clock: Clock;
  /** The node's own clock (skew, drift, strobe): engines' `ctx.now()` and timers. */
  readonly localClock: LocalClock;
  readonly crypto: Crypto;
  readonly transport: Transport;
  private readonly traceSink: TraceSink;
  private readonly rng: Rng;
  private readonly options: NodeOptions;
  private readonly disks: (engine: string, node: string) => DurableStore;
  /**
   * The hosted engines, in the order they were added: a handful per node, so one exactly sized
   * list scanned by id (a Map's table alone is ≈ 150 bytes, and a simulation hosts 10⁶ nodes).
   */
  private engines: ReadonlyArray<HostedEngine> = NO_ENGINES;
  private stopped = false;
  /** While paused: the inputs that came meanwhile, in order (undefined while running). */
  private held: Array<() => void> | undefined;
  private currentCause: string | undefined;
  /** Underlay hops of the frame being checked (for its `receive` record). */
  private receivedHops: number | undefined;
  private replays: Map<Id, ReplayWindow> | undefined;
  private sendSeq: Map<Id, number> | undefined;
  /** What most nodes never use, created with the first of it. */
  private extras: NodeExtras | undefined;

  constructor(components: NodeComponents, options: NodeOptions) {
    this.options = options;
    this.clock = components.clock;
    this.localClock = new LocalClock(components.clock);
    this.disks = components.disks ?? memoryDisks();
    this.crypto = components.crypto;
    this.transport = components.transport;
    this.traceSink = components.trace;
    this.rng = components.rng;
    const transport = components.transport as Partial<ReceivingTransport>;
    // A transport that takes a receiver calls this node's methods: two handler closures (and
    // their context) per node cost ≈ 170 bytes.
    if (transport.setReceiver !== undefined) transport.setReceiver(this);
    else {
      this.transport.onFrame((from, frame, hops) => this.transportFrame(from, frame, hops));
      this.transport.onEvent((event) => this.transportEvent(event));
    }
  }

  get id(): Id {
    return this.options.key.id;
  }
  get self(): Id {
    return this.options.key.id;
  }
  get name(): string {
    return this.options.name;
  }
  get session(): number {
    return this.options.session;
  }
  get key(): KeyPair {
    return this.options.key;
  }
  get directory(): IdentityStore {
    return this.options.directory;
  }
  get keys(): KeySource | undefined {
    return this.options.keys;
  }
  get isChannelAuthenticated(): boolean {
    return this.transport.isChannelAuthenticated === true;
  }
  /** RoutingTable: the engines hosted here (`has`). */
  get localEngines(): { has(engine: Id): boolean } {
    return this;
  }
  private get more(): NodeExtras {
    return (this.extras ??= new NodeExtras());
  }
  /** On a channel-authenticated transport the envelope signature field is 64 zero bytes (ports.ts). */
  private get envelopeSigner(): Crypto {
    if (!this.isChannelAuthenticated) return this.crypto;
    return (this.more.zeroSigner ??= { ...this.crypto, sign: () => ZERO_SIGNATURE });
  }

  /** ReceivingTransport: a frame came (it waits while the node is paused). */
  transportFrame(from: Id, frame: Uint8Array, hops: number | undefined): void {
    if (this.held === undefined) this.receiveFrame(from, frame, hops);
    else this.hold(() => this.receiveFrame(from, frame, hops));
  }

  /** ReceivingTransport: a connection event. */
  transportEvent(event: TransportEvent): void {
    if (this.stopped) return;
    if (this.held === undefined) this.connections.onTransportEvent(event);
    else this.hold(() => this.connections.onTransportEvent(event));
  }

  // ——— collaborators, created on first use ———

  get topics(): TopicTable {
    return (this.more.topicTable ??= new TopicTable());
  }
  private get topicsService(): TopicService {
    return (this.more.topicService ??= new TopicService(this));
  }
  private get lookups(): IdentityLookups {
    return (this.more.lookupService ??= new IdentityLookups(this));
  }
  get connections(): NodeConnections {
    return (this.more.connectionService ??= new NodeConnections(this));
  }
  get domains(): NodeDomains {
    return (this.more.domainService ??= new NodeDomains(this));
  }
  /** RoutingTable: local engines serving a domain (none until an engine serves one). */
  get domainServers(): ReadonlyMap<Id, ReadonlyArray<Id>> | undefined {
    return this.extras?.domainService?.servers;
  }
  /** RoutingTable: scope `Domain(d)` admits only members this node knows. */
  isDomainMember(domain: Id, node: Id): boolean {
    return this.extras?.domainService?.isMember(domain, node) ?? this.directory.advert('domain', domain)?.nodes.includes(node) === true;
  }
  get advert(): NodeAdvert | undefined {
    return this.options.advert;
  }
  get replayWindows(): Map<Id, ReplayWindow> {
    return (this.replays ??= new Map());
  }
  get relayReplayWindows(): Map<Id, ReplayWindow> {
    return (this.more.relayReplays ??= new Map());
  }

  // ——— host interfaces ———

  nameOf(id: Id): string {
    return this.options.nameOf?.(id) ?? shortId(id);
  }
  emit(record: NodeRecord): void {
    this.traceSink.emit({ t: this.clock.now(), node: this.name, ...record });
  }
  now(): number {
    return this.clock.now();
  }
  localNow(): number {
    return this.localClock.now();
  }
  anycastMember(domain: Id): Id | undefined {
    return chooseDomainMember(this, domain);
  }
  relayPolicy(): RelayPolicy | undefined {
    return this.extras?.offeredRelay;
  }
  isStopped(): boolean {
    return this.stopped;
  }
  /** TopicServiceDeps: a subscription change or a topic operation. */
  trace(kind: 'subscribe' | 'unsubscribe' | 'log', engine: Id, topic: Id, text?: string): void {
    this.emit({ kind, engine: this.hosted(engine)?.name ?? this.nameOf(engine), topic: this.nameOf(topic), ...(text !== undefined && { text }) });
  }
  /** Gives `engine` a notice in a later turn. */
  notice(engine: Id, notice: Notice): void {
    this.clock.schedule(this.clock.now(), () => {
      const hosted = this.hosted(engine);
      if (hosted === undefined) return;
      if (this.held === undefined) this.run(hosted, { kind: 'notice', notice }, undefined);
      else this.hold(() => this.run(hosted, { kind: 'notice', notice }, undefined));
    });
  }
  /** LookupHost: routes a message again once its destination is located. */
  release(entry: Parked): void {
    this.routeSigned(entry.hosted, entry.message, entry.bytes, entry.msg);
  }

  private destinationName(destination: Destination): string {
    switch (destination.kind) {
      case 'engine':
        return this.nameOf(destination.engine);
      case 'node':
        return this.nameOf(destination.node);
      case 'topic':
        return this.nameOf(destination.topic);
      case 'domain':
        return this.nameOf(destination.domain);
    }
  }

  // ——— engines ———

  private run(hosted: HostedEngine, input: EngineInput, cause: string | undefined): void {
    if (this.stopped) return;
    // `collect` written out: no closure per input (this runs for every delivery and timer).
    const previous = hosted.effects;
    const effects: Effect[] = [];
    hosted.effects = effects;
    try {
      hosted.engine.handle(input, hosted);
    } catch (error) {
      // A user engine's bug must not take the node down; it is traced and the effects still apply.
      this.emit({ kind: 'log', engine: hosted.name, reason: 'engine-error', text: String((error as Error)?.stack ?? error).slice(0, 2000) });
    } finally {
      hosted.effects = previous;
    }
    for (const effect of effects) this.apply(hosted, effect, cause);
  }

  /** `run` with `cause` as the current cause meanwhile. */
  private runCaused(hosted: HostedEngine, input: EngineInput, cause: string | undefined): void {
    const previous = this.currentCause;
    this.currentCause = cause;
    try {
      this.run(hosted, input, cause);
    } finally {
      this.currentCause = previous;
    }
  }

  /** Runs `action` with the engine's context and returns the effects it asked for. */
  private collect(hosted: HostedEngine, action: (ctx: EngineContext) => void): Effect[] {
    const previous = hosted.effects;
    const effects: Effect[] = [];
    hosted.effects = effects;
    try {
      action(hosted);
    } finally {
      hosted.effects = previous;
    }
    return effects;
  }

  /**
   * ContextHost: FoundationDB's BUGGIFY. Each label is live in half of a node's boots (a seeded
   * draw), and a live site fires with the configured probability; a firing is traced as a `log`
   * with reason `buggify`, which the kit's coverage counts.
   */
  buggify(hosted: HostedEngine, label: string): boolean {
    const probability = this.options.buggifyProbability;
    if (probability === undefined || !(probability > 0)) return false;
    const sites = (this.more.buggifySites ??= new Map());
    let site = sites.get(label);
    if (site === undefined) {
      const rng = this.rng.fork(`buggify/${label}`);
      site = rng.next() < 0.5 ? rng : null;
      sites.set(label, site);
    }
    if (site === null || !(site.next() < probability)) return false;
    this.emit({ kind: 'log', engine: hosted.name, reason: 'buggify', text: label });
    return true;
  }

  /** ContextHost: the engine's own random stream (forked on first use: many engines never draw). */
  engineRng(hosted: HostedEngine): Rng {
    return this.rng.fork(engineStreamLabel(hosted.name));
  }

  setTimer(hosted: HostedEngine, delayMs: number, tag: string): TimerId {
    if (!(delayMs >= 0) || !Number.isFinite(delayMs)) throw new NetmachineError('engine/bad-timer', `timer delay must be a finite number ≥ 0 ms, got ${delayMs}`);
    // A record, not a closure: every node of a large simulation has a timer pending at all times.
    const timer = this.localClock.scheduleTimer(this.localClock.now() + delayMs, new EngineTimer(this, hosted, tag, this.currentCause));
    hosted.addTimer(timer);
    return timer;
  }

  /** An engine timer's time came (its EngineTimer fired): it fires now, or at `resume()` while paused. */
  timerDue(pending: EngineTimer): void {
    const { hosted, id: timer, tag, cause } = pending;
    if (this.held !== undefined) return this.hold(() => this.fireTimer(hosted, timer, tag, cause));
    this.fireTimer(hosted, timer, tag, cause);
  }

  private fireTimer(hosted: HostedEngine, timer: TimerId, tag: string, cause: string | undefined): void {
    if (!hosted.takeTimer(timer)) return;
    const tally = this.traceSink.tally;
    if (tally !== undefined) tally('timer', this.clock.now(), undefined, 0, undefined, undefined);
    else this.traceSink.emit(hotRecord(this.clock.now(), 'timer', this.name, hosted.name, undefined, cause, undefined, undefined, undefined, undefined, undefined, undefined, tag, undefined));
    this.runCaused(hosted, { kind: 'timer', timer, tag }, cause);
  }

  private apply(hosted: HostedEngine, effect: Effect, cause: string | undefined): void {
    switch (effect.kind) {
      case 'send':
        return this.sendMessage(hosted, effect.message, cause);
      case 'subscribe':
        return this.topicsService.subscribe(hosted.key.id, effect.topic, effect.options);
      case 'unsubscribe':
        return this.topicsService.unsubscribe(hosted.key.id, effect.topic, effect.options);
      case 'create-topic':
        return this.topicsService.create(hosted.key.id, effect.key, effect.options);
      case 'delete-topic':
        return this.topicsService.remove(hosted.key.id, effect.topic);
      case 'bridge':
        return this.topicsService.setBridge(hosted.key.id);
      case 'inject':
        return this.injectTopicMessage(hosted, effect.encoded, effect.sourceNode);
      case 'watch':
        return this.lookups.watch(hosted.key.id);
      case 'watch-connections':
        return this.connections.watch(hosted.key.id);
      case 'connect':
        return this.connections.connect(effect.node, effect.isPermanent);
      case 'disconnect':
        return this.connections.disconnect(effect.node);
      case 'resolve':
        this.lookups.resolver = hosted.key.id;
        return;
      case 'offer-relay':
        this.more.offeredRelay = effect.policy;
        return;
      case 'serve-domain':
        return this.domains.serve(effect.domain, hosted.key.id);
      case 'set-membership':
        return this.domains.setMembership(effect.domain, effect.membership);
      case 'learn-member':
        return this.domains.learnMember(effect.domain, effect.node);
      case 'forget-member':
        return this.domains.forgetMember(effect.domain, effect.node);
      case 'announce-view':
        return this.domains.announceView(effect.domain, effect.change);
      case 'watch-domains':
        return this.domains.watch(hosted.key.id);
      case 'learn-advert':
        this.directory.acceptAdvert(this.crypto.verify, effect.advert, this.clock.now());
        return;
      case 'rtt':
        return this.directory.recordRtt(effect.node, effect.rttMs, this.clock.now());
      case 'failure':
        return this.directory.recordFailure(effect.node, this.clock.now());
      case 'update-node':
        this.directory.updateNode(effect.id, effect.patch);
        return;
      case 'offer-advert': {
        const outcome = this.directory.acceptAdvert(this.crypto.verify, effect.advert, this.clock.now());
        this.emit({ kind: 'log', engine: hosted.name, text: `advert ${effect.advert.kind} v${effect.advert.version}: ${outcome}`, ...(cause !== undefined && { cause }) });
        return;
      }
      case 'notify-topic':
        if (hosted.key.id === this.extras?.topicService?.bridgeEngine) this.extras.topicService.notify(effect.topic, effect.notice);
        return;
      case 'log': {
        const tally = this.traceSink.tally;
        if (tally === undefined) return this.traceSink.emit(hotRecord(this.clock.now(), 'log', this.name, hosted.name, undefined, cause, undefined, undefined, undefined, undefined, undefined, undefined, effect.text, effect.data));
        const rttMs = effect.data?.['rttMs'];
        return tally('log', this.clock.now(), undefined, 0, undefined, typeof rttMs === 'number' ? rttMs : undefined);
      }
    }
  }

  // ——— outbound ———

  private sendMessage(hosted: HostedEngine, unsigned: Omit<EngineMessage, 'sig'>, cause: string | undefined): void {
    const { message, bytes } = signEngineMessage(this.crypto, hosted.key, unsigned);
    const msg = messageTraceId(message.src, message.id);
    const tally = this.traceSink.tally;
    if (tally !== undefined) tally('send', this.clock.now(), message.src, message.id, message.dst.kind, undefined);
    else this.traceSink.emit(hotRecord(this.clock.now(), 'send', this.name, hosted.name, msg, cause, message.dst.kind, this.destinationName(message.dst), undefined, message.body.length, undefined, undefined, undefined, undefined));
    this.routeSigned(hosted, message, bytes, msg);
  }

  private routeSigned(hosted: HostedEngine, message: EngineMessage, bytes: Uint8Array, msg: string): void {
    const decision = routeOutgoing(this, message.dst, message.scope);
    switch (decision.kind) {
      case 'drop':
        // Q10: with a resolver on this node, a message to an engine of unknown location waits for the lookup.
        if (decision.reason === 'no-route' && message.dst.kind === 'engine' && this.extras?.lookupService?.resolver !== undefined) return this.extras.lookupService.park({ hosted, message, bytes, msg }, message.dst.engine);
        this.emit({ kind: 'drop', engine: hosted.name, msg, reason: decision.reason });
        return;
      case 'local-engine':
        return this.deliverLater(decision.engine, message, this.self, msg);
      case 'local-node':
        this.emit({ kind: 'deliver', engine: 'router', msg, bytes: message.body.length });
        return;
      case 'local-topic':
        return this.publishLocally(decision.topic, message, this.self, msg, hosted.key.id);
      case 'remote':
        return this.transmit(decision.node, bytes, message, msg);
    }
  }

  private transmit(peer: Id, engineBytes: Uint8Array, message: EngineMessage, msg: string): void {
    if (message.expiry !== undefined && this.clock.now() > message.expiry) {
      this.emit({ kind: 'drop', msg, peer: this.nameOf(peer), reason: 'expired' });
      return;
    }
    const record = this.directory.node(peer);
    const tprefs = resolveTransportPrefs(message.tprefs, record?.tprefs, this.options.transportDefaults);
    const via = record?.via;
    if (via === undefined || via === peer) return this.sendFrame(peer, 'engine', engineBytes, msg, message.expiry, tprefs);
    // No direct way to `peer`: seal the message to it and hand it to the relay `via` (SPEC §5.1.1).
    if (!canSeal(this.crypto)) return this.emit({ kind: 'drop', msg, peer: this.nameOf(peer), reason: 'relay-unsupported', text: `relaying needs Ed25519 identities, not ${this.crypto.scheme}` });
    const relaySeq = (this.more.relaySeq ??= new Map());
    const seq = (relaySeq.get(peer) ?? 0) + 1;
    relaySeq.set(peer, seq);
    const sealed = sealRelay(this.crypto, this.key, peer, engineBytes, { session: this.session, seq }, (sizeBytes) => this.randomBytes(sizeBytes), message.expiry);
    this.sendFrame(via, 'relay', sealed, msg, message.expiry, tprefs);
  }

  private sendFrame(peer: Id, inner: 'engine' | 'relay', bytes: Uint8Array, msg: string, expiryMs: number | undefined, tprefs?: TransportPrefs): void {
    const sendSeq = (this.sendSeq ??= new Map());
    const seq = (sendSeq.get(peer) ?? 0) + 1;
    sendSeq.set(peer, seq);
    const frame = signP2PMessage(this.envelopeSigner, this.key, { src: this.self, dst: peer, session: this.session, seq, inner, msg: bytes });
    const tally = this.traceSink.tally;
    if (tally !== undefined) tally('transmit', this.clock.now(), undefined, 0, undefined, undefined);
    else this.traceSink.emit(hotRecord(this.clock.now(), 'transmit', this.name, undefined, msg, undefined, undefined, undefined, this.nameOf(peer), frame.length, undefined, undefined, undefined, undefined));
    // One literal, optional fields absent (spreads of conditional objects cost more, per frame).
    const meta: { -readonly [K in keyof FrameMeta]: FrameMeta[K] } = { msg };
    if (expiryMs !== undefined) meta.expiryMs = expiryMs;
    if (tprefs !== undefined) meta.tprefs = tprefs;
    this.transport.send(peer, frame, meta);
  }

  private randomBytes(sizeBytes: number): Uint8Array {
    const more = this.more;
    const rng = (more.relayRng ??= this.rng.fork('relay')); // forked on first use: most nodes never seal a relayed message
    return Uint8Array.from({ length: sizeBytes }, () => rng.int(256));
  }

  private deliverLater(engine: Id, message: EngineMessage, sourceNode: Id, msg: string): void {
    this.clock.schedule(this.clock.now(), () => (this.held === undefined ? this.deliver(engine, message, sourceNode, msg) : this.hold(() => this.deliver(engine, message, sourceNode, msg))));
  }

  private deliver(engine: Id, message: EngineMessage, sourceNode: Id, msg: string): void {
    const hosted = this.hosted(engine);
    if (hosted === undefined || this.stopped) return;
    const tally = this.traceSink.tally;
    if (tally !== undefined) tally('deliver', this.clock.now(), message.src, message.id, undefined, undefined);
    else this.traceSink.emit(hotRecord(this.clock.now(), 'deliver', this.name, hosted.name, msg, undefined, undefined, undefined, sourceNode !== this.self ? this.nameOf(sourceNode) : undefined, message.body.length, undefined, undefined, undefined, undefined));
    this.runCaused(hosted, { kind: 'message', message, sourceNode, traceId: msg }, msg);
  }

  /** The bridge re-publishes a network event locally: verified like a received message, never echoed to the bridge. */
  private injectTopicMessage(hosted: HostedEngine, encoded: Uint8Array, sourceNode: Id): void {
    if (hosted.key.id !== this.extras?.topicService?.bridgeEngine) return this.emit({ kind: 'drop', engine: hosted.name, reason: 'not-bridge' });
    const decoded = decodeEngineMessage(encoded);
    if (!decoded.ok) return this.emit({ kind: 'drop', engine: hosted.name, reason: decoded.error.code, text: decoded.error.message });
    const message = decoded.value;
    const msg = messageTraceId(message.src, message.id);
    if (!verifyEngineMessage(this.crypto, message, encoded)) return this.emit({ kind: 'verify-fail', engine: hosted.name, msg, reason: 'engine-signature' });
    if (message.dst.kind !== 'topic') return this.emit({ kind: 'drop', engine: hosted.name, msg, reason: 'not-topic' });
    this.publishLocally(message.dst.topic, message, sourceNode, msg, hosted.key.id);
  }

  private publishLocally(topic: Id, message: EngineMessage, sourceNode: Id, msg: string, sender: Id | undefined): void {
    const subscribers = this.extras?.topicTable?.fanOut(topic, sender) ?? [];
    if (subscribers.length === 0) this.emit({ kind: 'drop', msg, topic: this.nameOf(topic), reason: 'no-subscribers' });
    for (const engine of subscribers) this.deliverLater(engine, message, sourceNode, msg);
  }

  // ——— inbound ———

  private receiveFrame(from: Id, frame: Uint8Array, hops: number | undefined): void {
    if (this.stopped) return;
    this.receivedHops = hops;
    const verdict = checkInbound(this, from, frame);
    switch (verdict.kind) {
      case 'refuse':
        this.emit(verdict.record);
        if (verdict.isDisconnect === true) this.transport.disconnect(from); // S4: a peer that sends badly signed envelopes is cut off
        else if (verdict.record.kind === 'verify-fail') this.transport.refusedFrom?.(from, verdict.record.reason ?? 'verify-fail');
        return;
      case 'forward':
        return this.sendFrame(verdict.dst, 'relay', verdict.encoded, verdict.label, verdict.expiry);
      case 'engine':
        return this.routeInbound(verdict.message, verdict.sourceNode, verdict.msg);
    }
  }

  /** InboundChecks: a frame decoded (its hops are the ones `receiveFrame` was given). */
  received(from: Id, msg: string | undefined, bytes: number): void {
    const tally = this.traceSink.tally;
    if (tally !== undefined) return tally('receive', this.clock.now(), undefined, 0, undefined, undefined);
    const hops = this.receivedHops;
    // One hop is the rule and stays implicit, so traces of direct links keep their size.
    this.traceSink.emit(hotRecord(this.clock.now(), 'receive', this.name, undefined, msg, undefined, undefined, undefined, this.nameOf(from), bytes, hops !== undefined && hops > 1 ? hops : undefined, undefined, undefined, undefined));
  }

  private routeInbound(message: EngineMessage, from: Id, msg: string): void {
    const decision = routeIncoming(this, message.dst);
    switch (decision.kind) {
      case 'local-engine':
        return this.deliver(decision.engine, message, from, msg);
      case 'local-node':
        this.emit({ kind: 'deliver', engine: 'router', msg, bytes: message.body.length, peer: this.nameOf(from) });
        return;
      case 'local-topic':
        return this.publishLocally(decision.topic, message, from, msg, undefined);
      case 'remote':
      case 'drop':
        this.emit({ kind: 'drop', msg, peer: this.nameOf(from), reason: decision.kind === 'drop' ? decision.reason : 'no-route' });
        return;
    }
  }

  // ——— Node ———

  addEngine(name: string, key: KeyPair | number, engine: Engine): void {
    if (this.hostedByName(name) !== undefined) throw new NetmachineError('node/duplicate-engine', `node "${this.name}" already hosts an engine named "${name}"`);
    // Ids stay unique per (src, dst) across restarts (I7): each session numbers from its own 2^32 block.
    if (typeof key === 'number' && this.options.keys === undefined) throw new NetmachineError('node/no-key-source', `node "${this.name}": engine "${name}" is given a key index, but the node's options have no \`keys\` to derive it from`);
    const hosted = new HostedEngine(this, name, key, engine, firstMessageId(this.session));
    // An engine given by index records its location when its key is derived (keyKnown).
    if (typeof key !== 'number') {
      const index = this.engines.findIndex((entry) => entry.key.id === key.id);
      // An engine with the id of one hosted already replaces it in place (as Map.set would).
      this.engines = index < 0 ? this.engines.concat(hosted) : this.engines.map((entry, i) => (i === index ? hosted : entry));
      this.directory.setEngineNode(key.id, this.self);
    } else this.engines = this.engines.concat(hosted);
  }

  /** ContextHost: an engine given by index learnt its id. */
  keyKnown(engine: Id): void {
    this.directory.setEngineNode(engine, this.self);
  }

  /** The hosted engine with id `engine` (a scan: a node hosts a handful). */
  private hosted(engine: Id): HostedEngine | undefined {
    const list = this.engines;
    for (let i = 0; i < list.length; i++) if (list[i]!.key.id === engine) return list[i];
    return undefined;
  }

  /** RoutingTable (`localEngines`): whether an engine with id `engine` is hosted here. */
  has(engine: Id): boolean {
    return this.hosted(engine) !== undefined;
  }

  start(): void {
    for (const hosted of this.engines) this.run(hosted, { kind: 'start' }, undefined);
  }

  stop(): void {
    this.stopped = true;
    this.held = undefined;
    this.extras?.lookupService?.stop();
    for (const hosted of this.engines) {
      for (const timer of hosted.takeAllTimers()) this.localClock.cancel(timer);
    }
  }

  /** A node hosts a handful of engines: a scan is cheaper than a second map per node. */
  private hostedByName(name: string): HostedEngine | undefined {
    for (const hosted of this.engines) if (hosted.name === name) return hosted;
    return undefined;
  }

  engineId(name: string): Id | undefined {
    return this.hostedByName(name)?.key.id;
  }

  perform(name: string, action: (ctx: EngineContext) => void): boolean {
    const hosted = this.hostedByName(name);
    if (hosted === undefined || this.stopped) return false;
    if (this.held !== undefined) return this.hold(() => this.perform(name, action)), true;
    for (const effect of this.collect(hosted, action)) this.apply(hosted, effect, undefined);
    return true;
  }

  setClockSkew(skewMs: number): void {
    this.localClock.setSkew(skewMs);
  }

  pause(): void {
    if (!this.stopped) this.held ??= [];
  }

  diskOf(hosted: HostedEngine): Disk {
    return this.disks(hosted.name, this.name);
  }

  isPaused(): boolean {
    return this.held !== undefined;
  }

  inspect(name: string): EngineState | undefined {
    return this.hostedByName(name)?.engine.inspect?.();
  }

  resume(): void {
    const held = this.held;
    this.held = undefined;
    for (const [index, input] of (held ?? []).entries()) {
      // Paused again (or crashed) by what ran: the rest waits again (or is lost with the node).
      const again = this.held as Array<() => void> | undefined; // set again by what ran
      if (again !== undefined) return void again.push(...held!.slice(index));
      if (this.stopped) return;
      input();
    }
  }

  private hold(input: () => void): void {
    if (this.held!.length < PAUSED_INPUTS_MAX) this.held!.push(input);
    else this.emit({ kind: 'drop', reason: 'paused-queue-full' });
  }

  setClockRate(rate: number): void {
    this.localClock.setRate(rate);
  }

  setClockStrobe(offsetMs: number): void {
    this.localClock.setStrobe(offsetMs);
  }
}

/**
 * A trace record of the hot paths (send, transmit, receive, deliver, timer, log) with every field
 * of the trace format present in its order, absent ones undefined (the trace line omits them):
 * one object shape for all of them, so the sinks' and the summary's reads stay monomorphic, and no
 * spread per record. `seq` is the sink's to number.
 */
function hotRecord(
  t: number,
  kind: TraceRecord['kind'],
  node: string,
  engine: string | undefined,
  msg: string | undefined,
  cause: string | undefined,
  dst: string | undefined,
  to: string | undefined,
  peer: string | undefined,
  bytes: number | undefined,
  hops: number | undefined,
  reason: string | undefined,
  text: string | undefined,
  data: TraceRecord['data'],
): TraceRecord {
  return { t, seq: 0, kind, node, engine, msg, cause, dst, to, peer, bytes, hops, reason, topic: undefined, text, data } as TraceRecord;
}

const NO_ENGINES: ReadonlyArray<HostedEngine> = [];

/** `engine/<name>` stream labels, one string per engine name (a simulation forks one per engine per boot). */
const engineStreamLabels = new Map<string, string>();
const ENGINE_STREAM_LABELS_MAX = 4096;

function engineStreamLabel(name: string): string {
  let label = engineStreamLabels.get(name);
  if (label === undefined) {
    label = `engine/${name}`;
    if (engineStreamLabels.size < ENGINE_STREAM_LABELS_MAX) engineStreamLabels.set(name, label);
  }
  return label;
}

/** The parts of a node that most nodes never use (topics, lookups, domains, relaying, buggify), made on first use. */
class NodeExtras {
  topicTable: TopicTable | undefined;
  topicService: TopicService | undefined;
  lookupService: IdentityLookups | undefined;
  connectionService: NodeConnections | undefined;
  domainService: NodeDomains | undefined;
  relayReplays: Map<Id, ReplayWindow> | undefined;
  /** Sealed-message sequence per final destination (end-to-end relay replay protection). */
  relaySeq: Map<Id, number> | undefined;
  relayRng: Rng | undefined;
  /** `ctx.buggify` sites by label: a live site's stream, or null for a site that never fires this boot. */
  buggifySites: Map<string, Rng | null> | undefined;
  /** S23: what an engine on this node offered to relay. */
  offeredRelay: RelayPolicy | undefined;
  /** The envelope signer of a channel-authenticated transport. */
  zeroSigner: Crypto | undefined;
}

/** An engine timer waiting on the node's clock (the clock's record and the node's in one object). */
class EngineTimer extends LocalTimer {
  constructor(
    readonly runtime: NodeRuntime,
    readonly hosted: HostedEngine,
    readonly tag: string,
    readonly cause: string | undefined,
  ) {
    super();
  }

  fire(): void {
    this.runtime.timerDue(this);
  }
}

function memoryDisks(): (engine: string) => DurableStore {
  const disks = new Map<string, DurableStore>();
  return (engine) => disks.get(engine) ?? (disks.set(engine, new DurableStore()), disks.get(engine)!);
}

/** The first message id of a session: session 1 counts from 1, session s from (s - 1)·2^32 + 1. */
export function firstMessageId(session: number): number {
  return (Math.max(0, session - 1) % 2 ** 21) * 2 ** 32 + 1;
}

/** UTF-8 JSON body helper for engines that speak JSON. */
export function jsonBody(value: unknown): Uint8Array {
  return utf8(JSON.stringify(value));
}
