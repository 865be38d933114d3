// Pub/sub delivery per topic: each publish expects one delivery per subscriber engine known at that
// moment (other than the publisher; a crashed node's subscriptions are gone until it subscribes again).
import type { TopicStats } from './types.js';

export class TopicTracker {
  /** Topic index → `node/engine` of its subscribers. */
  private readonly subscribers = new Map<number, Set<string>>();
  private readonly totals = new Map<number, { published: number; expected: number; delivered: number }>();

  subscription(topic: number, subscriber: string, isSubscribed: boolean): void {
    let set = this.subscribers.get(topic);
    if (set === undefined) this.subscribers.set(topic, (set = new Set()));
    if (isSubscribed) set.add(subscriber);
    else set.delete(subscriber);
  }

  /** Forgets every subscription whose `node/engine` starts with `prefix` (`node/`). */
  crash(prefix: string): void {
    for (const set of this.subscribers.values()) {
      for (const subscriber of set) if (subscriber.startsWith(prefix)) set.delete(subscriber);
    }
  }

  subscribersExcept(topic: number, publisher: string): number {
    const set = this.subscribers.get(topic);
    if (set === undefined) return 0;
    return set.size - (set.has(publisher) ? 1 : 0);
  }

  published(topic: number, expected: number): void {
    const total = this.total(topic);
    total.published++;
    total.expected += expected;
  }

  delivered(topic: number): void {
    this.total(topic).delivered++;
  }

  stats(topics: ReadonlyArray<string>): TopicStats[] {
    return topics.map((topic, index) => {
      const total = this.totals.get(index) ?? { published: 0, expected: 0, delivered: 0 };
      return { topic, ...total, ratio: total.expected === 0 ? Number.NaN : total.delivered / total.expected };
    });
  }

  private total(topic: number): { published: number; expected: number; delivered: number } {
    let total = this.totals.get(topic);
    if (total === undefined) this.totals.set(topic, (total = { published: 0, expected: 0, delivered: 0 }));
    return total;
  }
}
