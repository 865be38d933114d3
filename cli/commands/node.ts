// `netmachine node --config node.yaml`: one real node (QUIC and/or TLS) until SIGINT/SIGTERM.
// The config is transports' NodeSpec, except that the key may come from a file (`key: node.key`,
// relative to the config). Bad config → located error (file:line:col field: …), exit 2.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { InputError, parseLocated, validateLocated } from '../../scenarios/index.js';
import { NodeSpecSchema, runNodeProcess, type NodeSpec } from '../../transports/index.js';
import { CliError } from '../errors.js';

const NodeFileSchema = NodeSpecSchema.extend({
  secret: NodeSpecSchema.shape.secret.optional(),
  /** Path of a key file written by `netmachine keygen` (relative to this config). */
  key: z.string().min(1).optional(),
});

/** Reads and validates a node config file; every problem is located. */
export function loadNodeConfig(file: string, overrides: { transport?: string; trace?: string } = {}): NodeSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError('cli/config-unreadable', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const doc = parseLocated(text, file);
  const config = validateLocated(doc, NodeFileSchema, 'node/invalid-config');
  let secret = config.secret;
  if ((secret === undefined) === (config.key === undefined)) {
    throw new InputError('node/invalid-config', [doc.problem(config.key === undefined ? [] : ['key'], 'expected exactly one of "secret" (64 hex digits) or "key" (a key file)')]);
  }
  if (config.key !== undefined) {
    const keyPath = resolve(dirname(file), config.key);
    let keyText: string;
    try {
      keyText = readFileSync(keyPath, 'utf8').trim();
    } catch (error) {
      throw new InputError('node/invalid-config', [doc.problem(['key'], `cannot read the key file ${keyPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)]);
    }
    if (!/^[0-9a-f]{64}$/.test(keyText)) throw new InputError('node/invalid-config', [doc.problem(['key'], `${keyPath}: expected 64 lowercase hex digits (a file written by netmachine keygen)`)]);
    secret = keyText;
  }
  const { key: _key, ...rest } = config;
  void _key;
  const transport = overrides.transport ?? rest.transport;
  if (transport !== 'quic' && transport !== 'tls' && transport !== 'both') throw new CliError('cli/bad-transport', `--transport: expected quic, tls or both, got "${transport}"`);
  const engines = rest.engines.map((engine) => (engine.module === undefined ? engine : { ...engine, module: resolve(dirname(file), engine.module) }));
  return { ...rest, engines, secret: secret!, transport, ...(overrides.trace !== undefined && { trace: resolve(overrides.trace) }), ...(overrides.trace === undefined && rest.trace !== undefined && { trace: resolve(dirname(file), rest.trace) }) };
}

export function register(program: Command): void {
  program
    .command('node')
    .description('run one real node (QUIC and/or TLS) until SIGINT or SIGTERM')
    .requiredOption('--config <file>', 'node config (YAML or JSON)')
    .option('--transport <kind>', 'quic, tls or both (overrides the config)')
    .option('--trace <file>', 'write this node\'s trace events (JSONL) here (overrides the config)')
    .action(async (flags: { config: string; transport?: string; trace?: string }) => {
      const spec = loadNodeConfig(flags.config, flags);
      await runNodeProcess(spec, { log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`) });
    });
}
