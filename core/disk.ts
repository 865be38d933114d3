// A durable key-value store per engine (`ctx.disk`): what an engine writes there survives its
// node's crash and restart in the simulator (real nodes keep it for the life of their process).
// Writes are remembered in order so storage faults can undo the last ones, as an unsynced cache
// would at a crash, or corrupt one.
import { NetmachineError } from './assert.js';

/** What `ctx.disk` offers an engine. */
export interface Disk {
  get(key: string): Uint8Array | undefined;
  /** Stores a copy of `value` under `key` (at most DISK_VALUE_BYTES_MAX bytes, DISK_KEYS_MAX keys). */
  put(key: string, value: Uint8Array): void;
  delete(key: string): void;
  /** Keys in the order they were first written. */
  keys(): ReadonlyArray<string>;
}

export const DISK_VALUE_BYTES_MAX = 1 << 20;
export const DISK_KEYS_MAX = 10_000;
/** Writes remembered for storage faults. */
const WRITE_LOG_MAX = 1000;

export class DurableStore implements Disk {
  private readonly values = new Map<string, Uint8Array>();
  private readonly writes: Array<{ readonly key: string; readonly previous: Uint8Array | undefined }> = [];

  get(key: string): Uint8Array | undefined {
    const value = this.values.get(key);
    return value === undefined ? undefined : value.slice();
  }

  put(key: string, value: Uint8Array): void {
    if (typeof key !== 'string' || !(value instanceof Uint8Array)) throw new NetmachineError('engine/bad-disk', 'ctx.disk.put: expected a string key and a Uint8Array value');
    if (value.length > DISK_VALUE_BYTES_MAX) throw new NetmachineError('engine/bad-disk', `ctx.disk.put: a value is at most ${DISK_VALUE_BYTES_MAX} bytes, got ${value.length}`);
    if (!this.values.has(key) && this.values.size >= DISK_KEYS_MAX) throw new NetmachineError('engine/bad-disk', `ctx.disk.put: at most ${DISK_KEYS_MAX} keys`);
    this.remember(key);
    this.values.set(key, value.slice());
  }

  delete(key: string): void {
    if (!this.values.has(key)) return;
    this.remember(key);
    this.values.delete(key);
  }

  keys(): ReadonlyArray<string> {
    return [...this.values.keys()];
  }

  /** Undoes the last `count` writes (newest first); returns how many there were to undo. */
  loseLastWrites(count: number): number {
    let lost = 0;
    for (; lost < count && this.writes.length > 0; lost++) {
      const { key, previous } = this.writes.pop()!;
      if (previous === undefined) this.values.delete(key);
      else this.values.set(key, previous);
    }
    return lost;
  }

  /** Flips the bits of the first byte of the value written last that is still there (bit rot); returns its key. */
  corruptLastWrite(): string | undefined {
    for (let i = this.writes.length - 1; i >= 0; i--) {
      const key = this.writes[i]!.key;
      const value = this.values.get(key);
      if (value === undefined || value.length === 0) continue;
      const corrupted = value.slice();
      corrupted[0]! ^= 0xff;
      this.values.set(key, corrupted);
      return key;
    }
    return undefined;
  }

  private remember(key: string): void {
    this.writes.push({ key, previous: this.values.get(key) });
    if (this.writes.length > WRITE_LOG_MAX) this.writes.shift();
  }
}
