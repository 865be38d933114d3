// Domain wire formats (SPEC §4.6, §5.6): each signed structure verifies only under its signer and
// only unaltered; every domain message survives a round trip; untrusted bytes never throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  admits,
  createNodeCrypto,
  decodeDomainMessage,
  deriveSecret,
  encodeDomainMessage,
  openDomainPolicy,
  openInvitation,
  openJoinRequest,
  openJoinResponse,
  signDomainPolicy,
  signInvitation,
  signJoinRequest,
  signJoinResponse,
  type DomainMessage,
  type KeyPair,
} from '../../core/index.js';

const crypto = createNodeCrypto();
const key = (name: string): KeyPair => crypto.keyPair(deriveSecret('domain-wire-test', 'node', name));
const [domain, owner, joiner, other] = ['domain', 'owner', 'joiner', 'other'].map(key) as [KeyPair, KeyPair, KeyPair, KeyPair];
const signer = (pair: KeyPair) => (bytes: Uint8Array) => crypto.sign(pair, bytes);

/** Every byte flipped in turn: none of the altered copies opens. */
function eachFlip(bytes: Uint8Array, open: (bytes: Uint8Array) => unknown): number {
  let opened = 0;
  for (let i = 0; i < bytes.length; i++) {
    const copy = bytes.slice();
    copy[i]! ^= 0x01;
    if (open(copy) !== undefined) opened++;
  }
  return opened;
}

describe('signed domain structures', () => {
  it('a policy, an invitation, a JoinRequest and a JoinResponse open under their signer, not under another key, not altered', () => {
    const policy = signDomainPolicy(signer(domain), { domain: domain.id, version: 3, created: 10, policy: { kind: 'allow-list', allow: [joiner.id] } });
    expect(openDomainPolicy(crypto.verify, policy)).toMatchObject({ domain: domain.id, version: 3, policy: { kind: 'allow-list', allow: [joiner.id] } });
    expect(openDomainPolicy(crypto.verify, signDomainPolicy(signer(owner), { domain: domain.id, version: 3, created: 10, policy: { kind: 'open' } }))).toBeUndefined(); // the owner's node key is not the domain key
    expect(eachFlip(policy, (bytes) => openDomainPolicy(crypto.verify, bytes))).toBe(0);

    const invitation = signInvitation(signer(domain), { domain: domain.id, invitee: joiner.id, expiry: 5000 });
    expect(openInvitation(crypto.verify, invitation)?.invitee).toBe(joiner.id);
    expect(eachFlip(invitation, (bytes) => openInvitation(crypto.verify, bytes))).toBe(0);

    const request = signJoinRequest(signer(joiner), { requestor: joiner.id, node: joiner.id, domain: domain.id, auth: invitation });
    expect(openJoinRequest(crypto.verify, request)?.auth).toEqual(invitation);
    expect(openJoinRequest(crypto.verify, signJoinRequest(signer(other), { requestor: joiner.id, node: joiner.id, domain: domain.id }))).toBeUndefined();
    expect(eachFlip(request, (bytes) => openJoinRequest(crypto.verify, bytes))).toBe(0);

    const response = signJoinResponse(signer(owner), { approver: owner.id, node: owner.id, requestor: joiner.id, domain: domain.id, result: 'accepted', epoch: 3 });
    expect(openJoinResponse(crypto.verify, response)).toMatchObject({ result: 'accepted', epoch: 3 });
    const refusal = signJoinResponse(signer(owner), { approver: owner.id, node: owner.id, requestor: joiner.id, domain: domain.id, result: 'domain/not-allowed' });
    expect(openJoinResponse(crypto.verify, refusal)).toMatchObject({ result: 'domain/not-allowed' });
    expect(openJoinResponse(crypto.verify, refusal)?.epoch).toBeUndefined();
    expect(eachFlip(response, (bytes) => openJoinResponse(crypto.verify, bytes))).toBe(0);
  });

  it('admits: open admits all; an allow-list its nodes; invitations only the invitee\'s, of this domain, unexpired, signed by the domain key', () => {
    const open = (bytes: Uint8Array) => openDomainPolicy(crypto.verify, bytes)!;
    const allow = open(signDomainPolicy(signer(domain), { domain: domain.id, version: 1, created: 0, policy: { kind: 'allow-list', allow: [joiner.id] } }));
    const invite = open(signDomainPolicy(signer(domain), { domain: domain.id, version: 1, created: 0, policy: { kind: 'invitation' } }));
    expect(admits(crypto.verify, open(signDomainPolicy(signer(domain), { domain: domain.id, version: 1, created: 0, policy: { kind: 'open' } })), other.id, undefined, 0)).toBe('accepted');
    expect(admits(crypto.verify, allow, joiner.id, undefined, 0)).toBe('accepted');
    expect(admits(crypto.verify, allow, other.id, undefined, 0)).toBe('domain/not-allowed');
    const invitation = signInvitation(signer(domain), { domain: domain.id, invitee: joiner.id, expiry: 100 });
    expect(admits(crypto.verify, invite, joiner.id, invitation, 99)).toBe('accepted');
    expect(admits(crypto.verify, invite, joiner.id, invitation, 100)).toBe('domain/bad-invitation'); // expired
    expect(admits(crypto.verify, invite, other.id, invitation, 0)).toBe('domain/bad-invitation'); // someone else's
    expect(admits(crypto.verify, invite, joiner.id, signInvitation(signer(owner), { domain: domain.id, invitee: joiner.id, expiry: 100 }), 0)).toBe('domain/bad-invitation');
    expect(admits(crypto.verify, invite, joiner.id, undefined, 0)).toBe('domain/no-invitation');
  });
});

