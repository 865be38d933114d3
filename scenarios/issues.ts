// zod issues → one clear message each: a union says what was expected once (and picks the branch
// whose shape matched), an unknown key or kind gets "did you mean …", quoted input is cut short.
import type { z } from 'zod';
import { didYouMean, excerpt, nearName } from './excerpt.js';

/** One described issue: where (from the document root), what, and a stable code when specific. */
export interface DescribedIssue {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
  readonly code?: string;
  /** An unknown field's name: the problem is located at that key, not at its object. */
  readonly key?: string;
}

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

/** Describes zod issues of `root` validated by `schema`. */
export function describeIssues(issues: ReadonlyArray<Issue>, root: unknown, schema: Schema): DescribedIssue[] {
  const described = issues.flatMap((issue) => describe(issue, [], root, schema));
  // `topik:` given for a missing `topic:` is one mistake: keep the "did you mean", not the "missing".
  const meant = new Set(described.flatMap((issue) => (issue.suggested === undefined ? [] : [JSON.stringify([...issue.path, issue.suggested])])));
  return described.filter((issue) => !(issue.isMissing === true && meant.has(JSON.stringify(issue.path)))).map(({ path, message, code, key }) => ({ path, message, ...(code !== undefined && { code }), ...(key !== undefined && { key }) }));
}

/** An issue while describing: the name an unknown key was taken for, or a missing field. */
interface Draft extends DescribedIssue {
  readonly suggested?: string;
  readonly isMissing?: boolean;
}

function describe(issue: Issue, base: ReadonlyArray<PropertyKey>, root: unknown, schema: Schema): Draft[] {
  const path = [...base, ...(issue.path as PropertyKey[])];
  const value = valueAt(root, path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(key, path, value, schema));
    case 'invalid_union': {
      const { discriminator, options: allowed } = issue as { discriminator?: unknown; options?: unknown };
      if (typeof discriminator === 'string' && Array.isArray(allowed)) {
        const options = allowed.map(String);
        const got = typeof value === 'string' ? `unknown ${discriminator} ${excerpt(value)}${didYouMean(value, options)}` : value === undefined ? `missing ${discriminator}` : `${discriminator} must be a string, got ${excerpt(value)}`;
        return [{ path, message: `${got}; expected one of ${options.join(', ')}`, code: 'input/unknown-kind' }];
      }
      return describeUnion(issue.errors, path, value, root, schema);
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const inclusive = issue.inclusive !== false;
      const relation = issue.code === 'too_small' ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<';
      const measure = issue.origin === 'string' ? ' characters long' : issue.origin === 'array' || issue.origin === 'set' ? ' entries long' : '';
      return [{ path, message: `must be ${relation} ${String(bound)}${measure}, got ${excerpt(value)}` }];
    }
    case 'invalid_value': {
      const options = issue.values.map((allowed) => (typeof allowed === 'string' ? allowed : excerpt(allowed)));
      return [{ path, message: `expected one of ${options.join(', ')}, got ${excerpt(value)}${typeof value === 'string' ? didYouMean(value, options) : ''}` }];
    }
    case 'invalid_type':
      return [value === undefined ? { path, message: `missing (expected ${issue.expected})`, isMissing: true } : { path, message: `expected ${issue.expected}, got ${excerpt(value)}` }];
    case 'custom': {
      const code = (issue.params as { code?: unknown } | undefined)?.code;
      return [{ path, message: issue.message, ...(typeof code === 'string' && { code }) }];
    }
    default:
      return [{ path, message: issue.message }];
  }
}

