// The context engines act through: one small object per hosted engine whose methods (on the
// prototype, shared by every engine) record effects for the Node runtime to apply after the
// handler returns. A context built per call would allocate ~35 closures per message.
import { NetmachineError } from './assert.js';
import { verifyAdvert, type Advert, type DomainAdvert, type NodeAdvert } from './adverts.js';
import type { IdentityStore, NodeRecordPatch } from './directory.js';
import type {
  ConnectedNode,
  ConnectOptions,
  ConnectResult,
  DisconnectResult,
  Engine,
  EngineConnections,
  EngineContext,
  EngineDomains,
  EngineInput,
  LogData,
  Membership,
  RelayPolicy,
  SendOptions,
  TopicOptions,
  ViewChange,
  ViewPeer,
} from './engine.js';
import type { Id } from './ids.js';
import type { Destination, EngineMessage, UnsignedEngineMessage } from './message.js';
import type { NodeConnections } from './node-connections.js';
import type { NodeDomains } from './node-domains.js';
import type { Clock, Crypto, KeyPair, Rng, TimerId } from './ports.js';
import type { Disk } from './disk.js';

export const DEFAULT_PROTOCOL = 'netmachine.raw/1.0';
const NO_OPTIONS: SendOptions = Object.freeze({});

/**
 * An engine's effects outside any handler call: none are ever applied, so they are dropped here
 * (one shared empty list instead of a list per engine; a handler call swaps in its own).
 */
export const OUTSIDE_A_HANDLER: Effect[] = [];

/** Records `effect` for the running handler of `hosted` (dropped outside a handler call). */
function pushEffect(hosted: HostedEngine, effect: Effect): void {
  if (hosted.effects !== OUTSIDE_A_HANDLER) hosted.effects.push(effect);
}

/** No timer (clocks number their timers from 1). */
export const NO_TIMER: TimerId = 0;

export type Effect =
  | { readonly kind: 'send'; readonly message: Omit<EngineMessage, 'sig'> }
  | { readonly kind: 'subscribe' | 'unsubscribe'; readonly topic: Id; readonly options?: TopicOptions }
  | { readonly kind: 'create-topic'; readonly key: KeyPair; readonly options: TopicOptions }
  | { readonly kind: 'delete-topic'; readonly topic: Id }
  | { readonly kind: 'bridge' | 'watch' | 'resolve' | 'watch-connections' }
  /** `isPermanent` absent: a new connection is ephemeral, an existing one keeps its permanence. */
  | { readonly kind: 'connect'; readonly node: Id; readonly isPermanent?: boolean }
  | { readonly kind: 'disconnect'; readonly node: Id }
  | { readonly kind: 'update-node'; readonly id: Id; readonly patch: NodeRecordPatch }
  | { readonly kind: 'offer-advert'; readonly advert: Advert }
  /** A node advert learnt from a protocol message and verified already: stored without a log line. */
  | { readonly kind: 'learn-advert'; readonly advert: NodeAdvert }
  | { readonly kind: 'offer-relay'; readonly policy: RelayPolicy }
  | { readonly kind: 'serve-domain'; readonly domain: Id }
  | { readonly kind: 'set-membership'; readonly domain: Id; readonly membership: Membership | undefined }
  | { readonly kind: 'learn-member' | 'forget-member'; readonly domain: Id; readonly node: Id }
  | { readonly kind: 'announce-view'; readonly domain: Id; readonly change: ViewChange }
  | { readonly kind: 'watch-domains' }
  | { readonly kind: 'rtt'; readonly node: Id; readonly rttMs: number }
  | { readonly kind: 'failure'; readonly node: Id }
  | { readonly kind: 'inject'; readonly encoded: Uint8Array; readonly sourceNode: Id }
  | { readonly kind: 'notify-topic'; readonly topic: Id; readonly notice: 'topic-subscribed' | 'topic-unsubscribed' }
  | { readonly kind: 'log'; readonly text: string; readonly data?: LogData };

/** What a context needs from its node. */
export interface ContextHost {
  readonly self: Id;
  readonly session: number;
  readonly clock: Clock;
  /** The node's own clock (skewed, drifting or strobing): what `ctx.now()` reads and timers run on. */
  readonly localClock: Clock;
  readonly crypto: Crypto;
  readonly directory: IdentityStore;
  readonly connections: NodeConnections;
  readonly domains: NodeDomains;
  /** The node's own signed advert, when the backend gave it one. */
  readonly advert: NodeAdvert | undefined;
  anycastMember(domain: Id): Id | undefined;
  setTimer(hosted: HostedEngine, delayMs: number, tag: string): TimerId;
  /** The engine's durable store. */
  diskOf(hosted: HostedEngine): Disk;
  /** Whether the `ctx.buggify(label)` site fires now. */
  buggify(hosted: HostedEngine, label: string): boolean;
  /** The engine's own seeded stream. */
  engineRng(hosted: HostedEngine): Rng;
  /** Where engines given by index (`addEngine`) find their key pairs. */
  readonly keys: KeySource | undefined;
  /** An engine given by index learnt its id (the node records where it runs). */
  keyKnown(engine: Id): void;
}