const id = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString('hex'));
const bytes = fc.uint8Array({ maxLength: 64 });
const result = fc.constantFrom('ok', 'domain/unknown', 'domain/no-member', 'domain/timeout', 'domain/no-service', 'domain/bad-request' as const);
const messageArbitrary: fc.Arbitrary<DomainMessage> = fc.oneof(
  bytes.map((request) => ({ kind: 'join-request' as const, request })),
  fc.record({ kind: fc.constant('join-response' as const), response: bytes, policy: bytes, advert: bytes }),
  id.map((domain) => ({ kind: 'leave' as const, domain })),
  id.map((domain) => ({ kind: 'advert-request' as const, domain })),
  bytes.map((advert) => ({ kind: 'advert' as const, advert })),
  fc.record({ kind: fc.constant('probe' as const), domain: id, n: fc.nat() }),
  fc.record({ kind: fc.constant('request' as const), req: fc.nat(), src: id, domain: id, path: fc.array(id, { maxLength: 4 }), protocol: fc.string({ minLength: 1, maxLength: 20 }), body: bytes }),
  fc.record({ kind: fc.constant('response' as const), req: fc.nat(), domain: id, dst: id, path: fc.array(id, { maxLength: 4 }), result, protocol: fc.string({ minLength: 1, maxLength: 20 }), body: bytes }),
  fc.record({ kind: fc.constant('ext-request' as const), protocol: fc.string({ minLength: 1, maxLength: 20 }), body: bytes, timeoutMs: fc.nat() }),
  fc.record({ kind: fc.constant('ext-response' as const), result, member: id, latencyMs: fc.nat().map((n) => n / 1000), body: bytes }),
);

describe('domain messages', () => {
  it('round-trip: decode(encode(m)) = m', () =>
    fc.assert(
      fc.property(messageArbitrary, (message) => {
        const decoded = decodeDomainMessage(encodeDomainMessage(message));
        expect(decoded.ok && decoded.value).toEqual(message);
      }),
    ));

  it('untrusted bytes decode to a message or a typed error, never a throw', () =>
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), messageArbitrary.chain((message) => fc.nat().map((cut) => encodeDomainMessage(message).subarray(0, cut)))), (input) => {
        const decoded = decodeDomainMessage(input);
        if (!decoded.ok) expect(decoded.error.code).toMatch(/^codec\//);
      }),
    ));
});
