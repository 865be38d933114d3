// The QUIC driver's options and their measured defaults, apart from driver.ts so that code choosing
// a driver (worker-driver.ts, real-node.ts) does not load @matrixai/quic in the main thread: its
// native binding must be loaded by as few threads as possible (README.md "QUIC in a worker thread").

/** Tunables of the QUIC driver, with measured defaults (README.md "Real networks"). */
export interface QuicDriverOptions {
  /**
   * UDP payload (bytes), used for both `maxSendUdpPayloadSize` and `maxRecvUdpPayloadSize`. The
   * library's cost is per datagram, so this sets its throughput ceiling; above the path MTU it
   * fails on real networks (1350 is safe; 9000 only where jumbo frames / loopback are known).
   */
  readonly udpPayloadBytes?: number;
  /**
   * UDP payload when both ends are on loopback (a listener bound to 127.0.0.0/8 or ::1, a dial to
   * such an address): the loopback MTU is 64 KiB, and bigger datagrams mean fewer of them (≈ 2× the
   * full-stack rate at 64 in flight here, README.md "Real networks"). Defaults to udpPayloadBytes when that
   * is given explicitly.
   */
  readonly loopbackUdpPayloadBytes?: number;
  /** Bytes taken from the stream per read (the library's `readableChunkSize`, default 4 KiB). */
  readonly readChunkBytes?: number;
  /** Idle timeout: a silent peer is declared dead after this (ms). */
  readonly maxIdleTimeoutMs?: number;
  readonly keepAliveIntervalMs?: number;
  /** Stream credit granted to the peer; ≥ 1000 avoids the newStream() throw (FACTS.md). */
  readonly streamsBidiMax?: number;
  /** Connection and per-stream flow-control windows (bytes). */
  readonly connectionDataBytes?: number;
  readonly streamDataBytes?: number;
  /** UDP receive buffer (bytes); the kernel default (~208 KB) drops datagrams under load. */
  readonly udpRecvBufferBytes?: number;
  /**
   * A retired channel waits for the peer's end of stream (after which every frame was read both
   * ways); it is destroyed sooner only after this long without reading a byte while not paused, as
   * when that end of stream was lost (ms).
   */
  readonly retireGraceMs?: number;
  /**
   * Run the QUIC library in a worker thread (worker-driver.ts), so its per-datagram work uses
   * another core than the node's crypto and Router (README.md "QUIC in a worker thread"). Read by
   * `createQuicDriverOf` / `startRealNode`; `createQuicDriver` itself always runs in this thread.
   */
  readonly worker?: boolean;
}

export const QUIC_DRIVER_DEFAULTS: Required<QuicDriverOptions> = {
  udpPayloadBytes: 1350,
  loopbackUdpPayloadBytes: 9000,
  readChunkBytes: 64 * 1024,
  maxIdleTimeoutMs: 5000,
  keepAliveIntervalMs: 1000,
  streamsBidiMax: 1000,
  connectionDataBytes: 16 * 1024 * 1024,
  streamDataBytes: 8 * 1024 * 1024,
  udpRecvBufferBytes: 4 * 1024 * 1024,
  retireGraceMs: 10_000,
  worker: true,
};
