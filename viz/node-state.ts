// Node state over time (up / crashed, partition group) from crash, restart, partition and heal events.
import type { Interner } from './interner.js';
import type { NodeStateChange, PartitionSpan, ViewModel } from './types.js';

/** Collects state changes while the view model reads the trace in time order. */
export class NodeStateTracker {
  private readonly changes = new Map<number, NodeStateChange[]>();
  private readonly spans: { startMs: number; endMs: number; groups: string[][] }[] = [];
  /** Node index → group while a partition is in force. */
  private groupOf = new Map<number, number>();

  crash(t: number, node: number): void {
    this.change(node, t, { isUp: false });
  }

  restart(t: number, node: number): void {
    this.change(node, t, { isUp: true });
  }

  partition(t: number, groups: string[][], nodes: Interner): void {
    this.closeSpan(t);
    const before = this.groupOf;
    this.groupOf = new Map();
    groups.forEach((group, index) => {
      for (const name of group) this.groupOf.set(nodes.intern(name), index);
    });
    for (const node of new Set([...before.keys(), ...this.groupOf.keys()])) this.change(node, t, { group: this.groupOf.get(node) ?? -1 });
    this.spans.push({ startMs: t, endMs: Number.NaN, groups });
  }

  heal(t: number): void {
    this.closeSpan(t);
    for (const node of this.groupOf.keys()) this.change(node, t, { group: -1 });
    this.groupOf = new Map();
  }

  /** Per node, its changes in time order, starting with `up, no group` at `startMs`. */
  finish(nodeCount: number, startMs: number): NodeStateChange[][] {
    const result: NodeStateChange[][] = [];
    for (let node = 0; node < nodeCount; node++) result.push([{ t: startMs, isUp: true, group: -1 }, ...(this.changes.get(node) ?? [])]);
    return result;
  }

  partitionSpans(endMs: number): PartitionSpan[] {
    this.closeSpan(endMs);
    return this.spans;
  }

  private closeSpan(t: number): void {
    const last = this.spans[this.spans.length - 1];
    if (last !== undefined && Number.isNaN(last.endMs)) last.endMs = t;
  }

  private change(node: number, t: number, change: Partial<Omit<NodeStateChange, 't'>>): void {
    let list = this.changes.get(node);
    if (list === undefined) this.changes.set(node, (list = []));
    const previous = list[list.length - 1] ?? { t, isUp: true, group: -1 };
    const next = { t, isUp: change.isUp ?? previous.isUp, group: change.group ?? previous.group };
    if (next.isUp === previous.isUp && next.group === previous.group) return;
    if (previous.t === t && list.length > 0) list[list.length - 1] = next;
    else list.push(next);
  }
}

/** The state of node `node` at time `t` (ms): the last change at or before `t`. */
export function nodeStateAt(model: Pick<ViewModel, 'nodeStates'>, node: number, t: number): NodeStateChange {
  const changes = model.nodeStates[node];
  if (changes === undefined || changes.length === 0) throw new RangeError(`no node ${node} in the view model`);
  let low = 0;
  let high = changes.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (changes[middle]!.t <= t) low = middle;
    else high = middle - 1;
  }
  return changes[low]!;
}
