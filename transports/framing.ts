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

/** Parses a byte stream into frames, carrying a partial frame across chunks. */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly frameSizeMaxBytes: number) {}

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /**
   * Adds a chunk; returns the complete frames. An announced length above the maximum is a fatal
   * stream error (the reader cannot resynchronise), reported with the frames before it.
   */
  push(chunk: Uint8Array): FrameReadResult {
    this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.pendingBytes += chunk.byteLength;
    const frames: Uint8Array[] = [];
    let buffer = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let offset = 0;
    while (buffer.length - offset >= FRAME_HEADER_BYTES) {
      const sizeBytes = buffer.readUInt32BE(offset);
      if (sizeBytes > this.frameSizeMaxBytes) {
        this.pending = [];
        this.pendingBytes = 0;
        return { ok: false, frames, sizeBytes };
      }
      if (buffer.length - offset - FRAME_HEADER_BYTES < sizeBytes) break;
      // A copy, so reusing the chunk's memory cannot alter a frame already handed on; pooled, since a
      // frame lives until the Router has decoded (and copied) what it keeps.
      const frame = pooledBytes(sizeBytes);
      frame.set(buffer.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + sizeBytes));
      frames.push(frame);
      offset += FRAME_HEADER_BYTES + sizeBytes;
    }
    buffer = buffer.subarray(offset);
    this.pending = buffer.length === 0 ? [] : [buffer];
    this.pendingBytes = buffer.length;
    return { ok: true, frames };
  }
}
