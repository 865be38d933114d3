// Node selectors: `all`, a name, a glob, a list of those, or a seeded sample.
import { createRng, err, ok, type Result } from '../core/index.js';
import type { SelectorValue } from './schema.js';

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

function matchOne(pattern: string, nodes: ReadonlyArray<string>): string[] {
  if (pattern === 'all') return nodes.slice();
  if (!/[*?]/.test(pattern)) return nodes.includes(pattern) ? [pattern] : [];
  const regex = globToRegExp(pattern);
  return nodes.filter((node) => regex.test(node));
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
  const selected = new Set<string>();
  for (const pattern of patterns) {
    const matched = matchOne(pattern, nodes);
    if (matched.length === 0) return err(`"${pattern}" matches no declared node`);
    for (const node of matched) selected.add(node);
  }
  return ok(nodes.filter((node) => selected.has(node)));
}
