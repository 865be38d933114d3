// A node's domains (SPEC §4.6, §5.6): the local engines serving each domain (anycast targets), this
// node's memberships, the members it knows (what the Router's `Domain(d)` scope admits) and the
// Topology's views, with domain notices to the engines that watch. Created on the first use: most
// nodes of a large simulation take part in no domain.
import type { IdentityStore } from './directory.js';
import type { Membership, Notice, ViewChange, ViewPeer } from './engine.js';
import type { Id } from './ids.js';

/** Members a node remembers per domain besides its view (oldest forgotten first). */
export const KNOWN_MEMBERS_MAX = 4096;

/** What the domains need from their node. */
export interface DomainsHost {
  readonly self: Id;
  readonly directory: IdentityStore;
  /** Gives `engine` a notice in a later turn. */
  notice(engine: Id, notice: Notice): void;
}

interface DomainState {
  membership: Membership | undefined;
  /** Learnt members in the order last learnt (a Set keeps insertion order; re-learning moves one to the end). */
  readonly members: Set<Id>;
  readonly view: Map<Id, ViewPeer>;
}

export class NodeDomains {
  /** Local engines serving a domain (anycast targets), in registration order. */
  readonly servers = new Map<Id, Id[]>();
  private readonly domains = new Map<Id, DomainState>();
  private readonly watchers: Id[] = [];

  constructor(private readonly host: DomainsHost) {}

  private state(domain: Id): DomainState {
    let state = this.domains.get(domain);
    if (state === undefined) this.domains.set(domain, (state = { membership: undefined, members: new Set(), view: new Map() }));
    return state;
  }

  serve(domain: Id, engine: Id): void {
    const servers = this.servers.get(domain) ?? [];
    if (!servers.includes(engine)) this.servers.set(domain, [...servers, engine]);
  }

  membership(domain: Id): Membership | undefined {
    return this.domains.get(domain)?.membership;
  }

  setMembership(domain: Id, membership: Membership | undefined): void {
    const state = this.state(domain);
    const wasMember = state.membership !== undefined;
    state.membership = membership;
    if (membership !== undefined) this.tell({ kind: 'domain-joined', domain, membership });
    else if (wasMember) {
      state.view.clear();
      this.tell({ kind: 'domain-left', domain });
    }
  }

  learnMember(domain: Id, node: Id): void {
    if (node === this.host.self) return;
    const members = this.state(domain).members;
    members.delete(node);
    members.add(node);
    if (members.size > KNOWN_MEMBERS_MAX) members.delete(members.values().next().value!);
  }

  forgetMember(domain: Id, node: Id): void {
    this.domains.get(domain)?.members.delete(node);
  }

  members(domain: Id): ReadonlyArray<Id> {
    const members = this.domains.get(domain)?.members;
    return members === undefined ? [] : [...members];
  }

  /** As far as this node knows: itself when a member, a learnt member, one in its view, or one the owner's advert lists. */
  isMember(domain: Id, node: Id): boolean {
    const state = this.domains.get(domain);
    if (node === this.host.self) return state?.membership !== undefined;
    if (state?.members.has(node) === true || state?.view.has(node) === true) return true;
    return this.host.directory.advert('domain', domain)?.nodes.includes(node) === true;
  }

  announceView(domain: Id, change: ViewChange): void {
    const view = this.state(domain).view;
    if (change.kind === 'added') {
      view.set(change.peer.node, change.peer);
      this.tell({ kind: 'peer-added-to-view', domain, peer: change.peer });
    } else if (view.delete(change.node)) {
      this.tell({ kind: 'peer-removed-from-view', domain, node: change.node });
    }
  }

  view(domain: Id): ReadonlyArray<ViewPeer> {
    const view = this.domains.get(domain)?.view;
    return view === undefined ? [] : [...view.values()];
  }

  watch(engine: Id): void {
    if (!this.watchers.includes(engine)) this.watchers.push(engine);
  }

  private tell(notice: Notice): void {
    for (const engine of this.watchers) this.host.notice(engine, notice);
  }
}
