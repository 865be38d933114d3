// The Engine API: synchronous handlers that ask for effects through `ctx` (DESIGN.md "The ports").
import type { Result } from './assert.js';
import type { Id } from './ids.js';
import type { Destination, EngineMessage, RoutingScope, TransportPrefs } from './message.js';
import type { Advert, DomainAdvert, NodeAdvert, TopicAdvert } from './adverts.js';
import type { DomainPolicy } from './domain-wire.js';
import type { IdentityUpdate, NodeRecord, NodeRecordPatch } from './directory.js';
import type { KeyPair, Rng, TimerId } from './ports.js';
import type { Disk } from './disk.js';

/** What an engine is asked to handle. */
export type EngineInput =
  | { readonly kind: 'start' }
  | {
      readonly kind: 'message';
      readonly message: EngineMessage;
      /** The node the message came from (this node for local messages). */
      readonly sourceNode: Id;
      /** The message's trace id, for logs. */
      readonly traceId: string;
    }
  | { readonly kind: 'timer'; readonly timer: TimerId; readonly tag: string }
  | { readonly kind: 'notice'; readonly notice: Notice };

/** Local notifications (SPEC §4.2–§4.4) delivered to engines that asked for them. */
export type Notice =
  /** NodeConnected (S19): a connection to `node` is up, over `address`; to engines that called `ctx.connections.watch()`. */
  | { readonly kind: 'node-connected'; readonly node: Id; readonly address: string }
  /** NodeDisconnected: the connection to `node` closed (`requested`, `idle`, `idle-timeout`, `replaced`, …). */
  | { readonly kind: 'node-disconnected'; readonly node: Id; readonly reason: string }
  /** NodeConnectFailed: dialling `node` at `address` failed with `reason` (`dial/timeout`, `dial/no-address`, …). */
  | { readonly kind: 'node-connect-failed'; readonly node: Id; readonly address: string; readonly reason: string }
  /** The typed result of a topic request (S9–S11, Q9): `ok` or a code such as `topic/exists`. */
  | { readonly kind: 'topic-result'; readonly op: TopicOp; readonly topic: Id; readonly result: TopicResult }
  /** To this node's PubSub bridge: the Router asks it to act on the network (S12, §4.4). */
  | { readonly kind: 'pubsub-request'; readonly op: 'start-advert' | 'stop-advert' | 'subscribe' | 'unsubscribe'; readonly topic: Id; readonly advert?: TopicAdvert }
  /** From the PubSub bridge to local subscribers: a remote peer acknowledged (S13). */
  | { readonly kind: 'topic-subscribed' | 'topic-unsubscribed'; readonly topic: Id }
  /** `IdentityUpdated` (SPEC §4.3), to engines that called `watchIdentities()`. */
  | { readonly kind: 'identity-updated'; readonly update: IdentityUpdate }
  /** To this node's resolver: the Router parked messages for `id` and asks where it lives (Q10). */
  | { readonly kind: 'identity-lookup'; readonly id: Id }
  /** This node became a member of `domain` (to engines that called `ctx.domains.watch()`). */
  | { readonly kind: 'domain-joined'; readonly domain: Id; readonly membership: Membership }
  /** This node's membership of `domain` ended (it left). */
  | { readonly kind: 'domain-left'; readonly domain: Id }
  /** PeerAddedToView (SPEC §4.6): the Topology added `peer` to this node's view of `domain`. */
  | { readonly kind: 'peer-added-to-view'; readonly domain: Id; readonly peer: ViewPeer }
  /** PeerRemovedFromView: the Topology removed `node` from this node's view of `domain`. */
  | { readonly kind: 'peer-removed-from-view'; readonly domain: Id; readonly node: Id };

/** A member in a domain's overlay view: its node and the engines it runs there, by name. */
export interface ViewPeer {
  readonly node: Id;
  /** Engine name → engine id, as the peer itself announced them. */
  readonly engines: ReadonlyMap<string, Id>;
}

/** This node's membership of a domain (from the JoinResponse that accepted it, or as its owner). */
export interface Membership {
  /** The domain epoch (policy version) from which the membership holds. */
  readonly epoch: number;
  /** The member that approved the join (absent for the owner). */
  readonly approver?: Id;
  /** The owner-signed policy every member checks others against. */
  readonly policy: DomainPolicy;
  /** The encoded invitation this node joined with, when the policy asks for one. */
  readonly credential?: Uint8Array;
}

