// The public surface of the real transports (STYLE rule 3).
export { createNodeCertificate, certificateNodeId } from './certs.js';
export type { NodeCertificate } from './certs.js';
export { encodeFrames, FrameReader, FRAME_HEADER_BYTES } from './framing.js';
export type { FrameReadResult } from './framing.js';
export { createWallClock } from './wall-clock.js';
export type { WallClock } from './wall-clock.js';
export { parseAddress, formatAddress, DialError, WELCOME_FRAME } from './channel.js';
export type { Address, Scheme, Channel, ChannelHandlers, Driver, DriverHost } from './channel.js';
export { createPeerTransport, PEER_TRANSPORT_DEFAULTS } from './peer-transport.js';
export type { PeerTransport, PeerTransportOptions, PeerTransportComponents, LinkFilter, FilterVerdict } from './peer-transport.js';
export { createTlsDriver } from './tls/driver.js';
export { createQuicDriver, QUIC_DRIVER_DEFAULTS } from './quic/driver.js';
export type { QuicDriverOptions } from './quic/driver.js';
export { startRealNode } from './real-node.js';
export type { RealNode, RealNodeOptions, RealNodeComponents } from './real-node.js';