/** Longest `ctx.buggify` label. */
const BUGGIFY_LABEL_LENGTH_MAX = 100;

type MessageInput = Extract<EngineInput, { kind: 'message' }>;

type CryptoFunctions = Pick<EngineContext, 'sign' | 'signAs' | 'verify' | 'hash'>;

/** A key pair derived when first needed: a simulation hosts 10⁵–10⁶ engines, many of which never sign or receive. */
export interface KeySource {
  keyAt(index: number): KeyPair;
}

/** Rarely used parts of a hosted engine, created with the first of them. */
interface HostedExtras {
  /** The other pending timers, created with the second. */
  timers: Set<TimerId> | undefined;
  /** `ctx.connections`, built when the engine first uses it. */
  connections: EngineConnections | undefined;
  /** `ctx.domains`, built when the engine first uses it. */
  domains: EngineDomains | undefined;
  /** The bound crypto functions (`ctx.sign` …). */
  bound: CryptoFunctions | undefined;
}

/**
 * One hosted engine: its state on the node and its EngineContext in one object (a simulation hosts
 * 10⁵–10⁶ engines: a context of its own per engine cost ≈ 50 bytes more). The context's methods
 * live on the prototype and record effects for the Node runtime to apply after the handler
 * returns; a context built per call would allocate ~35 closures per message.
 */
export class HostedEngine implements EngineContext {
  /** The key pair, once known (see `key`). */
  private keyPair: KeyPair | undefined;
  /** Its index in the host's `keys` when it was given by index (−1: given as a pair). */
  private readonly keyIndex: number;
  /** The engine's random stream, forked on first use. */
  private stream: Rng | undefined;
  /** The first pending timer, or NO_TIMER: most engines have at most one pending at a time. */
  timer: TimerId = NO_TIMER;
  /** Where the running handler's effects go (swapped per call; handlers never nest). */
  effects: Effect[] = OUTSIDE_A_HANDLER;
  private extras: HostedExtras | undefined;

  constructor(
    private readonly host: ContextHost,
    readonly name: string,
    /** The key pair, or its index in the host's `keys` (derived when first needed). */
    key: KeyPair | number,
    readonly engine: Engine,
    public nextMessageId: number,
  ) {
    this.keyIndex = typeof key === 'number' ? key : -1;
    this.keyPair = typeof key === 'number' ? undefined : key;
  }

  /** The engine's signing key pair (derived on first use when it was given by index). */
  get key(): KeyPair {
    return this.keyPair ?? this.deriveKey();
  }

  private deriveKey(): KeyPair {
    const key = this.host.keys!.keyAt(this.keyIndex);
    this.keyPair = key;
    this.host.keyKnown(key.id);
    return key;
  }

  private get more(): HostedExtras {
    return (this.extras ??= { timers: undefined, connections: undefined, domains: undefined, bound: undefined });
  }

  /** Records `timer` as pending. */
  addTimer(timer: TimerId): void {
    if (this.timer === NO_TIMER) this.timer = timer;
    else (this.more.timers ??= new Set()).add(timer);
  }

  /** Removes `timer` from the pending timers: false when it was not pending (fired or cancelled). */
  takeTimer(timer: TimerId): boolean {
    if (timer !== NO_TIMER && this.timer === timer) {
      this.timer = NO_TIMER;
      return true;
    }
    return this.extras?.timers?.delete(timer) === true;
  }

  /** Removes and returns every pending timer. */
  takeAllTimers(): TimerId[] {
    const timers = this.timer === NO_TIMER ? [] : [this.timer];
    const others = this.extras?.timers;
    for (const timer of others ?? []) timers.push(timer);
    this.timer = NO_TIMER;
    others?.clear();
    return timers;
  }

