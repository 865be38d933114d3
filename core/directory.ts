// The Network Identity Store (SPEC §4.3, §5.3): engine → node mapping and node records with
// addresses in preference order. Issue-6 work extends the records; the core uses only these fields.
import type { Id } from './ids.js';

/** Default trust (SPEC §3.1: 0 = banned, 128 = default, 255 = fully trusted). */
export const TRUST_DEFAULT = 128;

/** What the store knows about a node. */
export interface NodeRecord {
  readonly id: Id;
  /** Transport addresses in preference order (e.g. `quic://127.0.0.1:7001`). */
  readonly addresses: ReadonlyArray<string>;
  readonly trust: number;
}

/** Identity records of one node's view of the network. */
export class IdentityStore {
  private readonly engineNodes = new Map<Id, Id>();
  private readonly nodes = new Map<Id, NodeRecord>();

  /** Records that `engine` runs on `node` (from a configured EngineAdvert). */
  setEngineNode(engine: Id, node: Id): void {
    this.engineNodes.set(engine, node);
  }

  /** The node `engine` runs on, if known. */
  engineNode(engine: Id): Id | undefined {
    return this.engineNodes.get(engine);
  }

  /** Adds or replaces a node record. */
  setNode(record: NodeRecord): void {
    this.nodes.set(record.id, record);
  }

  node(id: Id): NodeRecord | undefined {
    return this.nodes.get(id);
  }

  /** Trust in `node` (default when unknown). */
  trust(node: Id): number {
    return this.nodes.get(node)?.trust ?? TRUST_DEFAULT;
  }

  /** Every known node record, in insertion order. */
  allNodes(): IterableIterator<NodeRecord> {
    return this.nodes.values();
  }
}
