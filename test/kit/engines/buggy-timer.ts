// An engine with two buggify sites: it ticks every 20 ms and asks `ctx.buggify` at each tick.
import type { EngineFactory } from '../../../kit/index.js';

export const buggyTimer: EngineFactory = () => ({
  handle(input, ctx) {
    if (input.kind !== 'start' && input.kind !== 'timer') return;
    if (input.kind === 'timer') {
      if (ctx.buggify('slow-tick')) ctx.log('took the slow path');
      ctx.buggify('rare-branch');
    }
    ctx.setTimer(20, 'tick');
  },
});
