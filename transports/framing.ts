// Length-prefixed frames: a 4-byte big-endian length, then the payload. Chunks ignore frame
// boundaries (a 100-byte write can arrive as 84 + 16 bytes), so the reader carries partial frames.
// A zero-length frame is a control frame (the channel's welcome / keep-alive), never a message.
import { pooledBytes } from '../core/index.js';

export const FRAME_HEADER_BYTES = 4;

/** Encodes `payloads` as consecutive frames in one buffer (one write per flush). */
export function encodeFrames(payloads: ReadonlyArray<Uint8Array>): Buffer {
  let total = 0;
  for (const payload of payloads) total += FRAME_HEADER_BYTES + payload.length;
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const payload of payloads) {
    out.writeUInt32BE(payload.length, offset);
    out.set(payload, offset + FRAME_HEADER_BYTES);
    offset += FRAME_HEADER_BYTES + payload.length;
  }
  return out;
}

/** What a reader reports for a chunk: whole frames, or that the stream announced an oversize frame. */
export type FrameReadResult = { readonly ok: true; readonly frames: Uint8Array[] } | { readonly ok: false; readonly frames: Uint8Array[]; readonly sizeBytes: number };

/**
 * Parses a byte stream into frames, carrying a partial frame across chunks in linear time: chunks
 * are kept as a list (no copy on arrival) and each frame's payload is copied once, when its last
 * byte has arrived. The memory held is what arrived (never the announced size: a length prefix
 * alone allocates nothing).
 */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  /** The first unread byte: chunks[head][headOffset]. */
  private head = 0;
  private headOffset = 0;
  private heldBytes = 0;
  /** The payload size announced by the frame being assembled, once its prefix was read. */
  private frameBytes: number | undefined;

  constructor(private readonly frameSizeMaxBytes: number) {}

  /** Bytes held for an incomplete frame (its length prefix included). */
  get bufferedBytes(): number {
    return this.heldBytes + (this.frameBytes === undefined ? 0 : FRAME_HEADER_BYTES);
  }

  /**
   * Adds a chunk; returns the complete frames. An announced length above the maximum is a fatal
   * stream error, reported with the frames before it: the channel is closed rather than the frame
   * skipped, since skipping would make us read up to 4 GiB a peer had no business sending.
   */
  push(chunk: Uint8Array): FrameReadResult {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.heldBytes += chunk.length;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.frameBytes === undefined) {
        if (this.heldBytes < FRAME_HEADER_BYTES) break;
        const sizeBytes = this.takeHeader();
        if (sizeBytes > this.frameSizeMaxBytes) {
          this.chunks = [];
          this.head = this.headOffset = this.heldBytes = 0;
          return { ok: false, frames, sizeBytes };
        }
        this.frameBytes = sizeBytes;
      }
      if (this.heldBytes < this.frameBytes) break;
      frames.push(this.takePayload(this.frameBytes));
      this.frameBytes = undefined;
    }
    if (this.head > 0) {
      // Only chunks of the incomplete frame remain: each chunk is moved here at most twice.
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    return { ok: true, frames };
  }

  private takeHeader(): number {
    let sizeBytes = 0;
    for (let index = 0; index < FRAME_HEADER_BYTES; index++) {
      const chunk = this.chunks[this.head]!;
      sizeBytes = sizeBytes * 256 + chunk[this.headOffset]!;
      this.advance(chunk, 1);
    }
    return sizeBytes;
  }

  /**
   * The next `sizeBytes` bytes as a copy, so reusing a chunk's memory cannot alter a frame already
   * handed on; pooled, since a frame lives until the Router has decoded (and copied) what it keeps.
   */
  private takePayload(sizeBytes: number): Uint8Array {
    const frame = pooledBytes(sizeBytes);
    let filled = 0;
    while (filled < sizeBytes) {
      const chunk = this.chunks[this.head]!;
      const part = Math.min(sizeBytes - filled, chunk.length - this.headOffset);
      frame.set(chunk.subarray(this.headOffset, this.headOffset + part), filled);
      filled += part;
      this.advance(chunk, part);
    }
    return frame;
  }

  private advance(chunk: Uint8Array, bytes: number): void {
    this.heldBytes -= bytes;
    this.headOffset += bytes;
    if (this.headOffset < chunk.length) return;
    this.chunks[this.head] = EMPTY; // released for the collector before the next compaction
    this.head++;
    this.headOffset = 0;
  }
}

const EMPTY = new Uint8Array(0);
