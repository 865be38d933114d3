// One Node on real sockets: a connection manager with the drivers of its schemes, listening, and
// the core Node bound to it. Engines are added by the caller before `node.start()`.
import { createNode, type Crypto, type Id, type IdentityStore, type KeyPair, type Node, type NodeAdvert, type Rng, type TraceSink } from '../core/index.js';
import { createNodeCertificate } from './certs.js';
import type { Driver, DriverHost, Scheme } from './channel.js';
import { withHostMap } from './host-map.js';
import { createPeerTransport, type LinkFilter, type PeerTransport, type PeerTransportOptions } from './peer-transport.js';
import type { QuicDriverOptions } from './quic/driver.js';
import { createQuicDriverOf } from './quic/worker-driver.js';
import { createTlsDriver } from './tls/driver.js';
import { DROP_RECORD_LIMIT_DEFAULTS, limitDropRecords, type DropRecordLimit } from './trace-limit.js';
import { createWallClock, type WallClock } from './wall-clock.js';

export interface RealNodeOptions {
  readonly name: string;
  readonly key: KeyPair;
  /** Boot number; a restarted node must use a higher one (peers reset their replay window). */
  readonly session: number;
  /** Schemes in preference order (its addresses are advertised in this order). */
  readonly schemes: ReadonlyArray<Scheme>;
  readonly listenHost: string;
  /** Fixed ports per scheme (0 or absent = ephemeral). */
  readonly ports?: Partial<Record<Scheme, number>>;
  readonly directory: IdentityStore;
  readonly nameOf?: (id: Id) => string | undefined;
  /** Accept channels from nodes the directory does not know. */
  readonly isOpen?: boolean;
  /** Wall clock origin (Unix epoch ms): nodes of one deployment share it, so expiries agree. */
  readonly clockOriginMs?: number;
  /** Wall ms per clock ms (deployments may run faster or slower than real time). */
  readonly timeScale?: number;
  readonly filter?: LinkFilter;
  readonly transport?: Partial<Omit<PeerTransportOptions, 'nodeName' | 'self' | 'directory' | 'nameOf' | 'isOpen' | 'filter'>>;
  readonly quic?: QuicDriverOptions;
  /** The node's own signed advert, which engines hand to peers (ctx.connections.selfAdvert()); asked when wanted, since it lists the addresses bound here. */
  readonly advert?: () => NodeAdvert | undefined;
  /** Repeated refusal records per peer and reason (trace-limit.ts; default DROP_RECORD_LIMIT_DEFAULTS, perWindow 0: unlimited). */
  readonly dropRecordLimit?: Partial<DropRecordLimit>;
  /** Maps the host of every dialled address (`netmachine node --resolve`); absent = dial as advertised. */
  readonly resolveHost?: (host: string) => string;
}

export interface RealNodeComponents {
  readonly crypto: Crypto;
  readonly rng: Rng;
  readonly trace: TraceSink;
}

export interface RealNode {
  readonly id: Id;
  readonly node: Node;
  readonly transport: PeerTransport;
  readonly clock: WallClock;
  /** Listening addresses in preference order (`quic://…`, `tls://…`). */
  readonly addresses: ReadonlyArray<string>;
  /** Stops the node, closes every connection and listener. */
  close(): Promise<void>;
}

/** Starts listening and creates the node (engines still to be added, then `node.start()`). */
export async function startRealNode(components: RealNodeComponents, options: RealNodeOptions): Promise<RealNode> {
  const certificate = createNodeCertificate(options.key.secret);
  const clock = createWallClock(options.clockOriginMs ?? 0, options.timeScale ?? 1);
  // A hostile peer can make the node refuse a frame per frame it sends: those records are rate-limited.
  const limit = { ...DROP_RECORD_LIMIT_DEFAULTS, ...options.dropRecordLimit };
  const trace = limitDropRecords(components.trace, limit);
  const sweeper = setInterval(() => trace.sweep(clock.now()), limit.windowMs / (options.timeScale ?? 1));
  sweeper.unref();
  const driverOf = (scheme: Scheme, host: DriverHost): Driver => (scheme === 'tls' ? createTlsDriver(host, certificate) : createQuicDriverOf(host, certificate, options.quic ?? {}));
  const resolveHost = options.resolveHost;
  const factories: Array<(host: DriverHost) => Driver> = options.schemes.map((scheme) =>
    resolveHost === undefined ? (host: DriverHost) => driverOf(scheme, host) : (host: DriverHost) => withHostMap(driverOf(scheme, host), resolveHost),
  );
  const transport = createPeerTransport(
    { clock, rng: components.rng, trace, drivers: factories },
    {
      ...options.transport,
      nodeName: options.name,
      self: options.key.id,
      directory: options.directory,
      ...(options.nameOf !== undefined && { nameOf: options.nameOf }),
      ...(options.isOpen !== undefined && { isOpen: options.isOpen }),
      ...(options.filter !== undefined && { filter: options.filter }),
    },
  );
  let addresses: string[];
  try {
    addresses = await transport.listen(options.listenHost, options.ports ?? {});
  } catch (error) {
    clearInterval(sweeper);
    await transport.close();
    throw error;
  }
  const node = createNode(
    { clock, rng: components.rng, transport, trace, crypto: components.crypto },
    {
      name: options.name,
      key: options.key,
      directory: options.directory,
      session: options.session,
      ...(options.nameOf !== undefined && { nameOf: options.nameOf }),
      get advert() {
        return options.advert?.();
      },
    },
  );
  let isClosed = false;
  return {
    id: options.key.id,
    node,
    transport,
    clock,
    addresses,
    async close() {
      if (isClosed) return;
      isClosed = true;
      node.stop();
      clock.cancelAll();
      await transport.close();
      clearInterval(sweeper);
      trace.sweep(); // the counts of what was left out, before the trace is flushed
    },
  };
}
