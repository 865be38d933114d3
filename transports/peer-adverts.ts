// How a real node learns its peers: from signed adverts. A peer is a NodeAdvert (its id and
// addresses, signed by the node key) and, per engine name, either an EngineAdvert (the engine runs on
// that node, signed by the engine key) or a bare engine id (trusted configuration). Adverts travel as
// base64 text of their canonical encoding, in config files and over a deployment's IPC alike.
import {
  decodeAdvert,
  encodeAdvert,
  err,
  formatId,
  IdentityStore,
  ok,
  parseId,
  signAdvert,
  type AdvertOutcome,
  type Crypto,
  type EngineAdvert,
  type Id,
  type KeyPair,
  type NodeAdvert,
  type Result,
} from '../core/index.js';

/** A peer as configured: a name, its signed NodeAdvert and its engines (advert text or id). */
export interface PeerAdverts {
  readonly name: string;
  /** Base64 of a signed NodeAdvert. */
  readonly advert: string;
  /** Engine name → base64 of a signed EngineAdvert, or an engine id (`eng:<hex>` or bare hex). */
  readonly engines: Readonly<Record<string, string>>;
}

/** A peer whose adverts verified: what the node routes with. */
export interface AdmittedPeer {
  readonly name: string;
  readonly id: Id;
  readonly addresses: ReadonlyArray<string>;
  /** Engine name → engine id. */
  readonly engines: ReadonlyMap<string, Id>;
}

/** Why a peer was refused: the field (`advert` or `engines.<name>`) and what is wrong with it. */
export interface PeerProblem {
  readonly field: ReadonlyArray<string>;
  readonly message: string;
}

/** Base64 text of an advert's canonical bytes. */
export function advertText(advert: NodeAdvert | EngineAdvert): string {
  return Buffer.from(encodeAdvert(advert)).toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Adverts are small (a NodeAdvert holds at most 64 addresses of 512 bytes): bound the text first. */
const ADVERT_TEXT_CHARS_MAX = 48 * 1024;

/** Decodes advert text of the expected kind (signature not yet checked). */
export function parseAdvertText<K extends 'node' | 'engine'>(text: string, kind: K): Result<K extends 'node' ? NodeAdvert : EngineAdvert, string> {
  if (text.length > ADVERT_TEXT_CHARS_MAX) return err(`an advert of ${text.length} characters exceeds ${ADVERT_TEXT_CHARS_MAX}`);
  if (!BASE64.test(text) || text.length % 4 !== 0) return err(`expected a ${kind} advert as base64 text (written by netmachine keygen)`);
  const decoded = decodeAdvert(new Uint8Array(Buffer.from(text, 'base64')));
  if (!decoded.ok) return err(`not a valid advert: ${decoded.error.message}`);
  if (decoded.value.kind !== kind) return err(`expected a ${kind} advert, got a ${decoded.value.kind} advert`);
  return ok(decoded.value as K extends 'node' ? NodeAdvert : EngineAdvert);
}

/** Weights of addresses given in preference order (higher = preferred, never 0: 0 means last resort). */
function weighted(addresses: ReadonlyArray<string>): NodeAdvert['addresses'] {
  return addresses.map((address, index) => ({ address, weight: Math.max(1, 255 - index) }));
}

/** The node's signed advert for `addresses` (preference order). */
export function signNodeAdvert(crypto: Crypto, key: KeyPair, addresses: ReadonlyArray<string>, version: number, createdMs: number): NodeAdvert {
  return signAdvert(crypto, key, { kind: 'node', id: key.id, version, created: createdMs, addresses: weighted(addresses) });
}

/** An engine's signed statement that it runs on `node`. */
export function signEngineAdvert(crypto: Crypto, engineKey: KeyPair, node: Id, version: number, createdMs: number): EngineAdvert {
  return signAdvert(crypto, engineKey, { kind: 'engine', id: engineKey.id, version, created: createdMs, node });
}

function outcomeProblem(outcome: AdvertOutcome, kind: string, id: Id): string | undefined {
  switch (outcome) {
    case 'stored':
      return undefined;
    case 'bad-signature':
      return `bad signature: this ${kind} advert is not signed by ${formatId(kind === 'node' ? 'node' : 'eng', id)}`;
    case 'from-future':
      return 'created more than 5 minutes in the future (check the clocks, or re-create the advert)';
    case 'stale':
      return `stale: an advert of ${formatId(kind === 'node' ? 'node' : 'eng', id)} with the same or a higher version is configured before it`;
    case 'configured':
      return 'an advert from configuration is already stored for this identity';
  }
}

/**
 * Verifies one peer's adverts and stores them in `store` as configuration (I8, Q15): a bad signature,
 * a `created` in the future, a stale version, an engine advert for another node or the node itself
 * as its own peer is a problem with the field it concerns.
 */
export function admitPeer(store: IdentityStore, crypto: Crypto, peer: PeerAdverts, self: Id, nowMs: number): Result<AdmittedPeer, PeerProblem> {
  const node = parseAdvertText(peer.advert, 'node');
  if (!node.ok) return err({ field: ['advert'], message: node.error });
  if (node.value.id === self) return err({ field: ['advert'], message: 'this is the advert of the node itself, not of a peer' });
  const outcome = outcomeProblem(store.acceptAdvert(crypto.verify, node.value, nowMs, true), 'node', node.value.id);
  if (outcome !== undefined) return err({ field: ['advert'], message: outcome });
  const engines = new Map<string, Id>();
  for (const [name, text] of Object.entries(peer.engines)) {
    const field = ['engines', name];
    if (/^(eng:)?[0-9a-f]{64}$/.test(text)) {
      const id = parseId(text, 'eng');
      if (!id.ok) return err({ field, message: id.error });
      store.setEngineNode(id.value, node.value.id);
      engines.set(name, id.value);
      continue;
    }
    const engine = parseAdvertText(text, 'engine');
    if (!engine.ok) return err({ field, message: `${engine.error}, or an engine id (eng:<64 hex digits>)` });
    if (engine.value.node !== node.value.id) return err({ field, message: `this engine advert says it runs on ${formatId('node', engine.value.node)}, not on the peer ${formatId('node', node.value.id)}` });
    const engineOutcome = outcomeProblem(store.acceptAdvert(crypto.verify, engine.value, nowMs, true), 'engine', engine.value.id);
    if (engineOutcome !== undefined) return err({ field, message: engineOutcome });
    engines.set(name, engine.value.id);
  }
  const addresses = store.node(node.value.id)?.addresses ?? [];
  return ok({ name: peer.name, id: node.value.id, addresses, engines });
}
