// vitest global setup: rebuilds dist/ when the sources changed since the last build, so that the
// tests starting `netmachine` (cli/netmachine.js) run the compiled command, as users do. With type
// errors the build is not stamped and the command runs the sources through tsx instead.
import { build, isBuildCurrent } from '../../cli/build.js';

export default function setup(): void {
  if (!isBuildCurrent()) build();
}
