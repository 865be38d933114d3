// The part of a document that passes its schema: failing fields are dropped and, where that is not
// enough, failing list entries, so the reference checks can run over the rest in the same pass.
// Problems found on the pruned document are located in the original (list indices mapped back).
import type { z } from 'zod';
import { formatPath, type LocatedDocument } from './yaml.js';

/** Passes of pruning before giving up (each drops what the previous one left failing). */
const PASSES_MAX = 3;

/** The pruned document and its parsed value, or undefined when nothing sensible remains. */
export function pruneInvalid<T>(doc: LocatedDocument, schema: z.ZodType<T>, issues: ReadonlyArray<z.core.$ZodIssue>): { doc: LocatedDocument; scenario: T; removed: ReadonlyArray<string> } | undefined {
  const holes = new Set<string>();
  const dropped = new Set<string>();
  let kept = new Map<unknown, number[]>();
  let pruned: unknown = doc.value;
  let current = issues;
  for (let pass = 0; pass < PASSES_MAX; pass++) {
    for (const issue of current) {
      const path = originalPath(pruned, issue.path as PropertyKey[], kept);
      if (!mark(path, issue, pass, holes, dropped)) return undefined;
    }
    kept = new Map();
    pruned = build(doc.value, [], holes, dropped, kept);
    const result = schema.safeParse(pruned);
    if (result.success) return { doc: view(doc, pruned, kept), scenario: result.data, removed: [...holes, ...dropped].map((key) => formatPath(JSON.parse(key) as PropertyKey[])) };
    current = result.error.issues;
  }
  return undefined;
}

/** Marks what to drop for one issue: first the failing field, later the list entry holding it. */
function mark(path: ReadonlyArray<PropertyKey>, issue: z.core.$ZodIssue, pass: number, holes: Set<string>, dropped: Set<string>): boolean {
  if (issue.code === 'unrecognized_keys' && pass === 0) {
    for (const key of issue.keys) dropped.add(JSON.stringify([...path, key]));
    return true;
  }
  const last = path[path.length - 1];
  if (pass === 0 && typeof last === 'string') {
    dropped.add(JSON.stringify(path));
    return true;
  }
  let index = path.length - 1;
  while (index >= 0 && typeof path[index] !== 'number') index--;
  // An entry of a top-level list at least (`events[3]`): a failing top-level field cannot be set aside.
  if (index < 1) return false;
  holes.add(JSON.stringify(path.slice(0, index + 1)));
  return true;
}

function build(value: unknown, path: PropertyKey[], holes: ReadonlySet<string>, dropped: ReadonlySet<string>, kept: Map<unknown, number[]>): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    const indices: number[] = [];
    value.forEach((item, index) => {
      const itemPath = [...path, index];
      if (holes.has(JSON.stringify(itemPath))) return;
      out.push(build(item, itemPath, holes, dropped, kept));
      indices.push(index);
    });
    kept.set(out, indices);
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const itemPath = [...path, key];
      if (!dropped.has(JSON.stringify(itemPath))) out[key] = build(item, itemPath, holes, dropped, kept);
    }
    return out;
  }
  return value;
}

/** A path in the pruned value → the same place in the original document. */
function originalPath(pruned: unknown, path: ReadonlyArray<PropertyKey>, kept: ReadonlyMap<unknown, number[]>): PropertyKey[] {
  const out: PropertyKey[] = [];
  let node = pruned;
  for (const part of path) {
    if (Array.isArray(node) && typeof part === 'number') {
      out.push(kept.get(node)?.[part] ?? part);
      node = node[part];
    } else {
      out.push(part);
      node = Array.isArray(node) ? node : (node as Record<PropertyKey, unknown> | undefined)?.[part];
    }
  }
  return out;
}

function view(doc: LocatedDocument, pruned: unknown, kept: ReadonlyMap<unknown, number[]>): LocatedDocument {
  return {
    file: doc.file,
    value: pruned,
    locate: (path) => doc.locate(originalPath(pruned, path, kept)),
    problem: (path, message, code) => doc.problem(originalPath(pruned, path, kept), message, code),
  };
}
