// Q10 and S6 on one node: messages to an engine of unknown location wait (are parked) while a
// resolver engine looks the engine up, and engines that watch identities hear every
// IdentityUpdated. The node listens to its directory only while someone waits or watches.
import type { IdentityStore, IdentityUpdate } from './directory.js';
import type { Notice } from './engine.js';
import type { HostedEngine } from './engine-context.js';
import type { Id } from './ids.js';
import type { NodeRecord } from './inbound.js';
import type { EngineMessage } from './message.js';
import type { Clock } from './ports.js';

/** Q10: messages parked per destination while it is looked up, and how long the lookup may take. */
export const PARKED_PER_DESTINATION_MAX = 256;
export const LOOKUP_TIMEOUT_MS = 2000;

/** A signed message waiting for its destination's location. */
export interface Parked {
  readonly hosted: HostedEngine;
  readonly message: EngineMessage;
  readonly bytes: Uint8Array;
  readonly msg: string;
}

/** What the lookups need from their node. */
export interface LookupHost {
  readonly directory: IdentityStore;
  readonly clock: Clock;
  isStopped(): boolean;
  emit(record: NodeRecord): void;
  /** Gives `engine` a notice in a later turn. */
  notice(engine: Id, notice: Notice): void;
  /** Routes a released message again. */
  release(entry: Parked): void;
}

export class IdentityLookups {
  private readonly parked = new Map<Id, Parked[]>();
  private readonly watchers: Id[] = [];
  private stopListening: (() => void) | undefined;
  /** The engine that resolves unknown engines (`ctx.resolveIdentities()`); none = no parking. */
  resolver: Id | undefined;

  constructor(private readonly host: LookupHost) {}

  /** `engine` hears every IdentityUpdated from now on. */
  watch(engine: Id): void {
    if (!this.watchers.includes(engine)) this.watchers.push(engine);
    this.listen();
  }

  /** Parks `entry` until `destination` is located, or drops it after LOOKUP_TIMEOUT_MS. */
  park(entry: Parked, destination: Id): void {
    const { clock } = this.host;
    const emit = (record: NodeRecord): void => this.host.emit(record);
    let queue = this.parked.get(destination);
    if (queue === undefined) {
      const waiting: Parked[] = [];
      this.parked.set(destination, (queue = waiting));
      this.listen();
      this.host.notice(this.resolver!, { kind: 'identity-lookup', id: destination });
      clock.schedule(clock.now() + LOOKUP_TIMEOUT_MS, () => {
        // Released already, or the lookup failed: whatever is still parked is dropped.
        if (this.parked.get(destination) !== waiting) return;
        for (const parked of waiting) emit({ kind: 'drop', engine: parked.hosted.name, msg: parked.msg, reason: 'lookup-failed' });
        this.parked.delete(destination);
      });
    }
    if (queue.length >= PARKED_PER_DESTINATION_MAX) return emit({ kind: 'drop', engine: entry.hosted.name, msg: entry.msg, reason: 'park-full' });
    queue.push(entry);
    emit({ kind: 'log', engine: entry.hosted.name, msg: entry.msg, text: 'parked: destination being looked up' });
  }

  /** Stops listening to the directory (the node stopped). */
  stop(): void {
    this.stopListening?.();
    this.stopListening = undefined;
  }

  private listen(): void {
    this.stopListening ??= this.host.directory.onUpdated((update) => this.onIdentityUpdated(update));
  }

  /** S6: an IdentityUpdated refreshes routing; parked messages for that identity are released. */
  private onIdentityUpdated(update: IdentityUpdate): void {
    if (this.host.isStopped()) return;
    for (const watcher of this.watchers) this.host.notice(watcher, { kind: 'identity-updated', update });
    const queue = this.parked.get(update.id);
    if (queue !== undefined && this.host.directory.engineNode(update.id) !== undefined) {
      this.parked.delete(update.id);
      for (const entry of queue) this.host.release(entry);
    }
    if (this.parked.size === 0 && this.watchers.length === 0) this.stop();
  }
}
