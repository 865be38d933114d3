// Host names mapped to addresses before a driver dials them: `netmachine node --resolve` runs the
// node configs emitted for a cluster (adverts naming DNS names such as
// `n1.run.default.svc.cluster.local`) on one machine, with every name mapped to a loopback address.
// Traces and logs keep the advertised name; only the socket goes to the mapped address.
import type { Driver } from './channel.js';

/** One mapping: an exact host name, or `*.suffix` for every name ending in `.suffix`. */
export interface HostMapping {
  readonly pattern: string;
  readonly address: string;
}

/** The address `host` is dialled at: the first mapping that matches (exact names before wildcards), else `host` itself. */
export function hostResolver(mappings: ReadonlyArray<HostMapping>): (host: string) => string {
  const exact = new Map<string, string>();
  const suffixes: Array<{ suffix: string; address: string }> = [];
  for (const mapping of mappings) {
    const pattern = mapping.pattern.toLowerCase();
    if (pattern.startsWith('*.')) suffixes.push({ suffix: pattern.slice(1), address: mapping.address });
    else if (!exact.has(pattern)) exact.set(pattern, mapping.address);
  }
  return (host) => {
    const name = host.toLowerCase();
    return exact.get(name) ?? suffixes.find((entry) => name.endsWith(entry.suffix))?.address ?? host;
  };
}

/** `driver`, dialling every address's host through `resolveHost`; listening is unchanged. */
export function withHostMap(driver: Driver, resolveHost: (host: string) => string): Driver {
  return {
    scheme: driver.scheme,
    listen: (host, port) => driver.listen(host, port),
    dial: (address, expected, timeoutMs) => driver.dial({ ...address, host: resolveHost(address.host) }, expected, timeoutMs),
    close: () => driver.close(),
  };
}