/** A change of the view, as the Topology announces it. */
export type ViewChange = { readonly kind: 'added'; readonly peer: ViewPeer } | { readonly kind: 'removed'; readonly node: Id };

/**
 * The node's domains as an engine sees them (SPEC §4.6, §5.6): adverts, memberships, the members it
 * knows (what the Router's `Domain(d)` scope admits), anycast, and the Topology's views. Reads are
 * answered now; changes apply after the handler returns, like every other effect.
 */
export interface EngineDomains {
  /** The stored, verified DomainAdvert of `domain` (the members serving external requests). */
  advert(domain: Id): DomainAdvert | undefined;
  /** This node's membership of `domain`, if any. */
  membership(domain: Id): Membership | undefined;
  /** Domain engine: records this node's membership (or, undefined, its end); watchers hear domain-joined / domain-left. */
  setMembership(domain: Id, membership: Membership | undefined): void;
  /** Records that `node` is a member of `domain` (so messages scoped `Domain(domain)` may go to it). */
  learnMember(domain: Id, node: Id): void;
  forgetMember(domain: Id, node: Id): void;
  /** The other members this node learnt (joined through it, approved it, or announced), most recent last. */
  members(domain: Id): ReadonlyArray<Id>;
  /** True when this node knows `node` as a member of `domain`: learnt, listed in the advert, or itself when a member. */
  isMember(domain: Id, node: Id): boolean;
  /** Serves `domain`: anycast messages to it are delivered to this engine. */
  serve(domain: Id): void;
  /** The member an anycast to `domain` would go to now (a pure read of the Router's choice). */
  anycastMember(domain: Id): Id | undefined;
  /** Topology: announces PeerAddedToView / PeerRemovedFromView to the watchers. */
  announceView(domain: Id, change: ViewChange): void;
  /** The view of `domain` as announced so far, oldest first. */
  view(domain: Id): ReadonlyArray<ViewPeer>;
  /** This engine hears domain-joined, domain-left, peer-added-to-view and peer-removed-from-view from now on. */
  watch(): void;
}

/** Which relayed messages a node forwards: all when both lists are absent, else those from `from` or to `to`. */
export interface RelayPolicy {
  readonly from?: ReadonlyArray<Id>;
  readonly to?: ReadonlyArray<Id>;
}

/** The topic operations of the Router's local topic service. */
export type TopicOp = 'create' | 'delete' | 'subscribe' | 'unsubscribe';
/** Result of a topic operation; errors carry stable codes (Q9). */
export type TopicResult = 'ok' | 'topic/exists' | 'topic/unknown' | 'topic/not-creator' | 'topic/already-subscribed' | 'topic/not-subscribed';

/** Options of a topic request: `local` never reaches the network; `any` may (Q11). */
export interface TopicOptions {
  readonly scope?: 'local' | 'any';
  readonly tags?: ReadonlyArray<string>;
}

/** Options of one outgoing message. */
export interface SendOptions {
  readonly replyTo?: number;
  /** Relative expiry in ms from now (converted to an absolute deadline at send time, Q5). */
  readonly expiryMs?: number;
  readonly scope?: RoutingScope;
  readonly tprefs?: TransportPrefs;
  /** Defaults to `netmachine.raw/1.0`. */
  readonly protocol?: string;
}

/** What `ctx.connections.connect` did (S20): already `connected`, `dialling` started, or why not. */
export type ConnectResult = 'connected' | 'dialling' | 'connect/no-address' | 'connect/self' | 'connect/banned';
/** What `ctx.connections.disconnect` did (S20): the connection was open and is closed, or there was none. */
export type DisconnectResult = 'disconnected' | 'disconnect/not-connected';

/** An open connection (ConnectedNodesResponse, SPEC §4.2). */
export interface ConnectedNode {
  readonly node: Id;
  /** The address it was established over (`sim://b`, `quic://127.0.0.1:7001`). */
  readonly address: string;
}

export interface ConnectOptions {
  /** Keep the connection: re-dialled after any loss, never closed for idleness (S21). Default false: ephemeral. */
  readonly isPermanent?: boolean;
  /**
   * The node's signed advert, learnt from a protocol message: verified and stored first (kept only
   * when valid and newer, I8), so a node this one never heard of can be dialled at once.
   */
  readonly advert?: NodeAdvert;
}

