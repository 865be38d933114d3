// Flags shared by several commands, checked with the range or form they need in the message.
import { parseDuration } from '../scenarios/index.js';
import { CliError } from './errors.js';

/** Largest seed: seeds are unsigned 32-bit integers. */
export const SEED_MAX = 2 ** 32 - 1;

/** Parses `--seed` (0 … 4294967295). */
export function parseSeedFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text) || Number(text) > SEED_MAX) throw new CliError('cli/bad-seed', `--seed: expected an integer from 0 to ${SEED_MAX}, got "${text}"`);
  return Number(text);
}

/** Parses a duration flag such as `--tolerance 50ms` (0 allowed). */
export function parseDurationFlag(name: string, text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new CliError('cli/bad-duration', `${name}: ${parsed.error}`);
  return parsed.value;
}

/** Parses `--until`: a duration greater than 0. */
export function parseUntilFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = parseDuration(text);
  if ((parsed.ok && parsed.value === 0) || (!parsed.ok && Number(text) === 0)) {
    throw new CliError('cli/bad-until', `--until: the run length must be greater than 0, got "${text}"`);
  }
  if (!parsed.ok) throw new CliError('cli/bad-until', `--until: ${parsed.error}`);
  return parsed.value;
}
