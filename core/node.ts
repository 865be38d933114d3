// The Node runtime: hosts engines, applies their effects, and runs the Router's inbound and
// outbound paths over the ports. Everything observable goes to the TraceSink.
import { NetmachineError } from './assert.js';
import { utf8 } from './bytes.js';
import type { IdentityStore } from './directory.js';
import type { Engine, EngineContext, EngineInput, Notice, RelayPolicy } from './engine.js';
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
import type { Clock, Crypto, KeyPair, Rng, TimerId, TraceSink, Transport } from './ports.js';
import { chooseDomainMember, ReplayWindow, resolveTransportPrefs, routeIncoming, routeOutgoing, TopicTable, type RoutingTable } from './router.js';
import { canSeal, sealRelay } from './relay.js';
import { HostedContext, type ContextHost, type Effect, type HostedEngine } from './engine-context.js';
import { TopicService } from './topic-service.js';
import { checkInbound, type InboundChecks, type NodeRecord } from './inbound.js';
import { IdentityLookups } from './identity-lookups.js';
import { NodeConnections } from './node-connections.js';
import { messageTraceId } from './trace.js';

/** The ports a node needs (STYLE rule 1). */
export interface NodeComponents {
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
  /** This node's default transport preferences (S22, lowest precedence). */
  readonly transportDefaults?: Partial<TransportPrefs>;
}

export { DEFAULT_PROTOCOL } from './engine-context.js';
/** The envelope signature field on channel-authenticated transports (copied into each frame, never written). */
const ZERO_SIGNATURE = new Uint8Array(SIGNATURE_SIZE_BYTES);
export { PARKED_PER_DESTINATION_MAX, LOOKUP_TIMEOUT_MS } from './identity-lookups.js';

/** A running node. */
export interface Node {
  readonly id: Id;
  readonly name: string;
  /** Hosts `engine` under `name` with signing key `key`. */
  addEngine(name: string, key: KeyPair, engine: Engine): void;
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
  /** Skews the time this node's engines read from `ctx.now()` by `skewMs` (timers are unaffected). */
  setClockSkew(skewMs: number): void;
}

