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

/**
 * What a reader reports for a chunk: whole frames (and the sizes of large frames discarded unread
 * because their first bytes were not the expected head), or that the stream announced an oversize frame.
 */
export type FrameReadResult =
  | { readonly ok: true; readonly frames: Uint8Array[]; readonly discarded?: number[] }
  | { readonly ok: false; readonly frames: Uint8Array[]; readonly discarded?: number[]; readonly sizeBytes: number };

/** Frames at least this large are checked against the expected head before they are assembled. */
export const HEAD_CHECKED_FRAME_BYTES = 64 * 1024;

/**
 * Parses a byte stream into frames, carrying a partial frame across chunks in linear time: chunks
 * are kept as a list (no copy on arrival) and each frame's payload is copied once, when its last
 * byte has arrived. The memory held is what arrived (never the announced size: a length prefix
 * alone allocates nothing).
 */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  /** The first unread byte: chunks[first][headOffset]. */
  private first = 0;
  private headOffset = 0;
  private heldBytes = 0;
  /** The payload size announced by the frame being assembled, once its prefix was read. */
  private frameBytes: number | undefined;
  /** Whether the frame being assembled passed the head check (or needs none). */
  private isHeadChecked = false;
  /** Bytes of a discarded frame still to skip. */
  private skipBytes = 0;

  /**
   * `head`: the bytes every frame must start with (an envelope's tag and ids); a frame of at least
   * HEAD_CHECKED_FRAME_BYTES that does not is skipped without being copied or held, so a peer's
   * garbage costs the node what it takes to read it, not to assemble it.
   */
  constructor(
    private readonly frameSizeMaxBytes: number,
    private readonly head?: Uint8Array,
  ) {}

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
    let discarded: number[] | undefined;
    for (;;) {
      if (this.skipBytes > 0) {
        const skipped = this.skip(this.skipBytes);
        this.skipBytes -= skipped;
        if (this.skipBytes > 0) break;
      }
      if (this.frameBytes === undefined) {
        if (this.heldBytes < FRAME_HEADER_BYTES) break;
        const sizeBytes = this.takeHeader();
        if (sizeBytes > this.frameSizeMaxBytes) {
          this.chunks = [];
          this.first = this.headOffset = this.heldBytes = 0;
          return discarded === undefined ? { ok: false, frames, sizeBytes } : { ok: false, frames, discarded, sizeBytes };
        }
        this.frameBytes = sizeBytes;
        this.isHeadChecked = this.head === undefined || sizeBytes < HEAD_CHECKED_FRAME_BYTES;
      }
      if (!this.isHeadChecked) {
        if (this.heldBytes < this.head!.length) break;
        if (!this.startsWithHead()) {
          (discarded ??= []).push(this.frameBytes);
          this.skipBytes = this.frameBytes;
          this.frameBytes = undefined;
          continue;
        }
        this.isHeadChecked = true;
      }
      if (this.heldBytes < this.frameBytes) break;
      frames.push(this.takePayload(this.frameBytes));
      this.frameBytes = undefined;
    }
    if (this.first > 0) {
      // Only chunks of the incomplete frame remain: each chunk is moved here at most twice.
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
    return discarded === undefined ? { ok: true, frames } : { ok: true, frames, discarded };
  }

  /** Whether the next bytes held are `head` (at least head.length bytes are held). */
  private startsWithHead(): boolean {
    const head = this.head!;
    let index = this.first;
    let offset = this.headOffset;
    for (let at = 0; at < head.length; at++) {
      while (offset >= this.chunks[index]!.length) {
        index++;
        offset = 0;
      }
      if (this.chunks[index]![offset++] !== head[at]) return false;
    }
    return true;
  }

  /** Drops up to `bytes` held bytes unread; returns how many. */
  private skip(bytes: number): number {
    let skipped = 0;
    while (skipped < bytes && this.heldBytes > 0) {
      const chunk = this.chunks[this.first]!;
      const part = Math.min(bytes - skipped, chunk.length - this.headOffset);
      this.advance(chunk, part);
      skipped += part;
    }
    return skipped;
  }

  private takeHeader(): number {
    let sizeBytes = 0;
    for (let index = 0; index < FRAME_HEADER_BYTES; index++) {
      const chunk = this.chunks[this.first]!;
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
      const chunk = this.chunks[this.first]!;
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
    this.chunks[this.first] = EMPTY; // released for the collector before the next compaction
    this.first++;
    this.headOffset = 0;
  }
}

const EMPTY = new Uint8Array(0);
