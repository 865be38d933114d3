// `knows: { random: k }` drawn by index: the plan's table of known peers by index says the same as
// the nodes' name lists, and only when every node's list was drawn so.
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../scenarios/index.js';
import type { NetworkPlan } from '../../core/index.js';

const scenario = (knows: string, nodes = 40): string => `name: t
seed: 3
topology:
  generate: [{ kind: ring, nodes: ${nodes} }]
knows: ${knows}
engines: [{ on: all, kind: sink }]
`;

/** Each node's known names, as the table gives them. */
function fromTable(plan: NetworkPlan): string[][] {
  const table = plan.knowsTable!;
  return plan.nodes.map((_, i) => Array.from(table.peers.subarray(table.offsets[i]!, table.offsets[i + 1]!), (peer) => plan.nodes[peer]!.name));
}

describe('the plan table of known peers', () => {
  it('lists the same peers in the same order as the names, for one or several random entries', async () => {
    for (const knows of ['[{ on: all, peers: { random: 5 } }]', '[{ on: all, peers: { random: 30 } }]', '[{ on: all, peers: { random: 3 } }, { on: ["n1", "n2"], peers: { random: 4 } }]']) {
      const plan = await loadScenarioText(scenario(knows), 't.yaml');
      expect(plan.knowsTable?.nodes).toBe(plan.nodes);
      const names = plan.nodes.map((node) => [...node.knows!]);
      expect(fromTable(plan)).toEqual(names);
      for (const [i, list] of names.entries()) {
        expect(list).not.toContain(plan.nodes[i]!.name);
        expect(new Set(list).size).toBe(list.length);
      }
    }
  });

  it('is absent when some list is not drawn by index (neighbours, a selector, a pool, a node left out)', async () => {
    for (const knows of ['[{ on: all, peers: neighbors }]', '[{ on: all, peers: { random: 2 } }, { on: ["n1"], peers: ["n5"] }]', '[{ on: all, peers: { random: 2, from: "n1*" } }]', '[{ on: ["n1", "n2"], peers: { random: 2 } }]']) {
      const plan = await loadScenarioText(scenario(knows), 't.yaml');
      expect(plan.knowsTable, knows).toBeUndefined();
    }
  });
});