/**
 * The node's Transport connections as an engine sees them (SPEC §4.2), the same on every backend.
 * Results are decided when called, from the node's current state; the connect or disconnect itself
 * happens after the handler returns, like every other effect.
 */
export interface EngineConnections {
  /** ConnectRequest: dials `node` (from its advert in this node's identity store) unless connected. */
  connect(node: Id, options?: ConnectOptions): ConnectResult;
  /** DisconnectRequest: closes the connection and stops re-dialling `node`. */
  disconnect(node: Id): DisconnectResult;
  /** ConnectedNodesRequest: the open connections, oldest first. */
  list(): ReadonlyArray<ConnectedNode>;
  isConnected(node: Id): boolean;
  /** Subscribes this engine to `node-connected`, `node-disconnected` and `node-connect-failed` notices. */
  watch(): void;
  /** The signed advert peers dial this node with (absent when the backend gives the node none). */
  selfAdvert(): NodeAdvert | undefined;
}

/** Structured values for `log`. */
export type LogData = Readonly<Record<string, number | string | boolean>>;

/**
 * What a handler may do; every effect is applied by the Node runtime after the handler returns.
 * Call its methods on `ctx` (`ctx.send(…)`); only `sign`, `signAs`, `verify` and `hash` may be
 * passed around as plain functions.
 */
export interface EngineContext {
  /** This engine's identity. */
  readonly self: Id;
  /** The identity of the node hosting this engine. */
  readonly node: Id;
  /** The node's connections: connect, disconnect, list, watch (SPEC §4.2). */
  readonly connections: EngineConnections;
  /** This engine's durable key-value store: it survives the node's crash and restart in the simulator (storage faults aside). */
  readonly disk: Disk;
  /** The node's domains: adverts, membership, known members, anycast, views (SPEC §4.6). */
  readonly domains: EngineDomains;
  /** The node's boot number: 1 on its first start in the simulator, higher after each restart. */
  readonly session: number;
  /** This engine's name on its node. */
  readonly name: string;
  /** The node's clock in ms (virtual in the simulator; skewed, drifting or strobing when the scenario says so). */
  now(): number;
  /**
   * A fault injection point (FoundationDB's BUGGIFY): true now and then in a simulation whose
   * scenario sets `buggify:`, never on real networks. Use it to take the rare path on purpose
   * (`if (ctx.buggify('drop-ack')) return;`); each firing is traced and counted in coverage.
   */
  buggify(label: string): boolean;
  /** This engine's own seeded random stream. */
  readonly rng: Rng;
  /** Sends `body` to `destination`; returns the message id. */
  send(destination: Destination, body: Uint8Array, options?: SendOptions): number;
  /** Answers `message` (from `sourceNode`) with `replyTo` set; returns the message id. */
  reply(input: Extract<EngineInput, { kind: 'message' }>, body: Uint8Array, options?: SendOptions): number;
  /** Publishes `body` to `topic`; returns the message id. */
  publish(topic: Id, body: Uint8Array, options?: SendOptions): number;
  /**
   * Subscribes to `topic`. Without options: joins the local topic (creating the entry) and, when
   * this node has a PubSub bridge and no local creator, asks the bridge to subscribe in the network.
   * With options: Q9 semantics, and the result arrives later as a `topic-result` notice.
   */
  subscribe(topic: Id, options?: TopicOptions): void;
  unsubscribe(topic: Id, options?: TopicOptions): void;
  /** Creates `topicKey.id` with this engine as creator (S9); network scope yields a signed TopicAdvert (S12). Result as a notice. */
  createTopic(topicKey: KeyPair, options?: TopicOptions): void;
  /** Deletes a topic; only its creator may (S10, I15). Result as a notice. */
  deleteTopic(topic: Id): void;
  /** Makes this engine the node's PubSub bridge: it receives `pubsub-request` notices. */
  bridgeTopics(): void;
  /**
   * Bridge only: hands an encapsulated topic message (an encoded, signed EngineMessage from the
   * network) to the Router, which verifies it and delivers it to local subscribers except the bridge.
   */
  injectTopicMessage(encoded: Uint8Array, sourceNode: Id): void;
  /** Bridge only: tells local subscribers of `topic` that a remote peer (un)subscribed us (S13). */
  notifyTopic(topic: Id, kind: 'topic-subscribed' | 'topic-unsubscribed'): void;
  /** `LookupIdentityRequest` on the node's Network Identity Store (a local read). */
  lookupNode(id: Id): NodeRecord | undefined;
  /** The node an engine runs on, if known. */
  lookupEngine(id: Id): Id | undefined;
  /** `UpdateIdentityRequest`: merges `patch` into the node record. */
  updateNode(id: Id, patch: NodeRecordPatch): void;
  /** Offers a received or configured advert to the store (kept only if valid and newer, I8). */
  offerAdvert(advert: Advert): void;
  /** Subscribes this engine to `identity-updated` notices. */
  watchIdentities(): void;
  /** Makes this engine the node's resolver: it gets `identity-lookup` notices for parked messages (Q10). */
  resolveIdentities(): void;
  /** Adds an RTT sample for `node` to the identity store (moving average, Q14). */
  recordRtt(node: Id, rttMs: number): void;
  /** Counts a failure of `node` (anycast falls back to other members). */
  recordFailure(node: Id): void;
  /** Lets this node relay sealed messages (S23): for any source/destination, or only the listed ones. */
  offerRelay(policy?: RelayPolicy): void;
  /** Signs `bytes` with another key this engine holds (a topic or domain key, e.g. for its advert). */
  signAs(key: KeyPair, bytes: Uint8Array): Uint8Array;
  /** Signs `bytes` with this engine's key (e.g. a PubSub Event). */
  sign(bytes: Uint8Array): Uint8Array;
  /** Verifies `signature` by `id` over `bytes`. */
  verify(id: Id, bytes: Uint8Array, signature: Uint8Array): boolean;
  /** 32-byte BLAKE3 digest. */
  hash(bytes: Uint8Array): Uint8Array;
  /** Schedules a `timer` input after `delayMs`. */
  setTimer(delayMs: number, tag?: string): TimerId;
  cancelTimer(timer: TimerId): void;
  /** Writes a `log` trace event. */
  log(text: string, data?: LogData): void;
}

