// Worker thread entry of the QUIC worker driver (worker-driver.ts): loads TypeScript through tsx
// (no build step; a worker inherits neither `register()` hooks nor, on Node 20, `.ts` support from
// `--import tsx`), then runs worker-main.ts.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
