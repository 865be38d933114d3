// Probe: bare @matrixai/quic, one long bidirectional stream, 100-byte length-prefixed frames.
// Varies: write per frame vs corked (frames queued in one event-loop turn → one write), UDP payload
// size (send and recv), one-way vs request/reply with N in flight. Usage:
//   npx tsx bench/quic-probe.ts [payloadBytes=1350] [ms=1500]
import { randomBytes, webcrypto } from 'node:crypto';
import Logger, { LogLevel } from '@matrixai/logger';
import { QUICServer, events as quicEvents, type QUICStream } from '@matrixai/quic';
import { deriveSecret } from '../core/index.js';
import { createNodeCertificate, encodeFrames, FrameReader } from '../transports/index.js';
import { bareQuicClient } from './transports.js';

const logger = new Logger('probe', LogLevel.WARN);
const MS = Number(process.argv[3] ?? 1500);

/** A writer: 'frame' writes each frame; 'cork' coalesces frames of one turn into one write. */
function makeWriter(stream: QUICStream, mode: 'frame' | 'cork', budget = 256 * 1024): (frame: Uint8Array) => void {
  const writer = stream.writable.getWriter();
  if (mode === 'frame') return (frame) => void writer.write(encodeFrames([frame])).catch(() => {});
  let queue: Uint8Array[] = [];
  let isScheduled = false;
  const flush = (): void => {
    isScheduled = false;
    while (queue.length > 0) {
      const batch: Uint8Array[] = [];
      let bytes = 0;
      while (queue.length > 0 && bytes < budget) {
        const f = queue.shift()!;
        batch.push(f);
        bytes += f.length + 4;
      }
      void writer.write(encodeFrames(batch)).catch(() => {});
    }
  };
  return (frame) => {
    queue.push(frame);
    if (!isScheduled) {
      isScheduled = true;
      setImmediate(flush);
    }
  };
}

async function setup(payloadBytes: number, mode: 'frame' | 'cork', extra: Record<string, unknown> = {}) {
  const certificate = createNodeCertificate(deriveSecret(1, 'node', 'probe'));
  const hmac = await webcrypto.subtle.importKey('raw', randomBytes(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const config = {
    key: certificate.keyPem,
    cert: certificate.certPem,
    verifyPeer: false,
    initialMaxStreamsBidi: 1000,
    maxSendUdpPayloadSize: payloadBytes,
    maxRecvUdpPayloadSize: payloadBytes,
    initialMaxData: 16 << 20,
    initialMaxStreamDataBidiLocal: 8 << 20,
    initialMaxStreamDataBidiRemote: 8 << 20,
    ...extra,
  };
  const server = new QUICServer({
    crypto: { key: new ArrayBuffer(32), ops: { sign: async (_k, d) => webcrypto.subtle.sign('HMAC', hmac, d), verify: async (_k, d, s) => webcrypto.subtle.verify('HMAC', hmac, s, d) } },
    config,
    logger,
  });
  let received = 0;
  let echo = true;
  server.addEventListener(quicEvents.EventQUICServerConnection.name, (event) => {
    const connection = (event as quicEvents.EventQUICServerConnection).detail;
    connection.addEventListener(quicEvents.EventQUICConnectionStream.name, (se) => {
      const stream = (se as quicEvents.EventQUICConnectionStream).detail;
      const write = makeWriter(stream, mode);
      const reader = new FrameReader(1 << 20);
      void (async () => {
        try {
          for await (const chunk of stream.readable) {
            for (const f of reader.push(chunk).frames) {
              received++;
              if (echo) write(f);
            }
          }
        } catch {}
      })();
    });
  });
  await server.start({ host: '127.0.0.1', port: 0 });
  const client = await bareQuicClient(server.port, config);
  const stream = client.connection.newStream('bidi');
  const write = makeWriter(stream, mode);
  const waiting: Array<() => void> = [];
  const reader = new FrameReader(1 << 20);
  void (async () => {
    try {
      for await (const chunk of stream.readable) for (const _ of reader.push(chunk).frames) waiting.shift()?.();
    } catch {}
  })();
  await new Promise<void>((r) => {
    waiting.push(r);
    write(new Uint8Array(1));
  });
  return {
    roundTrip: (p: Uint8Array) => new Promise<void>((r) => (waiting.push(r), write(p))),
    oneWay: async (p: Uint8Array, ms: number) => {
      echo = false;
      const start = received;
      const t0 = performance.now();
      let sent = 0;
      while (performance.now() - t0 < ms) {
        for (let i = 0; i < 256; i++) write(p);
        sent += 256;
        // let the loop breathe; bound the backlog
        await new Promise((r) => setImmediate(r));
        while (sent - (received - start) > 20000) await new Promise((r) => setTimeout(r, 1));
      }
      const got = received - start;
      echo = true;
      return (got * 1000) / (performance.now() - t0);
    },
    stats: () => {
      const conn = (client.connection as unknown as { conn: { stats(): Record<string, unknown>; pathStats(): Array<Record<string, unknown>> } }).conn;
      const st = conn.stats();
      const ps = conn.pathStats()[0] ?? {};
      return `sent ${st.sent} recv ${st.recv} lost ${st.lost} retrans ${st.retrans}; cwnd ${ps.cwnd} rtt ${ps.rtt} pmtu ${ps.pmtu} delivery ${ps.deliveryRate}`;
    },
    close: async () => {
      await client.destroy({ force: true }).catch(() => {});
      await server.stop({ force: true }).catch(() => {});
    },
  };
}

async function rr(rt: (p: Uint8Array) => Promise<void>, p: Uint8Array, inFlight: number, ms: number): Promise<number> {
  let done = false;
  let count = 0;
  const worker = async () => {
    while (!done) {
      await rt(p);
      count++;
    }
  };
  const t0 = performance.now();
  const ws = Array.from({ length: inFlight }, worker);
  await new Promise((r) => setTimeout(r, ms));
  done = true;
  const rate = (count * 1000) / (performance.now() - t0);
  await Promise.race([Promise.all(ws), new Promise((r) => setTimeout(r, 3000))]);
  return rate;
}

const payloadBytes = Number(process.argv[2] ?? 1350);
const extra = JSON.parse(process.env.PROBE_CONFIG ?? "{}") as Record<string, unknown>;
const modes = (process.env.PROBE_MODES ?? "frame,cork").split(",") as Array<"frame" | "cork">;
const p = new Uint8Array(randomBytes(100));
for (const mode of modes) {
  const s = await setup(payloadBytes, mode, extra);
  const seq = await rr(s.roundTrip, p, 1, MS);
  const f64 = await rr(s.roundTrip, p, 64, MS);
  console.log('after rr:', s.stats());
  const ow = await s.oneWay(p, MS);
  console.log('after one-way:', s.stats());
  console.log(`udp ${payloadBytes} ${mode} ${JSON.stringify(extra)}: rr seq ${seq.toFixed(0)}/s, rr 64 in flight ${f64.toFixed(0)}/s, one-way ${ow.toFixed(0)} msgs/s`);
  await s.close();
}
process.exit(0);
