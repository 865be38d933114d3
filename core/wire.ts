// Primitive canonical encoding: fixed-size ids, minimal LEB128 varints, length-prefixed bytes.
// The Reader rejects every non-canonical form, so decode→encode is byte-identical.
import { err, ok, type Result } from './assert.js';
import { hexOfRange, pooledBytes, writeHex } from './bytes.js';
import { ID_SIZE_BYTES, type Id } from './ids.js';

/** Stable codes of decoding failures; drop events use them as the reason. */
export type CodecErrorCode =
  | 'codec/truncated'
  | 'codec/bad-tag'
  | 'codec/non-canonical'
  | 'codec/trailing-bytes'
  | 'codec/too-large'
  | 'codec/bad-utf8';

export interface CodecError {
  readonly code: CodecErrorCode;
  readonly message: string;
  /** Byte offset where decoding failed. */
  readonly offset: number;
}

class DecodeFailure {
  constructor(readonly error: CodecError) {}
}

export const VARINT_MAX = Number.MAX_SAFE_INTEGER;
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();
/** Node's native latin1 decoder (accepts a plain Uint8Array as `this`); used for ASCII only. */
const nativeLatin1Slice = (globalThis as { Buffer?: { prototype?: { latin1Slice?: (this: Uint8Array, start: number, end: number) => string } } }).Buffer?.prototype?.latin1Slice;

const TAKEN = new Uint8Array(0);
/** The longest typed array V8 allocates on its heap (its `typed_array_max_size_in_heap`). */
const ON_HEAP_BYTES_MAX = 64;

/**
 * A growable byte buffer. Its storage is pooled (bytes.ts `pooledBytes`): `finish` returns an
 * exact copy of its own; `take` returns a view for short-lived encodings (frames).
 */
export class Writer {
  private buffer: Uint8Array;
  private length = 0;
  constructor(capacityBytes = 256) {
    this.buffer = pooledBytes(capacityBytes);
  }
  private reserve(sizeBytes: number): void {
    if (this.length + sizeBytes <= this.buffer.length) return;
    const next = pooledBytes(Math.max(this.buffer.length * 2, this.length + sizeBytes));
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }
  u8(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = value;
    return this;
  }
  /** Minimal unsigned LEB128 of an integer in [0, 2^53). */
  varint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
    this.reserve(8);
    while (value >= 0x80) {
      this.buffer[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.length++] = value;
    return this;
  }
  id(id: Id): this {
    this.reserve(ID_SIZE_BYTES);
    writeHex(id, this.buffer, this.length);
    this.length += ID_SIZE_BYTES;
    return this;
  }
  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }
  bytes(bytes: Uint8Array): this {
    return this.varint(bytes.length).raw(bytes);
  }
  string(text: string): this {
    // Short ASCII strings (protocol names) are written in place; anything else through TextEncoder.
    if (text.length < 128) {
      this.reserve(1 + text.length);
      const start = this.length;
      this.buffer[this.length++] = text.length;
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code >= 0x80) {
          this.length = start;
          return this.bytes(utf8Encoder.encode(text));
        }
        this.buffer[this.length++] = code;
      }
      return this;
    }
    return this.bytes(utf8Encoder.encode(text));
  }
  /** A copy of the written bytes from `offset` (default: all of them). */
  finish(offset = 0): Uint8Array {
    return this.buffer.slice(offset, this.length);
  }
  /**
   * The written bytes from `offset` without copying: a view of this writer's pooled buffer (see
   * `pooledBytes`), for a writer built for one short-lived encoding; the writer is empty after it.
   */
  take(offset = 0): Uint8Array {
    const out = this.buffer.subarray(offset, this.length);
    this.buffer = TAKEN;
    this.length = 0;
    return out;
  }
  /** A view of the bytes written so far; valid only until the next write. */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

