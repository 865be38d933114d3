// Worker thread entry of `netmachine check`: loads TypeScript through tsx (no build step), then
// runs the seed loop in check-worker.ts.
import { register } from 'tsx/esm/api';

register();
await import('./check-worker.ts');
