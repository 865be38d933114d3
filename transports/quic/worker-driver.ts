// The QUIC driver with @matrixai/quic in a worker thread. The library's per-datagram JavaScript
// (timers, locks, abort controllers per packet) then runs on another core than the node's crypto and
// Router. ONE worker per process hosts every QUIC worker driver (a session each): the library's
// native binding (napi-rs 2.10.1) corrupts memory when a third thread loads it, and once a thread
// that loaded it exits it stops freeing the buffers passed to it in every thread (README.md "QUIC
// in a worker thread"). So the worker is started by the first driver, never terminated while the
// process runs, and unref'd while no driver is open (the process can still exit).
// The worker (worker-main.ts) runs the ordinary driver (driver.ts) per session with a DriverHost
// that forwards here; this side hands out proxy Channels. Both directions are batched
// (worker-protocol.ts): the worker posts once per event-loop turn, this thread once per task, frames
// and writes copied into one transferred buffer (a write of ≥ 64 KiB that owns its ArrayBuffer is
// moved instead); the worker writes what arrived in one turn as one stream write per channel, and
// this thread hands frames to the node in slices of SLICE_MS so that both threads stay busy.
// Backpressure: a proxy's bufferedBytes() counts written bytes the worker's stream has not yet
// taken; the worker acknowledges them as its stream writes resolve, and each acknowledgement is a drain.
// A worker that dies while drivers use it cannot be replaced (a new one would be the third thread
// to load the binding): its channels close, its dials fail, and the process fails loudly with a
// QuicWorkerError (uncaught, unless the application chose a handler with onQuicWorkerFailure).
import { Worker } from 'node:worker_threads';
import type { Id } from '../../core/index.js';
import type { NodeCertificate } from '../certs.js';
import { DialError, type Address, type Channel, type ChannelHandlers, type Driver, type DriverHost } from '../channel.js';
import { QUIC_DRIVER_DEFAULTS, type QuicDriverOptions } from './options.js';
import { BatchWriter, readBatchFrom, RECORD_ACK, RECORD_FRAME, RECORD_TAKEN, RECORD_WRITE, RECORD_WRITE_MOVED, type Batch, type FromWorker, type ToWorker } from './worker-protocol.js';

/** How long close() waits for the worker to close a driver's connections (ms). */
const CLOSE_WAIT_MS = 5000;
/** How long shutdownQuicWorker waits for the worker to close its sockets before terminating it (ms). */
const SHUTDOWN_WAIT_MS = 6000;
/** A dial is failed this long after its own timeout if the worker never answered (ms). */
const DIAL_GUARD_MS = 2000;
/** Frames are handed to the node for at most this long before the replies go out (ms). */
const SLICE_MS = 2;

/** The QUIC driver of `options`: in the worker thread when `options.worker` (default QUIC_DRIVER_DEFAULTS.worker). */
export function createQuicDriverOf(host: DriverHost, certificate: NodeCertificate, options: QuicDriverOptions): Driver {
  return (options.worker ?? QUIC_DRIVER_DEFAULTS.worker) ? createQuicWorkerDriver(host, certificate, options) : createQuicThreadDriver(host, certificate, options);
}

/**
 * The main-thread QUIC driver (driver.ts), loaded on first use: importing @matrixai/quic loads its
 * native binding into this thread, which a process using only worker drivers should not do.
 */
function createQuicThreadDriver(host: DriverHost, certificate: NodeCertificate, options: QuicDriverOptions): Driver {
  let loaded: Promise<Driver> | undefined;
  let isClosed = false;
  const load = (): Promise<Driver> => (loaded ??= import('./driver.js').then((module) => module.createQuicDriver(host, certificate, options)));
  return {
    scheme: 'quic',
    listen: async (listenHost, port) => (await load()).listen(listenHost, port),
    async dial(address, expected, timeoutMs) {
      if (isClosed) throw new DialError('dial/closed', 'transport closed');
      return (await load()).dial(address, expected, timeoutMs);
    },
    async close() {
      isClosed = true;
      if (loaded !== undefined) await (await loaded).close();
    },
  };
}

