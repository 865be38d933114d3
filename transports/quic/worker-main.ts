// The process's QUIC worker thread (worker-driver.ts): one session per QUIC worker driver, each
// running the ordinary QUIC driver (driver.ts) with a DriverHost that forwards to the main thread,
// batched per event-loop turn (worker-protocol.ts). Loaded through worker-entry.js (tsx first).
import { parentPort } from 'node:worker_threads';
import { DialError, type Channel, type ChannelHandlers, type Driver, type DriverHost } from '../channel.js';
import { createQuicDriver, isStoppedConnectionRace, type QuicDriverOptions } from './driver.js';
import { BatchWriter, readBatch, RECORD_ACK, RECORD_FRAME, RECORD_TAKEN, RECORD_WRITE, RECORD_WRITE_MOVED, type Batch, type FromWorker, type SessionStart, type ToWorker, type WorkerError } from './worker-protocol.js';

interface Entry {
  readonly channel: Channel;
  /** Bytes the main thread asked to write, and how many of them were acknowledged. */
  written: number;
  acked: number;
  /** Frames posted to the main thread that it has not yet taken from its inbox. */
  inFlight: number;
  /** Why the channel is not read: too many frames in flight, the main thread asked (its peer's inbound budget). */
  isCreditPaused: boolean;
  isHostPaused: boolean;
  /** The peer retired it (close 'retired' reported): kept until the main thread's end. */
  isRetired: boolean;
}

/**
 * Frames of one channel posted to the main thread and not yet taken from its inbox: above this the
 * channel is not read until half of them are (so the main thread's inbox holds at most this per
 * channel, plus one read chunk, whatever a peer sends).
 */
const IN_FLIGHT_FRAMES_MAX = 1024;

function setPaused(entry: Entry): void {
  if (entry.isCreditPaused || entry.isHostPaused) entry.channel.pause?.();
  else entry.channel.resume?.();
}

const port = parentPort!;

// The library's stopped-connection race (driver.ts isStoppedConnectionRace) is caught at each
// socket once a server or client has started; a datagram can still race a client's connection
// while createQUICClient runs (a dial given up under load). Such a rejection is dropped here; any
// other unhandled rejection still ends the worker, and the main thread reports it (QuicWorkerError).
process.on('unhandledRejection', (reason) => {
  if (!isStoppedConnectionRace(reason)) throw reason;
});
const sessions = new Map<number, Driver>();
const channels = new Map<number, Entry>();
const idOf = new WeakMap<Channel, number>(); // kept after close: a dial's reply names its channel
const allowAnswers = new Map<number, (isAllowed: boolean) => void>();
const ackDue = new Set<number>();
let nextChannel = 1;
let nextAllow = 1;

const out = new BatchWriter<FromWorker>(
  (batch, transfer) => port.postMessage(batch, transfer),
  () => {
    // Bytes taken by the stream = written − still buffered (the driver's own welcome frame only
    // makes this smaller for a moment, so the main thread is never told too much).
    for (const ch of ackDue) {
      const entry = channels.get(ch);
      if (entry === undefined) continue;
      const acked = entry.written - entry.channel.bufferedBytes();
      if (acked > entry.acked) {
        out.count(RECORD_ACK, ch, acked - entry.acked);
        entry.acked = acked;
      }
    }
    ackDue.clear();
  },
);

function open(s: number, start: SessionStart): Driver {
  const host: DriverHost = {
    self: start.self,
    frameSizeMaxBytes: start.frameSizeMaxBytes,
    isEnvelopes: start.isEnvelopes,
    isAllowed: (peer) =>
      new Promise<boolean>((resolve) => {
        const req = nextAllow++;
        allowAnswers.set(req, resolve);
        out.control({ t: 'allow', s, req, peer });
      }),
    established(channel): ChannelHandlers {
      const ch = nextChannel++;
      const entry: Entry = { channel, written: 0, acked: 0, inFlight: 0, isCreditPaused: false, isHostPaused: false, isRetired: false };
      channels.set(ch, entry);
      idOf.set(channel, ch);
      out.control({ t: 'up', s, ch, peer: channel.peer, address: channel.address, isDialer: channel.isDialer });
      return {
        frame: (frame) => {
          out.data(RECORD_FRAME, ch, frame);
          if (++entry.inFlight >= IN_FLIGHT_FRAMES_MAX && !entry.isCreditPaused) {
            entry.isCreditPaused = true;
            setPaused(entry);
          }
        },
        oversize: (sizeBytes) => out.control({ t: 'oversize', ch, sizeBytes }),
        garbage: (sizeBytes) => out.control({ t: 'garbage', ch, sizeBytes }),
        drain: () => {
          ackDue.add(ch);
          out.schedule();
        },
        close: (reason) => {
          // 'retired': the peer ended the stream; the channel stays until the main thread's end
          // (after the writes it had already posted), which also forgets it.
          if (reason === 'retired') entry.isRetired = true;
          else channels.delete(ch);
          ackDue.delete(ch);
          out.control({ t: 'closed', ch, reason });
        },
      };
    },
    refused: (peer, address, reason) => out.control({ t: 'refused', s, peer, address, reason }),
  };
  return createQuicDriver(host, start.certificate, start.options as QuicDriverOptions);
}

