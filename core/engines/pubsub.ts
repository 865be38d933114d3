// `pubsub`: the PubSub engine (SPEC §4.4, §5.4, §5.8, Q12, Q13). It bridges the Router's local topics
// to the network over multi-hop dissemination trees: TopicAdverts flood hop by hop (each node learns
// its neighbours' distance to the publisher's node, S14); a subscribing node joins through a
// neighbour strictly closer to the publisher (no cycles), which joins upstream in turn; a node
// accepts at most `fanoutMax` children unless the joiner has no other way in. The publisher's node
// signs each local publication into an Event {topic, publisher, seq, deps, body, sig}; every tree
// node delivers events in seq order exactly once (dedupe by seq and id, I2/I3), keeps a bounded log,
// and recovers gaps from its parent (Q13). Parents send heartbeats; a child that misses
// `missedHeartbeatsMax` of them joins through another neighbour and replays from its next seq.
// With `domain`, the neighbours are the Topology's live view of that domain instead of the static
// link neighbours: a peer added to the view is asked for its adverts; a parent removed from it is
// replaced at once. Hop counts learnt from adverts go stale as the view changes, so over a view the
// tree carries its own positions instead: every ack and heartbeat carries the sender's path (its
// ancestors from the publisher's node down), or says the sender is detached (its chain to the
// publisher is broken). A node accepts a child only while it is connected itself and never one of
// its ancestors; a node that loses its parent keeps its subtree, which learns it is detached from
// the next heartbeat and rejoins as a whole when its head finds a connected parent; a detached
// node that stays so switches to a connected view peer (view peers tell each other their depth), and
// a heartbeat whose path holds its receiver breaks the loop it reveals.
import { z } from 'zod';
import { decodeAdvert, encodeAdvert, verifyAdvert, type TopicAdvert } from '../adverts.js';
import type { EngineContext, EngineFactory, EngineInput } from '../engine.js';
import type { Id } from '../ids.js';
import { decodeEngineMessage, encodeEngineMessage } from '../message.js';
import { fromUtf8 } from '../bytes.js';
import { jsonBody } from '../node.js';
import {
  decodeEvent,
  decodePubSubMessage,
  encodePubSubMessage,
  eventId,
  PUBSUB_PROTOCOL,
  PUBSUB_QUERY_PROTOCOL,
  signEvent,
  verifyEvent,
  TREE_PATH_MAX,
  type PubSubMessage,
} from '../pubsub-wire.js';
import { OverlayPeers } from './overlay-peers.js';
import { engineSpec, firings, parseParams } from './params.js';

const PubSubParams = z.strictObject({
  /** Name of the PubSub engine on the other nodes. */
  peerEngine: z.string().min(1).default('pubsub'),
  /** Children a node accepts before it refuses joiners that have another way in. */
  fanoutMax: z.number().int().positive().default(8),
  heartbeatMs: z.number().positive().default(500),
  missedHeartbeatsMax: z.number().int().positive().default(3),
  /** Events kept per topic for recovery (Q13), and the bound of the reorder buffer. */
  eventLogMax: z.number().int().positive().default(1024),
  /** Build the trees over this domain's Topology view instead of the static link neighbours. */
  domain: z.string().min(1).optional(),
});

interface LoggedEvent {
  readonly seq: number;
  readonly id: Id;
  readonly bytes: Uint8Array;
}

interface TopicState {
  readonly advert: TopicAdvert;
  readonly advertBytes: Uint8Array;
  readonly isPublisherNode: boolean;
  /** Own hop distance to the publisher's node. */
  hops: number;
  readonly neighborHops: Map<Id, number>;
  isLocalWanted: boolean;
  parent: Id | undefined;
  isJoined: boolean;
  readonly refused: Set<Id>;
  readonly dead: Set<Id>;
  lastHeardMs: number;
  /** When this node last forwarded an event to its children, and last sent them a periodic heartbeat. */
  forwardedMs: number;
  heartbeatMs: number;
  readonly children: Set<Id>;
  nextSeq: number;
  lastId: Id | undefined;
  readonly buffer: Map<number, Uint8Array>;
  readonly log: LoggedEvent[];
  gapRequestedMs: number;
  /** Joined "from now" (a restarted node): events before the ack are buffered, never requested. */
  isFromNow: boolean;
  /** Over a view: children waiting for this node to be connected before their ack (child → its fromSeq). */
  readonly waiting: Map<Id, number>;
  /** Over a view: this node's ancestors from the publisher's node down, as last known (stale while detached). */
  path: ReadonlyArray<Id>;
  /** Over a view: connected to the publisher's node through `path`. */
  isRooted: boolean;
  /** Over a view: since when this node is detached (joined to a parent that is not connected). */
  detachedSinceMs: number;
  /** Over a view: the depth each view peer last told (undefined: detached or not in the tree). */
  readonly peerDepth: Map<Id, number | undefined>;
}