/** A cursor over untrusted bytes; every method fails with a CodecError instead of reading past the end. */
export class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}
  fail(code: CodecErrorCode, message: string): never {
    throw new DecodeFailure({ code, message, offset: this.offset });
  }
  private need(sizeBytes: number): void {
    if (this.offset + sizeBytes > this.bytes.length) this.fail('codec/truncated', `needed ${sizeBytes} more bytes`);
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8();
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (i > 0 && byte === 0) this.fail('codec/non-canonical', 'varint has a redundant trailing zero byte');
        if (value > VARINT_MAX) this.fail('codec/too-large', 'varint above 2^53-1');
        return value;
      }
      scale *= 0x80;
    }
    return this.fail('codec/too-large', 'varint longer than 8 bytes');
  }
  id(): Id {
    this.need(ID_SIZE_BYTES);
    const id = hexOfRange(this.bytes, this.offset, this.offset + ID_SIZE_BYTES);
    this.offset += ID_SIZE_BYTES;
    return id;
  }
  /** A copy (never a view): reusing the input buffer cannot alter a decoded message (STYLE rule 6). */
  raw(sizeBytes: number): Uint8Array {
    this.need(sizeBytes);
    const out = this.bytes.slice(this.offset, this.offset + sizeBytes);
    this.offset += sizeBytes;
    return out;
  }
  /** A length-prefixed field, copied. */
  bytesField(sizeBytesMax: number): Uint8Array {
    return this.raw(this.fieldSize(sizeBytesMax));
  }
  /**
   * A length-prefixed field and the `tailBytes` raw bytes right after it, copied: two copies when
   * both fit on V8's heap, else one (one allocation instead of two) of which `[field, tail]` are
   * views; nothing else shares them, so reusing the input buffer cannot alter them. With `prefix`, the copy is short-lived pooled
   * storage (bytes.ts `pooledBytes`, never rewritten) that starts with a copy of `prefix`, so a
   * signature over prefix ‖ field needs no second copy.
   */
  bytesFieldAndRaw(sizeBytesMax: number, tailBytes: number, prefix?: Uint8Array): [Uint8Array, Uint8Array] {
    const sizeBytes = this.fieldSize(sizeBytesMax);
    if (prefix === undefined) {
      // Typed arrays of up to 64 bytes live on V8's heap; a longer one gets an ArrayBuffer outside
      // it (an allocation, tracking and sweeping of its own), which costs more than two short copies.
      if (sizeBytes <= ON_HEAP_BYTES_MAX && tailBytes <= ON_HEAP_BYTES_MAX) return [this.raw(sizeBytes), this.raw(tailBytes)];
      const both = this.raw(sizeBytes + tailBytes);
      return [both.subarray(0, sizeBytes), both.subarray(sizeBytes)];
    }
    this.need(sizeBytes + tailBytes);
    const out = pooledBytes(prefix.length + sizeBytes + tailBytes);
    out.set(prefix, 0);
    out.set(this.bytes.subarray(this.offset, this.offset + sizeBytes + tailBytes), prefix.length);
    this.offset += sizeBytes + tailBytes;
    return [out.subarray(prefix.length, prefix.length + sizeBytes), out.subarray(prefix.length + sizeBytes)];
  }
  /**
   * A length-prefixed field and the `tailBytes` raw bytes right after it, as views of the input (no
   * copy): only for a caller that is done with them before the input can change.
   */
  bytesFieldAndRawInPlace(sizeBytesMax: number, tailBytes: number): [Uint8Array, Uint8Array] {
    const sizeBytes = this.fieldSize(sizeBytesMax);
    this.need(sizeBytes + tailBytes);
    const start = this.offset;
    this.offset += sizeBytes + tailBytes;
    return [this.bytes.subarray(start, start + sizeBytes), this.bytes.subarray(start + sizeBytes, this.offset)];
  }
  private fieldSize(sizeBytesMax: number): number {
    const sizeBytes = this.varint();
    if (sizeBytes > sizeBytesMax) this.fail('codec/too-large', `field of ${sizeBytes} bytes exceeds ${sizeBytesMax}`);
    return sizeBytes;
  }
  string(sizeBytesMax: number): string {
    const sizeBytes = this.varint();
    if (sizeBytes > sizeBytesMax) this.fail('codec/too-large', `field of ${sizeBytes} bytes exceeds ${sizeBytesMax}`);
    this.need(sizeBytes);
    if (sizeBytes <= 64) {
      // Short ASCII (protocol names) is valid UTF-8 as is: straight to a string, no copy.
      const end = this.offset + sizeBytes;
      let i = this.offset;
      while (i < end && this.bytes[i]! < 0x80) i++;
      if (i === end) {
        const text = nativeLatin1Slice !== undefined ? nativeLatin1Slice.call(this.bytes, this.offset, end) : String.fromCharCode(...this.bytes.subarray(this.offset, end));
        this.offset = end;
        return text;
      }
    }
    const bytes = this.raw(sizeBytes);
    try {
      return fatalUtf8.decode(bytes);
    } catch {
      return this.fail('codec/bad-utf8', 'string is not valid UTF-8');
    }
  }
  boolean(): boolean {
    const value = this.u8();
    if (value > 1) this.fail('codec/non-canonical', `boolean byte ${value}`);
    return value === 1;
  }
  end(): void {
    if (this.offset !== this.bytes.length) this.fail('codec/trailing-bytes', `${this.bytes.length - this.offset} bytes after the end`);
  }
}

/** Runs a decoder over untrusted bytes: a malformed input becomes a typed error, never an exception. */
export function decodeWith<T>(bytes: Uint8Array, decode: (reader: Reader) => T): Result<T, CodecError> {
  const reader = new Reader(bytes);
  try {
    const value = decode(reader);
    reader.end();
    return ok(value);
  } catch (caught) {
    if (caught instanceof DecodeFailure) return err(caught.error);
    throw caught;
  }
}
