// A node's connections as the Router and engines see them (SPEC §4.2, S19, S20): the Transport's
// notices become trace events, the set of open connections, and notices to the engines that
// watch; engines' connect / disconnect requests are answered from that set and the identity store.
// Every backend's Transport reports the same three notices, so what engines see is the same on
// the simulator, TLS and QUIC.
import type { IdentityStore } from './directory.js';
import type { ConnectedNode, ConnectResult, DisconnectResult, Notice } from './engine.js';
import type { Id } from './ids.js';
import type { NodeRecord } from './inbound.js';
import type { Transport, TransportEvent } from './ports.js';

/** What the connections need from their node. */
export interface ConnectionsHost {
  readonly self: Id;
  readonly transport: Transport;
  readonly directory: IdentityStore;
  /** Writes a trace record for this node. */
  emit(record: NodeRecord): void;
  nameOf(id: Id): string;
  /** Gives `engine` a notice in a later turn. */
  notice(engine: Id, notice: Notice): void;
}

export class NodeConnections {
  /** Open connections: node → the address it was established over (created on the first one). */
  private open: Map<Id, string> | undefined;
  private watchers: Id[] | undefined;

  constructor(private readonly host: ConnectionsHost) {}

  /** A Transport notice: traced, applied to the open set, and told to every watcher. */
  onTransportEvent(event: TransportEvent): void {
    const peer = this.host.nameOf(event.node);
    switch (event.kind) {
      case 'connected':
        // A transport may report a fresh connection that replaced an open one (the peer restarted
        // and dialled again): engines see the old one close first, so notices always alternate.
        if (this.open?.has(event.node) === true) this.closed(event.node, peer, 'replaced');
        (this.open ??= new Map()).set(event.node, event.address);
        this.host.emit({ kind: 'connect', peer, text: event.address });
        return this.tell({ kind: 'node-connected', node: event.node, address: event.address });
      case 'disconnected':
        if (this.open?.has(event.node) !== true) return this.host.emit({ kind: 'disconnect', peer, reason: event.reason });
        return this.closed(event.node, peer, event.reason);
      case 'connect-failed':
        this.host.emit({ kind: 'connect-failed', peer, reason: event.reason, text: event.text ?? event.address });
        return this.tell({ kind: 'node-connect-failed', node: event.node, address: event.address, reason: event.reason });
    }
  }

  private closed(node: Id, peer: string, reason: string): void {
    this.open!.delete(node);
    this.host.emit({ kind: 'disconnect', peer, reason });
    this.tell({ kind: 'node-disconnected', node, reason });
  }

  private tell(notice: Notice): void {
    if (this.watchers === undefined) return;
    for (const engine of this.watchers) this.host.notice(engine, notice);
  }

  isConnected(node: Id): boolean {
    return this.open?.has(node) === true;
  }

  /** The open connections, oldest first. */
  list(): ConnectedNode[] {
    return this.open === undefined ? [] : [...this.open].map(([node, address]) => ({ node, address }));
  }

  /** S20: what a ConnectRequest for `node` answers now (the dial itself is `connect`). */
  connectResult(node: Id): ConnectResult {
    if (node === this.host.self) return 'connect/self';
    if (this.isConnected(node)) return 'connected';
    if (this.host.directory.trust(node) === 0) return 'connect/banned';
    return (this.host.directory.node(node)?.addresses.length ?? 0) > 0 ? 'dialling' : 'connect/no-address';
  }

  /** S20: what a DisconnectRequest for `node` answers now. */
  disconnectResult(node: Id): DisconnectResult {
    return this.isConnected(node) ? 'disconnected' : 'disconnect/not-connected';
  }

  /** Dials `node`; a given `isPermanent` also changes the permanence of an open connection. */
  connect(node: Id, isPermanent: boolean | undefined): void {
    this.host.transport.connect(node, isPermanent === undefined ? undefined : { isPermanent });
  }

  /** Closes the connection to `node` and stops re-dialling it. */
  disconnect(node: Id): void {
    this.host.transport.disconnect(node);
  }

  /** `engine` hears node-connected / node-disconnected / node-connect-failed from now on. */
  watch(engine: Id): void {
    if (this.watchers?.includes(engine) !== true) (this.watchers ??= []).push(engine);
  }
}
