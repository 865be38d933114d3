// Every command, in `--help` order: its name and one-line description here (so that the overview
// loads nothing), its arguments, options and action in cli/commands/<name>.ts, imported only when
// that command runs or shows its own help.
import type { Command } from 'commander';

/** A command module: adds its arguments, options and action to the command main() created. */
export interface CommandModule {
  configure(command: Command): void;
}

export interface CommandEntry {
  readonly name: string;
  readonly description: string;
  load(): Promise<CommandModule>;
}

export const COMMANDS: ReadonlyArray<CommandEntry> = [
  { name: 'run', description: 'run a scenario in the simulator (the embedded default scenario when no file is given)', load: () => import('./run.js') },
  { name: 'check', description: 'run a scenario and its expect block across many seeds, in worker threads', load: () => import('./check.js') },
  { name: 'validate', description: 'check scenario files without running them: schema, references, engine params and dependencies, event times, sizes (engine modules are read, not run)', load: () => import('./validate.js') },
  { name: 'replay', description: "re-run a simulator trace's scenario and seed; exit 0 if every event is identical, 1 at the first difference", load: () => import('./replay.js') },
  { name: 'topology', description: "print a scenario's topology: nodes, degree distribution, diameter, connected components", load: () => import('./topology.js') },
  { name: 'schema', description: 'print the JSON Schema of scenario files (e.g. netmachine schema > scenario.schema.json)', load: () => import('./schema.js') },
  { name: 'viz', description: 'render a trace (JSONL) as a self-contained interactive HTML report', load: () => import('./viz.js') },
  { name: 'keygen', description: "create a key file and print its id; with --address, also the node's signed peer advert file", load: () => import('./keygen.js') },
  { name: 'node', description: 'run one real node (QUIC and/or TLS) until SIGINT or SIGTERM', load: () => import('./node.js') },
  { name: 'deploy', description: 'run a scenario on real QUIC/TLS nodes on 127.0.0.1 (one process per node by default)', load: () => import('./deploy.js') },
  { name: 'compare', description: 'compare what two traces delivered: to application engines (per engine, per topic), to protocol engines, latency', load: () => import('./compare.js') },
  { name: 'collect', description: 'merge the per-node traces of a real run (netmachine node --trace) into one trace', load: () => import('./collect.js') },
];
