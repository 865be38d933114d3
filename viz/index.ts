// viz: trace → self-contained interactive HTML report (D3), and the view model behind it.
export { renderReport, renderModel, VizError } from './render.js';
export type { ReportOptions } from './render.js';
export { readTrace, formatTraceReadError } from './read-trace.js';
export type { Trace, TraceReadError, TraceReadErrorCode, TraceReadResult } from './read-trace.js';
export { buildViewModel } from './view-model.js';
export { REPORT_LIMITS } from './limits.js';
export type { ReportLimits } from './limits.js';
export { nodeStateAt } from './node-state.js';
export { connectionsAt } from './connections.js';
export { causalChildren, causalPast, causalFuture } from './causality.js';
export { findLink } from './links.js';
export { latencyPercentiles } from './stats.js';
export { layoutTopology } from './layout.js';
export type {
  ConnectionPair,
  ConnectionSpan,
  Delivery,
  DirectionLoad,
  Flight,
  FlightStatus,
  LatencyPercentiles,
  LinkAggregate,
  Marker,
  MarkerKind,
  NodeStateChange,
  PartitionSpan,
  TopicStats,
  VizMessage,
  ViewCounts,
  ViewModel,
} from './types.js';
