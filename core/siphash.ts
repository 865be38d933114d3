// SipHash-2-4 with 128-bit output (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012),
// on 32-bit halves because JavaScript has no fast 64-bit integers. Tested against the reference
// implementation's published vectors (test/core/crypto.test.ts).
import { assert } from './assert.js';

/** A SipHash key: the 16 key bytes as four little-endian 32-bit words (k0 low, k0 high, k1 low, k1 high). */
export type SipKey = Uint32Array;

export const SIP_KEY_SIZE_BYTES = 16;
export const SIP_TAG_SIZE_BYTES = 16;

/** The key of 16 bytes `key`. */
export function sipKey(key: Uint8Array): SipKey {
  const words = new Uint32Array(4);
  writeSipKey(key, words, 0);
  return words;
}

/** Writes the key of 16 bytes `key` as four words into `words` at `offset`. */
export function writeSipKey(key: Uint8Array, words: Uint32Array, offset: number): void {
  assert(key.length === SIP_KEY_SIZE_BYTES, 'a SipHash key is 16 bytes');
  // Read through a DataView, not `word`: a Buffer here would make the hot loop's loads polymorphic.
  const view = new DataView(key.buffer, key.byteOffset, SIP_KEY_SIZE_BYTES);
  for (let i = 0; i < 4; i++) words[offset + i] = view.getUint32(4 * i, true);
}

function word(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24);
}

function writeWord(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value;
  out[offset + 1] = value >>> 8;
  out[offset + 2] = value >>> 16;
  out[offset + 3] = value >>> 24;
}

/**
 * SipHash-2-4-128 of `bytes` under the key at words `keyOffset`..`keyOffset + 3` of `key` (many keys
 * can share one array), written as 16 bytes into `out` at `outOffset` (the byte order of the
 * reference implementation). Runs in WebAssembly, whose native 64-bit integers make it several
 * times faster than JavaScript on 32-bit halves; `sipHash128Js` where WebAssembly is unavailable
 * (`node --jitless`). Both give the same tags (test/core/siphash.test.ts).
 */
export function sipHash128(key: SipKey, bytes: Uint8Array, out: Uint8Array, outOffset = 0, keyOffset = 0): void {
  const wasm = (sipWasm ??= instantiateSipWasm());
  if (wasm === null) return sipHash128Js(key, bytes, out, outOffset, keyOffset);
  const length = bytes.length;
  if (length > wasm.capacity) growSipWasm(wasm, length);
  const words = wasm.words;
  words[0] = key[keyOffset]!;
  words[1] = key[keyOffset + 1]!;
  words[2] = key[keyOffset + 2]!;
  words[3] = key[keyOffset + 3]!;
  const memory = wasm.bytes;
  memory.set(bytes, SIP_INPUT_OFFSET);
  wasm.sip(length);
  for (let i = 0; i < SIP_TAG_SIZE_BYTES; i++) out[outOffset + i] = memory[SIP_OUTPUT_OFFSET + i]!;
}

/**
 * `sipHash128` of `prefix` ‖ `bytes[0, end)` without the caller concatenating them: both are copied
 * straight into the WebAssembly module's memory, which `sipHash128` copies its input into anyway.
 */
export function sipHash128Prefixed(key: SipKey, prefix: Uint8Array, bytes: Uint8Array, end: number, out: Uint8Array, outOffset = 0, keyOffset = 0): void {
  assert(end >= 0 && end <= bytes.length, 'sipHash128Prefixed: end is within bytes');
  const wasm = (sipWasm ??= instantiateSipWasm());
  if (wasm === null) {
    const joined = new Uint8Array(prefix.length + end);
    joined.set(prefix, 0);
    joined.set(bytes.subarray(0, end), prefix.length);
    return sipHash128Js(key, joined, out, outOffset, keyOffset);
  }
  const length = prefix.length + end;
  if (length > wasm.capacity) growSipWasm(wasm, length);
  const words = wasm.words;
  words[0] = key[keyOffset]!;
  words[1] = key[keyOffset + 1]!;
  words[2] = key[keyOffset + 2]!;
  words[3] = key[keyOffset + 3]!;
  const memory = wasm.bytes;
  memory.set(prefix, SIP_INPUT_OFFSET);
  memory.set(end === bytes.length ? bytes : bytes.subarray(0, end), SIP_INPUT_OFFSET + prefix.length);
  wasm.sip(length);
  for (let i = 0; i < SIP_TAG_SIZE_BYTES; i++) out[outOffset + i] = memory[SIP_OUTPUT_OFFSET + i]!;
}

