// Probe: full netmachine stack over QUIC and TLS vs the crypto bound, 100 B, one process.
//   npx tsx bench/quic-fullstack-probe.ts [ms]   (BENCH_CASE_MS also read by bench/transports.ts)
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { bareQuic, cryptoBound, cryptoCalls, fullStack, measure } from './transports.js';

// Count UDP datagrams and bytes sent (all sockets of this process).
let packets = 0;
let packetBytes = 0;
const originalSend = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
  packets++;
  const msg = args[0] as Uint8Array;
  packetBytes += msg?.length ?? 0;
  return (originalSend as (...a: unknown[]) => void).apply(this, args);
} as typeof originalSend;
// Experiment: post-process every quiche Config (congestion control, pacing, hystart).
if (process.env.PROBE_CC !== undefined) {
  const { native } = await import('@matrixai/quic');
  const Config = (native as unknown as { quiche: { Config: { withBoringSslCtx: (...a: unknown[]) => Record<string, (v: unknown) => void> } } }).quiche.Config;
  const proto = (Config as unknown as { prototype: Record<string, (this: Record<string, (v: unknown) => void>, v: unknown) => void> }).prototype;
  const cc = JSON.parse(process.env.PROBE_CC) as { algo?: number; pacing?: boolean; hystart?: boolean };
  const original = proto.setMaxSendUdpPayloadSize!;
  proto.setMaxSendUdpPayloadSize = function (v) {
    original.call(this, v);
    if (cc.algo !== undefined) this.setCcAlgorithm!(cc.algo);
    if (cc.pacing !== undefined) this.enablePacing!(cc.pacing);
    if (cc.hystart !== undefined) this.enableHystart!(cc.hystart);
  };
}
const profileDir = process.env.PROBE_PROFILE; // write a CPU profile of each 64-in-flight case there
const session = new Session();
if (profileDir !== undefined) {
  session.connect();
  await session.post('Profiler.enable');
}

const payload = new Uint8Array(randomBytes(Number(process.env.PROBE_BYTES ?? 100)));
const signatures = Number(process.env.PROBE_SIGS ?? 4); // per round trip: 4 (engine + node) or 2 (engine only)
const bound = cryptoBound(payload.length, signatures, signatures);
console.log(`crypto bound ${bound.roundTripsPerSecond.toFixed(0)} rt/s (sign ${bound.signUs.toFixed(1)} µs, verify ${bound.verifyUs.toFixed(1)} µs)`);
if (process.env.PROBE_BARE !== undefined) {
  // The QUIC goal's baseline, in the same run: bare @matrixai/quic, a new stream per message.
  const bare = await bareQuic();
  const m = await measure(bare.streamPerMessage, payload, 64);
  console.log(`bare quic stream per message, 64 in flight: ${m.rate.toFixed(0)} rt/s (${m.perCpuSecond.toFixed(0)} per CPU-second), timeouts ${m.timeouts}`);
  await bare.close();
}
for (const scheme of (process.env.PROBE_SCHEMES ?? 'quic,tls').split(',') as Array<'quic' | 'tls'>) {
  const stack = await fullStack(scheme, JSON.parse(process.env.PROBE_QUIC ?? '{}'), JSON.parse(process.env.PROBE_TRANSPORT ?? '{}'));
  for (const inFlight of [1, 64]) {
    const cpu0 = process.cpuUsage();
    const packets0 = packets;
    const crypto0 = { ...cryptoCalls };
    const bytes0 = packetBytes;
    const t0 = performance.now();
    const isProfiled = profileDir !== undefined && inFlight > 1;
    if (isProfiled) await session.post('Profiler.start');
    const m = await measure(stack.roundTrip, payload, inFlight);
    if (isProfiled) writeFileSync(`${profileDir}/${scheme}-${inFlight}.cpuprofile`, JSON.stringify((await session.post('Profiler.stop')).profile));
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    const perCpuSecond = (m.rate * wall) / 1000 / ((cpu.user + cpu.system) / 1e6);
    console.log(`${scheme} ${inFlight} in flight: ${m.rate.toFixed(0)} rt/s (${perCpuSecond.toFixed(0)} per CPU-second = ${(perCpuSecond / bound.roundTripsPerSecond).toFixed(2)} of the bound) p50 ${m.p50.toFixed(2)} ms p99 ${m.p99.toFixed(2)} ms timeouts ${m.timeouts}; cpu ${(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(0)}% of a core; ${packets - packets0} UDP datagrams, ${((packets - packets0) / Math.max(1, m.rate * wall / 1000)).toFixed(2)} per round trip, ${((packetBytes - bytes0) / Math.max(1, packets - packets0)).toFixed(0)} B each; crypto ≈ ${((100 * ((cryptoCalls.signs - crypto0.signs) * bound.signUs + (cryptoCalls.verifies - crypto0.verifies) * bound.verifyUs)) / (cpu.user + cpu.system)).toFixed(0)}% of CPU (calls × measured cost)`);
  }
  await stack.close();
}
process.exit(0);