/** A Driver whose QUIC endpoint runs in the process's QUIC worker thread. */
export interface QuicWorkerDriver extends Driver {
  /** The process's QUIC worker while this driver has a session in it (first listen or dial until close); tests, diagnostics. */
  readonly worker: Worker | undefined;
}

interface ProxyChannel extends Channel {
  handlers: ChannelHandlers | undefined;
  pendingBytes: number;
  gone(reason: string): void;
}

interface Request {
  readonly kind: 'listen' | 'dial' | 'close';
  resolve(value: string | number | undefined): void;
  reject(error: Error): void;
}

/** What the thread needs of a driver (one session). */
interface Session {
  readonly host: DriverHost;
  readonly channels: Map<number, ProxyChannel>;
  /** Dialled channels from their 'up' until the dial's reply names them. */
  readonly dialled: Map<number, ProxyChannel>;
  readonly requests: Set<number>;
  proxyChannel(ch: number, peer: Id, address: string, isDialer: boolean): ProxyChannel;
}

/** The process's QUIC worker and its sessions. */
class QuicThread {
  readonly worker: Worker;
  readonly out: BatchWriter<ToWorker>;
  readonly ready: Promise<void>;
  private markReady: () => void = () => {};
  private readonly sessions = new Map<number, Session>();
  private readonly channels = new Map<number, ProxyChannel>();
  private readonly requests = new Map<number, Request>();
  private nextSession = 1;
  private nextRequest = 1;
  /** Batches from the worker not yet (fully) delivered, and where the first one resumes. */
  private readonly inbox: Array<Batch<FromWorker>> = [];
  private inboxOffset = 0;
  private readonly handlers = { data: (type: number, ch: number, bytes: Uint8Array) => this.onData(type, ch, bytes), count: (type: number, ch: number, n: number) => this.onCount(type, ch, n), control: (message: FromWorker) => this.onControl(message) };
  failure: string | undefined;

