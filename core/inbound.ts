// The Router's checks on a received frame (SPEC §5.1.3; S3, S4, S23, S25, I1, Q19), in order: the codec,
// `dst` is this node, the envelope's `src` is the channel's authenticated peer, trust ≠ 0, the node
// signature (carried by the channel on channel-authenticated transports), the anti-replay window,
// the engine signature, and that the source engine is not advertised on a different node; a
// RelayMessage is then opened (for us) or checked for forwarding (S23). These functions return what
// to trace and what to do; core/node.ts applies it. The only state they touch is the sender's
// replay window.
import type { IdentityStore } from './directory.js';
import type { Id } from './ids.js';
import { decodeEngineMessage, decodeP2PMessageInPlace, verifyEngineMessage, verifyP2PMessage, type EngineMessage } from './message.js';
import type { RelayPolicy } from './engine.js';
import { toHex } from './bytes.js';
import type { Crypto, KeyPair } from './ports.js';
import { canSeal, decodeRelayMessage, openRelay, verifyRelayMessage } from './relay.js';
import { ReplayWindow } from './router.js';
import { messageTraceId, type TraceRecord } from './trace.js';

/** A trace record before the node stamps it with time and node name. */
export type NodeRecord = Omit<TraceRecord, 't' | 'node'>;

export interface InboundChecks {
  readonly self: Id;
  readonly crypto: Crypto;
  readonly directory: IdentityStore;
  /** Every frame arrives on a channel authenticated with the sender's node key (ports.ts). */
  readonly isChannelAuthenticated: boolean;
  /** Replay windows by sending node, updated by accepted frames. */
  readonly replayWindows: Map<Id, ReplayWindow>;
  /**
   * Replay windows by origin node for RelayMessages sealed to this node: the hop-by-hop window
   * cannot see a sealed message that a relay re-wraps in fresh envelopes, the sealed sequence can.
   */
  readonly relayReplayWindows: Map<Id, ReplayWindow>;
  /** This node's key (opens RelayMessages sealed to it). */
  readonly key: KeyPair;
  /** What an engine on this node offered to relay (S23); undefined = no relaying. */
  relayPolicy(): RelayPolicy | undefined;
  now(): number;
  /** The trace name of node `id`. */
  nameOf(id: Id): string;
  /** A frame from `from` decoded: the time for its `receive` record (`msg` when it carries an engine message). */
  received(from: Id, msg: string | undefined, bytes: number): void;
}

/** What a received frame leads to, after its `receive` record (none when it did not decode). */
export type InboundVerdict =
  /** Deliver `message`, which came from node `sourceNode`. */
  | { readonly kind: 'engine'; readonly message: EngineMessage; readonly msg: string; readonly sourceNode: Id }
  /** A RelayMessage for another node, to pass on unread under the opaque `label`. */
  | { readonly kind: 'forward'; readonly dst: Id; readonly encoded: Uint8Array; readonly label: string; readonly expiry?: number }
  /** Traced as `record` and discarded; `isDisconnect`: cut the peer off (S4). */
  | { readonly kind: 'refuse'; readonly record: NodeRecord; readonly isDisconnect?: boolean };

/**
 * Checks a frame that `from` (the channel's peer) sent. Once the frame decodes, `checks.received`
 * is told first (its `receive` record precedes whatever the verdict traces).
 */
export function checkInbound(checks: InboundChecks, from: Id, frame: Uint8Array): InboundVerdict {
  // In place: the inner engine message is decoded and both signatures checked before this returns.
  const decoded = decodeP2PMessageInPlace(frame);
  if (!decoded.ok) return refuse({ kind: 'drop', peer: checks.nameOf(from), bytes: frame.length, reason: decoded.error.code, text: decoded.error.message });
  const p2p = decoded.value;
  const inner = p2p.inner === 'engine' ? decodeEngineMessage(p2p.msg) : undefined;
  const msg = inner?.ok ? messageTraceId(inner.value.src, inner.value.id) : undefined;
  checks.received(from, msg, frame.length);
  if (p2p.dst !== checks.self) return refuse(failure('wrong-destination', checks.nameOf(from), frame, msg));
  if (p2p.src !== from) return refuse(failure('channel-mismatch', checks.nameOf(from), frame, msg));
  if (checks.directory.trust(from) === 0) return refuse(drop('banned', checks.nameOf(from), msg));
  if (!checks.isChannelAuthenticated && !verifyP2PMessage(checks.crypto, p2p, frame)) return refuse(failure('node-signature', checks.nameOf(from), frame, msg), true);
  let window = checks.replayWindows.get(from);
  if (window === undefined) checks.replayWindows.set(from, (window = new ReplayWindow()));
  if (!window.accept(p2p.session, p2p.seq)) return refuse(drop('replay', checks.nameOf(from), msg));
  if (inner === undefined) return checkRelay(checks, checks.nameOf(from), p2p.msg);
  if (!inner.ok) return refuse({ kind: 'drop', peer: checks.nameOf(from), reason: inner.error.code, text: inner.error.message });
  const message = inner.value;
  if (!verifyEngineMessage(checks.crypto, message, p2p.msg)) return refuse(failure('engine-signature', checks.nameOf(from), frame, msg));
  const homeNode = checks.directory.engineNode(message.src);
  if (homeNode !== undefined && homeNode !== from) return refuse(failure('engine-node-mismatch', checks.nameOf(from), frame, msg));
  if (!isAuthorisedForTopic(checks.directory, message)) return refuse(failure('topic-unauthorised', checks.nameOf(from), frame, msg));
  if (message.expiry !== undefined && checks.now() > message.expiry) return refuse({ kind: 'drop', msg, reason: 'expired' });
  return { kind: 'engine', message, msg: msg!, sourceNode: from };
}

