// The embedded default scenario run by `npm start` / `netmachine run` with no file.
export const DEFAULT_SCENARIO_FILE = '<default scenario>';

export const DEFAULT_SCENARIO_YAML = `# Eight nodes in a ring; every node pings its two neighbours' echo engines once a second.
# The n4–n5 link loses 5% of its frames, so some pings go unanswered.
name: default-ring-ping
seed: 1
duration: 30s
defaults:
  link: { latency: 20ms, jitter: { dist: normal, mean: 2ms, sd: 1ms }, bandwidth: 10Mbps }
topology:
  nodes: [n1, n2, n3, n4, n5, n6, n7, n8]
  links:
    - [n1, n2]
    - [n2, n3]
    - [n3, n4]
    - { between: [n4, n5], loss: 5% }
    - [n5, n6]
    - [n6, n7]
    - [n7, n8]
    - [n8, n1]
engines:
  - { on: all, kind: echo }
  - { on: all, kind: ping, params: { targets: neighbors, intervalMs: 1000 } }
`;