  constructor() {
    this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
    // From the TypeScript sources the worker starts through worker-entry.js (it registers tsx);
    // from the compiled package it starts worker-main.js directly.
    const isSource = import.meta.url.endsWith('.ts');
    const worker = new Worker(new URL(isSource ? './worker-entry.js' : './worker-main.js', import.meta.url));
    this.worker = worker;
    this.out = new BatchWriter<ToWorker>((batch, transfer) => worker.postMessage(batch, transfer), undefined, 'task');
    worker.on('message', (batch: Batch<FromWorker>) => {
      if (this.failure !== undefined) return;
      this.inbox.push(batch);
      if (this.inbox.length === 1) this.deliver();
    });
    worker.on('error', (error) => this.fail(`worker error: ${describeWorkerError(error)}`, true, error));
    worker.on('messageerror', (error) => this.fail(`worker message error: ${describeWorkerError(error)}`, true, error));
    worker.on('exit', (code) => this.fail(`worker exited with code ${code}`));
    worker.unref(); // referenced only while a session is open
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  open(session: Session, start: Extract<ToWorker, { t: 'open' }>['start']): number {
    const s = this.nextSession++;
    this.sessions.set(s, session);
    this.worker.ref();
    this.out.control({ t: 'open', s, start });
    return s;
  }

  /** The session is closed: its channels and requests are settled by the caller. */
  release(s: number): void {
    this.sessions.delete(s);
    if (this.sessions.size === 0 && this.failure === undefined) this.worker.unref();
  }

  request(session: Session, kind: Request['kind'], message: (req: number) => ToWorker): Promise<string | number | undefined> {
    const req = this.nextRequest++;
    return new Promise((resolve, reject) => {
      if (this.failure !== undefined) return reject(failed(kind, this.failure));
      session.requests.add(req);
      this.requests.set(req, {
        kind,
        resolve: (value) => {
          session.requests.delete(req);
          resolve(value);
        },
        reject: (error) => {
          session.requests.delete(req);
          reject(error);
        },
      });
      this.out.control(message(req));
    });
  }

  /** Settles request `req` (a close that gave up waiting, a dial guard). */
  settle(req: number, error: Error): void {
    const request = this.requests.get(req);
    this.requests.delete(req);
    request?.reject(error);
  }

  forget(ch: number): void {
    this.channels.delete(ch);
  }

  /**
   * Ends the worker in order: it closes every session and waits until it holds no UDP socket, then
   * it is terminated (terminating a thread while a datagram arrives at one of its sockets aborts the
   * whole process: "FATAL ERROR: v8::FromJust … UDPWrap::OnRecv"). Resolves to the UDP sockets
   * the worker still reported open (0 for a clean shutdown; -1: it did not answer in time).
   */
  async shutdown(): Promise<number> {
    if (this.failure !== undefined) return 0;
    const req = this.nextRequest++;
    let timer: NodeJS.Timeout | undefined;
    const left = await new Promise<number>((resolve) => {
      this.requests.set(req, { kind: 'close', resolve: (value) => resolve(Number(value ?? 0)), reject: () => resolve(-1) });
      this.out.control({ t: 'shutdown', req });
      timer = setTimeout(() => resolve(-1), SHUTDOWN_WAIT_MS);
    });
    clearTimeout(timer);
    this.requests.delete(req);
    this.fail('shut down', false);
    await this.worker.terminate();
    return left;
  }

  /** The worker is gone: every session's channels close and requests fail; never hangs. */
  private fail(reason: string, isReported = true, cause?: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = reason;
    const sessionCount = this.sessions.size;
    this.markReady();
    this.out.stop();
    this.inbox.length = 0;
    if (isReported) void this.worker.terminate();
    if (threadSlot.thread === this) threadSlot.thread = undefined; // a later driver starts a new worker
    for (const channel of [...this.channels.values()]) channel.gone(isReported ? 'worker-failed' : 'closed');
    this.channels.clear();
    for (const [req, request] of this.requests) {
      this.requests.delete(req);
      if (request.kind === 'close') request.resolve(undefined);
      else request.reject(failed(request.kind, reason));
    }
    this.sessions.clear();
    if (isReported && sessionCount > 0 && !isProcessExiting) reportFailure(new QuicWorkerError(reason, sessionCount, cause));
  }

  /**
   * Delivers the inbox in time slices: after SLICE_MS of handlers (verifying, routing, replying)
   * the rest waits for a setImmediate, so the replies of the slice are flushed to the worker
   * first and it works on them while this thread does the next slice (without slices one batch
   * of 64 requests is one wave, and each thread idles while the other has it).
   */
  private deliver(): void {
    const deadline = performance.now() + SLICE_MS;
    const isDue = (): boolean => performance.now() >= deadline;
    try {
      while (this.inbox.length > 0 && this.failure === undefined) {
        const resumeAt = readBatchFrom(this.inbox[0]!, this.inboxOffset, this.handlers, isDue);
        if (resumeAt !== undefined) {
          this.inboxOffset = resumeAt;
          setImmediate(() => this.deliver());
          return;
        }
        this.inbox.shift();
        this.inboxOffset = 0;
        if (this.inbox.length > 0 && isDue()) {
          setImmediate(() => this.deliver());
          return;
        }
      }
    } catch (error) {
      // A host handler threw: the rest of this batch is lost, later ones still flow; the error is
      // not swallowed (uncaught, as from any event handler).
      this.inbox.shift();
      this.inboxOffset = 0;
      if (this.inbox.length > 0) setImmediate(() => this.deliver());
      throw error;
    }
  }

  private onData(type: number, ch: number, bytes: Uint8Array): void {
    if (type !== RECORD_FRAME) return;
    // The worker's credit for this channel: it stops reading a channel with too many frames here.
    this.out.count(RECORD_TAKEN, ch, 1);
    const channel = this.channels.get(ch);
    try {
      channel?.handlers?.frame(bytes);
    } catch {
      // As in the main-thread driver, where the stream's pump catches it: the channel ends.
      this.out.control({ t: 'destroy', ch });
      channel?.gone('stream-ended');
    }
  }

  private onCount(type: number, ch: number, n: number): void {
    if (type !== RECORD_ACK) return;
    const channel = this.channels.get(ch);
    if (channel === undefined) return;
    channel.pendingBytes = Math.max(0, channel.pendingBytes - n);
    channel.handlers?.drain();
  }

  private onControl(message: FromWorker): void {
    switch (message.t) {
      case 'ready':
        return this.markReady();
      case 'up': {
        const session = this.sessions.get(message.s);
        if (session === undefined) return void this.out.control({ t: 'destroy', ch: message.ch });
        const channel = session.proxyChannel(message.ch, message.peer, message.address, message.isDialer);
        this.channels.set(message.ch, channel);
        if (message.isDialer) session.dialled.set(message.ch, channel);
        channel.handlers = session.host.established(channel);
        return;
      }
      case 'oversize':
        return this.channels.get(message.ch)?.handlers?.oversize(message.sizeBytes);
      case 'garbage':
        return this.channels.get(message.ch)?.handlers?.garbage?.(message.sizeBytes);
      case 'closed': {
        const channel = this.channels.get(message.ch);
        // The peer retired the channel: the worker ends our half after the writes posted so far.
        if (channel !== undefined && message.reason === 'retired') this.out.control({ t: 'end', ch: message.ch });
        return channel?.gone(message.reason);
      }
      case 'allow': {
        const answer = (isAllowed: boolean): void => void this.out.control({ t: 'allowed', req: message.req, isAllowed });
        const session = this.sessions.get(message.s);
        if (session === undefined) return answer(false);
        try {
          const verdict = session.host.isAllowed(message.peer);
          if (typeof verdict === 'boolean') answer(verdict);
          else verdict.then(answer, () => answer(false));
        } catch {
          answer(false);
        }
        return;
      }
      case 'refused':
        return this.sessions.get(message.s)?.host.refused(message.peer, message.address, message.reason);
      case 'reply': {
        const pending = this.requests.get(message.req);
        if (pending === undefined) return;
        this.requests.delete(message.req);
        if (message.error !== undefined) {
          const { code, message: text } = message.error;
          return pending.reject(code !== undefined ? new DialError(code, text) : new Error(text));
        }
        return pending.resolve(message.value);
      }
    }
  }
}

/** The process's QUIC worker died while `sessions` drivers used it: every QUIC channel of the process is lost. */
export class QuicWorkerError extends Error {
  readonly code = 'quic/worker-failed';