/** The topic an event's inner EngineMessage is addressed to; undefined when it is not a topic message. */
function innerTopic(body: Uint8Array): Id | undefined {
  const inner = decodeEngineMessage(body);
  return inner.ok && inner.value.dst.kind === 'topic' ? inner.value.dst.topic : undefined;
}

/** What validate checks of a `pubsub` engine: heartbeats to its neighbours over the run. */
export const PUBSUB_SPEC = engineSpec(PubSubParams, { load: (options, run) => firings(options.heartbeatMs, run.durationMs) * (1 + run.degree) });

export const createPubSubEngine: EngineFactory = (params, env) => {
  const options = parseParams('pubsub', PubSubParams, params);
  const overlay = new OverlayPeers(env, options.peerEngine, options.domain, 'pubsub');
  const peers = overlay.peers;
  const topics = new Map<Id, TopicState>();
  const wanted = new Set<Id>();
  const silenceMs = options.heartbeatMs * options.missedHeartbeatsMax;

  function send(ctx: EngineContext, node: Id, message: PubSubMessage): void {
    const engine = peers.get(node);
    if (engine !== undefined) ctx.send({ kind: 'engine', engine, node }, encodePubSubMessage(message), { protocol: PUBSUB_PROTOCOL });
  }

  function newState(advert: TopicAdvert, advertBytes: Uint8Array, isPublisherNode: boolean, hops: number): TopicState {
    return {
      advert, advertBytes, isPublisherNode, hops, neighborHops: new Map(), isLocalWanted: wanted.has(advert.id),
      parent: undefined, isJoined: isPublisherNode, refused: new Set(), dead: new Set(), lastHeardMs: 0, forwardedMs: -Infinity, heartbeatMs: -Infinity,
      children: new Set(), nextSeq: 1, lastId: undefined, buffer: new Map(), log: [], gapRequestedMs: -Infinity, isFromNow: false, waiting: new Map(),
      path: [], isRooted: isPublisherNode, detachedSinceMs: 0, peerDepth: new Map(),
    };
  }

  function flood(ctx: EngineContext, state: TopicState, except: Id | undefined): void {
    for (const node of peers.keys()) if (node !== except) send(ctx, node, { kind: 'advert', hops: state.hops, advert: state.advertBytes });
  }

  /** Picks a parent: strictly closer first (no cycles), a refusing one only when forced, then anyone. */
  function join(ctx: EngineContext, state: TopicState): void {
    if (state.isPublisherNode || (!state.isLocalWanted && state.children.size === 0)) return;
    if (overlay.isOverlay) return seek(ctx, state);
    const eligible = [...state.neighborHops].filter(([node]) => !state.children.has(node));
    const alive = eligible.filter(([node]) => !state.dead.has(node));
    // Suspected-dead neighbours are tried again only when nothing else is left (they may be back).
    const usable = (alive.length > 0 ? alive : eligible).sort((a, b) => a[1] - b[1]);
    const closer = usable.filter(([, hops]) => hops < state.hops);
    const fresh = closer.find(([node]) => !state.refused.has(node));
    const choice = fresh ?? closer[0] ?? usable[0];
    if (choice === undefined) {
      state.parent = undefined; // retried on the next tick
      return;
    }
    state.parent = choice[0];
    state.isJoined = false;
    state.lastHeardMs = ctx.now();
    // A restarted node has lost what it delivered: it joins from the parent's next event rather than
    // replaying the retained log, so no engine receives an event twice across a restart.
    state.isFromNow = ctx.session > 1 && state.nextSeq === 1 && state.lastId === undefined && state.children.size === 0;
    send(ctx, choice[0], { kind: 'subscribe', topic: state.advert.id, fromSeq: state.isFromNow ? 0 : state.nextSeq, isForced: fresh === undefined });
  }

  function leaveIfIdle(ctx: EngineContext, state: TopicState): void {
    if (state.isLocalWanted || state.children.size > 0 || state.isPublisherNode || state.parent === undefined) return;
    send(ctx, state.parent, { kind: 'unsubscribe', topic: state.advert.id });
    state.parent = undefined;
    state.isJoined = false;
    if (overlay.isOverlay) setPosition(ctx, state, false, state.path);
  }

  /**
   * Over a view: asks one view peer to be the parent, the connected ones nearest the publisher's
   * node first, then those of unknown position; a peer that refused is tried again only when
   * nobody else is left (the Subscribe is then forced past its fan-out limit).
   */
  function seek(ctx: EngineContext, state: TopicState): void {
    // Every view peer: one that learnt the topic from us never sent its advert back.
    const candidates = [...peers.keys()].filter((node) => !state.children.has(node));
    const alive = candidates.filter((node) => !state.dead.has(node));
    const usable = alive.length > 0 ? alive : candidates;
    const fresh = usable.filter((node) => !state.refused.has(node));
    const depthOf = (node: Id): number => state.peerDepth.get(node) ?? TREE_PATH_MAX + 1;
    // Connected peers first (a join through one is acknowledged at once), then the others.
    const connected = fresh.filter((node) => state.peerDepth.get(node) !== undefined);
    const pool = connected.length > 0 ? connected : fresh.length > 0 ? fresh : usable;
    let choice: Id | undefined;
    for (const node of pool) if (choice === undefined || depthOf(node) < depthOf(choice)) choice = node;
    if (choice === undefined) {
      state.parent = undefined; // retried on the next tick
      return;
    }
    if (fresh.length === 0) state.refused.clear();
    state.parent = choice;
    state.isJoined = false;
    state.lastHeardMs = ctx.now();
    state.isFromNow = ctx.session > 1 && state.nextSeq === 1 && state.lastId === undefined && state.children.size === 0;
    send(ctx, choice, { kind: 'subscribe', topic: state.advert.id, fromSeq: state.isFromNow ? 0 : state.nextSeq, isForced: fresh.length === 0 });
  }

  /**
   * Over a view: this node's position changed (connected through `path`, or detached). Children hear
   * it at once (they derive theirs from it), view peers hear the new depth, and children waiting
   * for this node to be connected are acknowledged (or refused, should one be an ancestor now).
   */
  function setPosition(ctx: EngineContext, state: TopicState, isRooted: boolean, path: ReadonlyArray<Id>): void {
    const wasRooted = state.isRooted;
    const oldDepth = state.path.length;
    const isSame = wasRooted === isRooted && path.length === state.path.length && path.every((id, i) => id === state.path[i]);
    if (isSame) return;
    state.isRooted = isRooted;
    state.path = path;
    if (!isRooted && wasRooted) state.detachedSinceMs = ctx.now();
    if (isRooted !== wasRooted || (isRooted && path.length !== oldDepth)) {
      const position: PubSubMessage = isRooted ? { kind: 'position', topic: state.advert.id, depth: path.length } : { kind: 'position', topic: state.advert.id };
      for (const node of peers.keys()) send(ctx, node, position);
    }
    heartbeat(ctx, state);
    if (!isRooted) return;
    for (const [child, fromSeq] of state.waiting) {
      if (path.includes(child)) {
        state.children.delete(child);
        send(ctx, child, { kind: 'subscribe-nack', topic: state.advert.id, reason: 'loop' });
      } else acknowledge(ctx, state, child, fromSeq);
    }
    state.waiting.clear();
  }

  /**
   * Heartbeats to the acknowledged children; over a view they carry this node's path, or say it is
   * detached. A periodic one is skipped when an event went to the children during the last period
   * (it showed this node alive), but never twice in a row.
   */
  function heartbeat(ctx: EngineContext, state: TopicState, isPeriodic = false): void {
    if (isPeriodic) {
      if (ctx.now() - state.forwardedMs < options.heartbeatMs && ctx.now() - state.heartbeatMs < 2 * options.heartbeatMs) return;
      state.heartbeatMs = ctx.now();
    }
    const message: PubSubMessage = !overlay.isOverlay
      ? { kind: 'heartbeat', topic: state.advert.id, lastSeq: state.nextSeq - 1 }
      : state.isRooted
        ? { kind: 'heartbeat', topic: state.advert.id, lastSeq: state.nextSeq - 1, path: state.path }
        : { kind: 'heartbeat', topic: state.advert.id, lastSeq: state.nextSeq - 1 };
    for (const child of state.children) if (!state.waiting.has(child)) send(ctx, child, message);
  }

  /** Over a view: the parent's path arrived (ack or heartbeat); a path holding this node reveals a loop, which is broken here. */
  function onParentPath(ctx: EngineContext, state: TopicState, parent: Id, path: ReadonlyArray<Id> | undefined): boolean {
    if (path === undefined) {
      setPosition(ctx, state, false, state.path);
      return true;
    }
    if (path.includes(ctx.node) || path.length >= TREE_PATH_MAX) {
      ctx.log('pubsub tree loop broken', { depth: path.length });
      send(ctx, parent, { kind: 'unsubscribe', topic: state.advert.id });
      state.refused.add(parent);
      state.parent = undefined;
      state.isJoined = false;
      setPosition(ctx, state, false, state.path);
      seek(ctx, state);
      return false;
    }
    setPosition(ctx, state, true, [...path, parent]);
    return true;
  }

  function accept(ctx: EngineContext, state: TopicState, bytes: Uint8Array, seq: number, id: Id, body: Uint8Array): void {
    state.log.push({ seq, id, bytes });
    if (state.log.length > options.eventLogMax) state.log.shift();
    state.nextSeq = seq + 1;
    state.lastId = id;
    if (state.isLocalWanted && !state.isPublisherNode) ctx.injectTopicMessage(body, state.advert.relays[0] ?? ctx.node);
    for (const child of state.children) send(ctx, child, { kind: 'event', event: bytes });
    state.forwardedMs = ctx.now();
  }

  /** An event, from `from` (a peer) or from the reorder buffer (undefined). */
  function onEvent(ctx: EngineContext, bytes: Uint8Array, from?: Id): void {
    const decoded = decodeEvent(bytes);
    if (!decoded.ok) return;
    const event = decoded.value;
    const state = topics.get(event.topic);
    // I4 and S15: only the advertised publisher, only a valid signature; nothing else is forwarded.
    if (state === undefined || !state.advert.publishers.includes(event.publisher)) return;
    if (!verifyEvent(ctx.verify, event, bytes)) return ctx.log('pubsub event signature invalid', { seq: event.seq });
    // An event from the parent shows it alive as a heartbeat would (it then skips every other one).
    if (from !== undefined && from === state.parent && state.isJoined) state.lastHeardMs = ctx.now();
    // The authorised publisher of this topic may not smuggle a message for another topic inside it.
    if (innerTopic(event.body) !== event.topic) return ctx.log('pubsub event for another topic dropped', { seq: event.seq });
    const id = eventId(ctx.hash, bytes);
    if (event.seq < state.nextSeq) {
      const logged = state.log.find((entry) => entry.seq === event.seq);
      if (logged !== undefined && logged.id !== id) ctx.log('pubsub equivocation dropped', { seq: event.seq }); // I3
      return;
    }
    if (event.seq > state.nextSeq || (state.isFromNow && !state.isJoined)) {
      if (state.buffer.size < options.eventLogMax) state.buffer.set(event.seq, bytes);
      return state.isFromNow && !state.isJoined ? undefined : requestGap(ctx, state, event.seq - 1);
    }
    if (state.lastId !== undefined && event.deps[0] !== state.lastId) return ctx.log('pubsub dependency mismatch dropped', { seq: event.seq });
    accept(ctx, state, bytes, event.seq, id, event.body);
    drain(ctx, state);
  }

  function drain(ctx: EngineContext, state: TopicState): void {
    for (let next = state.buffer.get(state.nextSeq); next !== undefined; next = state.buffer.get(state.nextSeq)) {
      state.buffer.delete(state.nextSeq);
      onEvent(ctx, next);
    }
  }

  function requestGap(ctx: EngineContext, state: TopicState, toSeq: number): void {
    if (state.parent === undefined || ctx.now() - state.gapRequestedMs < options.heartbeatMs) return;
    state.gapRequestedMs = ctx.now();
    send(ctx, state.parent, { kind: 'event-request', topic: state.advert.id, fromSeq: state.nextSeq, toSeq });
  }

  function replay(ctx: EngineContext, state: TopicState, child: Id, fromSeq: number, toSeq: number): void {
    for (const entry of state.log) if (entry.seq >= fromSeq && entry.seq <= toSeq) send(ctx, child, { kind: 'event', event: entry.bytes });
  }

  function onAdvert(ctx: EngineContext, from: Id, hops: number, bytes: Uint8Array): void {
    const decoded = decodeAdvert(bytes);
    if (!decoded.ok || decoded.value.kind !== 'topic' || !verifyAdvert(ctx.verify, decoded.value)) return; // S15: never forwarded
    const advert = decoded.value;
    const known = topics.get(advert.id);
    if (known !== undefined && advert.version <= known.advert.version) {
      known.neighborHops.set(from, hops);
      if (hops + 1 < known.hops) {
        known.hops = hops + 1;
        flood(ctx, known, from);
      }
      return;
    }
    // I8: only a higher version replaces; tree state restarts with the new advert.
    const state = newState(advert, bytes, false, hops + 1);
    state.neighborHops.set(from, hops);
    topics.set(advert.id, state);
    ctx.log('topic advert received', { hops: hops + 1 });
    flood(ctx, state, from); // S14
    if (state.isLocalWanted) join(ctx, state);
  }

  function onPeer(ctx: EngineContext, from: Id, message: PubSubMessage): void {
    if (message.kind === 'hello') {
      if (message.topic !== undefined && !topics.has(message.topic)) return forwardHello(ctx, from, message.topic);
      for (const state of topics.values()) {
        if (message.topic !== undefined && message.topic !== state.advert.id) continue;
        send(ctx, from, { kind: 'advert', hops: state.hops, advert: state.advertBytes });
        // Over a view, the position too: the one sent when this node added the peer may have come
        // before the peer added this node (and was dropped), and positions are otherwise sent on change only.
        if (overlay.isOverlay && state.isRooted) send(ctx, from, { kind: 'position', topic: state.advert.id, depth: state.path.length });
      }
      return;
    }
    if (message.kind === 'advert') return onAdvert(ctx, from, message.hops, message.advert);
    if (message.kind === 'event') return onEvent(ctx, message.event, from);
    const state = topics.get(message.topic);
    if (state === undefined) {
      if (message.kind === 'subscribe') send(ctx, from, { kind: 'subscribe-nack', topic: message.topic, reason: 'unknown' });
      return;
    }
    switch (message.kind) {
      case 'subscribe': {
        // Over a view, an ancestor (as far as this node knows) may not become its child: a cycle; nor
        // may the peer this node is itself joining through (both would wait for the other forever).
        if (overlay.isOverlay && (state.path.includes(from) || (from === state.parent && !state.isJoined))) return send(ctx, from, { kind: 'subscribe-nack', topic: message.topic, reason: 'loop' });
        if (!state.children.has(from) && state.children.size >= options.fanoutMax && !message.isForced) {
          return send(ctx, from, { kind: 'subscribe-nack', topic: message.topic, reason: 'full' });
        }
        if (!state.children.has(from)) {
          state.children.add(from);
          ctx.log('pubsub child added', { children: state.children.size, isForced: message.isForced });
        }
        if (overlay.isOverlay && !state.isRooted) state.waiting.set(from, message.fromSeq);
        else acknowledge(ctx, state, from, message.fromSeq);
        if (state.parent === undefined) join(ctx, state);
        return;
      }
      case 'subscribe-ack':
        if (from !== state.parent) return;
        if (overlay.isOverlay && !onParentPath(ctx, state, from, message.path)) return;
        state.isJoined = true;
        state.refused.clear();
        state.lastHeardMs = ctx.now();
        if (state.isFromNow) {
          state.isFromNow = false;
          for (const seq of [...state.buffer.keys()]) if (seq < message.firstSeq) state.buffer.delete(seq);
        }
        if (state.nextSeq < message.firstSeq) {
          if (state.nextSeq > 1) ctx.log('pubsub gap unrecoverable', { fromSeq: state.nextSeq, toSeq: message.firstSeq - 1 });
          state.nextSeq = message.firstSeq;
          state.lastId = undefined;
        }
        drain(ctx, state);
        if (state.isLocalWanted) ctx.notifyTopic(message.topic, 'topic-subscribed');
        return;
      case 'subscribe-nack':
        if (from !== state.parent) return;
        // A neighbour that missed the advert (lost on the way) learns it from us; we retry next tick.
        if (message.reason === 'unknown') return send(ctx, from, { kind: 'advert', hops: state.hops, advert: state.advertBytes });
        state.refused.add(from);
        // Over a view, a joined node whose parent released it is detached until it finds another.
        if (overlay.isOverlay) return loseParent(ctx, state);
        return join(ctx, state);
      case 'unsubscribe':
        state.children.delete(from);
        state.waiting.delete(from);
        send(ctx, from, { kind: 'unsubscribe-ack', topic: message.topic });
        return leaveIfIdle(ctx, state);
      case 'unsubscribe-ack':
        return ctx.notifyTopic(message.topic, 'topic-unsubscribed');
      case 'event-request':
        if (state.children.has(from)) replay(ctx, state, from, message.fromSeq, message.toSeq);
        return;
      case 'heartbeat':
        if (from !== state.parent) {
          // Over a view, a node that still counts us as its child (we left it) is told so.
          if (overlay.isOverlay) send(ctx, from, { kind: 'unsubscribe', topic: message.topic });
          return;
        }
        state.lastHeardMs = ctx.now();
        if (overlay.isOverlay && state.isJoined && !onParentPath(ctx, state, from, message.path)) return;
        if (message.lastSeq >= state.nextSeq) requestGap(ctx, state, message.lastSeq);
        return;
      case 'position':
        if (!overlay.isOverlay) return;
        state.peerDepth.set(from, message.depth);
        if (message.depth !== undefined) onConnectedPeer(ctx, state, from);
        return;
    }
  }

  /** A wanted advert we lack too: ask our neighbours (once per beat per topic); we flood it when it comes. */
  const helloForwardedMs = new Map<Id, number>();
  function forwardHello(ctx: EngineContext, from: Id | undefined, topic: Id): void {
    if (ctx.now() - (helloForwardedMs.get(topic) ?? -Infinity) < options.heartbeatMs) return;
    helloForwardedMs.set(topic, ctx.now());
    for (const node of peers.keys()) if (node !== from) send(ctx, node, { kind: 'hello', topic });
  }

  function acknowledge(ctx: EngineContext, state: TopicState, child: Id, fromSeq: number): void {
    send(ctx, child, { kind: 'subscribe-ack', topic: state.advert.id, firstSeq: fromSeq === 0 ? state.nextSeq : (state.log[0]?.seq ?? state.nextSeq), path: overlay.isOverlay ? state.path : [] });
    if (fromSeq > 0) replay(ctx, state, child, fromSeq, Number.MAX_SAFE_INTEGER);
  }

  /** Over a view: the parent is gone; the subtree stays and is told it is detached, and a new parent is sought. */
  function loseParent(ctx: EngineContext, state: TopicState): void {
    state.parent = undefined;
    state.isJoined = false;
    setPosition(ctx, state, false, state.path);
    join(ctx, state);
  }

  /**
   * Over a view: `peer` told it is connected. A refusal or withdrawal of it is forgotten (it was
   * refused or given up while it was detached, or before its position was known), and a node
   * waiting on a join through a parent that is not connected (or detached under one) joins
   * through `peer` at once rather than on the next timeout.
   */
  function onConnectedPeer(ctx: EngineContext, state: TopicState, peer: Id): void {
    state.refused.delete(peer);
    state.dead.delete(peer);
    if (state.isPublisherNode || (!state.isLocalWanted && state.children.size === 0)) return;
    if (peer === state.parent || state.children.has(peer)) return;
    if (state.parent === undefined) return join(ctx, state);
    const parentDepth = state.peerDepth.get(state.parent);
    const isStuck = state.isJoined ? !state.isRooted : parentDepth === undefined;
    if (!isStuck) return;
    send(ctx, state.parent, { kind: 'unsubscribe', topic: state.advert.id });
    state.parent = undefined;
    state.isJoined = false;
    if (state.isRooted) setPosition(ctx, state, false, state.path);
    seek(ctx, state);
  }

  /** The Topology added or removed a peer: ask a new one for its adverts; repair around a removed one. */
  function onViewChange(ctx: EngineContext, kind: 'added' | 'removed', node: Id): void {
    if (kind === 'added') {
      // Both: whichever of the two ends added the other first, one of the messages gets through.
      send(ctx, node, { kind: 'hello' });
      for (const state of topics.values()) {
        send(ctx, node, { kind: 'advert', hops: state.hops, advert: state.advertBytes });
        if (state.isRooted) send(ctx, node, { kind: 'position', topic: state.advert.id, depth: state.path.length });
      }
      return;
    }
    for (const state of topics.values()) {
      state.neighborHops.delete(node);
      state.peerDepth.delete(node);
      state.refused.delete(node);
      state.dead.delete(node);
      state.waiting.delete(node);
      if (state.children.delete(node)) leaveIfIdle(ctx, state);
      if (state.parent === node) {
        ctx.log('pubsub parent left the view, repairing');
        loseParent(ctx, state);
      }
    }
  }

  function onTick(ctx: EngineContext): void {
    for (const state of topics.values()) {
      heartbeat(ctx, state, true);
      if (state.isPublisherNode) continue;
      const silentMs = ctx.now() - state.lastHeardMs;
      if (state.parent !== undefined && state.isJoined && silentMs > silenceMs) {
        ctx.log('pubsub parent silent, repairing');
        state.dead.add(state.parent);
        if (overlay.isOverlay) loseParent(ctx, state);
        else state.parent = undefined;
      } else if (overlay.isOverlay && state.parent !== undefined && !state.isJoined && silentMs > 2 * options.heartbeatMs) {
        // A join left waiting (the parent is not connected either): withdrawn, another is tried.
        send(ctx, state.parent, { kind: 'unsubscribe', topic: state.advert.id });
        state.refused.add(state.parent);
        state.parent = undefined;
      } else if (overlay.isOverlay && state.parent !== undefined && state.isJoined && !state.isRooted && ctx.now() - state.detachedSinceMs > 2 * options.heartbeatMs) {
        // Detached for a while (its head found no parent yet): switch to a connected view peer if there is one.
        const parent = state.parent;
        const connected = [...state.peerDepth].some(([node, depth]) => depth !== undefined && node !== parent && !state.children.has(node) && !state.refused.has(node) && !state.path.includes(node));
        if (connected) {
          send(ctx, parent, { kind: 'unsubscribe', topic: state.advert.id });
          state.parent = undefined;
          state.isJoined = false;
          seek(ctx, state);
        }
      }
      if (overlay.isOverlay && state.parent !== undefined && state.isJoined && state.isRooted) moveUp(ctx, state);
      // A join whose Subscribe or ack was lost is retried.
      if (state.parent === undefined || (!state.isJoined && silentMs > 2 * options.heartbeatMs)) join(ctx, state);
    }
    // Adverts may be lost too: ask the neighbours again for topics wanted here but still unknown.
    for (const topic of wanted) if (!topics.has(topic)) forwardHello(ctx, undefined, topic);
    ctx.setTimer(options.heartbeatMs, 'pubsub-tick');
  }

  /**
   * Over a view: a connected node moves under a view peer at least one level nearer the publisher's
   * node, when one told its depth. Trees that formed while the views churned (positions unknown) are
   * long chains, and a node at TREE_PATH_MAX can take no child; each move lowers a depth, so this
   * ends. The subtree moves along; events missed meanwhile are replayed from the new parent's log.
   */
  function moveUp(ctx: EngineContext, state: TopicState): void {
    const depth = state.path.length;
    let choice: Id | undefined;
    let choiceDepth = depth - 1;
    for (const [node, peerDepth] of state.peerDepth) {
      if (peerDepth === undefined || peerDepth >= choiceDepth || node === state.parent || state.children.has(node) || state.refused.has(node) || state.path.includes(node)) continue;
      choice = node;
      choiceDepth = peerDepth;
    }
    if (choice === undefined || state.parent === undefined) return;
    ctx.log('pubsub moving up', { depth, to: choiceDepth + 1 });
    send(ctx, state.parent, { kind: 'unsubscribe', topic: state.advert.id });
    state.parent = choice;
    state.isJoined = false;
    state.lastHeardMs = ctx.now();
    send(ctx, choice, { kind: 'subscribe', topic: state.advert.id, fromSeq: state.nextSeq, isForced: false });
  }

  function onRequest(ctx: EngineContext, notice: Extract<EngineInput, { kind: 'notice' }>['notice']): void {
    if (notice.kind !== 'pubsub-request') return;
    const state = topics.get(notice.topic);
    switch (notice.op) {
      case 'start-advert': {
        if (notice.advert === undefined) return;
        const own = newState(notice.advert, encodeAdvert(notice.advert), true, 0);
        topics.set(notice.topic, own);
        ctx.subscribe(notice.topic); // sees local publications (Q12: the Router never echoes them back)
        flood(ctx, own, undefined);
        if (overlay.isOverlay) for (const node of peers.keys()) send(ctx, node, { kind: 'position', topic: own.advert.id, depth: 0 });
        return;
      }
      case 'stop-advert':
        topics.delete(notice.topic);
        return ctx.unsubscribe(notice.topic);
      case 'subscribe':
        wanted.add(notice.topic);
        if (state === undefined) return;
        state.isLocalWanted = true;
        if (state.parent === undefined) join(ctx, state);
        return;
      case 'unsubscribe':
        wanted.delete(notice.topic);
        if (state === undefined) return;
        state.isLocalWanted = false;
        return leaveIfIdle(ctx, state);
    }
  }

  function publish(ctx: EngineContext, input: Extract<EngineInput, { kind: 'message' }>): void {
    const { message } = input;
    if (message.dst.kind !== 'topic' || input.sourceNode !== ctx.node) return;
    const state = topics.get(message.dst.topic);
    if (state === undefined || !state.isPublisherNode) return;
    const body = encodeEngineMessage(message);
    const seq = state.nextSeq;
    const bytes = signEvent(ctx.sign, { topic: state.advert.id, publisher: ctx.self, seq, deps: state.lastId === undefined ? [] : [state.lastId], body });
    accept(ctx, state, bytes, seq, eventId(ctx.hash, bytes), body);
  }

  /** S24: the next node towards the publisher: the tree parent, else the closest neighbour by advert. */
  function answerQuery(ctx: EngineContext, input: Extract<EngineInput, { kind: 'message' }>): void {
    let topic: unknown;
    try {
      topic = (JSON.parse(fromUtf8(input.message.body)) as { topic?: unknown }).topic;
    } catch {
      return;
    }
    const state = typeof topic === 'string' ? topics.get(topic) : undefined;
    const closest = state === undefined || state.isPublisherNode ? undefined : [...state.neighborHops].filter(([, hops]) => hops < state.hops).sort((a, b) => a[1] - b[1])[0]?.[0];
    ctx.reply(input, jsonBody({ topic, parent: state?.parent ?? closest ?? null }), { protocol: PUBSUB_QUERY_PROTOCOL });
  }

  return {
    handle(input, ctx) {
      switch (input.kind) {
        case 'start':
          ctx.bridgeTopics();
          overlay.start(ctx);
          for (const node of peers.keys()) send(ctx, node, { kind: 'hello' });
          // Over a view, each node's ticks start at a random phase: in step, two peers seeking a
          // parent at the same instant choose each other, and withdraw from each other together.
          ctx.setTimer(overlay.isOverlay ? options.heartbeatMs * (0.5 + ctx.rng.next()) : options.heartbeatMs, 'pubsub-tick');
          return;
        case 'timer':
          return onTick(ctx);
        case 'notice': {
          const change = overlay.apply(input.notice);
          if (change !== undefined) return onViewChange(ctx, change.kind, change.node);
          return onRequest(ctx, input.notice);
        }
        case 'message': {
          if (input.message.protocol === PUBSUB_QUERY_PROTOCOL && input.sourceNode === ctx.node) return answerQuery(ctx, input);
          if (input.message.protocol !== PUBSUB_PROTOCOL) return publish(ctx, input);
          // Only the PubSub engine of a neighbour speaks this protocol to us.
          if (peers.get(input.sourceNode) !== input.message.src) return;
          const decoded = decodePubSubMessage(input.message.body);
          if (decoded.ok) onPeer(ctx, input.sourceNode, decoded.value);
          return;
        }
      }
    },
  };
};