/** The same SipHash-2-4-128 in JavaScript (the reference for the WebAssembly one, and its fallback). */
export function sipHash128Js(key: SipKey, bytes: Uint8Array, out: Uint8Array, outOffset = 0, keyOffset = 0): void {
  // The state v0..v3 as (high, low) int32 halves in locals, so that the whole hash runs in registers
  // and allocates nothing; carries are computed without branches (a mispredicted branch per add
  // costs more than the add on random data). One loop does every step, so the round is written once: steps
  // 0..blocks-1 compress a message block, step `blocks` the last (partial) block with the length,
  // and the two steps after it are the finalization, each producing 8 bytes of the tag.
  const k0l = key[keyOffset]! | 0, k0h = key[keyOffset + 1]! | 0, k1l = key[keyOffset + 2]! | 0, k1h = key[keyOffset + 3]! | 0;
  let v0h = k0h ^ 0x736f6d65, v0l = k0l ^ 0x70736575;
  let v1h = k1h ^ 0x646f7261, v1l = k1l ^ 0x6e646f6d ^ 0xee; // 0xee: the 128-bit output variant
  let v2h = k0h ^ 0x6c796765, v2l = k0l ^ 0x6e657261;
  let v3h = k1h ^ 0x74656462, v3l = k1l ^ 0x79746573;
  const length = bytes.length;
  const blocks = length >>> 3;
  let h = 0, l = 0;
  for (let step = 0; step < blocks + 3; step++) {
    let mh = 0, ml = 0, rounds = 2;
    if (step < blocks) {
      ml = word(bytes, 8 * step);
      mh = word(bytes, 8 * step + 4);
    } else if (step === blocks) {
      // The remaining bytes, then the length's low byte in the top byte.
      mh = (length & 0xff) << 24;
      for (let j = 0, offset = 8 * blocks; offset + j < length; j++) {
        if (j < 4) ml |= bytes[offset + j]! << (8 * j);
        else mh |= bytes[offset + j]! << (8 * (j - 4));
      }
    } else {
      rounds = 4;
      if (step === blocks + 1) v2l ^= 0xee;
      else {
        writeWord(out, outOffset, v0l ^ v1l ^ v2l ^ v3l);
        writeWord(out, outOffset + 4, v0h ^ v1h ^ v2h ^ v3h);
        v1l ^= 0xdd;
      }
    }
    v3h ^= mh;
    v3l ^= ml;
    for (let round = 0; round < rounds; round++) {
      // v0 += v1; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
      l = (v0l + v1l) | 0;
      v0h = (v0h + v1h + (((v0l & v1l) | ((v0l | v1l) & ~l)) >>> 31)) | 0;
      v0l = l;
      h = (v1h << 13) | (v1l >>> 19);
      l = (v1l << 13) | (v1h >>> 19);
      v1h = h ^ v0h;
      v1l = l ^ v0l;
      h = v0h;
      v0h = v0l;
      v0l = h;
      // v2 += v3; v3 = rotl(v3, 16) ^ v2
      l = (v2l + v3l) | 0;
      v2h = (v2h + v3h + (((v2l & v3l) | ((v2l | v3l) & ~l)) >>> 31)) | 0;
      v2l = l;
      h = (v3h << 16) | (v3l >>> 16);
      l = (v3l << 16) | (v3h >>> 16);
      v3h = h ^ v2h;
      v3l = l ^ v2l;
      // v0 += v3; v3 = rotl(v3, 21) ^ v0
      l = (v0l + v3l) | 0;
      v0h = (v0h + v3h + (((v0l & v3l) | ((v0l | v3l) & ~l)) >>> 31)) | 0;
      v0l = l;
      h = (v3h << 21) | (v3l >>> 11);
      l = (v3l << 21) | (v3h >>> 11);
      v3h = h ^ v0h;
      v3l = l ^ v0l;
      // v2 += v1; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)
      l = (v2l + v1l) | 0;
      v2h = (v2h + v1h + (((v2l & v1l) | ((v2l | v1l) & ~l)) >>> 31)) | 0;
      v2l = l;
      h = (v1h << 17) | (v1l >>> 15);
      l = (v1l << 17) | (v1h >>> 15);
      v1h = h ^ v2h;
      v1l = l ^ v2l;
      h = v2h;
      v2h = v2l;
      v2l = h;
    }
    v0h ^= mh;
    v0l ^= ml;
  }
  writeWord(out, outOffset + 8, v0l ^ v1l ^ v2l ^ v3l);
  writeWord(out, outOffset + 12, v0h ^ v1h ^ v2h ^ v3h);
}

