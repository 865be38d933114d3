// `topology`: keeps a domain's overlay connected with HyParView (Leitão, Pereira, Rodrigues, "HyParView:
// a membership protocol for reliable gossip-based broadcast", DSN 2007). One engine per node and
// domain, started once the node is a member (domain-joined, or already a member at start):
// - a small symmetric **active view** (`activeMax`, the paper's fanout + 1) of peers held over open,
//   permanent connections, announced to local engines as PeerAddedToView / PeerRemovedFromView
//   (ctx.domains.announceView): PubSub trees and Storage walks use it;
// - a larger **passive view** (`passiveMax`) of peers known but not connected, the reserve a failed
//   active peer is replaced from;
// - JOIN through a contact (the domain's bootstrap node), which starts FORWARD_JOIN random walks of
//   `arwl` steps over its active view (the joiner enters the passive view at step `prwl`, the active
//   view where the walk ends); NEIGHBOR requests, high priority when the active view is empty (always
//   accepted), low otherwise (accepted when there is room); DISCONNECT when a peer is dropped to make
//   room; a periodic SHUFFLE walk of `shuffleTtl` steps exchanging `shuffleActive` + `shufflePassive`
//   descriptors refreshes the passive views.
// Failures are the Transport's connection notices: an active peer whose connection closes or whose
// dial fails is replaced from the passive view at once. Beyond the paper, a node whose active view is
// below `activeMax` asks one passive peer (low priority) per tick, so views refill after a mass failure;
// and a contact starts `sampledWalks` of a JOIN's walks from members drawn uniformly among the earlier
// joiners instead of from its active peers (the latest joiners), so fast joins through one bootstrap
// node do not grow the overlay as a chain.
import { z } from 'zod';
import { NetmachineError } from '../assert.js';
import type { NodeAdvert } from '../adverts.js';
import type { EngineContext, EngineFactory, EngineInput, Notice } from '../engine.js';
import type { Id } from '../ids.js';
import { decodeTopologyMessage, encodeTopologyMessage, ANNOUNCED_ENGINES_MAX, SHUFFLE_ENTRIES_MAX, TOPOLOGY_PROTOCOL, type PeerDescriptor, type TopologyMessage } from '../topology-wire.js';
import { engineSpec, firings, parseParams } from './params.js';

const TopologyParams = z.strictObject({
  domain: z.string().min(1),
  /** Nodes whose Topology engines a new member joins through, in turn (the domain's bootstrap nodes). */
  contacts: z.array(z.string().min(1)).default([]),
  /** Name of the Topology engines on the contacts. */
  peerEngine: z.string().min(1).default('topology'),
  /** Local engines announced to view peers (those that run here; this engine always). */
  announce: z.array(z.string().min(1)).max(ANNOUNCED_ENGINES_MAX - 1).default(['pubsub', 'storage']),
  activeMax: z.number().int().positive().max(64).default(5),
  passiveMax: z.number().int().nonnegative().max(1024).default(30),
  /** Active random walk length: FORWARD_JOIN steps. */
  arwl: z.number().int().nonnegative().max(32).default(6),
  /** Passive random walk length: the step at which the joiner enters a passive view. */
  prwl: z.number().int().nonnegative().max(32).default(3),
  shuffleMs: z.number().positive().default(10_000),
  /** Active and passive descriptors a shuffle carries (ka, kp), and its walk length. */
  shuffleActive: z.number().int().nonnegative().max(SHUFFLE_ENTRIES_MAX / 2).default(3),
  shufflePassive: z.number().int().nonnegative().max(SHUFFLE_ENTRIES_MAX / 2 - 1).default(4),
  shuffleTtl: z.number().int().nonnegative().max(32).default(3),
  /** As a contact: the JOIN's walks that start from members sampled among earlier joiners rather than from active peers (0: the paper's join). */
  sampledWalks: z.number().int().nonnegative().max(16).default(3),
  /** Housekeeping period: join retries, NEIGHBOR timeouts, refills (ms). */
  tickMs: z.number().positive().default(1000),
  /** A NEIGHBOR request unanswered by then is given up and its peer dropped from the passive view (ms). */
  neighborTimeoutMs: z.number().positive().default(3000),
  /** First wait before a JOIN is sent again to the next contact, doubling up to 30 s (ms). */
  joinTimeoutMs: z.number().positive().default(2000),
});
type Options = z.output<typeof TopologyParams>;