function errorOf(error: unknown): WorkerError {
  if (error instanceof DialError) return { code: error.code, message: error.message };
  return { message: error instanceof Error ? error.message || error.name : String(error) };
}

function reply(req: number, work: () => Promise<string | number>): void {
  let promise: Promise<string | number>;
  try {
    promise = work();
  } catch (error) {
    promise = Promise.reject(error);
  }
  promise.then(
    (value) => out.control({ t: 'reply', req, value }),
    (error: unknown) => out.control({ t: 'reply', req, error: errorOf(error) }),
  );
}

function sessionOf(s: number): Driver {
  const driver = sessions.get(s);
  if (driver === undefined) throw new DialError('dial/closed', 'transport closed');
  return driver;
}

/**
 * Writes from the main thread, per channel, until the end of this turn: the library sends at
 * least one datagram per stream write and its cost is per datagram, so batches that arrived in
 * one turn (the main thread posts once per task) go out as one write per channel.
 */
const pendingWrites = new Map<number, Uint8Array[]>();
let isWriteScheduled = false;

function write(ch: number, bytes: Uint8Array): void {
  const pending = pendingWrites.get(ch);
  if (pending !== undefined) pending.push(bytes);
  else pendingWrites.set(ch, [bytes]);
  if (isWriteScheduled) return;
  isWriteScheduled = true;
  setImmediate(flushWrites);
}

function flushWrites(): void {
  isWriteScheduled = false;
  for (const [ch, parts] of pendingWrites) {
    const entry = channels.get(ch);
    if (entry === undefined) continue; // closed meanwhile: the main thread hears of it
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    entry.written += bytes.byteLength; // counted when handed over, so acks never run ahead
    entry.channel.write(bytes);
  }
  pendingWrites.clear();
}

function control(message: ToWorker): void {
  switch (message.t) {
    case 'open':
      sessions.set(message.s, open(message.s, message.start));
      return;
    case 'listen':
      return reply(message.req, () => sessionOf(message.s).listen(message.host, message.port));
    case 'dial':
      return reply(message.req, () => sessionOf(message.s).dial(message.address, message.expected, message.timeoutMs).then((channel) => idOf.get(channel) ?? 0));
    case 'allowed': {
      const answer = allowAnswers.get(message.req);
      allowAnswers.delete(message.req);
      return answer?.(message.isAllowed);
    }
    case 'end': {
      flushWrites(); // what was written before end() goes first
      const entry = channels.get(message.ch);
      if (entry?.isRetired === true) channels.delete(message.ch); // its close is reported; nothing is written after end()
      return entry?.channel.end();
    }
    case 'pause':
    case 'resume': {
      const entry = channels.get(message.ch);
      if (entry === undefined) return;
      entry.isHostPaused = message.t === 'pause';
      return setPaused(entry);
    }
    case 'destroy':
      pendingWrites.delete(message.ch);
      return channels.get(message.ch)?.channel.destroy();
    case 'shutdown':
      return reply(message.req, async () => {
        const open = [...sessions.values()];
        sessions.clear();
        await Promise.all(open.map((driver) => driver.close().catch(() => {})));
        return udpSocketsClosed();
      });
    case 'close': {
      const driver = sessions.get(message.s);
      sessions.delete(message.s);
      return reply(message.req, async () => {
        await driver?.close();
        return 0;
      });
    }
  }
}

/** How long a shutdown waits for the UDP sockets' handles to be released (ms). */
const SOCKETS_WAIT_MS = 2000;

/**
 * Waits until no UDP socket handle is left in this thread (a closed dgram socket releases its
 * handle a turn or two after its close callback); resolves to how many are still open after SOCKETS_WAIT_MS.
 */
async function udpSocketsClosed(): Promise<number> {
  const open = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'UDPWrap').length;
  const started = Date.now();
  while (open() > 0 && Date.now() - started < SOCKETS_WAIT_MS) await new Promise((resolve) => setTimeout(resolve, 5));
  return open();
}

port.on('message', (batch: Batch<ToWorker>) =>
  readBatch(batch, {
    data: (type, ch, bytes) => {
      if (type === RECORD_WRITE || type === RECORD_WRITE_MOVED) write(ch, bytes);
    },
    count: (type, ch, n) => {
      if (type !== RECORD_TAKEN) return;
      const entry = channels.get(ch);
      if (entry === undefined) return;
      entry.inFlight -= n;
      if (entry.isCreditPaused && entry.inFlight <= IN_FLIGHT_FRAMES_MAX / 2) {
        entry.isCreditPaused = false;
        setPaused(entry);
      }
    },
    control,
  }),
);
out.control({ t: 'ready' }); // the main thread times its dials from here, not from the worker's start-up