  get self(): Id {
    return this.key.id;
  }
  get node(): Id {
    return this.host.self;
  }
  get session(): number {
    return this.host.session;
  }
  get connections(): EngineConnections {
    return (this.more.connections ??= new HostedConnections(this.host, this));
  }
  get domains(): EngineDomains {
    return (this.more.domains ??= new HostedDomains(this.host, this));
  }
  get disk(): Disk {
    return this.host.diskOf(this);
  }
  get rng(): Rng {
    return (this.stream ??= this.host.engineRng(this));
  }
  now(): number {
    return this.host.localClock.now();
  }
  buggify(label: string): boolean {
    if (typeof label !== 'string' || label.length === 0 || label.length > BUGGIFY_LABEL_LENGTH_MAX) throw new NetmachineError('engine/bad-buggify', `ctx.buggify: the label must be a string of 1 to ${BUGGIFY_LABEL_LENGTH_MAX} characters`);
    return this.host.buggify(this, label);
  }
  private effect(effect: Effect): void {
    pushEffect(this, effect);
  }
  send(dst: Destination, body: Uint8Array, sendOptions: SendOptions = NO_OPTIONS): number {
    return this.sendMessage(dst, body, sendOptions, sendOptions.replyTo);
  }
  reply(input: MessageInput, body: Uint8Array, sendOptions: SendOptions = NO_OPTIONS): number {
    return this.sendMessage({ kind: 'engine', engine: input.message.src, node: input.sourceNode }, body, sendOptions, input.message.id);
  }
  private sendMessage(dst: Destination, body: Uint8Array, sendOptions: SendOptions, replyTo: number | undefined): number {
    const id = this.nextMessageId++;
    // Optional fields are absent, not undefined; built without temporary objects (per message).
    const message: { -readonly [K in keyof UnsignedEngineMessage]: UnsignedEngineMessage[K] } = { src: this.key.id, dst, id, protocol: sendOptions.protocol ?? DEFAULT_PROTOCOL, body: body.slice() };
    if (replyTo !== undefined) message.replyTo = replyTo;
    if (sendOptions.expiryMs !== undefined) message.expiry = Math.ceil(this.host.clock.now() + sendOptions.expiryMs);
    if (sendOptions.scope !== undefined) message.scope = sendOptions.scope;
    if (sendOptions.tprefs !== undefined) message.tprefs = sendOptions.tprefs;
    this.effect({ kind: 'send', message });
    return id;
  }
  publish(topic: Id, body: Uint8Array, sendOptions?: SendOptions): number {
    return this.send({ kind: 'topic', topic }, body, sendOptions);
  }
  subscribe(topic: Id, topicOptions?: TopicOptions): void {
    this.effect(topicOptions === undefined ? { kind: 'subscribe', topic } : { kind: 'subscribe', topic, options: topicOptions });
  }
  unsubscribe(topic: Id, topicOptions?: TopicOptions): void {
    this.effect(topicOptions === undefined ? { kind: 'unsubscribe', topic } : { kind: 'unsubscribe', topic, options: topicOptions });
  }
  createTopic(key: KeyPair, topicOptions: TopicOptions = {}): void {
    this.effect({ kind: 'create-topic', key, options: topicOptions });
  }
  deleteTopic(topic: Id): void {
    this.effect({ kind: 'delete-topic', topic });
  }
  bridgeTopics(): void {
    this.effect({ kind: 'bridge' });
  }
  injectTopicMessage(encoded: Uint8Array, sourceNode: Id): void {
    this.effect({ kind: 'inject', encoded: encoded.slice(), sourceNode });
  }
  notifyTopic(topic: Id, notice: 'topic-subscribed' | 'topic-unsubscribed'): void {
    this.effect({ kind: 'notify-topic', topic, notice });
  }
  lookupNode(id: Id): ReturnType<EngineContext['lookupNode']> {
    return this.host.directory.node(id);
  }
  lookupEngine(id: Id): Id | undefined {
    return this.host.directory.engineNode(id);
  }
  updateNode(id: Id, patch: NodeRecordPatch): void {
    this.effect({ kind: 'update-node', id, patch });
  }
  offerAdvert(advert: Advert): void {
    this.effect({ kind: 'offer-advert', advert });
  }
  watchIdentities(): void {
    this.effect({ kind: 'watch' });
  }
  resolveIdentities(): void {
    this.effect({ kind: 'resolve' });
  }
  offerRelay(policy: RelayPolicy = {}): void {
    this.effect({ kind: 'offer-relay', policy });
  }
  recordRtt(node: Id, rttMs: number): void {
    this.effect({ kind: 'rtt', node, rttMs });
  }
  recordFailure(node: Id): void {
    this.effect({ kind: 'failure', node });
  }
  // Engines pass these as plain functions (e.g. `signEvent(ctx.sign, …)`), so they are bound; the
  // four bound functions are made on first use (many engines never sign or hash).
  private get functions(): CryptoFunctions {
    const more = this.more;
    if (more.bound === undefined) {
      const { crypto } = this.host;
      const key = this.key;
      more.bound = {
        sign: (bytes) => crypto.sign(key, bytes),
        signAs: (signer, bytes) => crypto.sign(signer, bytes),
        verify: (id, bytes, signature) => crypto.verify(id, bytes, signature),
        hash: (bytes) => crypto.hash(bytes),
      };
    }
    return more.bound;
  }
  get sign(): EngineContext['sign'] {
    return this.functions.sign;
  }
  get signAs(): EngineContext['signAs'] {
    return this.functions.signAs;
  }
  get verify(): EngineContext['verify'] {
    return this.functions.verify;
  }
  get hash(): EngineContext['hash'] {
    return this.functions.hash;
  }
  setTimer(delayMs: number, tag = ''): TimerId {
    return this.host.setTimer(this, delayMs, tag);
  }
  cancelTimer(timer: TimerId): void {
    if (this.takeTimer(timer)) this.host.localClock.cancel(timer);
  }
  log(text: string, data?: LogData): void {
    this.effect(data === undefined ? { kind: 'log', text } : { kind: 'log', text, data });
  }
}