/** A union: the branch whose keys matched explains itself; else one "unknown field" or one "expected" list. */
function describeUnion(branches: ReadonlyArray<ReadonlyArray<Issue>>, path: ReadonlyArray<PropertyKey>, value: unknown, root: unknown, schema: Schema): Draft[] {
  if (branches.length === 0) return [{ path, message: `got ${excerpt(value)}, which matches none of the allowed forms` }];
  const isShapeMatch = (branch: ReadonlyArray<Issue>): boolean =>
    branch.every((issue) => issue.path.length > 0 && !(issue.path.length === 1 && valueAt(value, issue.path as PropertyKey[]) === undefined));
  const matching = branches.filter(isShapeMatch);
  if (matching.length > 0) {
    const best = matching.reduce((a, b) => (b.length < a.length ? b : a));
    return best.flatMap((issue) => describe(issue, path, root, schema));
  }
  if (isRecord(value)) {
    const unknown = Object.keys(value).filter((key) => branches.every((branch) => branch.some((issue) => issue.code === 'unrecognized_keys' && issue.path.length === 0 && issue.keys.includes(key))));
    if (unknown.length > 0) return unknown.map((key) => unknownKey(key, path, value, schema));
  }
  const expected = new Set<string>();
  for (const branch of branches) {
    const top = branch.find((issue) => issue.path.length === 0);
    if (top?.code === 'invalid_type') expected.add(top.expected);
    else if (top?.code === 'invalid_value') for (const allowed of top.values) expected.add(excerpt(allowed));
    else if (top?.code === 'invalid_union') expected.add('one of several forms');
    else if (top !== undefined) return branch.flatMap((issue) => describe(issue, path, root, schema));
    else expected.add('an object with other fields');
  }
  return [{ path, message: `expected ${[...expected].join(' or ')}, got ${excerpt(value)}` }];
}

function unknownKey(key: string, path: ReadonlyArray<PropertyKey>, value: unknown, schema: Schema): Draft {
  const present = isRecord(value) ? new Set(Object.keys(value)) : new Set<string>();
  const known = [...keysAt(schema, path)].filter((name) => !present.has(name));
  const suggested = nearName(key, known);
  const hint = suggested === undefined ? '' : ` (did you mean "${suggested}"?)`;
  const list = hint === '' && known.length > 0 && known.length <= 16 ? `; expected ${known.length === 1 ? `"${known[0]}"` : `one of ${known.join(', ')}`}` : '';
  return { path, key, message: `unknown field ${excerpt(key)}${hint}${list}`, code: 'input/unknown-field', ...(suggested !== undefined && { suggested }) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = root;
  for (const part of path) {
    if (Array.isArray(value) && typeof part === 'number') value = value[part];
    else if (isRecord(value) && typeof part === 'string') value = value[part];
    else if (Array.isArray(value) && typeof part === 'string') continue; // a shorthand the schema expanded
    else return undefined;
  }
  return value;
}

/** The object keys the schema allows at `path` (every union branch counted). */
function keysAt(schema: Schema, path: ReadonlyArray<PropertyKey>): Set<string> {
  let schemas: Schema[] = [schema];
  for (const part of path) schemas = schemas.flatMap((s) => childSchemas(s, part));
  const keys = new Set<string>();
  for (const s of schemas.flatMap(unwrap)) {
    const def = s._zod.def as { type: string; shape?: Record<string, Schema> };
    if (def.type === 'object' && def.shape !== undefined) for (const key of Object.keys(def.shape)) keys.add(key);
  }
  return keys;
}

/** The schema with wrappers (optional, default, pipe, lazy…) and unions opened, input side. */
function unwrap(schema: Schema, depth = 0): Schema[] {
  if (depth > 32) return [];
  const def = schema._zod.def as { type: string; innerType?: Schema; in?: Schema; out?: Schema; options?: Schema[]; getter?: () => Schema; left?: Schema; right?: Schema };
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return def.innerType === undefined ? [] : unwrap(def.innerType, depth + 1);
    case 'pipe':
      return [...(def.in === undefined ? [] : unwrap(def.in, depth + 1)), ...(def.out === undefined ? [] : unwrap(def.out, depth + 1))];
    case 'lazy':
      return def.getter === undefined ? [] : unwrap(def.getter(), depth + 1);
    case 'union':
      return (def.options ?? []).flatMap((option) => unwrap(option, depth + 1));
    case 'intersection':
      return [def.left, def.right].flatMap((side) => (side === undefined ? [] : unwrap(side, depth + 1)));
    default:
      return [schema];
  }
}

function childSchemas(schema: Schema, part: PropertyKey): Schema[] {
  return unwrap(schema).flatMap((s) => {
    const def = s._zod.def as { type: string; shape?: Record<string, Schema>; element?: Schema; valueType?: Schema; items?: Schema[]; rest?: Schema | null };
    if (def.type === 'object' && typeof part === 'string' && def.shape?.[part] !== undefined) return [def.shape[part]!];
    if (def.type === 'array' && def.element !== undefined && typeof part === 'number') return [def.element];
    if (def.type === 'record' && def.valueType !== undefined) return [def.valueType];
    if (def.type === 'tuple' && typeof part === 'number') return [def.items?.[part] ?? def.rest ?? undefined].filter((x): x is Schema => x !== undefined && x !== null);
    return [];
  });
}
