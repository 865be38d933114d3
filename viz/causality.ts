// The causality graph over messages: a message's parent is the `cause` of its `send` event (the
// message whose handling sent it). The report highlights a message's causal past and future.
import type { VizMessage } from './types.js';

/** Children of each message, by index. */
export function causalChildren(messages: ReadonlyArray<Pick<VizMessage, 'parent'>>): number[][] {
  const children: number[][] = messages.map(() => []);
  messages.forEach((message, index) => {
    if (message.parent >= 0) children[message.parent]!.push(index);
  });
  return children;
}

/** Ancestors of `message`, nearest first (cycles, which a sane trace never has, are cut). */
export function causalPast(messages: ReadonlyArray<Pick<VizMessage, 'parent'>>, message: number): number[] {
  const past: number[] = [];
  const seen = new Set<number>([message]);
  for (let current = messages[message]?.parent ?? -1; current >= 0 && !seen.has(current); current = messages[current]?.parent ?? -1) {
    seen.add(current);
    past.push(current);
  }
  return past;
}

/** Descendants of `message`, breadth first. */
export function causalFuture(children: ReadonlyArray<ReadonlyArray<number>>, message: number): number[] {
  const future: number[] = [];
  const seen = new Set<number>([message]);
  const queue = [message];
  for (let head = 0; head < queue.length; head++) {
    for (const child of children[queue[head]!] ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      future.push(child);
      queue.push(child);
    }
  }
  return future;
}
