// `netmachine keygen --out node.key`: a fresh Ed25519 node key (the 32-byte secret seed as hex,
// file mode 0600); prints the node id that peers put in their configs.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createNodeCrypto, formatId, toHex } from '../../core/index.js';
import { CliError } from '../errors.js';

export function register(program: Command): void {
  program
    .command('keygen')
    .description('create a node key file and print the node id')
    .requiredOption('--out <file>', 'where to write the key (hex secret seed, mode 0600)')
    .option('--force', 'overwrite an existing file')
    .action((flags: { out: string; force?: boolean }) => {
      const secret = new Uint8Array(randomBytes(32));
      const key = createNodeCrypto().keyPair(secret);
      try {
        writeFileSync(flags.out, `${toHex(secret)}\n`, { mode: 0o600, flag: flags.force === true ? 'w' : 'wx' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new CliError('cli/key-unwritable', code === 'EEXIST' ? `${flags.out} exists (use --force to overwrite)` : `cannot write ${flags.out}: ${code ?? String(error)}`);
      }
      process.stdout.write(`${formatId('node', key.id)}\n`);
    });
}