  constructor(
    readonly reason: string,
    readonly sessions: number,
    /** What the worker threw (as it crossed the thread: its name, message, stack, cause and own fields), when it threw. */
    readonly workerError?: unknown,
  ) {
    super(`the QUIC worker failed (${reason}) with ${sessions} QUIC driver(s) open: every QUIC peer of this process is lost, and the worker cannot be restarted in this process (a new one would be the third thread to load the QUIC library's native binding)`);
    this.name = 'QuicWorkerError';
    // The worker's own stack says where it failed; this error's stack would only name the thread's event handler.
    const stack = stackFrames(workerError);
    if (stack !== '') this.stack = `${this.name}: ${this.message}\n  worker stack:\n${stack}`;
  }
}

/** Stack frames shown of an error thrown in the worker. */
const WORKER_STACK_FRAMES = 8;
/** Causes followed from an error thrown in the worker. */
const WORKER_CAUSES_MAX = 3;

function stackFrames(error: unknown): string {
  const stack = typeof error === 'object' && error !== null ? (error as { stack?: unknown }).stack : undefined;
  if (typeof stack !== 'string') return '';
  return stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, WORKER_STACK_FRAMES)
    .join('\n');
}

/** `Name: message` of one error, with a placeholder for an empty message and the library's error data, if any. */
function describeOne(error: unknown): string {
  if (typeof error !== 'object' || error === null) return `a thrown ${error === null ? 'null' : typeof error} (${String(error).slice(0, 200)})`;
  const fields = error as { name?: unknown; message?: unknown; code?: unknown; data?: unknown };
  const name = typeof fields.name === 'string' && fields.name !== '' ? fields.name : (error.constructor?.name ?? 'Error');
  const message = typeof fields.message === 'string' && fields.message !== '' ? fields.message : '(no message)';
  const code = typeof fields.code === 'string' || typeof fields.code === 'number' ? ` [${fields.code}]` : '';
  let data = '';
  if (typeof fields.data === 'object' && fields.data !== null && Object.keys(fields.data).length > 0) {
    try {
      data = ` data ${JSON.stringify(fields.data).slice(0, 200)}`;
    } catch {
      data = ' data (not serialisable)';
    }
  }
  return `${name}${code}: ${message}${data}`;
}

