// The node config file of `netmachine node` (docs/real-networks.md "The node config"): the node spec
// of transports/, plus references to files next to it — the node's key file, key files of the topics
// and domains it holds, and peer advert files written by `netmachine keygen`. Every problem is
// located (file:line:col field: what was expected), in the config or in the peer file it concerns.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { createNodeCrypto, fromHex, IdentityStore, type Crypto } from '../core/index.js';
import { InputError, parseLocated, validateLocated, type LocatedDocument, type Problem } from '../scenarios/index.js';
import {
  admitPeer,
  EngineSpecSchema,
  idTextSchema,
  keyedIdentity,
  NameSchema,
  NodeSpecSchema,
  type KeyedIdentitySpec,
  type NodeSpec,
  type PeerSpec,
} from '../transports/index.js';
import { CliError } from './errors.js';

const Hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');
/** Config files and the files they name are small: a bound keeps a wrong path (a device, a log) harmless. */
const CONFIG_FILE_BYTES_MAX = 1 << 20;

/** A peer advert file, as `netmachine keygen --address …` writes it. */
export const PeerFileSchema = z.strictObject({
  name: NameSchema,
  advert: z.string().min(1),
  engines: z.record(NameSchema, z.string().min(1)).default({}),
});

const PeerEntrySchema = z.strictObject({
  /** A peer advert file (relative to the config). */
  file: z.string().min(1).optional(),
  /** The peer's local name (default: the file's). */
  name: NameSchema.optional(),
  /** The peer's signed NodeAdvert (base64), instead of a file. */
  advert: z.string().min(1).optional(),
  /** Engine name → signed EngineAdvert (base64) or engine id; added to the file's. */
  engines: z.record(NameSchema, z.string().min(1)).optional(),
});

/** A topic or domain: an id, or an object with the id and/or the holder's key (file or inline secret). */
const KeyedEntrySchema = (kind: 'topic' | 'dom'): z.ZodType<string | { id?: string; secret?: string; key?: string }> =>
  z.union([idTextSchema(kind), z.strictObject({ id: idTextSchema(kind).optional(), secret: Hex32.optional(), key: z.string().min(1).optional() })]);

export const NodeConfigSchema = NodeSpecSchema.extend({
  secret: Hex32.optional(),
  /** Path of a key file written by `netmachine keygen` (relative to this config). */
  key: z.string().min(1).optional(),
  peers: z.array(PeerEntrySchema).default([]),
  topics: z.record(z.string().min(1), KeyedEntrySchema('topic')).default({}),
  domains: z.record(z.string().min(1), KeyedEntrySchema('dom')).default({}),
  engines: z.array(EngineSpecSchema).default([]),
});
type NodeConfig = z.output<typeof NodeConfigSchema>;