// ——— the WebAssembly SipHash ———
// Memory layout of the module: the key's 16 bytes at 0, the tag's 16 bytes at 16, the message
// from 32, with 8 bytes of slack after it (the last block is read as one 64-bit load and masked).
const SIP_OUTPUT_OFFSET = 16;
const SIP_INPUT_OFFSET = 32;
const WASM_PAGE_BYTES = 65536;

interface SipWasm {
  readonly memory: WebAssembly.Memory;
  readonly sip: (length: number) => void;
  /** Views of the memory, renewed when it grows. */
  bytes: Uint8Array;
  words: Uint32Array;
  /** The longest message that fits. */
  capacity: number;
}

let sipWasm: SipWasm | null | undefined;

function instantiateSipWasm(): SipWasm | null {
  if (typeof WebAssembly !== 'object') return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(sipWasmModule()));
  const memory = instance.exports['memory'] as WebAssembly.Memory;
  const wasm: SipWasm = { memory, sip: instance.exports['sip'] as (length: number) => void, bytes: new Uint8Array(0), words: new Uint32Array(0), capacity: 0 };
  renewSipViews(wasm);
  return wasm;
}

function growSipWasm(wasm: SipWasm, length: number): void {
  const needed = SIP_INPUT_OFFSET + length + 8;
  wasm.memory.grow(Math.ceil((needed - wasm.memory.buffer.byteLength) / WASM_PAGE_BYTES));
  renewSipViews(wasm);
}

function renewSipViews(wasm: SipWasm): void {
  wasm.bytes = new Uint8Array(wasm.memory.buffer);
  wasm.words = new Uint32Array(wasm.memory.buffer, 0, 4);
  wasm.capacity = wasm.memory.buffer.byteLength - SIP_INPUT_OFFSET - 8;
}

// Opcodes of the instructions the module uses (WebAssembly core specification, section 5.4).
const OP = {
  block: 0x02, loop: 0x03, end: 0x0b, br: 0x0c, brIf: 0x0d,
  localGet: 0x20, localSet: 0x21,
  i64Load: 0x29, i64Store: 0x37, i32Const: 0x41, i64Const: 0x42,
  i32GeU: 0x4f, i32Add: 0x6a, i32And: 0x71, i32Shl: 0x74,
  i64Add: 0x7c, i64Sub: 0x7d, i64And: 0x83, i64Or: 0x84, i64Xor: 0x85, i64Shl: 0x86, i64Rotl: 0x89, i64ExtendI32U: 0xad,
} as const;
const VOID_BLOCK = 0x40;
const I32 = 0x7f;
const I64 = 0x7e;
/** i64 memory access, 8-byte aligned, offset 0. */
const MEMARG_8 = [3, 0];

// Locals of `sip(length)`: the parameter, the read position and the end of the whole blocks, the
// state v0..v3 and the current message word.
const LENGTH = 0, P = 1, END = 2, V0 = 3, V1 = 4, V2 = 5, V3 = 6, M = 7;

function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function signedLeb(value: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    if ((value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0)) return out.push(byte), out;
    out.push(byte | 0x80);
  }
}

/** An i64 constant given as an unsigned 64-bit value. */
function i64Const(value: bigint): number[] {
  return [OP.i64Const, ...signedLeb(BigInt.asIntN(64, value))];
}

/** `a = a op b` on locals. */
function update(a: number, op: number, b: number[]): number[] {
  return [OP.localGet, a, ...b, op, OP.localSet, a];
}

/** One SipRound on the locals v0..v3. */
function sipRound(): number[] {
  const rotl = (local: number, bits: number): number[] => update(local, OP.i64Rotl, i64Const(BigInt(bits)));
  const get = (local: number): number[] => [OP.localGet, local];
  return [
    ...update(V0, OP.i64Add, get(V1)), ...rotl(V1, 13), ...update(V1, OP.i64Xor, get(V0)), ...rotl(V0, 32),
    ...update(V2, OP.i64Add, get(V3)), ...rotl(V3, 16), ...update(V3, OP.i64Xor, get(V2)),
    ...update(V0, OP.i64Add, get(V3)), ...rotl(V3, 21), ...update(V3, OP.i64Xor, get(V0)),
    ...update(V2, OP.i64Add, get(V1)), ...rotl(V1, 17), ...update(V1, OP.i64Xor, get(V2)), ...rotl(V2, 32),
  ];
}

