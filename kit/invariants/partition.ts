// Partition safety: no frame sent after a cut crosses it (frames already on the wire may land).
import { partitionCrossings } from '../../scenarios/index.js';
import { describeEvent, failed, held, type InvariantResult, type SimulatedTrace } from './types.js';

/** No message transmitted across an active partition is received on the far side. */
export function noDeliveryAcrossPartition(trace: SimulatedTrace): InvariantResult {
  const name = 'noDeliveryAcrossPartition';
  const crossings = partitionCrossings(trace.events);
  return crossings.length === 0
    ? held(name, 'no frame crossed an active partition')
    : failed(name, `${crossings.length} frames crossed an active partition`, crossings.map((event) => `${describeEvent(event)}: transmitted by ${event.peer} across the cut`), crossings);
}
