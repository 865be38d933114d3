// Link control: how two nodes make sure no frame written on a channel that closed is lost. Each
// node numbers the frames it writes to a peer (1, 2, …, per link session: one per process start,
// increasing) and keeps each until the peer acknowledges it; the frames of a channel that closes
// unacknowledged (destroyed, replaced, timed out, cut by an idle close on either side) are written
// again, first, on the peer's next channel; the receiver drops those it already has. Numbers are
// not written per frame: a SEQ control frame gives the number of the next frame on its channel
// (written when a channel starts and where the numbers jump), so a channel costs one SEQ frame and
// a burst of frames one ACK back. A frame is given up only when it expires before a channel
// takes it again, when the peer has no address, or when the node cuts the peer off: each is traced
// as a drop. Control frames are small frames whose first byte is not an envelope's (0xf1); a peer
// that sends none has its frames taken unnumbered, as before.
import { randomInt } from 'node:crypto';

/** SEQ: [0x01][session f64][next f64][low f64]: the next frame on this channel is number `next`; every frame below `low` the sender no longer holds (acknowledged or given up). */
export const SEQ_CONTROL_BYTES = 25;
/** ACK: [0x02][session f64][upTo f64]: every frame of `session` up to `upTo` was received. */
export const ACK_CONTROL_BYTES = 17;
const SEQ_TAG = 0x01;
const ACK_TAG = 0x02;

export type LinkControl =
  | { readonly kind: 'seq'; readonly session: number; readonly next: number; readonly low: number }
  | { readonly kind: 'ack'; readonly session: number; readonly upTo: number };

/** A link session for this process: later starts get higher ones (milliseconds since the epoch × 1024, plus a random part). */
export function newLinkSession(): number {
  return Date.now() * 1024 + randomInt(1024);
}

export function encodeSeq(session: number, next: number, low: number): Uint8Array {
  const bytes = new Uint8Array(SEQ_CONTROL_BYTES);
  const view = new DataView(bytes.buffer);
  bytes[0] = SEQ_TAG;
  view.setFloat64(1, session);
  view.setFloat64(9, next);
  view.setFloat64(17, low);
  return bytes;
}

export function encodeAck(session: number, upTo: number): Uint8Array {
  const bytes = new Uint8Array(ACK_CONTROL_BYTES);
  const view = new DataView(bytes.buffer);
  bytes[0] = ACK_TAG;
  view.setFloat64(1, session);
  view.setFloat64(9, upTo);
  return bytes;
}

const isCount = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

/** The control frame `frame` is, or undefined when it is not one (an envelope, or malformed: the Router then refuses it). */
export function decodeControl(frame: Uint8Array): LinkControl | undefined {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (frame[0] === SEQ_TAG && frame.length === SEQ_CONTROL_BYTES) {
    const session = view.getFloat64(1);
    const next = view.getFloat64(9);
    const low = view.getFloat64(17);
    return isCount(session) && isCount(next) && isCount(low) && next >= 1 && low >= 1 ? { kind: 'seq', session, next, low } : undefined;
  }
  if (frame[0] === ACK_TAG && frame.length === ACK_CONTROL_BYTES) {
    const session = view.getFloat64(1);
    const upTo = view.getFloat64(9);
    return isCount(session) && isCount(upTo) ? { kind: 'ack', session, upTo } : undefined;
  }
  return undefined;
}
