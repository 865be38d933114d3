// The public surface of the simulator.
export { EventHeap } from './heap.js';
export { Scheduler } from './scheduler.js';
export type { RunEnd, EventHandler } from './scheduler.js';
export { createRng } from '../core/index.js';
export { sampleJitter } from './distributions.js';
export { VirtualNetwork } from './network.js';
export { FrameSchedule } from './frame-schedule.js';
export type { FrameChooser, FrameDecision, FrameScheduleSpec } from './frame-schedule.js';
export { NodeStreams } from './underlay/index.js';
export type { CarryDropReason } from './network.js';
export { simulate, deriveIdentities } from './simulation.js';
export type { SimulationOptions, SimulationResult, Identities } from './simulation.js';
export type { NodeView, IdentityView, ConnectionView } from './view.js';