/** v3 ^= m, `rounds` SipRounds, v0 ^= m. */
function compress(rounds: number): number[] {
  const out = update(V3, OP.i64Xor, [OP.localGet, M]);
  for (let i = 0; i < rounds; i++) out.push(...sipRound());
  out.push(...update(V0, OP.i64Xor, [OP.localGet, M]));
  return out;
}

/** Stores v0 ^ v1 ^ v2 ^ v3 at byte `address`. */
function storeXor(address: number): number[] {
  return [OP.i32Const, ...signedLeb(BigInt(address)), OP.localGet, V0, OP.localGet, V1, OP.i64Xor, OP.localGet, V2, OP.i64Xor, OP.localGet, V3, OP.i64Xor, OP.i64Store, ...MEMARG_8];
}

/** The body of `sip(length)`: SipHash-2-4-128 of memory[32, 32 + length) under the key at 0, the tag at 16. */
function sipBody(): number[] {
  const loadKey = (address: number): number[] => [OP.i32Const, address, OP.i64Load, ...MEMARG_8];
  const setState = (local: number, key: number, constant: bigint): number[] => [...loadKey(key), ...i64Const(constant), OP.i64Xor, OP.localSet, local];
  return [
    ...setState(V0, 0, 0x736f6d6570736575n),
    ...setState(V1, 8, 0x646f72616e646f6dn ^ 0xeen), // 0xee: the 128-bit output variant
    ...setState(V2, 0, 0x6c7967656e657261n),
    ...setState(V3, 8, 0x7465646279746573n),
    OP.i32Const, SIP_INPUT_OFFSET, OP.localSet, P,
    // end = 32 + (length & ~7)
    OP.localGet, LENGTH, OP.i32Const, ...signedLeb(-8n), OP.i32And, OP.i32Const, SIP_INPUT_OFFSET, OP.i32Add, OP.localSet, END,
    OP.block, VOID_BLOCK, OP.loop, VOID_BLOCK,
    OP.localGet, P, OP.localGet, END, OP.i32GeU, OP.brIf, 1,
    OP.localGet, P, OP.i64Load, ...MEMARG_8, OP.localSet, M,
    ...compress(2),
    OP.localGet, P, OP.i32Const, 8, OP.i32Add, OP.localSet, P,
    OP.br, 0,
    OP.end, OP.end,
    // The last block: the remaining length & 7 bytes (a load masked to them), the length's low byte on top.
    OP.localGet, P, OP.i64Load, ...MEMARG_8,
    ...i64Const(1n), OP.localGet, LENGTH, OP.i32Const, 7, OP.i32And, OP.i32Const, 3, OP.i32Shl, OP.i64ExtendI32U, OP.i64Shl, ...i64Const(1n), OP.i64Sub, OP.i64And,
    OP.localGet, LENGTH, OP.i64ExtendI32U, ...i64Const(56n), OP.i64Shl, OP.i64Or, OP.localSet, M,
    ...compress(2),
    ...update(V2, OP.i64Xor, i64Const(0xeen)),
    ...sipRound(), ...sipRound(), ...sipRound(), ...sipRound(),
    ...storeXor(SIP_OUTPUT_OFFSET),
    ...update(V1, OP.i64Xor, i64Const(0xddn)),
    ...sipRound(), ...sipRound(), ...sipRound(), ...sipRound(),
    ...storeXor(SIP_OUTPUT_OFFSET + 8),
    OP.end,
  ];
}

/** A section: its id, then its contents' length and contents. */
function section(id: number, contents: number[]): number[] {
  return [id, ...unsignedLeb(contents.length), ...contents];
}

function name(text: string): number[] {
  return [text.length, ...[...text].map((char) => char.charCodeAt(0))];
}

/** The module: one memory (exported as `memory`) and one function `sip(length: i32)`. */
function sipWasmModule(): Uint8Array<ArrayBuffer> {
  const body = [2, 2, I32, 5, I64, ...sipBody()]; // locals: 2 × i32 (p, end), 5 × i64 (v0..v3, m)
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 1, I32, 0]), // type 0: (i32) → ()
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(5, [1, 0x00, 1]), // memory 0: one page to start, no maximum
    ...section(7, [2, ...name('sip'), 0x00, 0, ...name('memory'), 0x02, 0]),
    ...section(10, [1, ...unsignedLeb(body.length), ...body]),
  ]);
}
