// The peers an engine talks to: its node's static link neighbours (the default), or, when the engine
// is given a domain, the Topology's live view of that domain (PeerAddedToView / PeerRemovedFromView).
import { NetmachineError } from '../assert.js';
import type { EngineContext, EngineEnv, Notice } from '../engine.js';
import type { Id } from '../ids.js';
import { neighborEngines } from './params.js';

/** A change of the peer set, as a view notice made it. */
export type PeerChange = { readonly kind: 'added' | 'removed'; readonly node: Id };

export class OverlayPeers {
  /** Peer node → its engine called `engineName`, in the order they came. */
  readonly peers: Map<Id, Id>;
  /** The domain whose view this follows (undefined: static neighbours). */
  readonly domain: Id | undefined;

  constructor(
    env: EngineEnv,
    private readonly engineName: string,
    domainName: string | undefined,
    kind: string,
  ) {
    if (domainName === undefined) {
      this.peers = neighborEngines(env, engineName);
      this.domain = undefined;
      return;
    }
    if (env.domain === undefined) throw new NetmachineError('engine/unsupported', `engine "${kind}" params.domain: this backend names no domains`);
    this.peers = new Map();
    this.domain = env.domain(domainName);
  }

  get isOverlay(): boolean {
    return this.domain !== undefined;
  }

  /** At the engine's start: follows the view from now on, beginning with what it holds already. */
  start(ctx: EngineContext): void {
    if (this.domain === undefined) return;
    ctx.domains.watch();
    for (const peer of ctx.domains.view(this.domain)) {
      const engine = peer.engines.get(this.engineName);
      if (engine !== undefined) this.peers.set(peer.node, engine);
    }
  }

  /** Applies a view notice of this domain; the change it made, if any. */
  apply(notice: Notice): PeerChange | undefined {
    if (this.domain === undefined) return undefined;
    if (notice.kind === 'peer-added-to-view' && notice.domain === this.domain) {
      const engine = notice.peer.engines.get(this.engineName);
      if (engine === undefined || this.peers.get(notice.peer.node) === engine) return undefined;
      this.peers.set(notice.peer.node, engine);
      return { kind: 'added', node: notice.peer.node };
    }
    if (notice.kind === 'peer-removed-from-view' && notice.domain === this.domain && this.peers.delete(notice.node)) return { kind: 'removed', node: notice.node };
    return undefined;
  }
}
