// Node selectors: `all`, a name, a glob, a list of those, or a seeded sample.
import { createRng, err, ok, type Result } from '../core/index.js';
import type { SelectorValue } from './schema.js';

/**
 * Whether `text` matches the glob `pattern` (`*` any run, `?` one character). Greedy with one
 * backtrack point, so O(pattern × text) at worst: a hostile pattern such as `a*a*a*a*b` cannot make
 * it backtrack exponentially, as a regular expression built from the glob would.
 */
export function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '?' || (c !== undefined && c !== '*' && c === text[t])) {
      p++;
      t++;
    } else if (c === '*') {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

function matchOne(pattern: string, nodes: ReadonlyArray<string>): string[] {
  if (pattern === 'all') return nodes.slice();
  if (!/[*?]/.test(pattern)) return nodes.includes(pattern) ? [pattern] : [];
  return nodes.filter((node) => globMatches(pattern, node));
}

/**
 * Node names selected by `selector`, in declaration order. A pattern that matches nothing is an
 * error (a typo must not silently select no node). Samples draw from `seed` and `label`.
 */
export function selectNodes(selector: SelectorValue, nodes: ReadonlyArray<string>, seed: number, label: string): Result<string[], string> {
  if (typeof selector === 'object' && !Array.isArray(selector)) {
    const pool = selector.from === undefined ? nodes.slice() : selectNodes(selector.from, nodes, seed, label);
    if (!Array.isArray(pool) && !pool.ok) return pool;
    const candidates = Array.isArray(pool) ? pool : pool.value;
    if (selector.sample > candidates.length) return err(`cannot sample ${selector.sample} of ${candidates.length} nodes`);
    const rng = createRng(seed, `select/${label}`);
    const chosen = new Set<string>();
    const shuffled = candidates.slice();
    for (let i = 0; i < selector.sample; i++) {
      const j = i + rng.int(shuffled.length - i);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      chosen.add(shuffled[i]!);
    }
    return ok(nodes.filter((node) => chosen.has(node)));
  }
  const patterns = typeof selector === 'string' ? [selector] : selector;
  // Every node, in declaration order (without a set of 10⁵ names to filter them by).
  if (patterns.length === 1 && patterns[0] === 'all' && nodes.length > 0) return ok(nodes.slice());
  const selected = new Set<string>();
  for (const pattern of patterns) {
    const matched = matchOne(pattern, nodes);
    if (matched.length === 0) return err(`"${pattern}" matches no declared node`);
    for (const node of matched) selected.add(node);
  }
  return ok(nodes.filter((node) => selected.has(node)));
}