/** Checks a RelayMessage that `peer` sent: open it when it is for us, else forward it unread (SPEC §5.1.3). */
function checkRelay(checks: InboundChecks, peer: string, encoded: Uint8Array): InboundVerdict {
  const { crypto, directory } = checks;
  const decoded = decodeRelayMessage(encoded);
  if (!decoded.ok) return refuse({ kind: 'drop', peer, reason: decoded.error.code, text: decoded.error.message });
  const relay = decoded.value;
  // What a relay may write about the message: an opaque label, never the inner id or body.
  const label = `relay:${toHex(crypto.hash(relay.ciphertext)).slice(0, 12)}`;
  if (!verifyRelayMessage(crypto, relay, encoded)) return refuse({ kind: 'verify-fail', peer, msg: label, reason: 'relay-signature' });
  if (relay.expiry !== undefined && checks.now() > relay.expiry) return refuse({ kind: 'drop', peer, msg: label, reason: 'expired' });
  if (relay.dst !== checks.self) {
    if (directory.trust(relay.src) === 0 || directory.trust(relay.dst) === 0) return refuse({ kind: 'drop', peer, msg: label, reason: 'banned' });
    if (!isRelayPermitted(checks.relayPolicy(), relay.src, relay.dst)) return refuse({ kind: 'drop', peer, msg: label, reason: 'relay-not-permitted' });
    return relay.expiry === undefined ? { kind: 'forward', dst: relay.dst, encoded, label } : { kind: 'forward', dst: relay.dst, encoded, label, expiry: relay.expiry };
  }
  const opened = canSeal(crypto) ? openRelay(checks.key, relay) : undefined;
  if (opened === undefined) return refuse({ kind: 'verify-fail', peer, msg: label, reason: 'relay-decrypt' });
  // The origin signed the RelayMessage and sealed its sequence inside: a re-wrapped copy is a replay.
  let window = checks.relayReplayWindows.get(relay.src);
  if (window === undefined) checks.relayReplayWindows.set(relay.src, (window = new ReplayWindow()));
  if (!window.accept(opened.sequence.session, opened.sequence.seq)) return refuse({ kind: 'drop', peer, msg: label, reason: 'relay-replay' });
  const inner = opened.inner;
  const message = decodeEngineMessage(inner);
  if (!message.ok) return refuse({ kind: 'drop', peer, reason: message.error.code, text: message.error.message });
  const msg = messageTraceId(message.value.src, message.value.id);
  if (!verifyEngineMessage(crypto, message.value, inner)) return refuse({ kind: 'verify-fail', peer, msg, reason: 'engine-signature' });
  const homeNode = directory.engineNode(message.value.src);
  if (homeNode !== undefined && homeNode !== relay.src) return refuse({ kind: 'verify-fail', peer, msg, reason: 'engine-node-mismatch' });
  if (!isAuthorisedForTopic(directory, message.value)) return refuse({ kind: 'verify-fail', peer, msg, reason: 'topic-unauthorised' });
  if (message.value.expiry !== undefined && checks.now() > message.value.expiry) return refuse({ kind: 'drop', msg, reason: 'expired' });
  return { kind: 'engine', message: message.value, msg, sourceNode: relay.src };
}

/**
 * I4, Q7: a message from the network addressed to a topic reaches local subscribers only when this
 * node's identity store holds the topic's advert and it lists the message's source engine as a
 * publisher. (PubSub itself carries events inside its own protocol, checked by the PubSub engine;
 * the Router never sends a topic message to another node, so this closes a side door.)
 */
function isAuthorisedForTopic(directory: IdentityStore, message: EngineMessage): boolean {
  if (message.dst.kind !== 'topic') return true;
  return directory.advert('topic', message.dst.topic)?.publishers.includes(message.src) === true;
}

/** S23: relaying only where an engine on this node offered it, for the message's source or destination. */
function isRelayPermitted(policy: RelayPolicy | undefined, source: Id, destination: Id): boolean {
  if (policy === undefined) return false;
  if (policy.from === undefined && policy.to === undefined) return true;
  return policy.from?.includes(source) === true || policy.to?.includes(destination) === true;
}

function refuse(record: NodeRecord, isDisconnect = false): InboundVerdict {
  return isDisconnect ? { kind: 'refuse', record, isDisconnect } : { kind: 'refuse', record };
}

function failure(reason: string, peer: string, frame: Uint8Array, msg: string | undefined): NodeRecord {
  return msg === undefined ? { kind: 'verify-fail', peer, bytes: frame.length, reason } : { kind: 'verify-fail', peer, bytes: frame.length, reason, msg };
}

function drop(reason: string, peer: string, msg: string | undefined): NodeRecord {
  return msg === undefined ? { kind: 'drop', peer, reason } : { kind: 'drop', peer, reason, msg };
}
