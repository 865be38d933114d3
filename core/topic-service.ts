// The Router's local topic service (SPEC §5.1.4, S9–S13, Q9, Q11): create / delete / subscribe /
// unsubscribe with typed results, and the hand-over to the node's PubSub bridge (an engine that
// called `bridgeTopics()`), which does the peer-to-peer part.
import { signAdvert, type TopicAdvert } from './adverts.js';
import type { Notice, TopicOp, TopicOptions, TopicResult } from './engine.js';
import type { Id } from './ids.js';
import type { Crypto, KeyPair } from './ports.js';
import type { TopicTable } from './router.js';

interface CreatedTopic {
  readonly creator: Id;
  readonly key: KeyPair;
  readonly isNetwork: boolean;
  readonly tags: ReadonlyArray<string>;
  isAdvertised: boolean;
}

/** What the service needs from the Node runtime. */
export interface TopicServiceDeps {
  readonly self: Id;
  readonly crypto: Crypto;
  readonly topics: TopicTable;
  now(): number;
  /** Queues `notice` for local engine `engine` (delivered asynchronously). */
  notice(engine: Id, notice: Notice): void;
  /** Traces a subscription change or a topic operation. */
  trace(kind: 'subscribe' | 'unsubscribe' | 'log', engine: Id, topic: Id, text?: string): void;
}

/** One node's topic service. */
export class TopicService {
  private readonly created = new Map<Id, CreatedTopic>();
  /** Topics the bridge was asked to subscribe to in the network. */
  private readonly networkSubscribed = new Set<Id>();
  private bridge: Id | undefined;
  /** Engines whose leaving ended a network subscription: they hear `topic-unsubscribed` (S13). */
  private readonly leaving = new Map<Id, Id[]>();

  constructor(private readonly deps: TopicServiceDeps) {}

  /** The node's PubSub bridge engine, if one registered. */
  get bridgeEngine(): Id | undefined {
    return this.bridge;
  }

  /** Registers the bridge and hands it the topics that were waiting for one. */
  setBridge(engine: Id): void {
    this.bridge = engine;
    for (const [topic, entry] of this.created) if (entry.isNetwork) this.startAdvert(topic, entry);
    for (const topic of this.networkSubscribed) this.deps.notice(engine, { kind: 'pubsub-request', op: 'subscribe', topic });
  }

  create(requester: Id, key: KeyPair, options: TopicOptions): void {
    const topic = key.id;
    if (this.created.has(topic)) return this.result(requester, 'create', topic, 'topic/exists');
    // Q11: topic creation defaults to the local scope.
    const entry: CreatedTopic = { creator: requester, key, isNetwork: options.scope === 'any', tags: options.tags ?? [], isAdvertised: false };
    this.created.set(topic, entry);
    this.deps.trace('log', requester, topic, `topic create (${entry.isNetwork ? 'any' : 'local'}): ok`);
    // S12: StartAdvertRequest reaches PubSub before the create response.
    if (entry.isNetwork) this.startAdvert(topic, entry);
    this.result(requester, 'create', topic, 'ok');
  }

  remove(requester: Id, topic: Id): void {
    const entry = this.created.get(topic);
    if (entry === undefined) return this.result(requester, 'delete', topic, 'topic/unknown');
    if (entry.creator !== requester) return this.result(requester, 'delete', topic, 'topic/not-creator');
    this.created.delete(topic);
    for (const engine of this.deps.topics.remove(topic)) this.deps.trace('unsubscribe', engine, topic);
    this.deps.trace('log', requester, topic, 'topic delete: ok');
    if (entry.isAdvertised && this.bridge !== undefined) this.deps.notice(this.bridge, { kind: 'pubsub-request', op: 'stop-advert', topic });
    this.result(requester, 'delete', topic, 'ok');
  }

  /** `options` undefined = the original local-only call (no result notice). */
  subscribe(requester: Id, topic: Id, options: TopicOptions | undefined): void {
    const { topics } = this.deps;
    if (options?.scope === 'local' && !topics.isKnown(topic) && !this.created.has(topic)) return this.result(requester, 'subscribe', topic, 'topic/unknown');
    if (!topics.subscribe(topic, requester)) {
      if (options !== undefined) this.result(requester, 'subscribe', topic, 'topic/already-subscribed');
      return;
    }
    this.deps.trace('subscribe', requester, topic);
    if (options?.scope !== 'local') this.maybeSubscribeNetwork(requester, topic);
    if (options !== undefined) this.result(requester, 'subscribe', topic, 'ok');
  }

  unsubscribe(requester: Id, topic: Id, options: TopicOptions | undefined): void {
    const { topics } = this.deps;
    if (!topics.unsubscribe(topic, requester)) {
      if (options !== undefined) this.result(requester, 'unsubscribe', topic, 'topic/not-subscribed');
      return;
    }
    this.deps.trace('unsubscribe', requester, topic);
    // Q9: the network subscription ends with the last local subscriber.
    const isStillWanted = topics.fanOut(topic, this.bridge).length > 0;
    if (this.networkSubscribed.has(topic) && !isStillWanted) {
      this.networkSubscribed.delete(topic);
      this.leaving.set(topic, [...(this.leaving.get(topic) ?? []), requester]);
      if (this.bridge !== undefined) this.deps.notice(this.bridge, { kind: 'pubsub-request', op: 'unsubscribe', topic });
    }
    if (options !== undefined) this.result(requester, 'unsubscribe', topic, 'ok');
  }

  /** S13: the bridge reports an acknowledged (un)subscription; local subscribers hear of it. */
  notify(topic: Id, kind: 'topic-subscribed' | 'topic-unsubscribed'): void {
    const engines = kind === 'topic-unsubscribed' ? (this.leaving.get(topic) ?? []) : this.deps.topics.fanOut(topic, this.bridge);
    if (kind === 'topic-unsubscribed') this.leaving.delete(topic);
    for (const engine of engines) this.deps.notice(engine, { kind, topic });
  }

  private maybeSubscribeNetwork(requester: Id, topic: Id): void {
    if (requester === this.bridge || this.created.has(topic) || this.networkSubscribed.has(topic)) return;
    this.networkSubscribed.add(topic);
    if (this.bridge !== undefined) this.deps.notice(this.bridge, { kind: 'pubsub-request', op: 'subscribe', topic });
  }

  private startAdvert(topic: Id, entry: CreatedTopic): void {
    if (this.bridge === undefined || entry.isAdvertised) return;
    entry.isAdvertised = true;
    const advert: TopicAdvert = signAdvert(this.deps.crypto, entry.key, {
      kind: 'topic',
      id: topic,
      // The version is the creation time (ms) + 1: a topic re-created later (a publisher that
      // restarted, with a fresh event sequence) supersedes the old advert everywhere (I8).
      version: Math.max(1, Math.floor(this.deps.now()) + 1),
      created: Math.max(0, Math.round(this.deps.now())),
      publishers: [this.bridge],
      relays: [this.deps.self],
      tags: entry.tags,
    });
    this.deps.notice(this.bridge, { kind: 'pubsub-request', op: 'start-advert', topic, advert });
  }

  private result(requester: Id, op: TopicOp, topic: Id, result: TopicResult): void {
    this.deps.notice(requester, { kind: 'topic-result', op, topic, result });
  }
}
