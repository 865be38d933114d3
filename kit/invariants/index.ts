// Invariants over simulated traces; each returns a verdict naming the offending events.
import { allDeliveredWhenLossFree, atMostOnceDelivery, noDeliveryWithoutValidSignature } from './delivery.js';
import { causalOrder } from './order.js';
import { noDeliveryAcrossPartition } from './partition.js';
import { pubsubSubscribersReceiveAll } from './pubsub.js';
import type { Invariant } from './types.js';

export { noDeliveryWithoutValidSignature, atMostOnceDelivery, allDeliveredWhenLossFree, allDeliveredWhenLossFreeWith, FAULT_DROP_REASONS } from './delivery.js';
export type { AllDeliveredOptions } from './delivery.js';
export { noDeliveryAcrossPartition } from './partition.js';
export { causalOrder } from './order.js';
export { pubsubSubscribersReceiveAll, pubsubSubscribersReceiveAllWith } from './pubsub.js';
export type { PubSubOptions } from './pubsub.js';
export { describeEvent, held, failed, vacuous, runInvariant, OFFENDING_LISTED_MAX } from './types.js';
export type { SimulatedTrace, InvariantResult, Invariant } from './types.js';

/** Built-in trace invariants by name (a failure file's replay check looks them up here). */
export const BUILTIN_INVARIANTS: ReadonlyMap<string, Invariant> = new Map<string, Invariant>([
  ['noDeliveryWithoutValidSignature', noDeliveryWithoutValidSignature],
  ['noDeliveryAcrossPartition', noDeliveryAcrossPartition],
  ['atMostOnceDelivery', atMostOnceDelivery],
  ['allDeliveredWhenLossFree', allDeliveredWhenLossFree],
  ['causalOrder', causalOrder],
  ['pubsubSubscribersReceiveAll', pubsubSubscribersReceiveAll],
]);