/** What validate checks of a `topology` engine: a tick and a shuffle per period, a few messages each. */
export const TOPOLOGY_SPEC = engineSpec(TopologyParams, {
  needs: (options) => options.contacts.map((node, index) => ({ where: 'node' as const, node, engine: options.peerEngine, param: ['contacts', index] })),
  load: (options, run) => 2 * firings(options.tickMs, run.durationMs) + 4 * firings(options.shuffleMs, run.durationMs) + 4 * options.activeMax,
});

const JOIN_RETRY_MS_MAX = 30_000;

/**
 * Topology messages travel in order between two nodes, as the protocol assumes of its channels: a
 * DISCONNECT sent right after the reply that accepted a peer must not overtake it, or the peer takes
 * this node into its view after this node left it, and holds it for good (a one-way link).
 */
const SEND_OPTIONS = { protocol: TOPOLOGY_PROTOCOL, tprefs: { isOrdered: true, isReliable: true, security: 'direct' } } as const;

/** A peer of a view: its node, its advert, its Topology engine, what it announced. */
interface Peer {
  readonly node: Id;
  readonly descriptor: PeerDescriptor;
}

type MessageInput = Extract<EngineInput, { kind: 'message' }>;

const peerOf = (descriptor: PeerDescriptor): Peer => ({ node: descriptor.advert.id, descriptor });

/** Removes and returns a random element of `items` (seeded). */
function takeRandom<T>(ctx: EngineContext, items: T[]): T | undefined {
  if (items.length === 0) return undefined;
  const index = ctx.rng.int(items.length);
  const [item] = items.splice(index, 1);
  return item;
}

/** Up to `count` distinct random elements of `items` (seeded). */
function sample<T>(ctx: EngineContext, items: Iterable<T>, count: number): T[] {
  const pool = [...items];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) chosen.push(takeRandom(ctx, pool)!);
  return chosen;
}

