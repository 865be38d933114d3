// The identities a node spec holds: the node key, one key per engine (its own secret, or derived
// from the node secret and the engine name, so only the node's holder can compute it), and the
// topics and domains it names — public ids for all, key pairs only where the spec has the secret.
import { deriveSecret, fromHex, NetmachineError, parseId, type Crypto, type Id, type KeyPair } from '../core/index.js';
import type { KeyedIdentitySpec, NodeSpec } from './node-spec.js';

/** A topic or domain as a node knows it. */
export interface KeyedIdentity {
  readonly id: Id;
  /** Present only on the node that holds the secret (the topic's publisher, the domain's owner). */
  readonly key?: KeyPair;
}

export interface NodeIdentities {
  readonly node: KeyPair;
  /** By engine name, in spec order. */
  readonly engines: ReadonlyMap<string, KeyPair>;
  readonly topics: ReadonlyMap<string, KeyedIdentity>;
  readonly domains: ReadonlyMap<string, KeyedIdentity>;
}

/** The key of engine `name` on the node with secret `nodeSecretHex` when the spec gives none. */
export function engineKeyOf(crypto: Crypto, nodeSecretHex: string, name: string, secretHex?: string): KeyPair {
  return crypto.keyPair(secretHex !== undefined ? fromHex(secretHex) : deriveSecret(nodeSecretHex, 'eng', name));
}

/** Resolves one topic/domain entry; a secret whose id differs from the configured id is an error. */
export function keyedIdentity(crypto: Crypto, kind: 'topic' | 'dom', entry: KeyedIdentitySpec): { ok: true; value: KeyedIdentity } | { ok: false; error: string } {
  const key = entry.secret === undefined ? undefined : crypto.keyPair(fromHex(entry.secret));
  if (entry.id === undefined) return { ok: true, value: { id: key!.id, ...(key !== undefined && { key }) } };
  const id = parseId(entry.id, kind);
  if (!id.ok) return { ok: false, error: id.error };
  if (key !== undefined && key.id !== id.value) return { ok: false, error: `the secret is the key of ${kind}:${key.id}, not of the configured id ${kind}:${id.value}` };
  return { ok: true, value: { id: id.value, ...(key !== undefined && { key }) } };
}

function keyedMap(crypto: Crypto, kind: 'topic' | 'dom', entries: Readonly<Record<string, KeyedIdentitySpec>>, field: string): Map<string, KeyedIdentity> {
  const out = new Map<string, KeyedIdentity>();
  for (const [name, entry] of Object.entries(entries)) {
    const resolved = keyedIdentity(crypto, kind, entry);
    if (!resolved.ok) throw new NetmachineError('node/invalid-config', `${field}.${name}: ${resolved.error}`);
    out.set(name, resolved.value);
  }
  return out;
}

/** Every identity of `spec` (no I/O). */
export function nodeIdentities(crypto: Crypto, spec: NodeSpec): NodeIdentities {
  return {
    node: crypto.keyPair(fromHex(spec.secret)),
    engines: new Map(spec.engines.map((engine) => [engine.name, engineKeyOf(crypto, spec.secret, engine.name, engine.secret)])),
    topics: keyedMap(crypto, 'topic', spec.topics, 'topics'),
    domains: keyedMap(crypto, 'dom', spec.domains, 'domains'),
  };
}
