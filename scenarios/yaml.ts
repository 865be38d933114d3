// Parsing YAML/JSON with a zod schema into located errors: `file:line:col path: message`.
import { LineCounter, parseDocument, isCollection, isSeq, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { NetmachineError } from '../core/index.js';

/** A located problem in an input file. */
export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Field path like `links[3].latency` ('' for the whole document). */
  readonly path: string;
  readonly message: string;
}

/** Bad input: one or more located problems (exit code 2 in the CLI). */
export class InputError extends NetmachineError {
  constructor(
    code: string,
    readonly problems: ReadonlyArray<Problem>,
  ) {
    super(code, problems.map(formatProblem).join('\n'), { problems });
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
  locate(path: ReadonlyArray<PropertyKey>): { line: number; column: number };
  problem(path: ReadonlyArray<PropertyKey>, message: string): Problem;
}

/** Parses YAML (JSON is YAML) keeping positions; syntax errors become located problems. */
export function parseLocated(text: string, file: string): LocatedDocument {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new InputError(
      'input/syntax',
      doc.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return { file, line: position.line, column: position.col, path: '', message: error.message.split('\n')[0]! };
      }),
    );
  }
  const locate = (path: ReadonlyArray<PropertyKey>): { line: number; column: number } => {
    // Walk the path; a named key on a sequence is a shorthand the schema expanded (e.g. a link
    // written `[a, b]` is `{ between: [a, b] }`), so it is skipped. A missing key points at its parent.
    let node = doc.contents as YamlNode | null;
    for (const part of path) {
      if (!isCollection(node)) break;
      if (isSeq(node) && typeof part === 'string') continue;
      const child = node.get(part, true) as YamlNode | undefined;
      if (child === undefined || child === null) break;
      node = child;
    }
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 1, column: 1 };
    const position = lineCounter.linePos(offset);
    return { line: position.line, column: position.col };
  };
  return {
    file,
    value: doc.toJS({ maxAliasCount: 1000 }),
    locate,
    problem: (path, message) => ({ file, ...locate(path), path: formatPath(path), message }),
  };
}

/** Validates a located document against `schema`; every issue becomes a located problem. */
export function validateLocated<T>(doc: LocatedDocument, schema: z.ZodType<T>, code = 'input/invalid'): T {
  const result = schema.safeParse(doc.value);
  if (result.success) return result.data;
  throw new InputError(
    code,
    result.error.issues.map((issue) => doc.problem(issue.path as PropertyKey[], describeIssue(issue))),
  );
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  if (issue.code === 'invalid_union') return `${issue.message}: ${issue.errors.map((branch) => branch[0]?.message ?? '').filter((m) => m !== '').join('; or ')}`;
  return issue.message;
}

/** Parses `text` from `file` and validates it with `schema` (for config files of any kind). */
export function parseYamlWithSchema<T>(text: string, file: string, schema: z.ZodType<T>): T {
  return validateLocated(parseLocated(text, file), schema);
}
