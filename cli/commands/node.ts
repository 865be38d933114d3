// `netmachine node --config node.yaml`: one real node (QUIC and/or TLS) until SIGINT/SIGTERM. The
// config format is cli/node-config.ts (docs/real-networks.md). Bad config → located error, exit 2.
// `--print-ids` prints the node's, engines' and topics' ids and exits without listening. A config
// with a `schedule` (emitted by `deploy --emit`) runs its part of a scenario and stops at its end.
// `--resolve NAME=ADDRESS` dials NAME at ADDRESS (emitted cluster configs on one machine).
import { isIP } from 'node:net';
import type { Command } from 'commander';
import { createNodeCrypto, formatId } from '../../core/index.js';
import { hostResolver, nodeIdentities, runNodeProcess, runScheduledNode, shutdownQuicWorker, type HostMapping, type NodeSpec } from '../../transports/index.js';
import { CliError } from '../errors.js';
import { loadNodeConfig } from '../node-config.js';

const HOST_NAME = /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** Parses one `--resolve NAME=ADDRESS` (NAME a host name or `*.suffix`, ADDRESS an IP address). */
export function parseResolveFlag(text: string, previous: HostMapping[] = []): HostMapping[] {
  const at = text.indexOf('=');
  const pattern = at < 0 ? '' : text.slice(0, at);
  const address = at < 0 ? '' : text.slice(at + 1);
  if (!HOST_NAME.test(pattern) || pattern.length > 253) throw new CliError('cli/bad-resolve', `--resolve: expected NAME=ADDRESS with NAME a host name or *.suffix, got "${text}"`);
  if (isIP(address) === 0) throw new CliError('cli/bad-resolve', `--resolve ${pattern}: expected an IP address after "=", got "${address}"`);
  return [...previous, { pattern, address }];
}

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
    .option('--resolve <name=address>', 'dial host NAME (or every *.suffix) at this IP address instead of looking it up; repeatable', parseResolveFlag)
    .action(async (flags: { config: string; transport?: string; trace?: string; printIds?: boolean; resolve?: HostMapping[] }) => {
      const spec = loadNodeConfig(flags.config, flags);
      if (flags.printIds === true) {
        process.stdout.write(formatNodeIds(spec) + '\n');
        return;
      }
      const options = {
        log: (line: string) => void process.stderr.write(`${new Date().toISOString()} ${line}\n`),
        ...(flags.resolve !== undefined && { resolveHost: hostResolver(flags.resolve) }),
      };
      try {
        if (spec.schedule !== undefined) await runScheduledNode(spec, options);
        else await runNodeProcess(spec, options);
      } finally {
        await shutdownQuicWorker(); // its sockets closed before the process ends (see shutdownQuicWorker)
      }
    });
}