/** A few named values of an engine's state (`{ role: 'leader', term: 3 }`), for tests to select on. */
export type EngineState = Readonly<Record<string, string | number | boolean>>;

/** An engine instance: one synchronous handler. */
export interface Engine {
  handle(input: EngineInput, ctx: EngineContext): void;
  /** Optional: a summary of its state, so a scenario can aim a fault at "the node whose engine is the leader". */
  inspect?(): EngineState;
}

/** An engine's address as a scenario names it (`node/engine`). */
export interface EngineAddress {
  readonly engine: Id;
  readonly node: Id;
}

/** What a factory may ask about the network it is placed in (names resolve to ids). */
export interface EngineEnv {
  /** The node this engine runs on. */
  readonly nodeName: string;
  /** Names of the nodes directly linked to this one, in a stable order. */
  readonly neighbors: ReadonlyArray<string>;
  /** Resolves `node/engine` to an address. */
  resolve(reference: string): Result<EngineAddress, string>;
  /** Optional: `resolve(`${node}/${engine}`)` without building the reference (a workload resolves per message). */
  resolveEngine?(node: string, engine: string): Result<EngineAddress, string>;
  /** Optional: whether `resolveEngine(node, engine)` would succeed, without deriving keys or building results (a workload checks its targets at start). */
  hasEngine?(node: string, engine: string): boolean;
  /** Optional: whether every node of `known` runs an engine named `engine` (true: `hasEngine` holds for each). */
  knownRun?(engine: string): boolean;
  /** The identity of the topic called `name`. */
  topic(name: string): Id;
  /** The key of the topic called `name` (its publisher holds it); absent on backends that do not hand it out. */
  topicKey?(name: string): KeyPair;
  /** The identity of the node called `name` (absent on backends that do not hand it out). */
  nodeId?(name: string): Id | undefined;
  /** The key of the domain called `name`: only its owner's engine claims it (a deployer hands it to that node only). */
  domainKey?(name: string): KeyPair;
  /** The public identity of the domain called `name` (every node may know it). */
  domain?(name: string): Id;
  /** Names of every node of the plan, in plan order (absent on backends that do not know them). */
  readonly nodeNames?: ReadonlyArray<string>;
  /** Names of the nodes this node's configuration knows (whose adverts it starts with), in a stable order. */
  readonly known?: ReadonlyArray<string>;
}

/** Builds an engine from its parameters; throws an EngineConfigError for bad parameters. */
export type EngineFactory = (params: Readonly<Record<string, unknown>>, env: EngineEnv) => Engine;
