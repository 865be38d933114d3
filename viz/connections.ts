// The overlay's connections over time, from connect / disconnect events and crashes. Each node
// traces its own end of a connection, so an end is what this tracks: a connection between a and b
// is open while both ends are, half-open while one is (a crashed peer's survivors hold their end
// until they notice, after the idle timeout), closed when neither is.
import type { ConnectionPair, ConnectionSpan, ViewModel } from './types.js';

type MutableSpan = { -readonly [K in keyof ConnectionSpan]: ConnectionSpan[K] };

/** Collects connection ends while the view model reads the trace in time order. */
export class ConnectionTracker {
  private readonly pairs: ConnectionPair[] = [];
  private readonly pairIndex = new Map<string, number>();
  private readonly spans: MutableSpan[] = [];
  /** `node|peer` → index of its open span. */
  private readonly open = new Map<string, number>();
  /** Node → the peers it holds an open end to (closed all at once by a crash). */
  private readonly openByNode = new Map<number, Set<number>>();

  connect(t: number, node: number, peer: number): void {
    if (node === peer || this.open.has(`${node}|${peer}`)) return;
    const a = Math.min(node, peer);
    const b = Math.max(node, peer);
    let pair = this.pairIndex.get(`${a}|${b}`);
    if (pair === undefined) {
      pair = this.pairs.length;
      this.pairIndex.set(`${a}|${b}`, pair);
      this.pairs.push({ a, b });
    }
    this.open.set(`${node}|${peer}`, this.spans.length);
    this.spans.push({ pair, isEndA: node === a, startMs: t, endMs: Number.NaN });
    let peers = this.openByNode.get(node);
    if (peers === undefined) this.openByNode.set(node, (peers = new Set()));
    peers.add(peer);
  }

  disconnect(t: number, node: number, peer: number): void {
    const span = this.open.get(`${node}|${peer}`);
    if (span === undefined) return;
    this.spans[span]!.endMs = t;
    this.open.delete(`${node}|${peer}`);
    this.openByNode.get(node)?.delete(peer);
  }

  /** A crashed node's ends close with it (its process and sockets are gone; it traces no disconnect). */
  crash(t: number, node: number): void {
    for (const peer of [...(this.openByNode.get(node) ?? [])]) this.disconnect(t, node, peer);
  }

  /** Pairs in first-sighting order; spans sorted by start, those still open at the end of the trace ending at +Infinity. */
  finish(): { pairs: ConnectionPair[]; spans: ConnectionSpan[] } {
    for (const span of this.spans) if (Number.isNaN(span.endMs)) span.endMs = Number.POSITIVE_INFINITY;
    return { pairs: this.pairs, spans: this.spans };
  }
}

/** Per connection pair, how many of its ends are open at time `t` (0, 1 half-open, 2 open). */
export function connectionsAt(model: Pick<ViewModel, 'connectionPairs' | 'connections'>, t: number): Uint8Array {
  const ends = new Uint8Array(model.connectionPairs.length);
  for (const span of model.connections) {
    if (span.startMs > t) break;
    if (span.endMs > t) ends[span.pair]!++;
  }
  return ends;
}