/** `ctx.connections` of one hosted engine: answers now, records the connect or disconnect as an effect. */
class HostedConnections implements EngineConnections {
  constructor(
    private readonly host: ContextHost,
    private readonly hosted: HostedEngine,
  ) {}

  connect(node: Id, options: ConnectOptions = {}): ConnectResult {
    const advert = options.advert;
    // A learnt advert is stored first (verified, newer only: I8), so the dial can use its addresses.
    const isLearnt = advert !== undefined && advert.id === node && node !== this.host.self && isNewer(this.host.directory, advert) && verifyAdvert(this.host.crypto.verify, advert);
    if (isLearnt) pushEffect(this.hosted, { kind: 'learn-advert', advert });
    const result = isLearnt && !this.host.connections.isConnected(node) && this.host.directory.trust(node) !== 0 && advert.addresses.length > 0 ? 'dialling' : this.host.connections.connectResult(node);
    // Connected already: a permanence given here still applies (an ephemeral connection kept from now on).
    if (result === 'dialling' || (result === 'connected' && options.isPermanent !== undefined)) pushEffect(this.hosted, options.isPermanent === undefined ? { kind: 'connect', node } : { kind: 'connect', node, isPermanent: options.isPermanent });
    return result;
  }
  disconnect(node: Id): DisconnectResult {
    // Applied even when not connected: it also stops a permanent connection's re-dialling.
    pushEffect(this.hosted, { kind: 'disconnect', node });
    return this.host.connections.disconnectResult(node);
  }
  list(): ReadonlyArray<ConnectedNode> {
    return this.host.connections.list();
  }
  isConnected(node: Id): boolean {
    return this.host.connections.isConnected(node);
  }
  watch(): void {
    pushEffect(this.hosted, { kind: 'watch-connections' });
  }
  selfAdvert(): NodeAdvert | undefined {
    return this.host.advert;
  }
}

/** True when the store holds no advert of `advert.id` from the network with this version or higher. */
function isNewer(directory: IdentityStore, advert: NodeAdvert): boolean {
  const record = directory.node(advert.id);
  return record?.isConfigured !== true && (record?.advert === undefined || record.advert.version < advert.version);
}

/** `ctx.domains` of one hosted engine: reads from the node's domains now, changes as effects. */
class HostedDomains implements EngineDomains {
  constructor(
    private readonly host: ContextHost,
    private readonly hosted: HostedEngine,
  ) {}

  advert(domain: Id): DomainAdvert | undefined {
    return this.host.directory.advert('domain', domain);
  }
  membership(domain: Id): Membership | undefined {
    return this.host.domains.membership(domain);
  }
  setMembership(domain: Id, membership: Membership | undefined): void {
    pushEffect(this.hosted, { kind: 'set-membership', domain, membership });
  }
  learnMember(domain: Id, node: Id): void {
    pushEffect(this.hosted, { kind: 'learn-member', domain, node });
  }
  forgetMember(domain: Id, node: Id): void {
    pushEffect(this.hosted, { kind: 'forget-member', domain, node });
  }
  members(domain: Id): ReadonlyArray<Id> {
    return this.host.domains.members(domain);
  }
  isMember(domain: Id, node: Id): boolean {
    return this.host.domains.isMember(domain, node);
  }
  serve(domain: Id): void {
    pushEffect(this.hosted, { kind: 'serve-domain', domain });
  }
  anycastMember(domain: Id): Id | undefined {
    return this.host.anycastMember(domain);
  }
  announceView(domain: Id, change: ViewChange): void {
    pushEffect(this.hosted, { kind: 'announce-view', domain, change });
  }
  view(domain: Id): ReadonlyArray<ViewPeer> {
    return this.host.domains.view(domain);
  }
  watch(): void {
    pushEffect(this.hosted, { kind: 'watch-domains' });
  }
}
