// `netmachine keygen --out node.key`: a fresh Ed25519 key (the 32-byte secret seed as hex, file mode
// 0600) for a node, a topic or a domain; prints its id. For a node, `--address` (repeatable, in
// preference order) also writes its signed NodeAdvert — and `--engine NAME` the signed EngineAdverts
// of its engines — to a peer advert file that the node's peers list in their configs.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { createNodeCrypto, formatId, fromHex, toHex } from '../../core/index.js';
import { advertText, engineKeyOf, NameSchema, parseAddress, signEngineAdvert, signNodeAdvert } from '../../transports/index.js';
import { CliError } from '../errors.js';

interface KeygenFlags {
  readonly out?: string;
  readonly key?: string;
  readonly kind: string;
  readonly name?: string;
  readonly address: string[];
  readonly engine: string[];
  readonly advert?: string;
  readonly force?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function writeNew(file: string, text: string, mode: number, isForced: boolean): void {
  try {
    writeFileSync(file, text, { mode, flag: isForced ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError('cli/key-unwritable', code === 'EEXIST' ? `${file} exists (use --force to overwrite)` : `cannot write ${file}: ${code ?? String(error)}`);
  }
}

function readSecret(file: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new CliError('cli/key-unreadable', `cannot read the key file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!/^[0-9a-f]{64}$/.test(text)) throw new CliError('cli/bad-key-file', `${file}: expected 64 lowercase hex digits (a file written by netmachine keygen)`);
  return fromHex(text);
}

/** The peer advert file: public, commented with the ids it carries. */
function advertFile(name: string, nodeId: string, addresses: ReadonlyArray<string>, advert: string, engines: ReadonlyArray<{ name: string; id: string; advert: string }>): string {
  return [
    `# Signed adverts of node "${name}" (public: give this file to the node's peers).`,
    `# ${formatId('node', nodeId)} at ${addresses.join(', ')}`,
    `name: ${name}`,
    `advert: ${JSON.stringify(advert)}`,
    ...(engines.length === 0 ? [] : ['engines:', ...engines.map((engine) => `  ${engine.name}: ${JSON.stringify(engine.advert)} # ${formatId('eng', engine.id)}`)]),
    '',
  ].join('\n');
}

export function configure(command: Command): void {
  command
    .option('--out <file>', 'where to write a new key (hex secret seed, mode 0600)')
    .option('--key <file>', 'use this existing key file instead (to re-issue adverts, e.g. with new addresses)')
    .option('--kind <kind>', 'node, topic or domain', 'node')
    .option('--name <name>', 'the node\'s name in its peer advert file (default: the key file\'s name)')
    .option('--address <address>', 'an address of the node, e.g. quic://host:7001 (repeatable, preferred first)', collect, [])
    .option('--engine <name>', 'an engine of the node to advertise (repeatable)', collect, [])
    .option('--advert <file>', 'where to write the peer advert file (default: next to the key, NAME.advert.yaml)')
    .option('--force', 'overwrite existing files')
    .action((flags: KeygenFlags) => {
      if ((flags.out === undefined) === (flags.key === undefined)) throw new CliError('cli/bad-flags', 'keygen: expected --out <file> (a new key) or --key <file> (an existing one)');
      if (flags.kind !== 'node' && flags.kind !== 'topic' && flags.kind !== 'domain') throw new CliError('cli/bad-flags', `--kind: expected node, topic or domain, got "${flags.kind}"`);
      if (flags.kind !== 'node' && (flags.address.length > 0 || flags.engine.length > 0)) throw new CliError('cli/bad-flags', `--address and --engine concern node keys, not ${flags.kind} keys`);
      for (const address of flags.address) if (parseAddress(address) === undefined) throw new CliError('cli/bad-address', `--address: expected quic://host:port or tls://host:port, got "${address}"`);
      for (const engine of flags.engine) if (!NameSchema.safeParse(engine).success) throw new CliError('cli/bad-flags', `--engine: "${engine}" is not a name of letters, digits, "_", ".", ":" or "-"`);
      const keyFile = (flags.out ?? flags.key)!;
      const name = flags.name ?? basename(keyFile).replace(/\.key$/, '');
      if (flags.address.length > 0 && !NameSchema.safeParse(name).success) throw new CliError('cli/bad-flags', `--name: "${name}" is not a name of letters, digits, "_", ".", ":" or "-"`);
      const secret = flags.out !== undefined ? new Uint8Array(randomBytes(32)) : readSecret(flags.key!);
      const crypto = createNodeCrypto();
      const key = crypto.keyPair(secret);
      if (flags.out !== undefined) writeNew(flags.out, `${toHex(secret)}\n`, 0o600, flags.force === true);
      const idKind = flags.kind === 'node' ? 'node' : flags.kind === 'topic' ? 'topic' : 'dom';
      const lines = [flags.kind === 'node' ? `node ${name} ${formatId('node', key.id)}` : `${flags.kind} ${formatId(idKind, key.id)}`];
      const engines = flags.engine.map((engine) => ({ name: engine, key: engineKeyOf(crypto, toHex(secret), engine) }));
      for (const engine of engines) lines.push(`engine ${name}/${engine.name} ${formatId('eng', engine.key.id)}`);
      if (flags.address.length > 0) {
        // Seconds since the epoch: an advert issued later supersedes an earlier one (S26).
        const version = Math.floor(Date.now() / 1000);
        const created = Date.now();
        const advert = advertText(signNodeAdvert(crypto, key, flags.address, version, created));
        const signed = engines.map((engine) => ({ name: engine.name, id: engine.key.id, advert: advertText(signEngineAdvert(crypto, engine.key, key.id, version, created)) }));
        const file = flags.advert ?? `${keyFile.replace(/\.key$/, '')}.advert.yaml`;
        writeNew(file, advertFile(name, key.id, flags.address, advert, signed), 0o644, flags.force === true || flags.key !== undefined);
        lines.push(`wrote ${file} (public: the node's peers list it under peers:)`);
      }
      process.stdout.write(lines.join('\n') + '\n');
    });
}
