// Parsing YAML/JSON with a zod schema into located errors: `file:line:col path: message [code]`.
// Input files are untrusted: the text size, the nesting depth and what aliases expand to are
// bounded before any recursive step (the yaml composer, toJS and zod all recurse).
import { Composer, LineCounter, Parser, isAlias, isCollection, isMap, isPair, isScalar, isSeq, type CST, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { NetmachineError } from '../core/index.js';
import { excerpt } from './excerpt.js';
import { describeIssues } from './issues.js';
import { limitsWith, overLimit, type Limits } from './limits.js';

/** A located problem in an input file. */
export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Field path like `links[3].latency` ('' for the whole document). */
  readonly path: string;
  readonly message: string;
  /** Stable `area/what` code of this problem. */
  readonly code: string;
}

/** Problems shown in an error message; the rest are counted. */
const PROBLEMS_SHOWN_MAX = 20;
/** Characters of one problem message (quoted input is cut well before this). */
const MESSAGE_CHARS_MAX = 400;

/** Bad input: one or more located problems (exit code 2 in the CLI). */
export class InputError extends NetmachineError {
  constructor(
    code: string,
    readonly problems: ReadonlyArray<Problem>,
  ) {
    const shown = problems.slice(0, PROBLEMS_SHOWN_MAX).map((problem) => `${formatProblem(problem)} [${problem.code}]`);
    if (problems.length > PROBLEMS_SHOWN_MAX) shown.push(`… and ${problems.length - PROBLEMS_SHOWN_MAX} more problems`);
    super(code, shown.join('\n'), { problems });
    this.name = 'InputError';
  }
}

export function formatProblem(problem: Problem): string {
  return `${problem.file}:${problem.line}:${problem.column}${problem.path === '' ? '' : ` ${problem.path}`}: ${problem.message}`;
}

/** `links[3].latency` from `['links', 3, 'latency']`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}

/** A parsed document that can locate any field path. */
export interface LocatedDocument {
  readonly file: string;
  readonly value: unknown;
  /** Where `path` is; with `key`, where that key of the object at `path` is written. */
  locate(path: ReadonlyArray<PropertyKey>, key?: string): { line: number; column: number };
  /** A located problem; pass a stable `code` (`area/what`). */
  problem(path: ReadonlyArray<PropertyKey>, message: string, code?: string): Problem;
}

/** Parses YAML (JSON is YAML) keeping positions; syntax errors and oversize input become located problems. */
export function parseLocated(text: string, file: string, limitOverrides?: Partial<Limits>): LocatedDocument {
  const limits = limitsWith(limitOverrides);
  const at = (offset: number, message: string, code: string): InputError => {
    const position = lineCounter.linePos(offset);
    return new InputError(code, [{ file, line: position.line, column: position.col, path: '', message, code }]);
  };
  const lineCounter = new LineCounter();
  if (text.length > limits.fileBytes) throw at(0, overLimit('fileBytes', 'the file size', text.length, limits), 'input/too-large');
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  const deep = tooDeep(tokens, limits.nesting);
  if (deep !== undefined) throw at(deep, `nested more than ${limits.nesting} levels deep (raise it with --limits nesting=…)`, 'input/too-deep');
  const doc = compose(tokens, text.length);
  if (doc.errors.length > 0) {
    const problems: Problem[] = doc.errors.slice(0, SYNTAX_ERRORS_MAX).map((error) => {
      const position = lineCounter.linePos(error.pos[0]);
      return { file, line: position.line, column: position.col, path: '', message: quoteCut(error.message.split('\n')[0]!), code: 'input/syntax' };
    });
    if (doc.errors.length >= SYNTAX_ERRORS_MAX) problems.unshift({ file, line: 1, column: 1, path: '', message: `this does not read as YAML or JSON (${doc.errors.length} syntax errors; the first ones follow)`, code: 'input/not-yaml' });
    throw new InputError('input/syntax', problems);
  }
  const expansion = checkAliases(doc, limits);
  if (expansion !== undefined) throw at(expansion.offset, expansion.message, expansion.code);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.aliasNodes });
  } catch (error) {
    // The library's own alias check (a different count than ours) or an unresolved alias.
    if (!(error instanceof ReferenceError)) throw error;
    throw at(firstAliasOffset(doc), `aliases: ${error.message}`, 'input/alias-limit');
  }
  const locate = (path: ReadonlyArray<PropertyKey>, key?: string): { line: number; column: number } => {
    // Walk the path; a named key on a sequence is a shorthand the schema expanded (e.g. a link
    // written `[a, b]` is `{ between: [a, b] }`), so it is skipped. A missing key points at its parent.
    let node = doc.contents as YamlNode | null;
    for (const part of path) {
      if (isAlias(node)) node = node.resolve(doc) ?? null;
      if (!isCollection(node)) break;
      if (isSeq(node) && typeof part === 'string') continue;
      const child = node.get(part, true) as YamlNode | undefined;
      if (child === undefined || child === null) break;
      node = child;
    }
    if (key !== undefined && isAlias(node)) node = node.resolve(doc) ?? null;
    const pair = key !== undefined && isMap(node) ? node.items.find((item) => isScalar(item.key) && item.key.value === key) : undefined;
    const offset = (isScalar(pair?.key) ? pair.key.range?.[0] : undefined) ?? node?.range?.[0];
    if (offset === undefined) return { line: 1, column: 1 };
    const position = lineCounter.linePos(offset);
    return { line: position.line, column: position.col };
  };
  return {
    file,
    value,
    locate,
    problem: (path, message, code = 'input/invalid') => ({ file, ...locate(path), path: formatPath(path), message: cut(message), code }),
  };
}

