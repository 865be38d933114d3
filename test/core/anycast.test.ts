// Anycast to a domain (SPEC §2.3, §4.6 DomainAdvert): member choice learns from successes and
// forgets failures: a failed member is suspected for a while that doubles per consecutive failure,
// unsuspected members go by RTT, a success clears the count; banned members never.
import { describe, expect, it } from 'vitest';
import { ANYCAST_SUSPICION_MS, ANYCAST_SUSPICION_MS_MAX, chooseDomainMember, createNodeCrypto, deriveSecret, IdentityStore, signAdvert, type KeyPair, type RoutingTable } from '../../core/index.js';

const crypto = createNodeCrypto();
const key = (name: string): KeyPair => crypto.keyPair(deriveSecret('anycast-test', 'node', name));

function setup(): { table: RoutingTable & { at: number }; directory: IdentityStore; m1: KeyPair; m2: KeyPair; m3: KeyPair; domain: KeyPair; self: KeyPair } {
  const [self, m1, m2, m3, domain] = ['self', 'm1', 'm2', 'm3', 'domain'].map(key) as [KeyPair, KeyPair, KeyPair, KeyPair, KeyPair];
  const directory = new IdentityStore();
  const table = { self: self.id, localEngines: new Map(), directory, at: 0, now: () => table.at };
  expect(directory.acceptAdvert(crypto.verify, signAdvert(crypto, domain, { kind: 'domain', id: domain.id, version: 1, created: 0, nodes: [m1.id, m2.id, m3.id] }), 0)).toBe('stored');
  return { table, directory, m1, m2, m3, domain, self };
}

describe('anycast member choice', () => {
  it('by RTT among unsuspected members (unmeasured last, then advert order); never a banned one; this node when it serves', () => {
    const { table, directory, m1, m2, m3, domain, self } = setup();
    expect(chooseDomainMember({ ...table, directory: new IdentityStore() }, domain.id)).toBeUndefined(); // no advert
    expect(chooseDomainMember(table, domain.id)).toBe(m1.id); // nothing measured: advert order
    directory.recordRtt(m1.id, 40, 1);
    directory.recordRtt(m2.id, 10, 1);
    directory.recordRtt(m3.id, 20, 1);
    expect(chooseDomainMember(table, domain.id)).toBe(m2.id);
    directory.updateNode(m2.id, { trust: 0 }); // S25: banned
    expect(chooseDomainMember(table, domain.id)).toBe(m3.id);
    expect(chooseDomainMember({ ...table, domainServers: new Map([[domain.id, [self.id]]]) }, domain.id)).toBe(self.id);
  });

  it('a failure suspects a member for a while that doubles per consecutive failure; then it is tried again', () => {
    const { table, directory, m1, m2, m3, domain } = setup();
    directory.recordRtt(m1.id, 40, 0);
    directory.recordRtt(m2.id, 10, 0);
    directory.recordRtt(m3.id, 20, 0);
    table.at = 1000;
    directory.recordFailure(m2.id, table.at);
    expect(chooseDomainMember(table, domain.id)).toBe(m3.id);
    table.at += ANYCAST_SUSPICION_MS - 1;
    expect(chooseDomainMember(table, domain.id)).toBe(m3.id);
    table.at += 1; // the suspicion is over: m2 is the closest again
    expect(chooseDomainMember(table, domain.id)).toBe(m2.id);
    directory.recordFailure(m2.id, table.at); // a second failure in a row: twice as long
    table.at += 2 * ANYCAST_SUSPICION_MS - 1;
    expect(chooseDomainMember(table, domain.id)).toBe(m3.id);
    table.at += 1;
    expect(chooseDomainMember(table, domain.id)).toBe(m2.id);
    for (let i = 0; i < 30; i++) directory.recordFailure(m2.id, table.at); // capped
    table.at += ANYCAST_SUSPICION_MS_MAX;
    expect(chooseDomainMember(table, domain.id)).toBe(m2.id);
  });

  it('a success (a late reply is one) clears the count: one late reply does not demote a member for good', () => {
    const { table, directory, m1, m2, m3, domain } = setup();
    directory.recordRtt(m1.id, 40, 0);
    directory.recordRtt(m2.id, 10, 0);
    directory.recordRtt(m3.id, 20, 0);
    directory.recordFailure(m2.id, 0); // m2 is down
    directory.recordFailure(m3.id, 0); // m3 answered late
    expect(chooseDomainMember(table, domain.id)).toBe(m1.id); // the only unsuspected member
    directory.recordRtt(m3.id, 100, 1); // ... and its late reply arrives (RTT average 30 ms)
    expect(chooseDomainMember(table, domain.id)).toBe(m3.id);
  });

  it('when every member is suspected, the one whose suspicion ends first', () => {
    const { table, directory, m1, m2, m3, domain } = setup();
    directory.recordFailure(m1.id, 0);
    directory.recordFailure(m1.id, 0); // suspected until 2 s
    directory.recordFailure(m2.id, 500); // until 1.5 s
    directory.recordFailure(m3.id, 300); // until 1.3 s
    table.at = 600;
    expect(chooseDomainMember(table, domain.id)).toBe(m3.id);
  });
});
