const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;

// Node's Buffer has a native hex encoder that also accepts a plain Uint8Array as `this`: one flat
// string instead of a rope of 32 concatenations (ids are decoded on every received message).
const nativeHexSlice = (globalThis as { Buffer?: { prototype?: { hexSlice?: (this: Uint8Array, start: number, end: number) => string } } }).Buffer?.prototype?.hexSlice;

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return hexOfRange(bytes, 0, bytes.length);
}

/** Lowercase hex of `bytes[start, end)`, without a subarray. */
export function hexOfRange(bytes: Uint8Array, start: number, end: number): string {
  if (nativeHexSlice !== undefined) return nativeHexSlice.call(bytes, start, end);
  let out = '';
  for (let i = start; i < end; i++) out += HEX[bytes[i]!];
  return out;
}

/** True when `text` is lowercase hex of exactly `sizeBytes` bytes. */
export function isHex(text: string, sizeBytes: number): boolean {
  if (text.length !== sizeBytes * 2) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || HEX_VALUE[code]! < 0) return false;
  }
  return true;
}

/** Writes the bytes of lowercase hex `text` into `target` at `offset`; the caller checked `isHex`. */
export function writeHex(text: string, target: Uint8Array, offset: number): void {
  for (let i = 0; i < text.length; i += 2) {
    target[offset + i / 2] = (HEX_VALUE[text.charCodeAt(i)]! << 4) | HEX_VALUE[text.charCodeAt(i + 1)]!;
  }
}

/** Bytes of lowercase hex `text`. */
export function fromHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  writeHex(text, out, 0);
  return out;
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const SLAB_BYTES = 64 * 1024;
const POOLED_BYTES_MAX = 4096;
let slab = new Uint8Array(SLAB_BYTES);
let slabOffset = 0;

/**
 * `sizeBytes` zeroed bytes for short-lived encodings (frames, envelopes): sizes up to 4 KiB are
 * carved from a shared 64 KiB slab, since an ArrayBuffer per message (malloc, tracking, sweeping)
 * costs more than the message's own encoding. The result shares its `.buffer` with other results:
 * never transfer or detach it, and copy what is kept for long (a live view keeps its slab).
 */
export function pooledBytes(sizeBytes: number): Uint8Array {
  if (sizeBytes > POOLED_BYTES_MAX) return new Uint8Array(sizeBytes);
  if (slabOffset + sizeBytes > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabOffset = 0;
  }
  const out = slab.subarray(slabOffset, slabOffset + sizeBytes);
  slabOffset += (sizeBytes + 7) & ~7;
  return out;
}

/** Concatenation of `parts` into one new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const encoder = new TextEncoder();
/** Strings up to this long that are ASCII are encoded in JavaScript (TextEncoder's call costs more). */
const ASCII_FAST_LENGTH_MAX = 256;
/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  if (text.length <= ASCII_FAST_LENGTH_MAX) {
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) return encoder.encode(text);
      out[i] = code;
    }
    return out;
  }
  return encoder.encode(text);
}
const decoder = new TextDecoder();
/** Node's native latin1 decoder (accepts a plain Uint8Array as `this`); used for ASCII only. */
const nativeLatin1Slice = (globalThis as { Buffer?: { prototype?: { latin1Slice?: (this: Uint8Array, start: number, end: number) => string } } }).Buffer?.prototype?.latin1Slice;
/** Text of UTF-8 `bytes` (lenient; codecs use their own fatal decoder). */
export function fromUtf8(bytes: Uint8Array): string {
  // Short ASCII (engines' JSON bodies) is its own text: read it without TextDecoder's call.
  if (bytes.length <= ASCII_FAST_LENGTH_MAX && nativeLatin1Slice !== undefined) {
    let i = 0;
    while (i < bytes.length && bytes[i]! < 0x80) i++;
    if (i === bytes.length) return nativeLatin1Slice.call(bytes, 0, bytes.length);
  }
  return decoder.decode(bytes);
}
