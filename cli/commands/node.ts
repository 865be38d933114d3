// `netmachine node --config node.yaml`: one real node (QUIC and/or TLS) until SIGINT/SIGTERM. The
// config format is cli/node-config.ts (docs/real-networks.md). Bad config → located error, exit 2.
// `--print-ids` prints the node's, engines' and topics' ids and exits without listening.
import type { Command } from 'commander';
import { createNodeCrypto, formatId } from '../../core/index.js';
import { nodeIdentities, runNodeProcess, shutdownQuicWorker, type NodeSpec } from '../../transports/index.js';
import { loadNodeConfig } from '../node-config.js';

/** The ids a node's config defines, one per line (`node NAME node:…`, `engine NAME/E eng:…`, …). */
export function formatNodeIds(spec: NodeSpec): string {
  const ids = nodeIdentities(createNodeCrypto(), spec);
  return [
    `node ${spec.name} ${formatId('node', ids.node.id)}`,
    ...[...ids.engines].map(([name, key]) => `engine ${spec.name}/${name} ${formatId('eng', key.id)}`),
    ...[...ids.topics].map(([name, topic]) => `topic ${name} ${formatId('topic', topic.id)}${topic.key === undefined ? '' : ' (key held here)'}`),
    ...[...ids.domains].map(([name, domain]) => `domain ${name} ${formatId('dom', domain.id)}${domain.key === undefined ? '' : ' (key held here)'}`),
  ].join('\n');
}

export function configure(command: Command): void {
  command
    .requiredOption('--config <file>', 'node config (YAML or JSON; see docs/real-networks.md)')
    .option('--transport <kind>', 'quic, tls or both (overrides the config)')
    .option('--trace <file>', 'write this node\'s trace (JSONL) here (overrides the config)')
    .option('--print-ids', 'print the ids of the node, its engines and its topics, then exit')
    .action(async (flags: { config: string; transport?: string; trace?: string; printIds?: boolean }) => {
      const spec = loadNodeConfig(flags.config, flags);
      if (flags.printIds === true) {
        process.stdout.write(formatNodeIds(spec) + '\n');
        return;
      }
      try {
        await runNodeProcess(spec, { log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`) });
      } finally {
        await shutdownQuicWorker(); // its sockets closed before the process ends (see shutdownQuicWorker)
      }
    });
}
