// Test helper: a DomainAdvert signed inside an engine with a domain key it was handed (tests only:
// in scenarios only the owner's `domain` engine holds the key).
import { signAdvert, type DomainAdvert, type EngineContext, type Id, type KeyPair } from '../../core/index.js';

/** The DomainAdvert (version 1) of `key.id` listing `nodes`, signed with `key` through the engine's context. */
export function signDomainAdvertAs(ctx: EngineContext, key: KeyPair, nodes: ReadonlyArray<Id>): DomainAdvert {
  return signAdvert({ scheme: 'engine', keyPair: () => key, sign: ctx.signAs, verify: ctx.verify, hash: ctx.hash }, key, { kind: 'domain', id: key.id, version: 1, created: 0, nodes });
}
