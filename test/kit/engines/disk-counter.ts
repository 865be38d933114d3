// Counts its ticks on its durable store: after a restart it continues from what `ctx.disk` kept.
// `isChecked`: values carry a checksum byte, so a corrupted write is noticed (and logged) on reading.
import type { EngineContext, EngineFactory } from '../../../kit/index.js';

const read = (ctx: EngineContext, isChecked: boolean): number => {
  const bytes = ctx.disk.get('count');
  if (bytes === undefined) return 0;
  const value = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
  if (isChecked && bytes[4] !== checksum(bytes)) {
    ctx.log('corrupt count');
    return 0;
  }
  return value;
};

/** The sum of the four count bytes, mod 256. */
const checksum = (bytes: Uint8Array): number => (bytes[0]! + bytes[1]! + bytes[2]! + bytes[3]!) & 0xff;

export const diskCounter: EngineFactory = (params) => {
  const isChecked = params['isChecked'] === true;
  let count = 0;
  return {
    handle(input, ctx) {
      if (input.kind === 'start') {
        count = read(ctx, isChecked);
        ctx.log('count', { count });
      } else if (input.kind === 'timer') {
        count++;
        const bytes = new Uint8Array(5);
        new DataView(bytes.buffer).setUint32(0, count);
        bytes[4] = checksum(bytes);
        ctx.disk.put('count', bytes);
      } else return;
      ctx.setTimer(100, 'tick');
    },
  };
};
