// A user engine with state at module scope: every run after the first starts from what the
// previous runs left (the bug checkProperty's determinism check warns about).
import type { EngineFactory } from '../../../kit/index.js';

let boots = 0; // the bug: shared by every instance in every run of this process

export const leaky: EngineFactory = () => ({
  handle(input, ctx) {
    if (input.kind === 'start') ctx.log('boot', { boots: ++boots });
  },
});
