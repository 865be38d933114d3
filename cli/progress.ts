// A progress bar for long runs: shown only on a TTY, and only once a run has taken ~2 s.
import { SingleBar, Presets } from 'cli-progress';

const SHOW_AFTER_MS = 2000;

/** Returns an onProgress callback (virtual ms done) and a `stop` to clear the bar. */
export function progressReporter(totalMs: number, label: string): { onProgress: (doneMs: number) => void; stop: () => void } {
  const startedAt = performance.now();
  let bar: SingleBar | undefined;
  const isTty = process.stderr.isTTY === true;
  return {
    onProgress(doneMs) {
      if (!isTty) return;
      if (bar === undefined) {
        if (performance.now() - startedAt < SHOW_AFTER_MS) return;
        bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} virtual ms | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
        bar.start(Math.max(1, Math.round(totalMs)), 0);
      }
      bar.update(Math.min(Math.round(doneMs), Math.round(totalMs)));
    },
    stop() {
      bar?.stop();
    },
  };
}
