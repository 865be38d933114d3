// The message format between the QUIC worker drivers (main thread) and the process's QUIC worker:
// one postMessage per event-loop turn (worker) or task (main thread) carries everything of it. A
// batch is one transferred ArrayBuffer of records in order (frames, writes and acknowledgements
// inline, so their order with the control messages is kept), the control messages
// (structured-cloned objects referenced by index) and, main → worker only, whole buffers moved
// instead of copied (big writes that own their ArrayBuffer).

/** Worker → main: a frame received on channel `ch` (payload inline). */
export const RECORD_FRAME = 1;
/** Main → worker: bytes to write on channel `ch` (payload inline). */
export const RECORD_WRITE = 2;
/** Main → worker: bytes to write on channel `ch`, in moved buffer number `n`. */
export const RECORD_WRITE_MOVED = 3;
/** Worker → main: `n` more bytes written to channel `ch` were taken by its stream. */
export const RECORD_ACK = 4;
/** Main → worker: `n` more frames of channel `ch` were taken from the inbox (the worker's read credit). */
export const RECORD_TAKEN = 6;
/** Either way: control message number `n`. */
export const RECORD_CONTROL = 5;

/** type u8, channel u32, n u32 (payload length, buffer or control index, or acknowledged bytes). */
const HEADER_BYTES = 9;

/** A write at least this big whose bytes span their whole ArrayBuffer is moved, not copied. */
export const MOVE_BYTES_MIN = 64 * 1024;

export interface Batch<Control> {
  readonly records: ArrayBuffer;
  readonly controls: Control[];
  readonly moved: ArrayBuffer[];
}

export interface BatchHandlers<Control> {
  data(type: number, ch: number, bytes: Uint8Array): void;
  count(type: number, ch: number, n: number): void;
  control(message: Control): void;
}

/**
 * Collects records and posts them as one batch: at the end of the event-loop turn ('turn',
 * setImmediate: the worker, where one turn's datagrams become one batch) or of the current task
 * ('task', a microtask: the main thread, where the writes of one flush should not wait a turn).
 */
export class BatchWriter<Control> {
  private types: number[] = [];
  private chs: number[] = [];
  private ns: number[] = [];
  private payloads: Array<Uint8Array | undefined> = [];
  private bytes = 0;
  private controls: Control[] = [];
  private moved: ArrayBuffer[] = [];
  private isScheduled = false;
  private isStopped = false;

  constructor(
    private readonly post: (batch: Batch<Control>, transfer: ArrayBuffer[]) => void,
    /** Runs right before each flush (the worker computes its acknowledgements there). */
    private readonly beforeFlush: () => void = () => {},
    private readonly flushAt: 'turn' | 'task' = 'turn',
  ) {}

  /** A record carrying `bytes`: copied into the batch, or, when `movedType` is given and the bytes are big and span their whole ArrayBuffer, moved (the caller's buffer is detached). */
  data(type: number, ch: number, bytes: Uint8Array, movedType?: number): void {
    const buffer = bytes.buffer;
    if (this.isStopped) return;
    if (movedType !== undefined && bytes.byteLength >= MOVE_BYTES_MIN && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength && buffer instanceof ArrayBuffer) {
      this.push(movedType, ch, this.moved.length, undefined);
      this.moved.push(buffer);
      return;
    }
    this.push(type, ch, bytes.byteLength, bytes);
    this.bytes += bytes.byteLength;
  }

  count(type: number, ch: number, n: number): void {
    this.push(type, ch, n, undefined);
  }

  control(message: Control): void {
    this.push(RECORD_CONTROL, 0, this.controls.length, undefined);
    this.controls.push(message);
  }

  /** Schedules a flush without adding a record (for `beforeFlush` work). */
  schedule(): void {
    if (this.isScheduled || this.isStopped) return;
    this.isScheduled = true;
    if (this.flushAt === 'task') queueMicrotask(() => this.flush());
    else setImmediate(() => this.flush());
  }

  /** Posts what is pending now. */
  flush(): void {
    this.isScheduled = false;
    if (this.isStopped) return;
    this.beforeFlush();
    if (this.types.length === 0) return;
    const records = new ArrayBuffer(this.types.length * HEADER_BYTES + this.bytes);
    const view = new DataView(records);
    const out = new Uint8Array(records);
    let offset = 0;
    for (let index = 0; index < this.types.length; index++) {
      const payload = this.payloads[index];
      view.setUint8(offset, this.types[index]!);
      view.setUint32(offset + 1, this.chs[index]!, true);
      view.setUint32(offset + 5, this.ns[index]!, true);
      offset += HEADER_BYTES;
      if (payload !== undefined) {
        out.set(payload, offset);
        offset += payload.byteLength;
      }
    }
    const batch: Batch<Control> = { records, controls: this.controls, moved: this.moved };
    this.clear();
    this.post(batch, [records, ...batch.moved]);
  }

