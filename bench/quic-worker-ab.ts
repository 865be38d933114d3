// A/B of the QUIC drivers in ONE process, alternating short cases so that the load of a shared
// machine hits both alike: the full stack over QUIC with the library in the main thread
// (`worker: false`) and in the QUIC worker thread (`worker: true`), both stacks up at once.
//   npx tsx bench/quic-worker-ab.ts      (BENCH_CASE_MS per case, AB_ROUNDS, AB_INFLIGHT=1,64)
// Prints, per concurrency, worker ÷ main-thread rate of each round and the rates themselves.
import { randomBytes } from 'node:crypto';
import { fullStack, measure } from './transports.js';

const payload = new Uint8Array(randomBytes(100));
const rounds = Number(process.env.AB_ROUNDS ?? 4);
const concurrencies = (process.env.AB_INFLIGHT ?? '1,64').split(',').map(Number);
const stacks = { main: await fullStack('quic', { worker: false }), worker: await fullStack('quic', { worker: true }) };
const rates: Record<string, number[]> = {};
for (let round = 0; round < rounds; round++) {
  for (const inFlight of concurrencies) {
    for (const name of round % 2 === 0 ? (['main', 'worker'] as const) : (['worker', 'main'] as const)) {
      (rates[`${name} ${inFlight}`] ??= []).push((await measure(stacks[name].roundTrip, payload, inFlight)).rate);
    }
  }
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const inFlight of concurrencies) {
  const main = rates[`main ${inFlight}`]!;
  const worker = rates[`worker ${inFlight}`]!;
  const ratios = worker.map((rate, index) => rate / main[index]!);
  console.log(`${inFlight} in flight: worker ÷ main thread median ${median(ratios).toFixed(2)} (rounds ${ratios.map((ratio) => ratio.toFixed(2)).join(' ')}); rt/s main thread ${main.map((rate) => rate.toFixed(0)).join(' ')}, worker ${worker.map((rate) => rate.toFixed(0)).join(' ')}`);
}
await Promise.all(Object.values(stacks).map((stack) => stack.close()));
process.exit(0);
