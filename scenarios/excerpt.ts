// Quoting untrusted input in messages: short excerpts only, so a 40 KB field never fills a terminal.
import { closest, distance } from 'fastest-levenshtein';

/** A short JSON excerpt of `value` for a message: at most `chars` characters, `…` when cut. */
export function excerpt(value: unknown, chars = 40): string {
  let text: string;
  try {
    text = JSON.stringify(typeof value === 'string' && value.length > chars ? value.slice(0, chars + 1) : value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > chars ? `${text.slice(0, chars)}…` : text;
}

/** ` (did you mean "partition"?)` when one of `names` is a near miss of `word` (typo, swapped letters). */
export function didYouMean(word: string, names: ReadonlyArray<string>): string {
  const near = nearName(word, names);
  return near === undefined ? '' : ` (did you mean "${near}"?)`;
}

/** The one of `names` that `word` is a near miss of, if any. */
export function nearName(word: string, names: ReadonlyArray<string>): string | undefined {
  if (names.length === 0 || word.length < 3 || word.length > 64) return undefined;
  const best = closest(word, names as string[]);
  const allowed = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  return distance(word, best) <= allowed || isSwap(word, best) ? best : undefined;
}

/** Two adjacent letters swapped (`rnig` / `ring`), which plain edit distance counts twice. */
function isSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}
