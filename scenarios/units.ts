// Human units for scenario files: durations, bandwidths, sizes and probabilities.
// Bare numbers are milliseconds, bytes per second, bytes and fractions (0..1) respectively.
import { err, ok, type Result } from '../core/index.js';
import { excerpt } from './excerpt.js';

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };
const SIZE_UNITS_BYTES: Readonly<Record<string, number>> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
const BANDWIDTH_UNITS_BYTES_PER_SECOND: Readonly<Record<string, number>> = {
  bps: 1 / 8,
  kbps: 1e3 / 8,
  mbps: 1e6 / 8,
  gbps: 1e9 / 8,
  'b/s': 1,
  'kb/s': 1e3,
  'mb/s': 1e6,
  'gb/s': 1e9,
  'kib/s': 1024,
  'mib/s': 1024 ** 2,
  'gib/s': 1024 ** 3,
};
const QUANTITY = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-zµ/%]*)\s*$/i;

function parseQuantity(text: string, units: Readonly<Record<string, number>>, isCaseSensitive: boolean): number | undefined {
  const match = QUANTITY.exec(text);
  if (match === null) return undefined;
  const unit = isCaseSensitive ? match[2]! : match[2]!.toLowerCase();
  const scale = units[unit];
  return scale === undefined ? undefined : Number(match[1]) * scale;
}

/** `20ms`, `1.5s`, `2m`, `1h`, or a number of ms. */
export function parseDuration(value: unknown): Result<number, string> {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? parseQuantity(value, DURATION_UNITS_MS, true) : undefined;
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return err(`expected a duration like "20ms" or "1.5s", got ${excerpt(value)}`);
  return ok(ms);
}

/** `10Mbps` (bits), `1MB/s`, `512KiB/s` (bytes), `unlimited`, or a number of bytes/s. */
export function parseBandwidth(value: unknown): Result<number, string> {
  if (value === 'unlimited' || value === 0) return ok(0);
  const perSecond =
    typeof value === 'number' ? value : typeof value === 'string' ? parseQuantity(value.replace(/ps$/i, (s) => s), BANDWIDTH_UNITS_BYTES_PER_SECOND, false) : undefined;
  if (perSecond === undefined || !Number.isFinite(perSecond) || perSecond < 0) {
    return err(`expected a bandwidth like "10Mbps", "1MB/s" or "unlimited", got ${excerpt(value)}`);
  }
  return ok(perSecond);
}

/** `1500B`, `4KiB`, `1MB`, or a number of bytes. */
export function parseSize(value: unknown): Result<number, string> {
  const bytes = typeof value === 'number' ? value : typeof value === 'string' ? parseQuantity(value, SIZE_UNITS_BYTES, false) : undefined;
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0 || !Number.isInteger(Math.round(bytes))) {
    return err(`expected a size like "1500B" or "4KiB", got ${excerpt(value)}`);
  }
  return ok(Math.round(bytes));
}

/** `1%`, `0.01`. */
export function parseProbability(value: unknown): Result<number, string> {
  let p: number | undefined;
  if (typeof value === 'number') p = value;
  else if (typeof value === 'string') {
    const match = /^\s*([0-9]*\.?[0-9]+)\s*%\s*$/.exec(value);
    p = match === null ? (/^\s*[0-9]*\.?[0-9]+\s*$/.test(value) ? Number(value) : undefined) : Number(match[1]) / 100;
  }
  if (p === undefined || !(p >= 0 && p <= 1)) return err(`expected a probability like "1%" or 0.01 (between 0 and 1), got ${excerpt(value)}`);
  return ok(p);
}