/** Reads a small text file; `where` locates the field that named it. */
function readSmallFile(path: string, what: string, where: (message: string) => Problem): string {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new InputError('node/invalid-config', [where(`${path}: the ${what} is not a regular file`)]);
    if (stat.size > CONFIG_FILE_BYTES_MAX) throw new InputError('node/invalid-config', [where(`${path}: the ${what} is ${stat.size} bytes, more than ${CONFIG_FILE_BYTES_MAX}`)]);
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('node/invalid-config', [where(`cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)]);
  }
}

/** The hex secret of a key file named at `path` in `doc`. */
function readKeyFile(doc: LocatedDocument, path: ReadonlyArray<PropertyKey>, file: string): string {
  const keyPath = resolve(dirname(doc.file), file);
  const text = readSmallFile(keyPath, 'key file', (message) => doc.problem(path, message)).trim();
  if (!/^[0-9a-f]{64}$/.test(text)) throw new InputError('node/invalid-config', [doc.problem(path, `${keyPath}: expected 64 lowercase hex digits (a file written by netmachine keygen)`)]);
  return text;
}

function nodeSecret(doc: LocatedDocument, config: NodeConfig): string {
  if ((config.secret === undefined) === (config.key === undefined)) {
    throw new InputError('node/invalid-config', [doc.problem(config.key === undefined ? [] : ['key'], 'expected exactly one of "key" (a key file written by netmachine keygen) or "secret" (64 hex digits inline)')]);
  }
  return config.secret ?? readKeyFile(doc, ['key'], config.key!);
}

function keyedEntries(doc: LocatedDocument, crypto: Crypto, field: 'topics' | 'domains', entries: NodeConfig['topics']): Record<string, KeyedIdentitySpec> {
  const out: Record<string, KeyedIdentitySpec> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const path = [field, name];
    if (typeof entry === 'string') {
      out[name] = { id: entry };
      continue;
    }
    if (entry.secret !== undefined && entry.key !== undefined) throw new InputError('node/invalid-config', [doc.problem([...path, 'key'], 'expected "key" (a key file) or "secret", not both')]);
    if (entry.id === undefined && entry.secret === undefined && entry.key === undefined) throw new InputError('node/invalid-config', [doc.problem(path, 'expected its id, or its key on the node that holds it ("key: file" or "secret")')]);
    const secret = entry.key !== undefined ? readKeyFile(doc, [...path, 'key'], entry.key) : entry.secret;
    const spec: KeyedIdentitySpec = { ...(entry.id !== undefined && { id: entry.id }), ...(secret !== undefined && { secret }) };
    const resolved = keyedIdentity(crypto, field === 'topics' ? 'topic' : 'dom', spec);
    if (!resolved.ok) throw new InputError('node/invalid-config', [doc.problem([...path, entry.key !== undefined ? 'key' : 'secret'], resolved.error)]);
    out[name] = spec;
  }
  return out;
}

/** Where a peer's fields come from: the config entry, or the peer file it names. */
interface PeerSource {
  readonly spec: PeerSpec;
  locate(field: ReadonlyArray<string>): (message: string) => Problem;
}

function peerSource(doc: LocatedDocument, entry: NodeConfig['peers'][number], index: number): PeerSource {
  const inConfig = (field: ReadonlyArray<PropertyKey>) => (message: string) => doc.problem(['peers', index, ...field], message);
  if (entry.file === undefined) {
    if (entry.advert === undefined || entry.name === undefined) throw new InputError('node/invalid-config', [doc.problem(['peers', index], 'expected "file" (a peer advert file written by netmachine keygen), or "name" and "advert"')]);
    const spec = { name: entry.name, advert: entry.advert, engines: entry.engines ?? {} };
    return { spec, locate: (field) => inConfig(field) };
  }
  if (entry.advert !== undefined) throw new InputError('node/invalid-config', [doc.problem(['peers', index, 'advert'], 'expected "file" or "advert", not both')]);
  const path = resolve(dirname(doc.file), entry.file);
  const peerDoc = parseLocated(readSmallFile(path, 'peer advert file', inConfig(['file'])), path);
  const file = validateLocated(peerDoc, PeerFileSchema, 'node/invalid-peer-file');
  const spec = { name: entry.name ?? file.name, advert: file.advert, engines: { ...file.engines, ...entry.engines } };
  return {
    spec,
    locate: (field) => (field[0] === 'engines' && entry.engines?.[field[1]!] !== undefined ? inConfig(field) : (message) => peerDoc.problem(field, message)),
  };
}

/** Resolves the peers' files and verifies every advert (signature, freshness, kinds), located. */
function peerSpecs(doc: LocatedDocument, crypto: Crypto, config: NodeConfig, secret: string): PeerSpec[] {
  const self = crypto.keyPair(fromHex(secret)).id;
  const store = new IdentityStore();
  const nowMs = Date.now();
  const problems: Problem[] = [];
  const specs: PeerSpec[] = [];
  config.peers.forEach((entry, index) => {
    const source = peerSource(doc, entry, index);
    if (source.spec.name === config.name) problems.push(doc.problem(['peers', index], `a peer cannot be called "${config.name}", the name of this node`));
    else if (specs.some((spec) => spec.name === source.spec.name)) problems.push(doc.problem(['peers', index], `two peers are called "${source.spec.name}" (give one a "name")`));
    const admitted = admitPeer(store, crypto, source.spec, self, nowMs);
    if (!admitted.ok) problems.push(source.locate(admitted.error.field)(admitted.error.message));
    specs.push(source.spec);
  });
  if (problems.length > 0) throw new InputError('node/bad-advert', problems);
  const names = new Set(specs.map((spec) => spec.name));
  const unknown = (config.neighbors ?? []).map((name, index) => ({ name, index })).filter(({ name }) => !names.has(name));
  if (unknown.length > 0) throw new InputError('node/invalid-config', unknown.map(({ name, index }) => doc.problem(['neighbors', index], `"${name}" is not among the peers (${[...names].join(', ') || 'none'})`)));
  return specs;
}

/** Reads and validates a node config file; every problem is located. */
export function loadNodeConfig(file: string, overrides: { transport?: string; trace?: string } = {}): NodeSpec {
  const text = (() => {
    try {
      return readSmallFile(file, 'config', (message) => ({ file, line: 1, column: 1, path: '', message, code: 'node/invalid-config' }));
    } catch (error) {
      throw new CliError('cli/config-unreadable', (error as InputError).message);
    }
  })();
  const doc = parseLocated(text, file);
  const config = validateLocated(doc, NodeConfigSchema, 'node/invalid-config');
  const crypto = createNodeCrypto();
  const secret = nodeSecret(doc, config);
  const transport = overrides.transport ?? config.transport;
  if (transport !== 'quic' && transport !== 'tls' && transport !== 'both') throw new CliError('cli/bad-transport', `--transport: expected quic, tls or both, got "${transport}"`);
  const { key: _key, ...rest } = config;
  void _key;
  const engines = rest.engines.map((engine) => (engine.module === undefined ? engine : { ...engine, module: resolve(dirname(file), engine.module) }));
  const trace = overrides.trace !== undefined ? resolve(overrides.trace) : rest.trace !== undefined ? resolve(dirname(file), rest.trace) : undefined;
  return NodeSpecSchema.parse({
    ...rest,
    secret,
    transport,
    engines,
    peers: peerSpecs(doc, crypto, config, secret),
    topics: keyedEntries(doc, crypto, 'topics', config.topics),
    domains: keyedEntries(doc, crypto, 'domains', config.domains),
    ...(trace !== undefined && { trace }),
  });
}