export const createTopologyEngine: EngineFactory = (params, env) => {
  const options: Options = parseParams('topology', TopologyParams, params);
  if (env.domain === undefined) throw new NetmachineError('engine/unsupported', 'engine "topology": this backend names no domains');
  const domain = env.domain(options.domain);
  const contacts = options.contacts.filter((name) => name !== env.nodeName).map((name, index) => {
    const resolved = env.resolve(`${name}/${options.peerEngine}`);
    if (!resolved.ok) throw new NetmachineError('engine/bad-params', `engine "topology" params.contacts.${index}: ${resolved.error}`);
    return resolved.value;
  });
  const announced: Array<readonly [string, Id]> = [];
  for (const name of options.announce) {
    const resolved = env.resolve(`${env.nodeName}/${name}`);
    if (resolved.ok) announced.push([name, resolved.value.engine]);
  }

  const active = new Map<Id, Peer>();
  const passive = new Map<Id, Peer>();
  /** NEIGHBOR requests in flight: node → when sent. */
  const pending = new Map<Id, number>();
  /** Passive peers that refused this tick (not asked again before the next one). */
  const refused = new Set<Id>();
  let self: PeerDescriptor | undefined;
  let join: { contact: number; sentMs: number; retryMs: number } | undefined;
  let nextShuffleMs = 0;
  /** A tick timer is pending (a member that leaves and joins again keeps one chain of ticks). */
  let isTicking = false;
  /** As a contact: a uniform sample of the joiners so far (reservoir), and how many there were. */
  const joined: PeerDescriptor[] = [];
  let joinsSeen = 0;
  /** The entries of the shuffle in flight (evicted first when its reply comes). */
  let shuffled: ReadonlyArray<PeerDescriptor> | undefined;

  const send = (ctx: EngineContext, peer: { node: Id; topology: Id }, message: TopologyMessage): void =>
    void ctx.send({ kind: 'engine', engine: peer.topology, node: peer.node }, encodeTopologyMessage(message), SEND_OPTIONS);
  const sendTo = (ctx: EngineContext, peer: Peer, message: TopologyMessage): void => send(ctx, { node: peer.node, topology: peer.descriptor.topology }, message);
  /** Dials `advert`'s node if needed (learning the advert); false when it cannot be dialled. */
  const reach = (ctx: EngineContext, advert: NodeAdvert, isPermanent?: boolean): boolean => {
    const result = ctx.connections.connect(advert.id, { advert, ...(isPermanent !== undefined && { isPermanent }) });
    return result === 'connected' || result === 'dialling';
  };

  function begin(ctx: EngineContext): void {
    if (self !== undefined) return;
    const advert = ctx.connections.selfAdvert();
    if (advert === undefined) return ctx.log('topology: this node has no advert to hand out');
    self = { advert, topology: ctx.self, engines: [[ctx.name, ctx.self], ...announced] };
    ctx.connections.watch();
    nextShuffleMs = ctx.now() + options.shuffleMs * (0.5 + ctx.rng.next());
    if (contacts.length > 0) {
      join = { contact: 0, sentMs: 0, retryMs: options.joinTimeoutMs };
      sendJoin(ctx);
    }
    if (!isTicking) ctx.setTimer(options.tickMs, 'tick');
    isTicking = true;
  }

  function sendJoin(ctx: EngineContext): void {
    if (join === undefined || self === undefined) return;
    const contact = contacts[join.contact % contacts.length]!;
    join.sentMs = ctx.now();
    send(ctx, { node: contact.node, topology: contact.engine }, { kind: 'join', domain, peer: self });
  }

  function addActive(ctx: EngineContext, peer: Peer): void {
    if (peer.node === ctx.node || active.has(peer.node)) return;
    if (active.size >= options.activeMax) dropRandomActive(ctx);
    passive.delete(peer.node);
    pending.delete(peer.node);
    active.set(peer.node, peer);
    join = undefined;
    reach(ctx, peer.descriptor.advert, true);
    ctx.domains.learnMember(domain, peer.node);
    ctx.domains.announceView(domain, { kind: 'added', peer: { node: peer.node, engines: new Map(peer.descriptor.engines) } });
    ctx.log('view added', { peer: peer.node, active: active.size, passive: passive.size });
  }

  /** Moves `node` out of the active view: into the passive view unless it failed. */
  function removeActive(ctx: EngineContext, node: Id, reason: string, isFailed: boolean): void {
    const peer = active.get(node);
    if (peer === undefined) return;
    active.delete(node);
    if (!isFailed) addPassive(ctx, peer);
    ctx.domains.announceView(domain, { kind: 'removed', node });
    ctx.log('view removed', { peer: node, reason, active: active.size, passive: passive.size });
  }

  function dropRandomActive(ctx: EngineContext): void {
    const peer = sample(ctx, active.values(), 1)[0];
    if (peer === undefined) return;
    sendTo(ctx, peer, { kind: 'disconnect', domain });
    removeActive(ctx, peer.node, 'dropped', false);
    // Ephemeral now: the peer closes it when the DISCONNECT arrives (or it idles out).
    ctx.connections.connect(peer.node, { isPermanent: false });
  }

  function addPassive(ctx: EngineContext, peer: Peer, evictFirst: ReadonlyArray<PeerDescriptor> = []): void {
    if (options.passiveMax === 0 || peer.node === ctx.node || active.has(peer.node) || passive.has(peer.node)) return;
    if (passive.size >= options.passiveMax) {
      const evicted = evictFirst.find((entry) => passive.has(entry.advert.id))?.advert.id ?? sample(ctx, passive.keys(), 1)[0]!;
      passive.delete(evicted);
    }
    passive.set(peer.node, peer);
  }

  /** Asks passive peers to fill the free active slots: high priority when the active view is empty. */
  function refill(ctx: EngineContext, countMax: number): void {
    if (self === undefined) return;
    const free = options.activeMax - active.size - pending.size;
    if (free <= 0 || countMax <= 0) return; // a full view (most ticks) copies nothing
    const candidates = [...passive.values()].filter((peer) => !pending.has(peer.node) && !refused.has(peer.node));
    for (let asked = 0; asked < Math.min(free, countMax); ) {
      const peer = takeRandom(ctx, candidates);
      if (peer === undefined) return;
      if (!reach(ctx, peer.descriptor.advert)) {
        passive.delete(peer.node);
        continue;
      }
      pending.set(peer.node, ctx.now());
      sendTo(ctx, peer, { kind: 'neighbor', domain, peer: self, isHighPriority: active.size === 0 });
      asked++;
    }
  }

  function shuffle(ctx: EngineContext): void {
    const target = sample(ctx, active.values(), 1)[0];
    if (target === undefined || self === undefined) return;
    const entries = [
      ...sample(ctx, [...active.values()].filter((peer) => peer.node !== target.node), options.shuffleActive),
      ...sample(ctx, passive.values(), options.shufflePassive),
    ].map((peer) => peer.descriptor);
    shuffled = entries;
    sendTo(ctx, target, { kind: 'shuffle', domain, origin: self, ttl: options.shuffleTtl, entries });
  }

  function onTick(ctx: EngineContext): void {
    ctx.setTimer(options.tickMs, 'tick');
    refused.clear();
    for (const [node, sentMs] of pending) {
      if (ctx.now() - sentMs < options.neighborTimeoutMs) continue;
      pending.delete(node);
      passive.delete(node);
    }
    if (join !== undefined && active.size === 0 && ctx.now() - join.sentMs >= join.retryMs) {
      join.contact++;
      join.retryMs = Math.min(JOIN_RETRY_MS_MAX, join.retryMs * 2);
      sendJoin(ctx);
    }
    // Empty: ask for every slot at once; short of peers: one low-priority request per tick.
    refill(ctx, active.size === 0 ? options.activeMax : 1);
    if (ctx.now() >= nextShuffleMs) {
      nextShuffleMs = ctx.now() + options.shuffleMs;
      shuffle(ctx);
    }
  }

  /** True when `descriptor` describes the sender of `input` itself (node and Topology engine). */
  const isSender = (input: MessageInput, descriptor: PeerDescriptor): boolean => descriptor.advert.id === input.sourceNode && descriptor.topology === input.message.src;
  const isActiveSender = (input: MessageInput): boolean => active.get(input.sourceNode)?.descriptor.topology === input.message.src;

  function onJoin(ctx: EngineContext, input: MessageInput, peer: PeerDescriptor): void {
    const joiner = peerOf(peer);
    if (joiner.node === ctx.node) return;
    // The paper's walks start from every active peer. A contact that takes in joiners faster than
    // they fill their views holds only the latest ones, each with no peer but the contact: the walks
    // end there at once, every joiner links to the few before it, and the overlay grows as a chain
    // (2,000 members joined in 2 s: 122 hops from end to end). So all but one of the walks start
    // from members drawn uniformly from every joiner so far (a reservoir sample kept here).
    const others = [...active.values()].filter((other) => other.node !== joiner.node);
    const fromSample = joined.length === 0 ? [] : sample(ctx, joined.filter((entry) => entry.advert.id !== joiner.node), options.sampledWalks);
    const fromActive = fromSample.length === 0 ? others : sample(ctx, others, Math.max(1, others.length - fromSample.length));
    for (const other of fromActive) sendTo(ctx, other, { kind: 'forward-join', domain, joiner: peer, ttl: options.arwl });
    for (const start of fromSample) send(ctx, { node: start.advert.id, topology: start.topology }, { kind: 'forward-join', domain, joiner: peer, ttl: options.arwl });
    joinsSeen++;
    if (joined.length < options.passiveMax) joined.push(peer);
    else if (ctx.rng.int(joinsSeen) < options.passiveMax) joined[ctx.rng.int(joined.length)] = peer;
    addActive(ctx, joiner);
    ctx.reply(input, encodeTopologyMessage({ kind: 'neighbor-reply', domain, isAccepted: true, peer: self! }), SEND_OPTIONS);
  }

  function onForwardJoin(ctx: EngineContext, from: Id, joiner: PeerDescriptor, ttl: number): void {
    const node = joiner.advert.id;
    if (node === ctx.node) return;
    if (ttl === 0 || active.size <= 1) {
      // The walk ends here: ask the joiner into the active view (it always accepts a high priority).
      if (active.has(node) || pending.has(node) || !reach(ctx, joiner.advert)) return;
      pending.set(node, ctx.now());
      return send(ctx, { node, topology: joiner.topology }, { kind: 'neighbor', domain, peer: self!, isHighPriority: true });
    }
    if (ttl === options.prwl) addPassive(ctx, peerOf(joiner));
    const next = sample(ctx, [...active.values()].filter((peer) => peer.node !== from && peer.node !== node), 1)[0];
    if (next !== undefined) return sendTo(ctx, next, { kind: 'forward-join', domain, joiner, ttl: ttl - 1 });
    if (!active.has(node) && !pending.has(node) && reach(ctx, joiner.advert)) {
      pending.set(node, ctx.now());
      send(ctx, { node, topology: joiner.topology }, { kind: 'neighbor', domain, peer: self!, isHighPriority: true });
    }
  }

  function onNeighbor(ctx: EngineContext, input: MessageInput, peer: PeerDescriptor, isHighPriority: boolean): void {
    const asker = peerOf(peer);
    const isAccepted = active.has(asker.node) || isHighPriority || active.size < options.activeMax;
    if (isAccepted) addActive(ctx, asker);
    else addPassive(ctx, asker);
    const reply: TopologyMessage = isAccepted ? { kind: 'neighbor-reply', domain, isAccepted, peer: self! } : { kind: 'neighbor-reply', domain, isAccepted };
    ctx.reply(input, encodeTopologyMessage(reply), SEND_OPTIONS);
  }

  function onNeighborReply(ctx: EngineContext, input: MessageInput, message: Extract<TopologyMessage, { kind: 'neighbor-reply' }>): void {
    const node = input.sourceNode;
    const isJoinReply = join !== undefined && contacts.some((contact) => contact.node === node && contact.engine === input.message.src);
    if (!pending.has(node) && !isJoinReply) {
      // An answer we no longer wait for (timed out): the peer took us in, so tell it we did not.
      if (message.isAccepted && !active.has(node)) ctx.reply(input, encodeTopologyMessage({ kind: 'disconnect', domain }), SEND_OPTIONS);
      return;
    }
    pending.delete(node);
    if (message.isAccepted && message.peer !== undefined && isSender(input, message.peer)) return addActive(ctx, peerOf(message.peer));
    refused.add(node);
    refill(ctx, 1);
  }

  function onShuffle(ctx: EngineContext, from: Id, message: Extract<TopologyMessage, { kind: 'shuffle' }>): void {
    const origin = message.origin.advert.id;
    if (origin === ctx.node) return;
    const ttl = message.ttl - 1;
    const next = ttl > 0 ? sample(ctx, [...active.values()].filter((peer) => peer.node !== from && peer.node !== origin), 1)[0] : undefined;
    if (next !== undefined) return sendTo(ctx, next, { ...message, ttl });
    const reply = sample(ctx, passive.values(), message.entries.length).map((peer) => peer.descriptor);
    if (reach(ctx, message.origin.advert)) send(ctx, { node: origin, topology: message.origin.topology }, { kind: 'shuffle-reply', domain, entries: reply });
    for (const entry of [message.origin, ...message.entries]) addPassive(ctx, peerOf(entry), reply);
  }

  function onMessage(ctx: EngineContext, input: MessageInput): void {
    if (input.message.protocol !== TOPOLOGY_PROTOCOL || input.sourceNode === ctx.node) return;
    const decoded = decodeTopologyMessage(input.message.body);
    if (!decoded.ok) return ctx.log('topology message malformed', { reason: decoded.error.code });
    const message = decoded.value;
    if (message.domain !== domain || self === undefined) return;
    switch (message.kind) {
      case 'join':
        if (isSender(input, message.peer)) onJoin(ctx, input, message.peer);
        return;
      case 'forward-join':
        // From an active peer, or a walk started by a contact (the domain's bootstrap node).
        if (isActiveSender(input) || contacts.some((contact) => contact.node === input.sourceNode && contact.engine === input.message.src)) onForwardJoin(ctx, input.sourceNode, message.joiner, message.ttl);
        return;
      case 'neighbor':
        if (isSender(input, message.peer)) onNeighbor(ctx, input, message.peer, message.isHighPriority);
        return;
      case 'neighbor-reply':
        return onNeighborReply(ctx, input, message);
      case 'disconnect':
        if (!isActiveSender(input)) return;
        removeActive(ctx, input.sourceNode, 'disconnect', false);
        ctx.connections.disconnect(input.sourceNode);
        return;
      case 'shuffle':
        if (isActiveSender(input)) onShuffle(ctx, input.sourceNode, message);
        return;
      case 'shuffle-reply':
        if (shuffled === undefined) return;
        for (const entry of message.entries) addPassive(ctx, peerOf(entry), shuffled);
        shuffled = undefined;
        return;
    }
  }

  function onNotice(ctx: EngineContext, notice: Notice): void {
    switch (notice.kind) {
      case 'domain-joined':
        if (notice.domain === domain) begin(ctx);
        return;
      case 'domain-left':
        if (notice.domain !== domain) return;
        for (const peer of [...active.values()]) {
          sendTo(ctx, peer, { kind: 'disconnect', domain });
          removeActive(ctx, peer.node, 'left', true);
          ctx.connections.connect(peer.node, { isPermanent: false });
        }
        passive.clear();
        pending.clear();
        self = undefined;
        join = undefined;
        return;
      case 'node-disconnected':
      case 'node-connect-failed': {
        // The connection of an active peer is gone (it crashed, restarted, or its path is cut): replace it.
        const isActive = active.has(notice.node);
        if (!isActive && !pending.has(notice.node)) return;
        pending.delete(notice.node);
        if (isActive) {
          removeActive(ctx, notice.node, notice.reason, notice.kind === 'node-connect-failed' || notice.reason === 'idle-timeout');
          ctx.connections.disconnect(notice.node); // stop re-dialling it
        } else passive.delete(notice.node);
        return refill(ctx, options.activeMax);
      }
      default:
        return;
    }
  }

  return {
    handle(input, ctx) {
      switch (input.kind) {
        case 'start':
          ctx.domains.watch();
          if (ctx.domains.membership(domain) !== undefined) begin(ctx);
          return;
        case 'timer':
          if (input.tag !== 'tick') return;
          isTicking = self !== undefined;
          if (isTicking) onTick(ctx);
          return;
        case 'notice':
          return onNotice(ctx, input.notice);
        case 'message':
          return onMessage(ctx, input);
      }
    },
    inspect: () => ({ active: active.size, passive: passive.size, isMember: self !== undefined }),
  };
};