  /** Drops everything pending and posts nothing more. */
  stop(): void {
    this.isStopped = true;
    this.clear();
  }

  private clear(): void {
    this.types = [];
    this.chs = [];
    this.ns = [];
    this.payloads = [];
    this.bytes = 0;
    this.controls = [];
    this.moved = [];
  }

  private push(type: number, ch: number, n: number, payload: Uint8Array | undefined): void {
    if (this.isStopped) return;
    this.types.push(type);
    this.chs.push(ch);
    this.ns.push(n);
    this.payloads.push(payload);
    this.schedule();
  }
}

/** Dispatches a batch's records in order. Inline payloads are views into `batch.records`. */
export function readBatch<Control>(batch: Batch<Control>, handlers: BatchHandlers<Control>): void {
  readBatchFrom(batch, 0, handlers, () => false);
}

/**
 * Dispatches records from byte `offset` until the batch ends (returns undefined) or `isDue()`
 * says to stop after a record (returns the offset to resume from).
 */
export function readBatchFrom<Control>(batch: Batch<Control>, offset: number, handlers: BatchHandlers<Control>, isDue: () => boolean): number | undefined {
  const view = new DataView(batch.records);
  while (offset < batch.records.byteLength) {
    const type = view.getUint8(offset);
    const ch = view.getUint32(offset + 1, true);
    const n = view.getUint32(offset + 5, true);
    offset += HEADER_BYTES;
    if (type === RECORD_FRAME || type === RECORD_WRITE) {
      handlers.data(type, ch, new Uint8Array(batch.records, offset, n));
      offset += n;
    } else if (type === RECORD_WRITE_MOVED) handlers.data(type, ch, new Uint8Array(batch.moved[n]!));
    else if (type === RECORD_CONTROL) handlers.control(batch.controls[n]!);
    else handlers.count(type, ch, n); // RECORD_ACK, RECORD_TAKEN
    if (offset < batch.records.byteLength && isDue()) return offset;
  }
  return undefined;
}

/** What a session (one driver, i.e. one node's QUIC endpoint) is opened with. */
export interface SessionStart {
  readonly self: string;
  readonly frameSizeMaxBytes: number;
  readonly isEnvelopes: boolean;
  readonly certificate: { readonly id: string; readonly keyPem: string; readonly certPem: string; readonly certDer: Uint8Array };
  /** QuicDriverOptions without `worker`. */
  readonly options: Record<string, unknown>;
}

/** A failed request, rebuilt as a DialError (code present) or an Error on the main thread. */
export interface WorkerError {
  readonly code?: string;
  readonly message: string;
}

/** Main → worker control messages (`s`: session, `req`: request, `ch`: channel; all ids unique per worker). */
export type ToWorker =
  | { readonly t: 'open'; readonly s: number; readonly start: SessionStart }
  | { readonly t: 'listen'; readonly s: number; readonly req: number; readonly host: string; readonly port: number }
  | { readonly t: 'dial'; readonly s: number; readonly req: number; readonly address: { readonly scheme: 'quic'; readonly host: string; readonly port: number; readonly text: string }; readonly expected: string; readonly timeoutMs: number }
  | { readonly t: 'allowed'; readonly req: number; readonly isAllowed: boolean }
  | { readonly t: 'end'; readonly ch: number }
  | { readonly t: 'destroy'; readonly ch: number }
  /** Stop / go on reading channel `ch` (the node's inbound budget for its peer). */
  | { readonly t: 'pause'; readonly ch: number }
  | { readonly t: 'resume'; readonly ch: number }
  | { readonly t: 'close'; readonly s: number; readonly req: number }
  /** Closes every session and waits until the worker holds no UDP socket; the main thread then terminates it. */
  | { readonly t: 'shutdown'; readonly req: number };

/** Worker → main control messages. */
export type FromWorker =
  | { readonly t: 'ready' }
  | { readonly t: 'reply'; readonly req: number; readonly value?: string | number; readonly error?: WorkerError }
  | { readonly t: 'up'; readonly s: number; readonly ch: number; readonly peer: string; readonly address: string; readonly isDialer: boolean }
  | { readonly t: 'oversize'; readonly ch: number; readonly sizeBytes: number }
  | { readonly t: 'garbage'; readonly ch: number; readonly sizeBytes: number }
  | { readonly t: 'closed'; readonly ch: number; readonly reason: string }
  | { readonly t: 'allow'; readonly s: number; readonly req: number; readonly peer: string }
  | { readonly t: 'refused'; readonly s: number; readonly peer: string | undefined; readonly address: string; readonly reason: string };
