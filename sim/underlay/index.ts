// The underlays: how frames travel between hosts (a routed link graph, or a region model).
export { GraphUnderlay, LinkDirection, pairKey, NODES_MAX } from './graph.js';
export { RegionUnderlay, REGIONS_MAX } from './regions.js';
export { AccessLinks } from './access.js';
export { transit, frameSizeMaxBytes, RETRANSMITS_MAX } from './hop.js';
export type { Hop, Transit, Draws } from './hop.js';
export { NodeStreams } from './node-streams.js';
export type { Underlay } from './underlay.js';
