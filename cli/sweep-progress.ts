// Progress of a seed sweep: a bar on a TTY, a plain line every few seconds when piped. The rate
// (and so the ETA) counts from the first finished seed, so worker start-up does not distort it.
import { Presets, SingleBar } from 'cli-progress';

const LINE_EVERY_MS = 5000;

export interface SweepProgress {
  update(done: number, isOk: boolean): void;
  stop(): void;
}

/** `12s`, `3m05s`, `1h02m` */
export function durationText(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

/** The ETA after `done` of `total` seeds, `elapsedMs` after the first seed finished (which counts as done 1). */
export function etaSeconds(done: number, total: number, elapsedMs: number): number {
  if (done <= 1 || elapsedMs <= 0) return Infinity;
  return ((total - done) * elapsedMs) / 1000 / (done - 1);
}

export function sweepProgress(total: number, stream: NodeJS.WriteStream, now: () => number = () => performance.now()): SweepProgress {
  const startedMs = now();
  let firstMs: number | undefined;
  let failed = 0;
  let lastLineMs = startedMs;
  const bar = stream.isTTY === true ? new SingleBar({ format: 'check [{bar}] {value}/{total} seeds | {failed} failed | {rate} seeds/s | ETA {etaText}', stream, hideCursor: true }, Presets.shades_classic) : undefined;
  bar?.start(total, 0, { failed: 0, rate: '-', etaText: 'unknown' });
  return {
    update(done, isOk) {
      const at = now();
      firstMs ??= at;
      if (!isOk) failed++;
      const elapsedMs = at - firstMs;
      const rate = done > 1 && elapsedMs > 0 ? ((done - 1) * 1000) / elapsedMs : undefined;
      const etaText = durationText(etaSeconds(done, total, elapsedMs));
      if (bar !== undefined) return void bar.update(done, { failed, rate: rate === undefined ? '-' : rate.toFixed(1), etaText });
      if (at - lastLineMs >= LINE_EVERY_MS || done === total) {
        lastLineMs = at;
        stream.write(`check: ${done}/${total} seeds, ${failed} failed, ${rate === undefined ? '-' : rate.toFixed(1)} seeds/s, ETA ${done === total ? '0s' : etaText}\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