/**
 * What a worker's 'error' event carried, for a failure message: the error's name and message (the
 * QUIC library's errors often have an empty message and say what failed by their name only), its
 * causes, and where it was thrown (the first frame of its stack). Never empty.
 */
export function describeWorkerError(error: unknown): string {
  const parts = [describeOne(error)];
  let cause = typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  for (let depth = 0; cause !== undefined && depth < WORKER_CAUSES_MAX; depth++) {
    parts.push(`caused by ${describeOne(cause)}`);
    cause = typeof cause === 'object' && cause !== null ? (cause as { cause?: unknown }).cause : undefined;
  }
  const where = stackFrames(error).split('\n')[0]?.trim();
  if (where !== undefined && where !== '') parts.push(where);
  return parts.join(', ');
}

let isProcessExiting = false;
process.once('exit', () => (isProcessExiting = true));

/** The application's choice, or the default: the error is thrown uncaught (the process exits 1, printing it). */
function reportFailure(error: QuicWorkerError): void {
  const handler = threadSlot.onFailure;
  if (handler !== undefined) return handler(error);
  process.nextTick(() => {
    throw error;
  });
}

/**
 * Chooses what happens when the process's QUIC worker dies while drivers use it (their channels are
 * closed and their dials fail first). Default (`undefined`): the QuicWorkerError is thrown uncaught,
 * so the process fails loudly instead of living on without its QUIC peers.
 */
export function onQuicWorkerFailure(handler: ((error: QuicWorkerError) => void) | undefined): void {
  threadSlot.onFailure = handler;
}

function failed(kind: Request['kind'], reason: string): Error {
  return kind === 'dial' ? new DialError('dial/worker', `QUIC worker failed: ${reason}`) : new Error(`QUIC worker failed: ${reason}`);
}

// Kept on globalThis, not in this module: a test runner that loads this module afresh in the same
// process must still find the running worker (a second one would be a third thread with the binding).
const threadSlot = ((globalThis as Record<symbol, ThreadSlot>)[Symbol.for('netmachine.quic-worker')] ??= { thread: undefined, onFailure: undefined });

interface ThreadSlot {
  thread: QuicThread | undefined;
  onFailure: ((error: QuicWorkerError) => void) | undefined;
  /** shutdownQuicWorker ran: no worker may start again in this process. */
  isShutDown?: boolean;
}

/** The process's QUIC worker, if one runs: its thread id and how many drivers have a session open (tests, diagnostics). */
export function quicWorkerState(): { readonly threadId: number; readonly sessions: number } | undefined {
  const thread = threadSlot.thread;
  return thread === undefined ? undefined : { threadId: thread.worker.threadId, sessions: thread.sessionCount };
}

function sharedThread(): QuicThread {
  if (threadSlot.isShutDown === true) throw new Error('the QUIC worker of this process was shut down (shutdownQuicWorker): no QUIC worker driver can start again');
  return (threadSlot.thread ??= new QuicThread());
}

/**
 * Shuts the process's QUIC worker down cleanly before the process exits: every driver in it is
 * closed, the worker waits until it holds no UDP socket, then it is terminated. Call it last, right
 * before `process.exit()` (which would otherwise tear the worker down with its sockets open: a
 * datagram arriving then aborts the process with a V8 fatal error). No QUIC worker driver can be
 * used in this process afterwards. Resolves to the UDP sockets left open (0 when clean, -1 when
 * the worker did not answer within 6 s and was terminated anyway).
 */
export async function shutdownQuicWorker(): Promise<number> {
  threadSlot.isShutDown = true;
  const thread = threadSlot.thread;
  if (thread === undefined) return 0;
  return thread.shutdown();
}

