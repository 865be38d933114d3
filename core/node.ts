// The Node runtime: hosts engines, applies their effects, and runs the Router's inbound and
// outbound paths over the ports. Everything observable goes to the TraceSink.
import { NetmachineError } from './assert.js';
import { toHex, utf8 } from './bytes.js';
import type { IdentityStore, IdentityUpdate } from './directory.js';
import type { Engine, EngineContext, EngineInput, Notice, RelayPolicy } from './engine.js';
import { shortId, type Id } from './ids.js';
import {
  decodeEngineMessage,
  decodeP2PMessage,
  SIGNATURE_SIZE_BYTES,
  signEngineMessage,
  signP2PMessage,
  verifyEngineMessage,
  verifyP2PMessage,
  type Destination,
  type EngineMessage,
  type TransportPrefs,
} from './message.js';
import type { Clock, Crypto, KeyPair, Rng, TimerId, TraceSink, Transport } from './ports.js';
import { chooseDomainMember, ReplayWindow, resolveTransportPrefs, routeIncoming, routeOutgoing, TopicTable, type RoutingTable } from './router.js';
import { canSeal, decodeRelayMessage, openRelay, sealRelay, verifyRelayMessage } from './relay.js';
import { HostedContext, type ContextHost, type Effect, type HostedEngine } from './engine-context.js';
import { TopicService } from './topic-service.js';
import { messageTraceId, type TraceRecord } from './trace.js';

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
/** Q10: messages parked per destination while it is looked up, and how long the lookup may take. */
export const PARKED_PER_DESTINATION_MAX = 256;
export const LOOKUP_TIMEOUT_MS = 2000;

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
  const envelopeSigner: Crypto = isChannelAuthenticated ? { ...crypto, sign: () => new Uint8Array(SIGNATURE_SIZE_BYTES) } : crypto;
  const self = options.key.id;
  const engines = new Map<Id, HostedEngine>();
  const engineNames = new Map<string, Id>();
  const topics = new TopicTable();
  const domainServers = new Map<Id, Id[]>();
  const table: RoutingTable = { self, localEngines: engines, directory: options.directory, domainServers };
  const replayWindows = new Map<Id, ReplayWindow>();
  const sendSeq = new Map<Id, number>();
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
  function emit(record: Omit<TraceRecord, 't' | 'node'>): void {
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

  const contextHost: ContextHost = {
    self,
    session: options.session,
    clock,
    crypto,
    directory: options.directory,
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
        if (!watchers.includes(hosted.key.id)) watchers.push(hosted.key.id);
        return listenToDirectory();
      case 'resolve':
        resolver = hosted.key.id;
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
        if (decision.reason === 'no-route' && message.dst.kind === 'engine' && resolver !== undefined) return park(hosted, message, bytes, msg, message.dst.engine);
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

  interface Parked {
    readonly hosted: HostedEngine;
    readonly message: EngineMessage;
    readonly bytes: Uint8Array;
    readonly msg: string;
  }
  const parked = new Map<Id, Parked[]>();
  const watchers: Id[] = [];
  let resolver: Id | undefined;
  let stopListening: (() => void) | undefined;

  function park(hosted: HostedEngine, message: EngineMessage, bytes: Uint8Array, msg: string, destination: Id): void {
    let queue = parked.get(destination);
    if (queue === undefined) {
      parked.set(destination, (queue = []));
      listenToDirectory();
      noticeLater(resolver!, { kind: 'identity-lookup', id: destination });
      clock.schedule(clock.now() + LOOKUP_TIMEOUT_MS, () => {
        // Released already, or the lookup failed: whatever is still parked is dropped.
        if (parked.get(destination) !== queue) return;
        for (const entry of queue!) emit({ kind: 'drop', engine: entry.hosted.name, msg: entry.msg, reason: 'lookup-failed' });
        parked.delete(destination);
      });
    }
    if (queue.length >= PARKED_PER_DESTINATION_MAX) return emit({ kind: 'drop', engine: hosted.name, msg, reason: 'park-full' });
    queue.push({ hosted, message, bytes, msg });
    emit({ kind: 'log', engine: hosted.name, msg, text: 'parked: destination being looked up' });
  }

  function listenToDirectory(): void {
    stopListening ??= options.directory.onUpdated(onIdentityUpdated);
  }

  /** S6: an IdentityUpdated refreshes routing; parked messages for that identity are released. */
  function onIdentityUpdated(update: IdentityUpdate): void {
    if (isStopped) return;
    for (const watcher of watchers) noticeLater(watcher, { kind: 'identity-updated', update });
    const queue = parked.get(update.id);
    if (queue !== undefined && options.directory.engineNode(update.id) !== undefined) {
      parked.delete(update.id);
      for (const entry of queue) routeSigned(entry.hosted, entry.message, entry.bytes, entry.msg);
    }
    if (parked.size === 0 && watchers.length === 0) {
      stopListening?.();
      stopListening = undefined;
    }
  }

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
    const sealed = sealRelay(crypto, options.key, peer, engineBytes, randomBytes, message.expiry);
    sendFrame(via, 'relay', sealed, msg, message.expiry, tprefs);
  }

  function sendFrame(peer: Id, inner: 'engine' | 'relay', bytes: Uint8Array, msg: string, expiryMs: number | undefined, tprefs?: TransportPrefs): void {
    const seq = (sendSeq.get(peer) ?? 0) + 1;
    sendSeq.set(peer, seq);
    const frame = signP2PMessage(envelopeSigner, options.key, { src: self, dst: peer, session: options.session, seq, inner, msg: bytes });
    emit({ kind: 'transmit', msg, peer: nameOf(peer), bytes: frame.length });
    transport.send(peer, frame, { msg, ...(expiryMs !== undefined && { expiryMs }), ...(tprefs !== undefined && { tprefs }) });
  }

  const relayRng = components.rng.fork('relay');
  function randomBytes(sizeBytes: number): Uint8Array {
    return Uint8Array.from({ length: sizeBytes }, () => relayRng.int(256));
  }

  /** S23: relaying only where an engine on this node offered it, for the message's source or destination. */
  let relayPolicy: RelayPolicy | undefined;
  function isRelayPermitted(source: Id, destination: Id): boolean {
    if (relayPolicy === undefined) return false;
    if (relayPolicy.from === undefined && relayPolicy.to === undefined) return true;
    return relayPolicy.from?.includes(source) === true || relayPolicy.to?.includes(destination) === true;
  }

  /** An inbound RelayMessage: open it when it is for us, else forward it unread (SPEC §5.1.3). */
  function receiveRelay(from: Id, encoded: Uint8Array): void {
    const peer = nameOf(from);
    const decoded = decodeRelayMessage(encoded);
    if (!decoded.ok) return emit({ kind: 'drop', peer, reason: decoded.error.code, text: decoded.error.message });
    const relay = decoded.value;
    // What a relay may write about the message: an opaque label, never the inner id or body.
    const label = `relay:${toHex(crypto.hash(relay.ciphertext)).slice(0, 12)}`;
    if (!verifyRelayMessage(crypto, relay, encoded)) return emit({ kind: 'verify-fail', peer, msg: label, reason: 'relay-signature' });
    if (relay.expiry !== undefined && clock.now() > relay.expiry) return emit({ kind: 'drop', peer, msg: label, reason: 'expired' });
    if (relay.dst !== self) {
      if (options.directory.trust(relay.src) === 0 || options.directory.trust(relay.dst) === 0) return emit({ kind: 'drop', peer, msg: label, reason: 'banned' });
      if (!isRelayPermitted(relay.src, relay.dst)) return emit({ kind: 'drop', peer, msg: label, reason: 'relay-not-permitted' });
      return sendFrame(relay.dst, 'relay', encoded, label, relay.expiry);
    }
    const inner = canSeal(crypto) ? openRelay(options.key, relay) : undefined;
    if (inner === undefined) return emit({ kind: 'verify-fail', peer, msg: label, reason: 'relay-decrypt' });
    const message = decodeEngineMessage(inner);
    if (!message.ok) return emit({ kind: 'drop', peer, reason: message.error.code, text: message.error.message });
    const msg = messageTraceId(message.value.src, message.value.id);
    if (!verifyEngineMessage(crypto, message.value, inner)) return emit({ kind: 'verify-fail', peer, msg, reason: 'engine-signature' });
    const homeNode = options.directory.engineNode(message.value.src);
    if (homeNode !== undefined && homeNode !== relay.src) return emit({ kind: 'verify-fail', peer, msg, reason: 'engine-node-mismatch' });
    if (message.value.expiry !== undefined && clock.now() > message.value.expiry) return emit({ kind: 'drop', msg, reason: 'expired' });
    routeInbound(message.value, relay.src, msg);
  }

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

  function receiveFrame(from: Id, frame: Uint8Array): void {
    if (isStopped) return;
    const peer = nameOf(from);
    const decoded = decodeP2PMessage(frame);
    if (!decoded.ok) {
      emit({ kind: 'drop', peer, bytes: frame.length, reason: decoded.error.code, text: decoded.error.message });
      return;
    }
    const p2p = decoded.value;
    const inner = p2p.inner === 'engine' ? decodeEngineMessage(p2p.msg) : undefined;
    const msg = inner?.ok ? messageTraceId(inner.value.src, inner.value.id) : undefined;
    emit(msg === undefined ? { kind: 'receive', peer, bytes: frame.length } : { kind: 'receive', peer, bytes: frame.length, msg });
    if (p2p.dst !== self) return verifyFailed(peer, frame, 'wrong-destination', msg);
    if (p2p.src !== from) return verifyFailed(peer, frame, 'channel-mismatch', msg);
    if (options.directory.trust(from) === 0) return emit({ kind: 'drop', peer, reason: 'banned', ...(msg !== undefined && { msg }) });
    if (!isChannelAuthenticated && !verifyP2PMessage(crypto, p2p, frame)) {
      verifyFailed(peer, frame, 'node-signature', msg);
      transport.disconnect(from); // S4: a peer that sends badly signed envelopes is cut off
      return;
    }
    let window = replayWindows.get(from);
    if (window === undefined) replayWindows.set(from, (window = new ReplayWindow()));
    if (!window.accept(p2p.session, p2p.seq)) return emit({ kind: 'drop', peer, reason: 'replay', ...(msg !== undefined && { msg }) });
    if (inner === undefined) return receiveRelay(from, p2p.msg);
    if (!inner.ok) return emit({ kind: 'drop', peer, reason: inner.error.code, text: inner.error.message });
    const message = inner.value;
    if (!verifyEngineMessage(crypto, message, p2p.msg)) return verifyFailed(peer, frame, 'engine-signature', msg);
    const homeNode = options.directory.engineNode(message.src);
    if (homeNode !== undefined && homeNode !== from) return verifyFailed(peer, frame, 'engine-node-mismatch', msg);
    if (message.expiry !== undefined && clock.now() > message.expiry) return emit({ kind: 'drop', msg, reason: 'expired' });
    routeInbound(message, from, msg!);
  }

  function verifyFailed(peer: string, frame: Uint8Array, reason: string, msg: string | undefined): void {
    emit({ kind: 'verify-fail', peer, bytes: frame.length, reason, ...(msg !== undefined && { msg }) });
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
    if (isStopped) return;
    const kind = event.kind === 'connected' ? 'connect' : event.kind === 'disconnected' ? 'disconnect' : 'connect-failed';
    emit({ kind, peer: nameOf(event.node), ...('reason' in event && { reason: event.reason }), ...('address' in event && { text: event.address }) });
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
      stopListening?.();
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
