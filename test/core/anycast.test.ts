// Anycast to a domain (SPEC §2.3, §4.6 DomainAdvert): member choice by failures, then RTT; banned never.
import { describe, expect, it } from 'vitest';
import { chooseDomainMember, createNodeCrypto, deriveSecret, IdentityStore, signAdvert, type KeyPair } from '../../core/index.js';

const crypto = createNodeCrypto();
const key = (name: string): KeyPair => crypto.keyPair(deriveSecret('anycast-test', 'node', name));

describe('anycast', () => {
  it('picks the member with the fewest failures, then the lowest RTT, never a banned one, falling back in order', () => {
    const [self, m1, m2, m3, domain] = ['self', 'm1', 'm2', 'm3', 'domain'].map(key) as [KeyPair, KeyPair, KeyPair, KeyPair, KeyPair];
    const directory = new IdentityStore();
    const table = { self: self.id, localEngines: new Map(), directory };
    expect(chooseDomainMember(table, domain.id)).toBeUndefined();
    expect(directory.acceptAdvert(crypto.verify, signAdvert(crypto, domain, { kind: 'domain', id: domain.id, version: 1, created: 0, nodes: [m1.id, m2.id, m3.id] }), 0)).toBe('stored');
    expect(chooseDomainMember(table, domain.id)).toBe(m1.id); // nothing measured: advert order
    directory.recordRtt(m1.id, 40, 1);
    directory.recordRtt(m2.id, 10, 1);
    directory.recordRtt(m3.id, 20, 1);
    expect(chooseDomainMember(table, domain.id)).toBe(m2.id);
    directory.recordFailure(m2.id);
    expect(chooseDomainMember(table, domain.id)).toBe(m3.id);
    directory.updateNode(m3.id, { trust: 0 }); // S25: banned
    expect(chooseDomainMember(table, domain.id)).toBe(m1.id);
    const served = { ...table, domainServers: new Map([[domain.id, [self.id]]]) };
    expect(chooseDomainMember(served, domain.id)).toBe(self.id);
  });
});