/** Syntax errors kept: past this many the file is probably not YAML at all. */
const SYNTAX_ERRORS_MAX = 10;

/** The yaml library quotes the offending source (`…token in YAML stream: "<source>"`): keep an excerpt. */
function quoteCut(message: string): string {
  const quote = message.indexOf(': "');
  return quote < 0 ? cut(message) : `${message.slice(0, quote)}: ${excerpt(message.slice(quote + 3).replace(/"$/, ''))}`;
}

function cut(message: string): string {
  return message.length > MESSAGE_CHARS_MAX ? `${message.slice(0, MESSAGE_CHARS_MAX)}…` : message;
}

/** One document from the tokens, as `parseDocument` composes it; a second document is an error. */
function compose(tokens: ReadonlyArray<CST.Token>, length: number): Document.Parsed {
  const composer = new Composer({ uniqueKeys: true, prettyErrors: false });
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(tokens, true, length)) {
    if (doc === undefined) doc = next;
    else {
      doc.errors.push(...next.errors);
      if (next.errors.length === 0) doc.errors.push(Object.assign(new Error('the file holds more than one YAML document (one is expected)'), { pos: [next.range[0], next.range[0]] as [number, number] }) as never);
      break;
    }
  }
  return doc!;
}

/** The offset of the first CST token nested deeper than `depthMax`, or undefined. Iterative. */
function tooDeep(tokens: ReadonlyArray<CST.Token>, depthMax: number): number | undefined {
  const stack: Array<[CST.Token, number]> = tokens.map((token) => [token, 0]);
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    if (depth > depthMax) return token.offset;
    if (token.type === 'document') {
      if (token.value !== undefined) stack.push([token.value, depth]);
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      for (const item of token.items) {
        const entry = item as { key?: CST.Token | null; value?: CST.Token | null };
        if (entry.key !== undefined && entry.key !== null) stack.push([entry.key, depth + 1]);
        if (entry.value !== undefined && entry.value !== null) stack.push([entry.value, depth + 1]);
      }
    }
  }
  return undefined;
}

interface Expansion {
  readonly size: number;
  readonly depth: number;
}

/**
 * Expanded size and depth of the document with every alias replaced by its anchor's node, without
 * expanding anything (post-order, memoised per node, iterative). A circular alias is an error.
 */