/** The QUIC driver for a node with `certificate`, with the QUIC library in the process's QUIC worker. */
export function createQuicWorkerDriver(host: DriverHost, certificate: NodeCertificate, options: QuicDriverOptions): QuicWorkerDriver {
  const { worker: _worker, ...driverOptions } = options;
  let thread: QuicThread | undefined;
  let s = 0;
  let state: 'idle' | 'open' | 'closed' = 'idle';
  const session: Session = {
    host,
    channels: new Map(),
    dialled: new Map(),
    requests: new Set(),
    proxyChannel(ch, peer, address, isDialer) {
      let isGone = false;
      const channel: ProxyChannel = {
        peer,
        scheme: 'quic',
        address,
        isDialer,
        handlers: undefined,
        pendingBytes: 0,
        write(bytes) {
          if (isGone) return;
          channel.pendingBytes += bytes.byteLength;
          thread!.out.data(RECORD_WRITE, ch, bytes, RECORD_WRITE_MOVED);
        },
        bufferedBytes: () => channel.pendingBytes,
        end() {
          if (!isGone) thread!.out.control({ t: 'end', ch });
        },
        destroy() {
          if (isGone) return;
          thread!.out.control({ t: 'destroy', ch });
          channel.gone('closed');
        },
        pause() {
          if (!isGone) thread!.out.control({ t: 'pause', ch });
        },
        resume() {
          if (!isGone) thread!.out.control({ t: 'resume', ch });
        },
        gone(reason) {
          if (isGone) return;
          isGone = true;
          session.channels.delete(ch);
          thread!.forget(ch);
          channel.handlers?.close(reason);
        },
      };
      session.channels.set(ch, channel);
      return channel;
    },
  };

  /** This driver's session in the shared worker, opened on first use. */
  function open(): QuicThread {
    if (state === 'closed') throw new Error('QUIC driver closed');
    if (thread !== undefined) {
      if (thread.failure !== undefined) throw new Error(`QUIC worker failed: ${thread.failure}`);
      return thread;
    }
    thread = sharedThread();
    state = 'open';
    s = thread.open(session, {
      self: host.self,
      frameSizeMaxBytes: host.frameSizeMaxBytes,
      isEnvelopes: host.isEnvelopes === true,
      certificate: { id: certificate.id, keyPem: certificate.keyPem, certPem: certificate.certPem, certDer: certificate.certDer },
      options: { ...driverOptions },
    });
    return thread;
  }

  return {
    scheme: 'quic',
    get worker() {
      return state === 'open' && thread?.failure === undefined ? thread?.worker : undefined;
    },
    async listen(listenHost, port) {
      const current = open();
      return String(await current.request(session, 'listen', (req) => ({ t: 'listen', s, req, host: listenHost, port })));
    },
    async dial(address: Address, expected: Id, timeoutMs: number) {
      if (state === 'closed') throw new DialError('dial/closed', 'transport closed');
      let current: QuicThread;
      try {
        current = open();
      } catch (error) {
        throw new DialError('dial/worker', (error as Error).message);
      }
      let guard: NodeJS.Timeout | undefined;
      let isSettled = false;
      let req = 0;
      const answer = current.request(session, 'dial', (assigned) => {
        req = assigned;
        return { t: 'dial', s, req: assigned, address: { scheme: 'quic', host: address.host, port: address.port, text: address.text }, expected, timeoutMs };
      });
      // The worker enforces timeoutMs; this guard only catches a worker that stopped answering.
      void current.ready.then(() => {
        if (isSettled) return;
        guard = setTimeout(() => current.settle(req, new DialError('dial/timeout', `the QUIC worker did not answer a dial to ${address.text} within ${timeoutMs + DIAL_GUARD_MS} ms`)), timeoutMs + DIAL_GUARD_MS);
      });
      try {
        const ch = Number(await answer);
        const channel = session.dialled.get(ch);
        session.dialled.delete(ch);
        if (channel === undefined) throw new DialError('dial/closed', `${address.text}: the channel closed before the dial completed`);
        return channel;
      } finally {
        isSettled = true;
        clearTimeout(guard);
      }
    },
    async close() {
      if (state !== 'open' || thread === undefined) {
        state = 'closed';
        return;
      }
      state = 'closed';
      const current = thread;
      if (current.failure === undefined) {
        let timer: NodeJS.Timeout | undefined;
        let req = 0;
        const closing = current.request(session, 'close', (assigned) => ((req = assigned), { t: 'close', s, req: assigned }));
        await Promise.race([closing.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
        clearTimeout(timer);
        current.settle(req, new Error('QUIC driver closed'));
      }
      for (const channel of [...session.channels.values()]) channel.gone('closed');
      session.dialled.clear();
      for (const req of [...session.requests]) current.settle(req, new DialError('dial/closed', 'transport closed'));
      current.release(s);
    },
  };
}
