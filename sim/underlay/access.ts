// Per-node access links (as Shadow models hosts): a frame is serialized at its sender's upload
// bandwidth before it enters the path, and at its receiver's download bandwidth when it arrives.
// Each is a FIFO queue bounded in bytes. State per node: a class index and two busy-until times.
import { assert, type AccessSpec } from '../../core/index.js';

export class AccessLinks {
  /** Index into `classes` + 1 per node; 0 = no access link. */
  private classOf = new Uint16Array(16);
  private uploadBusyUntilMs = new Float64Array(16);
  private downloadBusyUntilMs = new Float64Array(16);
  private readonly classes: AccessSpec[] = [];
  private readonly classIndex = new Map<AccessSpec, number>();
  private count = 0;

  /** Adds the next node, with its access link when it has one. */
  add(access: AccessSpec | undefined): void {
    if (this.count === this.classOf.length) this.grow();
    let index = 0;
    if (access !== undefined) {
      index = this.classIndex.get(access) ?? 0;
      if (index === 0) {
        assert(this.classes.length < 0xffff, 'too many distinct access links');
        this.classes.push(access);
        index = this.classes.length;
        this.classIndex.set(access, index);
      }
    }
    this.classOf[this.count++] = index;
  }

  /**
   * When a frame of `sizeBytes` handed over at `nowMs` has left `node`'s upload queue; `nowMs`
   * without an upload limit; NaN when the queue is full. Nothing is committed until `commitUpload`.
   */
  uploadDoneMs(node: number, nowMs: number, sizeBytes: number): number {
    const spec = this.classes[this.classOf[node]! - 1];
    if (spec === undefined || spec.uploadBytesPerSecond === 0) return nowMs;
    return serialize(this.uploadBusyUntilMs[node]!, nowMs, sizeBytes, spec.uploadBytesPerSecond, spec.queueBytesMax);
  }

  commitUpload(node: number, doneMs: number): void {
    if (this.classOf[node] !== 0) this.uploadBusyUntilMs[node] = Math.max(this.uploadBusyUntilMs[node]!, doneMs);
  }

  /** True when `node` has a download limit (arrivals then pass through `download`). */
  hasDownload(node: number): boolean {
    const spec = this.classes[this.classOf[node]! - 1];
    return spec !== undefined && spec.downloadBytesPerSecond > 0;
  }

  /** Queues an arriving frame at `node`'s download link now: when it is through, or NaN when the queue is full. */
  download(node: number, nowMs: number, sizeBytes: number): number {
    const spec = this.classes[this.classOf[node]! - 1];
    assert(spec !== undefined && spec.downloadBytesPerSecond > 0, 'no download limit here');
    const doneMs = serialize(this.downloadBusyUntilMs[node]!, nowMs, sizeBytes, spec.downloadBytesPerSecond, spec.queueBytesMax);
    if (!Number.isNaN(doneMs)) this.downloadBusyUntilMs[node] = doneMs;
    return doneMs;
  }

  private grow(): void {
    const size = this.classOf.length * 2;
    const classOf = new Uint16Array(size);
    const upload = new Float64Array(size);
    const download = new Float64Array(size);
    classOf.set(this.classOf);
    upload.set(this.uploadBusyUntilMs);
    download.set(this.downloadBusyUntilMs);
    this.classOf = classOf;
    this.uploadBusyUntilMs = upload;
    this.downloadBusyUntilMs = download;
  }
}

/** FIFO serialization: when the frame is through a wire busy until `busyUntilMs`, or NaN past the queue bound. */
function serialize(busyUntilMs: number, nowMs: number, sizeBytes: number, bytesPerSecond: number, queueBytesMax: number): number {
  const startMs = Math.max(nowMs, busyUntilMs);
  const queuedBytes = ((startMs - nowMs) * bytesPerSecond) / 1000;
  if (queuedBytes + sizeBytes > queueBytesMax) return NaN;
  return startMs + (sizeBytes * 1000) / bytesPerSecond;
}
