// Size limits on what an input file may ask for, checked before anything is built. A scenario file
// or node config is input, not code to trust: a few lines could otherwise ask for 10¹⁴ grid nodes
// or a ping every nanosecond. Every limit can be raised with `--limits name=value,…`.
import { err, ok, type Result } from '../core/index.js';
import { parseSize } from './units.js';

/** The limits, each a maximum. */
export interface Limits {
  /** Bytes of one scenario file or node config. */
  readonly fileBytes: number;
  /** Nesting depth of a YAML/JSON document, aliases expanded. */
  readonly nesting: number;
  /** Extra YAML nodes that aliases (`*name`) may expand to, over the nodes written out. */
  readonly aliasNodes: number;
  /** Nodes of the topology: declared, generated and router nodes. */
  readonly nodes: number;
  /** Links of the topology: declared and generated. */
  readonly links: number;
  /** Engine instances (an `engines:` entry on `on: all` counts once per node). */
  readonly engines: number;
  /** Timed `events:` of the scenario. */
  readonly events: number;
  /** Timer firings plus messages the built-in engines and workloads schedule over the run (rate × duration × targets). */
  readonly sends: number;
  /** Bytes of one message body (sends, publishes, workload sizes, engine `sizeBytes`). */
  readonly messageBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  fileBytes: 16 * 1024 * 1024,
  nesting: 64,
  aliasNodes: 100_000,
  nodes: 100_000,
  links: 1_000_000,
  engines: 1_000_000,
  events: 100_000,
  sends: 100_000_000,
  messageBytes: 16 * 1024 * 1024,
};

/** One line per limit, for `--help` and the docs. */
export const LIMIT_DESCRIPTIONS: Readonly<Record<keyof Limits, string>> = {
  fileBytes: 'bytes of one scenario file or node config',
  nesting: 'nesting depth of a YAML/JSON document, aliases expanded',
  aliasNodes: 'extra YAML nodes that aliases may expand to',
  nodes: 'topology nodes (declared, generated, routers)',
  links: 'topology links (declared and generated)',
  engines: 'engine instances (entries × selected nodes)',
  events: 'timed events',
  sends: 'timer firings + messages the built-in engines schedule (rate × duration × targets)',
  messageBytes: 'bytes of one message body',
};

const NAMES = Object.keys(DEFAULT_LIMITS) as ReadonlyArray<keyof Limits>;
const BYTE_LIMITS: ReadonlySet<keyof Limits> = new Set(['fileBytes', 'messageBytes']);

/** `nodes=1e6,links=5000000,fileBytes=64MiB` → the limits it names (the rest stay default). */
export function parseLimits(text: string): Result<Partial<Limits>, string> {
  const limits: Partial<Record<keyof Limits, number>> = {};
  for (const part of text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '')) {
    const match = /^([A-Za-z]+)\s*=\s*(\S+)$/.exec(part);
    const name = match?.[1] as keyof Limits | undefined;
    if (match === null || name === undefined || !NAMES.includes(name)) {
      return err(`expected name=value pairs separated by commas, with names among ${NAMES.join(', ')}; got "${part.slice(0, 40)}"`);
    }
    const value = BYTE_LIMITS.has(name) ? parseSize(match[2]) : parseCount(match[2]!);
    if (!value.ok || !(value.value > 0)) return err(`${name}: expected a positive ${BYTE_LIMITS.has(name) ? 'size like 64MiB' : 'number like 1e6'}, got "${match[2]!.slice(0, 40)}"`);
    limits[name] = value.value;
  }
  return ok(limits);
}

function parseCount(text: string): Result<number, string> {
  const value = Number(text.replaceAll('_', ''));
  return Number.isFinite(value) && value > 0 ? ok(Math.floor(value)) : err('not a number');
}

/** The defaults with `overrides` applied. */
export function limitsWith(overrides: Partial<Limits> | undefined): Limits {
  return overrides === undefined ? DEFAULT_LIMITS : { ...DEFAULT_LIMITS, ...overrides };
}

/** "12,000,000 nodes is over the limit of 100,000 (raise it with --limits nodes=…)". */
export function overLimit(name: keyof Limits, what: string, value: number, limits: Limits): string {
  const shown = (n: number): string => (n >= 1e15 ? n.toExponential(2) : Math.round(n).toLocaleString('en-US'));
  return `${what}: ${shown(value)} is over the limit of ${shown(limits[name])} (raise it with --limits ${name}=…)`;
}
