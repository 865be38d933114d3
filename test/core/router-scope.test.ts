// The Router's routing scopes (SPEC §5.1.1): a message scoped Domain(d) goes only to a node this
// node knows as a member of d; Local never leaves the node.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdentityStore, routeOutgoing, type RoutingTable } from '../../core/index.js';

const ids = Array.from({ length: 6 }, (_, i) => i.toString(16).padStart(64, '0'));
const [self, domain, other, ...nodes] = ids as [string, string, string, ...string[]];

function table(members: ReadonlySet<string>): RoutingTable {
  const directory = new IdentityStore();
  for (const node of nodes) directory.updateNode(node, { addresses: [`sim://${node}`] });
  return { self, localEngines: new Map(), directory, now: () => 0, isDomainMember: (d, node) => d === domain && members.has(node) };
}

describe('Domain(d) scope', () => {
  it('a message scoped to d is routed to a node only when this node knows it as a member of d', () =>
    fc.assert(
      fc.property(fc.subarray(nodes), fc.constantFrom(...nodes), fc.constantFrom(domain, other), (members, target, scopeDomain) => {
        const decision = routeOutgoing(table(new Set(members)), { kind: 'node', node: target }, { kind: 'domain', domain: scopeDomain });
        const isAllowed = scopeDomain === domain && members.includes(target);
        expect(decision).toEqual(isAllowed ? { kind: 'remote', node: target } : { kind: 'drop', reason: 'scope-domain' });
      }),
    ));

  it('without a scope, or scoped Any, the same message goes; a node that knows no domain admits no one', () => {
    const target = nodes[0]!;
    expect(routeOutgoing(table(new Set()), { kind: 'node', node: target }, undefined)).toEqual({ kind: 'remote', node: target });
    expect(routeOutgoing(table(new Set()), { kind: 'node', node: target }, { kind: 'any' })).toEqual({ kind: 'remote', node: target });
    const { isDomainMember: _, ...bare } = table(new Set([target]));
    expect(routeOutgoing(bare, { kind: 'node', node: target }, { kind: 'domain', domain })).toEqual({ kind: 'drop', reason: 'scope-domain' });
  });
});
