// The simulator's own limit: the ring ping/echo pattern of bench/sim.ts on sim/scheduler.ts with no
// codec, crypto, trace or node runtime. Each node pings its two neighbours once a second from a
// random phase; a frame takes the link's three draws (loss, duplicate, jitter) and arrives 20 ms +
// uniform(0..4) ms later; a ping's arrival sends the echo back. Same events per delivery as the
// full stack: one arrival per delivery, one timer per node per interval.
import { createRng } from '../core/index.js';
import { Scheduler } from '../sim/index.js';

export interface BareRingResult {
  readonly delivered: number;
  readonly executed: number;
  readonly wallMs: number;
}

const LATENCY_MS = 20;
const JITTER_MS_MAX = 4;
const INTERVAL_MS = 1000;

/** Runs the bare ring of `nodes` for `durationMs` of virtual time. */
export function runBareRing(nodes: number, durationMs: number, seed = 1): BareRingResult {
  const scheduler = new Scheduler();
  const linkRng = createRng(seed, 'bare/links');
  const phaseRng = createRng(seed, 'bare/phase');
  let delivered = 0;
  const frameDelayMs = (): number => {
    linkRng.next(); // loss draw (the ring's links lose nothing)
    linkRng.next(); // duplicate draw
    return LATENCY_MS + linkRng.next() * JITTER_MS_MAX;
  };
  const echoArrives = (): void => {
    delivered++;
  };
  const pingArrives = (): void => {
    delivered++;
    scheduler.schedule(scheduler.now() + frameDelayMs(), echoArrives);
  };
  const pinger = (): (() => void) => {
    const tick = (): void => {
      scheduler.schedule(scheduler.now() + frameDelayMs(), pingArrives); // to the left neighbour
      scheduler.schedule(scheduler.now() + frameDelayMs(), pingArrives); // to the right neighbour
      scheduler.schedule(scheduler.now() + INTERVAL_MS, tick);
    };
    return tick;
  };
  for (let i = 0; i < nodes; i++) scheduler.schedule(phaseRng.next() * INTERVAL_MS, pinger());
  const start = performance.now();
  scheduler.run(durationMs);
  return { delivered, executed: scheduler.executed, wallMs: performance.now() - start };
}