/** Creates a node bound to its ports. */
export function createNode(components: NodeComponents, options: NodeOptions): Node {
  const { clock, transport, trace, crypto } = components;
  // On a channel-authenticated transport the envelope signature field is 64 zero bytes (ports.ts).
  const isChannelAuthenticated = transport.isChannelAuthenticated === true;
  const envelopeSigner: Crypto = isChannelAuthenticated ? { ...crypto, sign: () => ZERO_SIGNATURE } : crypto;
  const self = options.key.id;
  const engines = new Map<Id, HostedEngine>();
  const engineNames = new Map<string, Id>();
  const topics = new TopicTable();
  const domainServers = new Map<Id, Id[]>();
  const table: RoutingTable = { self, localEngines: engines, directory: options.directory, domainServers };
  const replayWindows = new Map<Id, ReplayWindow>();
  const relayReplayWindows = new Map<Id, ReplayWindow>();
  const sendSeq = new Map<Id, number>();
  /** Sealed-message sequence per final destination (end-to-end relay replay protection). */
  const relaySeq = new Map<Id, number>();
  let isStopped = false;
  let clockSkewMs = 0;
  const topicService = new TopicService({
    self,
    crypto,
    topics,
    now: () => clock.now(),
    notice: (engine, notice) => noticeLater(engine, notice),
    trace: (kind, engine, topic, text) => emit({ kind, engine: engines.get(engine)?.name ?? nameOf(engine), topic: nameOf(topic), ...(text !== undefined && { text }) }),
  });

  function nameOf(id: Id): string {
    return options.nameOf?.(id) ?? shortId(id);
  }
  function emit(record: NodeRecord): void {
    trace.emit({ t: clock.now(), node: options.name, ...record });
  }
  function destinationName(destination: Destination): string {
    switch (destination.kind) {
      case 'engine':
        return nameOf(destination.engine);
      case 'node':
        return nameOf(destination.node);
      case 'topic':
        return nameOf(destination.topic);
      case 'domain':
        return nameOf(destination.domain);
    }
  }

  function run(hosted: HostedEngine, input: EngineInput, cause: string | undefined): void {
    if (isStopped) return;
    const effects = collect(hosted, (ctx) => {
      try {
        hosted.engine.handle(input, ctx);
      } catch (error) {
        // A user engine's bug must not take the node down; it is traced and the effects still apply.
        emit({ kind: 'log', engine: hosted.name, reason: 'engine-error', text: String((error as Error)?.stack ?? error).slice(0, 2000) });
      }
    });
    for (const effect of effects) apply(hosted, effect, cause);
  }

  /** Runs `action` with the engine's context and returns the effects it asked for. */
  function collect(hosted: HostedEngine, action: (ctx: EngineContext) => void): Effect[] {
    const previous = hosted.effects;
    const effects: Effect[] = [];
    hosted.effects = effects;
    try {
      action((hosted.ctx ??= new HostedContext(contextHost, hosted)));
    } finally {
      hosted.effects = previous;
    }
    return effects;
  }

  const connections = new NodeConnections({ self, transport, directory: options.directory, emit, nameOf, notice: noticeLater });
  const contextHost: ContextHost = {
    self,
    session: options.session,
    clock,
    crypto,
    directory: options.directory,
    connections,
    skewMs: () => clockSkewMs,
    anycastMember: (domain) => chooseDomainMember(table, domain),
    setTimer: (hosted, delayMs, tag) => setTimer(hosted, delayMs, tag),
  };

  let currentCause: string | undefined;
  function setTimer(hosted: HostedEngine, delayMs: number, tag: string): TimerId {
    if (!(delayMs >= 0) || !Number.isFinite(delayMs)) throw new NetmachineError('engine/bad-timer', `timer delay must be a finite number ≥ 0 ms, got ${delayMs}`);
    const cause = currentCause;
    const timer: TimerId = clock.schedule(clock.now() + delayMs, () => {
      if (!hosted.timers.delete(timer)) return;
      emit({ kind: 'timer', engine: hosted.name, text: tag, ...(cause !== undefined && { cause }) });
      withCause(cause, () => run(hosted, { kind: 'timer', timer, tag }, cause));
    });
    hosted.timers.set(timer, true);
    return timer;
  }
  function withCause(cause: string | undefined, action: () => void): void {
    const previous = currentCause;
    currentCause = cause;
    try {
      action();
    } finally {
      currentCause = previous;
    }
  }

  function apply(hosted: HostedEngine, effect: Effect, cause: string | undefined): void {
    switch (effect.kind) {
      case 'send':
        return sendMessage(hosted, effect.message, cause);
      case 'subscribe':
        return topicService.subscribe(hosted.key.id, effect.topic, effect.options);
      case 'unsubscribe':
        return topicService.unsubscribe(hosted.key.id, effect.topic, effect.options);
      case 'create-topic':
        return topicService.create(hosted.key.id, effect.key, effect.options);
      case 'delete-topic':
        return topicService.remove(hosted.key.id, effect.topic);
      case 'bridge':
        return topicService.setBridge(hosted.key.id);
      case 'inject':
        return injectTopicMessage(hosted, effect.encoded, effect.sourceNode);
      case 'watch':
        return lookups.watch(hosted.key.id);
      case 'watch-connections':
        return connections.watch(hosted.key.id);
      case 'connect':
        return connections.connect(effect.node, effect.isPermanent);
      case 'disconnect':
        return connections.disconnect(effect.node);
      case 'resolve':
        lookups.resolver = hosted.key.id;
        return;
      case 'offer-relay':
        relayPolicy = effect.policy;
        return;
      case 'serve-domain': {
        const servers = domainServers.get(effect.domain) ?? [];
        if (!servers.includes(hosted.key.id)) domainServers.set(effect.domain, [...servers, hosted.key.id]);
        return;
      }
      case 'rtt':
        return options.directory.recordRtt(effect.node, effect.rttMs, clock.now());
      case 'failure':
        return options.directory.recordFailure(effect.node);
      case 'update-node':
        options.directory.updateNode(effect.id, effect.patch);
        return;
      case 'offer-advert': {
        const outcome = options.directory.acceptAdvert(crypto.verify, effect.advert, clock.now());
        emit({ kind: 'log', engine: hosted.name, text: `advert ${effect.advert.kind} v${effect.advert.version}: ${outcome}`, ...(cause !== undefined && { cause }) });
        return;
      }
      case 'notify-topic':
        if (hosted.key.id === topicService.bridgeEngine) topicService.notify(effect.topic, effect.notice);
        return;
      case 'log':
        emit({ kind: 'log', engine: hosted.name, text: effect.text, ...(effect.data !== undefined && { data: effect.data }), ...(cause !== undefined && { cause }) });
        return;
    }
  }

  function sendMessage(hosted: HostedEngine, unsigned: Omit<EngineMessage, 'sig'>, cause: string | undefined): void {
    const { message, bytes } = signEngineMessage(crypto, hosted.key, unsigned);
    const msg = messageTraceId(message.src, message.id);
    emit({ kind: 'send', engine: hosted.name, msg, dst: message.dst.kind, to: destinationName(message.dst), bytes: message.body.length, ...(cause !== undefined && { cause }) });
    routeSigned(hosted, message, bytes, msg);
  }

  function routeSigned(hosted: HostedEngine, message: EngineMessage, bytes: Uint8Array, msg: string): void {
    const decision = routeOutgoing(table, message.dst, message.scope);
    switch (decision.kind) {
      case 'drop':
        // Q10: with a resolver on this node, a message to an engine of unknown location waits for the lookup.
        if (decision.reason === 'no-route' && message.dst.kind === 'engine' && lookups.resolver !== undefined) return lookups.park({ hosted, message, bytes, msg }, message.dst.engine);
        emit({ kind: 'drop', engine: hosted.name, msg, reason: decision.reason });
        return;
      case 'local-engine':
        return deliverLater(decision.engine, message, self, msg);
      case 'local-node':
        emit({ kind: 'deliver', engine: 'router', msg, bytes: message.body.length });
        return;
      case 'local-topic':
        return publishLocally(decision.topic, message, self, msg, hosted.key.id);
      case 'remote':
        return transmit(decision.node, bytes, message, msg);
    }
  }

  const lookups = new IdentityLookups({
    directory: options.directory,
    clock,
    isStopped: () => isStopped,
    emit,
    notice: noticeLater,
    release: (entry) => routeSigned(entry.hosted, entry.message, entry.bytes, entry.msg),
  });

  function transmit(peer: Id, engineBytes: Uint8Array, message: EngineMessage, msg: string): void {
    if (message.expiry !== undefined && clock.now() > message.expiry) {
      emit({ kind: 'drop', msg, peer: nameOf(peer), reason: 'expired' });
      return;
    }
    const record = options.directory.node(peer);
    const tprefs = resolveTransportPrefs(message.tprefs, record?.tprefs, options.transportDefaults);
    const via = record?.via;
    if (via === undefined || via === peer) return sendFrame(peer, 'engine', engineBytes, msg, message.expiry, tprefs);
    // No direct way to `peer`: seal the message to it and hand it to the relay `via` (SPEC §5.1.1).
    if (!canSeal(crypto)) return emit({ kind: 'drop', msg, peer: nameOf(peer), reason: 'relay-unsupported', text: `relaying needs Ed25519 identities, not ${crypto.scheme}` });
    const seq = (relaySeq.get(peer) ?? 0) + 1;
    relaySeq.set(peer, seq);
    const sealed = sealRelay(crypto, options.key, peer, engineBytes, { session: options.session, seq }, randomBytes, message.expiry);
    sendFrame(via, 'relay', sealed, msg, message.expiry, tprefs);
  }

  function sendFrame(peer: Id, inner: 'engine' | 'relay', bytes: Uint8Array, msg: string, expiryMs: number | undefined, tprefs?: TransportPrefs): void {
    const seq = (sendSeq.get(peer) ?? 0) + 1;
    sendSeq.set(peer, seq);
    const frame = signP2PMessage(envelopeSigner, options.key, { src: self, dst: peer, session: options.session, seq, inner, msg: bytes });
    emit({ kind: 'transmit', msg, peer: nameOf(peer), bytes: frame.length });
    transport.send(peer, frame, { msg, ...(expiryMs !== undefined && { expiryMs }), ...(tprefs !== undefined && { tprefs }) });
  }

  let relayRng: Rng | undefined; // forked on first use: most nodes never seal a relayed message
  function randomBytes(sizeBytes: number): Uint8Array {
    const rng = (relayRng ??= components.rng.fork('relay'));
    return Uint8Array.from({ length: sizeBytes }, () => rng.int(256));
  }

  /** S23: what an engine on this node offered to relay. */
  let relayPolicy: RelayPolicy | undefined;

  function deliverLater(engine: Id, message: EngineMessage, sourceNode: Id, msg: string): void {
    clock.schedule(clock.now(), () => deliver(engine, message, sourceNode, msg));
  }

  function deliver(engine: Id, message: EngineMessage, sourceNode: Id, msg: string): void {
    const hosted = engines.get(engine);
    if (hosted === undefined || isStopped) return;
    emit({ kind: 'deliver', engine: hosted.name, msg, bytes: message.body.length, ...(sourceNode !== self && { peer: nameOf(sourceNode) }) });
    withCause(msg, () => run(hosted, { kind: 'message', message, sourceNode, traceId: msg }, msg));
  }

  function noticeLater(engine: Id, notice: Notice): void {
    clock.schedule(clock.now(), () => {
      const hosted = engines.get(engine);
      if (hosted !== undefined) run(hosted, { kind: 'notice', notice }, undefined);
    });
  }

  /** The bridge re-publishes a network event locally: verified like a received message, never echoed to the bridge. */
  function injectTopicMessage(hosted: HostedEngine, encoded: Uint8Array, sourceNode: Id): void {
    if (hosted.key.id !== topicService.bridgeEngine) return emit({ kind: 'drop', engine: hosted.name, reason: 'not-bridge' });
    const decoded = decodeEngineMessage(encoded);
    if (!decoded.ok) return emit({ kind: 'drop', engine: hosted.name, reason: decoded.error.code, text: decoded.error.message });
    const message = decoded.value;
    const msg = messageTraceId(message.src, message.id);
    if (!verifyEngineMessage(crypto, message, encoded)) return emit({ kind: 'verify-fail', engine: hosted.name, msg, reason: 'engine-signature' });
    if (message.dst.kind !== 'topic') return emit({ kind: 'drop', engine: hosted.name, msg, reason: 'not-topic' });
    publishLocally(message.dst.topic, message, sourceNode, msg, hosted.key.id);
  }

  function publishLocally(topic: Id, message: EngineMessage, sourceNode: Id, msg: string, sender: Id | undefined): void {
    const subscribers = topics.fanOut(topic, sender);
    if (subscribers.length === 0) emit({ kind: 'drop', msg, topic: nameOf(topic), reason: 'no-subscribers' });
    for (const engine of subscribers) deliverLater(engine, message, sourceNode, msg);
  }

  const inboundChecks: InboundChecks = { self, crypto, directory: options.directory, isChannelAuthenticated, replayWindows, relayReplayWindows, key: options.key, relayPolicy: () => relayPolicy, now: () => clock.now() };
  function receiveFrame(from: Id, frame: Uint8Array): void {
    if (isStopped) return;
    const { receive, verdict } = checkInbound(inboundChecks, from, nameOf(from), frame);
    if (receive !== undefined) emit(receive);
    switch (verdict.kind) {
      case 'refuse':
        emit(verdict.record);
        if (verdict.isDisconnect === true) transport.disconnect(from); // S4: a peer that sends badly signed envelopes is cut off
        return;
      case 'forward':
        return sendFrame(verdict.dst, 'relay', verdict.encoded, verdict.label, verdict.expiry);
      case 'engine':
        return routeInbound(verdict.message, verdict.sourceNode, verdict.msg);
    }
  }

  function routeInbound(message: EngineMessage, from: Id, msg: string): void {
    const decision = routeIncoming(table, message.dst);
    switch (decision.kind) {
      case 'local-engine':
        return deliver(decision.engine, message, from, msg);
      case 'local-node':
        emit({ kind: 'deliver', engine: 'router', msg, bytes: message.body.length, peer: nameOf(from) });
        return;
      case 'local-topic':
        return publishLocally(decision.topic, message, from, msg, undefined);
      case 'remote':
      case 'drop':
        emit({ kind: 'drop', msg, peer: nameOf(from), reason: decision.kind === 'drop' ? decision.reason : 'no-route' });
        return;
    }
  }

  transport.onFrame(receiveFrame);
  transport.onEvent((event) => {
    if (!isStopped) connections.onTransportEvent(event);
  });

  return {
    id: self,
    name: options.name,
    addEngine(name, key, engine) {
      if (engineNames.has(name)) throw new NetmachineError('node/duplicate-engine', `node "${options.name}" already hosts an engine named "${name}"`);
      // Ids stay unique per (src, dst) across restarts (I7): each session numbers from its own 2^32 block.
      engines.set(key.id, { name, key, engine, rng: components.rng.fork(`engine/${name}`), timers: new Map(), nextMessageId: firstMessageId(options.session), effects: [], ctx: undefined });
      engineNames.set(name, key.id);
      options.directory.setEngineNode(key.id, self);
    },
    start() {
      for (const hosted of engines.values()) run(hosted, { kind: 'start' }, undefined);
    },
    stop() {
      isStopped = true;
      lookups.stop();
      for (const hosted of engines.values()) {
        for (const timer of hosted.timers.keys()) clock.cancel(timer);
        hosted.timers.clear();
      }
    },
    engineId: (name) => engineNames.get(name),
    perform(name, action) {
      const id = engineNames.get(name);
      const hosted = id === undefined ? undefined : engines.get(id);
      if (hosted === undefined || isStopped) return false;
      for (const effect of collect(hosted, action)) apply(hosted, effect, undefined);
      return true;
    },
    setClockSkew(skewMs) {
      clockSkewMs = skewMs;
    },
  };
}

/** The first message id of a session: session 1 counts from 1, session s from (s - 1)·2^32 + 1. */
export function firstMessageId(session: number): number {
  return (Math.max(0, session - 1) % 2 ** 21) * 2 ** 32 + 1;
}

/** UTF-8 JSON body helper for engines that speak JSON. */
export function jsonBody(value: unknown): Uint8Array {
  return utf8(JSON.stringify(value));
}