function checkAliases(doc: Document.Parsed, limits: Limits): { offset: number; message: string; code: string } | undefined {
  const root = doc.contents as YamlNode | null;
  if (root === null) return undefined;
  const done = new Map<unknown, Expansion>();
  const onPath = new Set<unknown>();
  const anchors = new Map<string, unknown>();
  let literal = 0;
  let firstAlias: number | undefined;
  const stack: Array<{ node: unknown; children: unknown[] | undefined; next: number }> = [{ node: root, children: undefined, next: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const node = frame.node as YamlNode;
    if (frame.children === undefined) {
      if (isAlias(node)) {
        firstAlias ??= node.range?.[0] ?? 0;
        const target = anchors.get(node.source);
        stack.pop();
        if (target === undefined) continue; // unresolved: toJS reports it
        if (onPath.has(target)) return { offset: node.range?.[0] ?? 0, message: `alias *${node.source} refers to a node that contains it (a circular document)`, code: 'input/circular-alias' };
        done.set(node, done.get(target)!);
        continue;
      }
      literal++;
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor !== undefined) anchors.set(anchor, node);
      onPath.add(node);
      frame.children = isMap(node) || isSeq(node) ? node.items.flatMap((item) => (isPair(item) ? [item.key, item.value] : [item])).filter((child) => child !== null && child !== undefined) : [];
      continue;
    }
    if (frame.next < frame.children.length) {
      const child = frame.children[frame.next++];
      if (isScalar(child) && (child as { anchor?: string }).anchor === undefined) {
        literal++;
        done.set(child, { size: 1, depth: 1 });
      } else stack.push({ node: child, children: undefined, next: 0 });
      continue;
    }
    stack.pop();
    onPath.delete(node);
    let size = 1;
    let depth = 0;
    for (const child of frame.children) {
      const expanded = done.get(child) ?? { size: 1, depth: 1 };
      size += expanded.size;
      depth = Math.max(depth, expanded.depth);
      if (size - literal > limits.aliasNodes) return { offset: firstAlias ?? 0, message: aliasBomb(limits), code: 'input/alias-limit' };
    }
    if (depth + 1 > limits.nesting) return { offset: node.range?.[0] ?? 0, message: `nested more than ${limits.nesting} levels deep once aliases are expanded (raise it with --limits nesting=…)`, code: 'input/too-deep' };
    done.set(node, { size, depth: depth + 1 });
  }
  const total = done.get(root)?.size ?? 1;
  if (total - literal > limits.aliasNodes) return { offset: firstAlias ?? 0, message: aliasBomb(limits), code: 'input/alias-limit' };
  return undefined;
}

function aliasBomb(limits: Limits): string {
  return `aliases (*name) expand to more than ${limits.aliasNodes.toLocaleString('en-US')} nodes beyond those written out, a YAML alias bomb? (raise it with --limits aliasNodes=…)`;
}

function firstAliasOffset(doc: Document.Parsed): number {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) return node.range?.[0] ?? 0;
    if (isPair(node)) stack.push(node.value, node.key);
    else if (isMap(node) || isSeq(node)) for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
  }
  return 0;
}

/** Validates a located document against `schema`; every issue becomes a located problem. */
export function validateLocated<T>(doc: LocatedDocument, schema: z.ZodType<T>, code = 'input/invalid'): T {
  const result = schema.safeParse(doc.value);
  if (result.success) return result.data;
  throw new InputError(code, schemaProblems(doc, schema, result.error.issues, code));
}

/** Located problems for zod issues (unions explained once, with "did you mean"). */
export function schemaProblems(doc: LocatedDocument, schema: z.ZodType<unknown>, issues: ReadonlyArray<z.core.$ZodIssue>, code: string): Problem[] {
  return describeIssues(issues, doc.value, schema).map((issue) => {
    const problem = doc.problem(issue.path, issue.message, issue.code ?? code);
    return issue.key === undefined ? problem : { ...problem, ...doc.locate(issue.path, issue.key) };
  });
}

/** Parses `text` from `file` and validates it with `schema` (for config files of any kind). */
export function parseYamlWithSchema<T>(text: string, file: string, schema: z.ZodType<T>, limits?: Partial<Limits>): T {
  return validateLocated(parseLocated(text, file, limits), schema);
}
