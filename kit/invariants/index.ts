// Invariants over simulated traces; each returns a verdict naming the offending events.
import { allDeliveredWhenLossFree, allDeliveredWhenLossFreeWith, atMostOnceDelivery, noDeliveryWithoutValidSignature } from './delivery.js';
import { causalOrder } from './order.js';
import { noDeliveryAcrossPartition } from './partition.js';
import { pubsubSubscribersReceiveAll, pubsubSubscribersReceiveAllWith } from './pubsub.js';
import { registerBuiltin } from './replay.js';

export { noDeliveryWithoutValidSignature, atMostOnceDelivery, allDeliveredWhenLossFree, allDeliveredWhenLossFreeWith, FAULT_DROP_REASONS } from './delivery.js';
export type { AllDeliveredOptions } from './delivery.js';
export { noDeliveryAcrossPartition } from './partition.js';
export { causalOrder } from './order.js';
export { pubsubSubscribersReceiveAll, pubsubSubscribersReceiveAllWith } from './pubsub.js';
export type { PubSubOptions } from './pubsub.js';
export { describeEvent, held, failed, vacuous, runInvariant, OFFENDING_LISTED_MAX } from './types.js';
export type { SimulatedTrace, InvariantResult, Invariant } from './types.js';

export { replayable, replayOf, registerBuiltin, replayInvariants } from './replay.js';
export type { InvariantReplay, BuiltinReplay, ModuleReplay, ReplayEntry } from './replay.js';

for (const [name, invariant] of [
  ['noDeliveryWithoutValidSignature', noDeliveryWithoutValidSignature],
  ['noDeliveryAcrossPartition', noDeliveryAcrossPartition],
  ['atMostOnceDelivery', atMostOnceDelivery],
  ['allDeliveredWhenLossFree', allDeliveredWhenLossFree],
  ['causalOrder', causalOrder],
  ['pubsubSubscribersReceiveAll', pubsubSubscribersReceiveAll],
] as const) registerBuiltin(name, invariant, false);
registerBuiltin('allDeliveredWhenLossFreeWith', allDeliveredWhenLossFreeWith, true);
registerBuiltin('pubsubSubscribersReceiveAllWith', pubsubSubscribersReceiveAllWith, true);
