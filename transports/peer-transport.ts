// The connection manager: a `Transport` port over protocol drivers (QUIC, TLS). Per peer: dials the
// advert's addresses in preference order with capped exponential back-off, keeps one canonical
// channel (simultaneous dials resolve to the one dialled by the lower node id), a bounded queue
// (bytes and frames; overflow is a `queue-full` drop), frames queued for an unreachable peer until
// their expiry (S18), and coalesced writes: frames queued in one event-loop turn go out as one
// write, up to a byte budget, while the channel's buffered bytes stay under their budget.
// Inbound: every peer has a bounded queue of received frames (bytes and frames); a peer over its
// budget stops being read (its channels are paused: TCP and QUIC flow control then hold its
// sender back) until its queue is half empty, and queued frames are handed to the node one per
// peer in turn, in slices of INBOUND_SLICE_MS, so one flooding peer cannot delay the others by
// more than a frame each. A peer whose queue was empty (a sparse peer: one ping, one request) is
// served before the backlogged ones at the start of the next slice, one frame, and when other
// peers' frames are waiting what it made the node send is written at once, not after the rest of
// the slice (the sparse flows of FQ-CoDel, RFC 8290): a flood delays another peer's round trip by
// the slice under way when its frame arrives, not by two slices.
// Misbehaviour: frames the Router refuses for a failed check (a bad signature, a forged source)
// draw on a per-peer allowance that refills at refusalsPerSecond; a peer that overdraws it is
// slowed (not read, its queued frames held) for slowMs, and the third time within a minute it is
// disconnected and refused for banMs, doubling with each further offence. A legitimate peer's
// occasional bad frame stays within the allowance.
import type { Clock, FrameMeta, Id, IdentityStore, Rng, TimerId, TraceSink, Transport, TransportEvent } from '../core/index.js';
import { DialError, parseAddress, type Channel, type ChannelHandlers, type Driver, type DriverHost, type Scheme } from './channel.js';
import { encodeFrames, FRAME_HEADER_BYTES } from './framing.js';
import { ACK_CONTROL_BYTES, decodeControl, encodeAck, encodeSeq, newLinkSession, SEQ_CONTROL_BYTES } from './link-control.js';

/** What the filter of an emulated network says about one outbound frame. */
export type FilterVerdict = { readonly kind: 'pass' } | { readonly kind: 'drop'; readonly reason: string } | { readonly kind: 'delay'; readonly delayMs: number };

/** Emulated faults (partitions, cut links, loss, latency) applied before a frame is queued. */
export interface LinkFilter {
  outbound(peer: Id, sizeBytes: number): FilterVerdict;
}

export interface PeerTransportOptions {
  /** This node's name in trace records. */
  readonly nodeName: string;
  readonly self: Id;
  readonly directory: IdentityStore;
  /** Accept channels from nodes the directory does not know. */
  readonly isOpen?: boolean;
  readonly nameOf?: (id: Id) => string | undefined;
  /** Largest frame sent or accepted (bytes). */
  readonly frameSizeMaxBytes?: number;
  /** Per-peer queue bounds; above them new frames are dropped with `queue-full`. */
  readonly queueBytesMax?: number;
  readonly queueFramesMax?: number;
  /** How long a frame without an expiry may wait for a connection (ms). */
  readonly queuedMsMax?: number;
  /** Stop writing to a channel holding this many unsent bytes (backpressure). */
  readonly channelBufferBytesMax?: number;
  /** Bytes coalesced into one write. */
  readonly flushBytesMax?: number;
  /**
   * Per-peer inbound budget: received frames not yet handled by the node. Above either bound the
   * peer's channels are paused (not read) until its queue is half empty; the queue can exceed the
   * budget by what its channel had already read (one read chunk, or frames in flight from the QUIC worker).
   */
  readonly inboundBytesMax?: number;
  readonly inboundFramesMax?: number;
  /**
   * Bytes all peers' queues may hold together (outbound queues and inbound queues): above it the
   * peer holding the most is disconnected and its queued frames dropped (traced node-buffer-full),
   * so many identities each within their own bounds cannot exhaust the node's memory.
   */
  readonly nodeBufferedBytesMax?: number;
  /**
   * Frames a peer may have refused by the Router's checks (verify-fail) beyond refusalsPerSecond
   * before it is slowed; the allowance refills at refusalsPerSecond.
   */
  readonly refusalBurst?: number;
  readonly refusalsPerSecond?: number;
  /** How long a slowed peer is not read (ms). */
  readonly slowMs?: number;
  /** First refusal period of a peer disconnected for misbehaving (ms); it doubles per offence up to banMsMax. */
  readonly banMsMin?: number;
  readonly banMsMax?: number;
  /** Extra wait before a flush so more frames share a write (ms; 0 = the end of this event-loop turn). */
  readonly corkMs?: number;
  readonly dialTimeoutMs?: number;
  readonly backoffMsMin?: number;
  readonly backoffMsMax?: number;
  /** An ephemeral connection (not `isPermanent`) with no frame either way for this long is closed (S21; Q18: 60 s). */
  readonly idleMsMax?: number;
  readonly filter?: LinkFilter;
}

export interface PeerTransportComponents {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly trace: TraceSink;
  /** Driver factories, one per scheme this node speaks. */
  readonly drivers: ReadonlyArray<(host: DriverHost) => Driver>;
}

/** A Transport with real sockets: listen first, close at the end. */
export interface PeerTransport extends Transport {
  /**
   * Every frame handed to `onFrame` arrived on a channel mutually authenticated with the sender's
   * node key (certificate bound to the node key, both sides checked), so the Router skips the
   * per-frame node signature (core/ports.ts).
   */
  readonly isChannelAuthenticated: true;
  /** Listens on `host` with each driver (`ports[scheme]`, 0 = ephemeral); resolves to the addresses. */
  listen(host: string, ports?: Partial<Record<Scheme, number>>): Promise<string[]>;
  /** Ids of the peers with an open channel. */
  connectedPeers(): Id[];
  /** Bytes queued for `peer` (tests and backpressure checks). */
  queuedBytes(peer: Id): number;
  /** Bytes held in all peers' outbound and inbound queues (bounded by nodeBufferedBytesMax). */
  bufferedBytes(): number;
  /** Frames received from `peer` not yet handled, their bytes, whether its channels are paused, and the largest queue it had (tests, diagnostics). */
  inbound(peer: Id): { readonly frames: number; readonly bytes: number; readonly isPaused: boolean; readonly framesMax: number; readonly bytesMax: number };
  close(): Promise<void>;
}

interface QueuedFrame {
  readonly frame: Uint8Array;
  readonly msg: string;
  readonly expiresAtMs: number;
}

/** A frame written to a peer and kept until the peer acknowledges it (link-control.ts). */
interface SentFrame extends QueuedFrame {
  readonly seq: number;
  /** The channel it was last written on; undefined while it waits in `resend`. */
  channel: Channel | undefined;
}

/** Per-channel numbering: the seq of the next frame written on it, and of the next frame read from it (with the sender's link session). */
interface ChannelNumbers {
  outNext: number | undefined;
  inSession: number | undefined;
  inNext: number | undefined;
}

interface Peer {
  readonly id: Id;
  readonly channels: Channel[];
  /** Channels retired gracefully and still read until they close (paused and resumed with the others). */
  readonly retiring: Channel[];
  queue: QueuedFrame[];
  queueHead: number;
  queueBytes: number;
  isDialing: boolean;
  isPermanent: boolean;
  backoffMs: number;
  retryTimer: TimerId | undefined;
  isFlushScheduled: boolean;
  /** When a frame last went out or came in (idle timeout of ephemeral connections). */
  lastActivityMs: number;
  /** Received frames not yet handed to the node (from inboundHead on), their bytes, and whether the peer is in the delivery ring. */
  inbound: Uint8Array[];
  inboundHead: number;
  inboundBytes: number;
  isInboundActive: boolean;
  /** The slice in which it was last served as a peer that had just arrived (deliverInbound). */
  arrivedSlice: number;
  /** Its channels are paused (over its inbound budget). */
  isReadPaused: boolean;
  inboundFramesPeak: number;
  inboundBytesPeak: number;
  /** Its channels are paused (isReadPaused or isSlowed). */
  isNotRead: boolean;
  /** Refusals it may still draw before it is slowed, as of refusalsAtMs. */
  refusalTokens: number;
  refusalsAtMs: number;
  /** Refused frames counted since it was last slowed (for the trace). */
  refusals: number;
  /** When it was slowed in the last minute. */
  slowedAtMs: number[];
  slowTimer: TimerId | undefined;
  /** Outbound numbering: the seq the next frame written gets; frames written and not yet acknowledged (seq order), their bytes. */
  nextSeq: number;
  unacked: Map<number, SentFrame>;
  unackedBytes: number;
  /** Unacknowledged frames of channels that closed, in seq order from resendHead: written again before new frames. */
  resend: SentFrame[];
  resendHead: number;
  /** The highest seq given up (expired or no address) that the peer has not yet been told to skip (0: none). */
  givenUpTo: number;
  /** Inbound numbering: the peer's link session, every seq up to recvUpTo received, and those above it received. */
  recvSession: number;
  recvUpTo: number;
  recvAbove: Set<number>;
  /** An acknowledgement is owed to the peer (sent with the next write, or after ACK_DELAY_MS). */
  isAckDue: boolean;
  ackTimer: NodeJS.Timeout | undefined;
  /** It sent a control frame: it acknowledges what it receives (a peer that never does keeps at most queueBytesMax of ours to write again). */
  isLinkControlled: boolean;
}

export const PEER_TRANSPORT_DEFAULTS = {
  frameSizeMaxBytes: 16 * 1024 * 1024 + 4096,
  queueBytesMax: 16 * 1024 * 1024,
  queueFramesMax: 65536,
  queuedMsMax: 30_000,
  channelBufferBytesMax: 1024 * 1024,
  inboundBytesMax: 1024 * 1024,
  inboundFramesMax: 4096,
  nodeBufferedBytesMax: 256 * 1024 * 1024,
  refusalBurst: 100,
  refusalsPerSecond: 10,
  slowMs: 1000,
  banMsMin: 10_000,
  banMsMax: 600_000,
  flushBytesMax: 256 * 1024,
  corkMs: 0,
  dialTimeoutMs: 5000,
  backoffMsMin: 250,
  backoffMsMax: 30_000,
  idleMsMax: 60_000,
} as const;

const SWEEP_INTERVAL_MS = 200;
/** Received frames are handed to the node for at most this long per slice, then other work runs (ms). */
const INBOUND_SLICE_MS = 1;
/** A peer slowed this many times within SLOWDOWN_WINDOW_MS is disconnected and refused. */
const SLOWDOWNS_MAX = 3;
const SLOWDOWN_WINDOW_MS = 60_000;
/** A skipped garbage frame counts as one refused frame per this many bytes. */
const GARBAGE_BYTES_PER_REFUSAL = 64 * 1024;
/** Identities remembered as refused (oldest forgotten first). */
const BANNED_MAX = 4096;
const PASS: FilterVerdict = { kind: 'pass' };
/** How long an acknowledgement owed to a peer waits for a frame to ride with before it is written alone (ms). */
const ACK_DELAY_MS = 5;
/** Seqs received out of order kept for duplicate detection per peer; beyond it the oldest gap is given up. */
const RECV_ABOVE_MAX = 65536;

/** Creates the connection manager for one node. */
export function createPeerTransport(components: PeerTransportComponents, options: PeerTransportOptions): PeerTransport {
  const settings = { ...PEER_TRANSPORT_DEFAULTS, ...definedOnly(options) };
  const { clock, trace } = components;
  const rng = components.rng.fork('transport');
  /** This node's link session: frames it numbers are deduplicated by the peer per session (link-control.ts). */
  const linkSession = newLinkSession();
  const numbers = new WeakMap<Channel, ChannelNumbers>();
  const numbersOf = (channel: Channel): ChannelNumbers => {
    let entry = numbers.get(channel);
    if (entry === undefined) numbers.set(channel, (entry = { outNext: undefined, inSession: undefined, inNext: undefined }));
    return entry;
  };
  const peers = new Map<Id, Peer>();
  /** Peers disconnected for misbehaving: refused until `untilMs`; `offences` doubles the next refusal period. */
  const banned = new Map<Id, { untilMs: number; offences: number }>();
  const isBanned = (id: Id): boolean => (banned.get(id)?.untilMs ?? -Infinity) > clock.now();
  const drivers = new Map<Scheme, Driver>();
  let frameHandler: (from: Id, frame: Uint8Array) => void = () => {};
  let eventHandler: (event: TransportEvent) => void = () => {};
  let isClosed = false;
  const sweepTimer = setInterval(sweep, SWEEP_INTERVAL_MS);
  sweepTimer.unref();

  const nameOf = (id: Id): string => options.nameOf?.(id) ?? id.slice(0, 12);
  const emitEvent = (event: TransportEvent): void => {
    if (!isClosed) eventHandler(event);
  };
  function drop(peer: Id | undefined, msg: string | undefined, sizeBytes: number, reason: string, text?: string): void {
    trace.emit({
      t: clock.now(),
      kind: 'drop',
      node: options.nodeName,
      ...(msg !== undefined && { msg }),
      ...(peer !== undefined && { peer: nameOf(peer) }),
      bytes: sizeBytes,
      reason,
      ...(text !== undefined && { text }),
    });
  }

  function peerOf(id: Id): Peer {
    let peer = peers.get(id);
    if (peer === undefined) {
      peer = {
        id,
        channels: [],
        retiring: [],
        queue: [],
        queueHead: 0,
        queueBytes: 0,
        isDialing: false,
        isPermanent: false,
        backoffMs: 0,
        retryTimer: undefined,
        isFlushScheduled: false,
        lastActivityMs: clock.now(),
        inbound: [],
        inboundHead: 0,
        inboundBytes: 0,
        isInboundActive: false,
        arrivedSlice: 0,
        isReadPaused: false,
        inboundFramesPeak: 0,
        inboundBytesPeak: 0,
        isNotRead: false,
        refusalTokens: settings.refusalBurst,
        refusalsAtMs: clock.now(),
        refusals: 0,
        slowedAtMs: [],
        slowTimer: undefined,
        nextSeq: 1,
        unacked: new Map(),
        unackedBytes: 0,
        resend: [],
        resendHead: 0,
        givenUpTo: 0,
        recvSession: -1,
        recvUpTo: 0,
        recvAbove: new Set(),
        isAckDue: false,
        ackTimer: undefined,
        isLinkControlled: false,
      };
      peers.set(id, peer);
    }
    return peer;
  }

  const host: DriverHost = {
    self: options.self,
    frameSizeMaxBytes: settings.frameSizeMaxBytes,
    isEnvelopes: true,
    isAllowed: (peer) => peer !== options.self && (options.isOpen === true || options.directory.node(peer) !== undefined) && options.directory.trust(peer) !== 0 && !isBanned(peer),
    established,
    refused(peer, address, reason) {
      const why = peer !== undefined && isBanned(peer) ? 'penalised' : reason;
      const text = why === 'penalised' ? `inbound ${address} refused: disconnected for misbehaving ${Math.ceil((banned.get(peer!)!.untilMs - clock.now()) / 1000)} s more` : `inbound ${address} refused`;
      trace.emit({ t: clock.now(), kind: 'verify-fail', node: options.nodeName, peer: peer === undefined ? address : nameOf(peer), reason: why, text });
      if (peer !== undefined) emitEvent({ kind: 'connect-failed', node: peer, address, reason });
    },
  };
  for (const factory of components.drivers) {
    const driver = factory(host);
    drivers.set(driver.scheme, driver);
  }

  /**
   * The channel to send on: the canonical one (dialled by the lower id), else the newest. The lower
   * id does not send on the peer's channel while its own dial is under way: the peer retires that
   * channel once ours is up, and frames sent on both would arrive out of order.
   */
  function sendChannel(peer: Peer): Channel | undefined {
    const iAmLower = options.self < peer.id;
    const canonical = peer.channels.find((channel) => channel.isDialer === iAmLower);
    if (canonical !== undefined) return canonical;
    return iAmLower && peer.isDialing ? undefined : peer.channels[peer.channels.length - 1];
  }

  function established(channel: Channel): ChannelHandlers {
    const peer = peerOf(channel.peer);
    if (isClosed) channel.destroy();
    // Frames on a retired channel still count: its dialler may have written before switching.
    // A newer channel in the same direction replaces an older one (the peer restarted or redialled).
    for (const old of peer.channels.filter((other) => other.isDialer === channel.isDialer)) retire(peer, old, true);
    peer.channels.push(channel);
    peer.lastActivityMs = clock.now();
    if (peer.channels.length === 1) emitEvent({ kind: 'connected', node: peer.id, address: channel.address });
    peer.backoffMs = 0;
    dedupe(peer);
    applyReading(peer); // a new channel of a peer over its budget (or slowed) is not read either
    scheduleFlush(peer);
    return {
      frame: (frame) => {
        peer.lastActivityMs = clock.now();
        // Frames of a chunk read before the peer was disconnected for misbehaving are not handled.
        if (isClosed || isBanned(peer.id)) return;
        if (frame[0] !== P2P_TAG) {
          const control = decodeControl(frame);
          if (control !== undefined) return onControl(peer, channel, control);
        }
        if (isDuplicate(peer, channel)) return; // written again after its channel closed, and already here: not lost, not handled twice
        receive(peer, frame);
      },
      oversize: (sizeBytes) => {
        drop(peer.id, undefined, sizeBytes, 'frame/too-large', `peer announced a ${sizeBytes}-byte frame (max ${settings.frameSizeMaxBytes}); channel closed`);
        refusedFrom(peer.id, 'frame/too-large', settings.refusalBurst + 1); // no legitimate peer does this: slowed at once
      },
      garbage: (sizeBytes) => {
        drop(peer.id, undefined, sizeBytes, 'frame/garbage', `a ${sizeBytes}-byte frame that does not start as an envelope from this peer to this node: skipped unread`);
        refusedFrom(peer.id, 'frame/garbage', Math.ceil(sizeBytes / GARBAGE_BYTES_PER_REFUSAL));
      },
      drain: () => scheduleFlush(peer),
      close: (reason) => {
        requeue(peer, channel); // what it carried and the peer did not acknowledge is written again on another channel
        if (peer.retiring.includes(channel)) {
          peer.retiring.splice(peer.retiring.indexOf(channel), 1);
          applyReading(peer); // its frames are all read: the newer channel's come next
          // Frames of ours it carried that the peer did not acknowledge (a TLS channel's grace ran out): written again, dialling if need be.
          if (pending(peer) > 0) peer.channels.length > 0 ? scheduleFlush(peer) : scheduleRetry(peer);
          return;
        }
        if (!peer.channels.includes(channel)) return;
        // The peer retired it (QUIC): every frame it wrote has been read; ours, written before now, go before our end,
        // and with them the acknowledgement of all it wrote, so that it keeps none of them to write again.
        if (reason === 'retired') {
          if (peer.recvSession >= 0) channel.write(encodeFrames([encodeAck(peer.recvSession, peer.recvUpTo)]));
          channel.end();
        }
        peer.channels.splice(peer.channels.indexOf(channel), 1);
        applyReading(peer);
        if (peer.channels.length > 0) return scheduleFlush(peer);
        emitEvent({ kind: 'disconnected', node: peer.id, reason });
        if (peer.isPermanent || pending(peer) > 0) scheduleRetry(peer);
      },
    };
  }

  // ——— numbering: acknowledgements, frames written again, duplicates ———

  const P2P_TAG = 0xf1;

  function onControl(peer: Peer, channel: Channel, control: NonNullable<ReturnType<typeof decodeControl>>): void {
    peer.isLinkControlled = true;
    if (control.kind === 'ack') {
      if (control.session !== linkSession || control.upTo >= peer.nextSeq) return; // not about frames of ours (an old session, or bogus)
      for (const [seq, entry] of peer.unacked) {
        if (seq > control.upTo) break;
        peer.unacked.delete(seq);
        peer.unackedBytes -= entry.frame.length;
        totalBytes -= entry.frame.length;
      }
      if (peer.givenUpTo > 0) scheduleFlush(peer); // the skip can be announced once the frames below it are acknowledged
      return;
    }
    const state = numbersOf(channel);
    state.inSession = control.session;
    state.inNext = control.next;
    if (control.session > peer.recvSession) {
      // A new session of the peer (first contact or a restart): what it wrote before `low` it no longer holds.
      peer.recvSession = control.session;
      peer.recvUpTo = control.low - 1;
      peer.recvAbove.clear();
    } else if (control.session === peer.recvSession && control.low - 1 > peer.recvUpTo) {
      peer.recvUpTo = control.low - 1; // frames below `low` were acknowledged or given up by the peer
      for (const seq of peer.recvAbove) if (seq <= peer.recvUpTo) peer.recvAbove.delete(seq);
      advanceReceived(peer);
    }
  }

  /** Records the next frame read from `channel` as received; true when it was received before (a frame written again). */
  function isDuplicate(peer: Peer, channel: Channel): boolean {
    const state = numbers.get(channel);
    if (state?.inNext === undefined) return false; // an unnumbered channel (a peer speaking without link control)
    const seq = state.inNext++;
    if (state.inSession !== peer.recvSession) return false; // an older session's channel still being read: not deduplicated
    if (seq <= peer.recvUpTo || peer.recvAbove.has(seq)) return true;
    if (seq === peer.recvUpTo + 1) {
      peer.recvUpTo = seq;
      advanceReceived(peer);
    } else {
      peer.recvAbove.add(seq);
      if (peer.recvAbove.size > RECV_ABOVE_MAX) {
        // Gaps that never filled: the older half given up, so that the memory stays bounded (a frame of them that still came would be taken twice).
        const above = [...peer.recvAbove].sort((a, b) => a - b);
        peer.recvUpTo = above[above.length >> 1]!;
        for (const received of above) if (received <= peer.recvUpTo) peer.recvAbove.delete(received);
        advanceReceived(peer);
      }
    }
    peer.isAckDue = true;
    if (peer.ackTimer === undefined && !peer.isFlushScheduled) {
      peer.ackTimer = setTimeout(() => {
        peer.ackTimer = undefined;
        scheduleFlush(peer);
      }, ACK_DELAY_MS);
      peer.ackTimer.unref();
    }
    return false;
  }

  function advanceReceived(peer: Peer): void {
    while (peer.recvAbove.delete(peer.recvUpTo + 1)) peer.recvUpTo++;
  }

  /** Puts the unacknowledged frames last written on `channel` back to be written again, before new frames, in seq order. */
  function requeue(peer: Peer, channel: Channel): void {
    const moved: SentFrame[] = [];
    for (const entry of peer.unacked.values()) {
      if (entry.channel !== channel) continue;
      entry.channel = undefined;
      moved.push(entry);
    }
    if (moved.length === 0) return;
    const waiting = peer.resend.slice(peer.resendHead);
    peer.resend = waiting.length === 0 ? moved : [...waiting, ...moved].sort((a, b) => a.seq - b.seq);
    peer.resendHead = 0;
  }

  /** Frames waiting to be written to a peer: queued, and to be written again. */
  const pending = (peer: Peer): number => queued(peer) + peer.resend.length - peer.resendHead;

  /** Gives up a frame numbered but never acknowledged (traced by the caller): the peer is told to skip it. */
  function giveUp(peer: Peer, entry: SentFrame): void {
    if (!peer.unacked.delete(entry.seq)) return;
    peer.unackedBytes -= entry.frame.length;
    totalBytes -= entry.frame.length;
    peer.givenUpTo = Math.max(peer.givenUpTo, entry.seq);
  }

  /** The next frame to be written again (still unacknowledged), skipping those acknowledged meanwhile. */
  function nextResend(peer: Peer): SentFrame | undefined {
    while (peer.resendHead < peer.resend.length) {
      const entry = peer.resend[peer.resendHead]!;
      peer.resend[peer.resendHead] = undefined as unknown as SentFrame;
      peer.resendHead++;
      if (peer.resendHead === peer.resend.length) {
        peer.resend = [];
        peer.resendHead = 0;
      }
      if (peer.unacked.get(entry.seq) === entry && entry.channel === undefined) return entry;
    }
    return undefined;
  }

  /** A peer that has never acknowledged anything (it may not speak link control): the oldest of ours beyond queueBytesMax are not kept. */
  function forgetOldest(peer: Peer): void {
    for (const [seq, entry] of peer.unacked) {
      if (peer.unackedBytes <= settings.queueBytesMax) return;
      peer.unacked.delete(seq);
      peer.unackedBytes -= entry.frame.length;
      totalBytes -= entry.frame.length;
    }
  }

  const lowestUnacked = (peer: Peer): number => {
    for (const seq of peer.unacked.keys()) return seq;
    return peer.nextSeq;
  };

  // ——— inbound: per-peer budgets, round-robin delivery ———

  /** Peers with received frames to hand to the node, served in turn from `nextActive`. */
  let active: Peer[] = [];
  /**
   * Peers that became active since the last slice began (their queue was empty): each is served one
   * frame at the start of the next slice, before the backlogged peers, and then takes its turn in `active`.
   */
  const arrived = new Set<Peer>();
  /** Peers with a flush scheduled (written early, by `flushWaiting`, after sparse peers were served). */
  const flushes = new Set<Peer>();
  /** Slices run (numbers Peer.arrivedSlice). */
  let slices = 0;
  /** Bytes in all peers' outbound and inbound queues. */
  let totalBytes = 0;
  let nextActive = 0;
  let isDeliveryScheduled = false;
  const inboundFrames = (peer: Peer): number => peer.inbound.length - peer.inboundHead;

  function receive(peer: Peer, frame: Uint8Array): void {
    peer.inbound.push(frame);
    peer.inboundBytes += frame.length;
    totalBytes += frame.length;
    peer.inboundFramesPeak = Math.max(peer.inboundFramesPeak, inboundFrames(peer));
    peer.inboundBytesPeak = Math.max(peer.inboundBytesPeak, peer.inboundBytes);
    if (!peer.isReadPaused && (peer.inboundBytes >= settings.inboundBytesMax || inboundFrames(peer) >= settings.inboundFramesMax)) {
      peer.isReadPaused = true;
      updateReading(peer);
    }
    if (totalBytes > settings.nodeBufferedBytesMax) shed();
    activate(peer);
  }

  /** Puts a peer with queued frames (and not slowed) in the delivery ring and makes sure delivery runs. */
  function activate(peer: Peer): void {
    if (peer.isInboundActive || peer.slowTimer !== undefined || inboundFrames(peer) === 0) return;
    peer.isInboundActive = true;
    if (!active.includes(peer)) active.push(peer); // a peer slowed in this round may still be listed
    arrived.add(peer);
    if (!isDeliveryScheduled) {
      isDeliveryScheduled = true;
      queueMicrotask(deliverInbound); // after the driver's callback: its other frames are queued first
    }
  }

  /** Pauses or resumes a peer's channels: not read while over its inbound budget or slowed. */
  function updateReading(peer: Peer): void {
    peer.isNotRead = peer.isReadPaused || peer.slowTimer !== undefined;
    applyReading(peer);
  }

  /**
   * Sets each channel of a peer paused or read. Besides the peer's budget: while the peer has a
   * QUIC channel being retired (or one that is not the send channel, which its peer retires), the send
   * channel is not read, so that frames come in the order they were sent (the peer wrote on the
   * old channel before the new one; the Router's replay window refuses a frame more than 1024
   * behind the newest).
   */
  function applyReading(peer: Peer): void {
    const current = sendChannel(peer);
    // QUIC only: a retired QUIC channel closes as soon as both ends were read; a TLS one waits out its grace.
    const isDraining = peer.retiring.some((channel) => channel.scheme === 'quic') || peer.channels.some((channel) => channel !== current && channel.scheme === 'quic');
    for (const channel of [...peer.channels, ...peer.retiring]) {
      const isPaused = peer.isNotRead || (isDraining && channel === current);
      if (pausedChannels.has(channel) === isPaused) continue;
      if (isPaused) {
        pausedChannels.add(channel);
        channel.pause?.();
      } else {
        pausedChannels.delete(channel);
        channel.resume?.();
      }
    }
  }
  const pausedChannels = new WeakSet<Channel>();

  /** The Router refused a frame of `id` (a failed check): draws on its allowance; overdrawn, it is slowed, then disconnected. */
  function refusedFrom(id: Id, reason: string, weight = 1): void {
    const peer = peers.get(id);
    if (peer === undefined || isClosed) return;
    const nowMs = clock.now();
    peer.refusalTokens = Math.min(settings.refusalBurst, peer.refusalTokens + ((nowMs - peer.refusalsAtMs) * settings.refusalsPerSecond) / 1000);
    peer.refusalsAtMs = nowMs;
    peer.refusals += weight;
    peer.refusalTokens -= weight;
    if (peer.refusalTokens >= 0 || peer.slowTimer !== undefined) return;
    peer.refusalTokens = 0;
    peer.slowedAtMs = peer.slowedAtMs.filter((atMs) => nowMs - atMs < SLOWDOWN_WINDOW_MS);
    peer.slowedAtMs.push(nowMs);
    const refusals = peer.refusals;
    peer.refusals = 0;
    if (peer.slowedAtMs.length >= SLOWDOWNS_MAX) return ban(peer, refusals, reason);
    drop(peer.id, undefined, 0, 'misbehaving', `${refusals} frames refused (last: ${reason}), over ${settings.refusalBurst} beyond ${settings.refusalsPerSecond}/s: not read for ${settings.slowMs} ms`);
    peer.isInboundActive = false; // its queued frames wait too
    peer.slowTimer = clock.schedule(nowMs + settings.slowMs, () => {
      peer.slowTimer = undefined;
      if (isClosed) return;
      updateReading(peer);
      activate(peer);
    });
    updateReading(peer);
  }

  /** Disconnects a peer that kept overdrawing its allowance and refuses it for a period that doubles per offence. */
  function ban(peer: Peer, refusals: number, reason: string): void {
    const offences = (banned.get(peer.id)?.offences ?? 0) + 1;
    const banMs = Math.min(settings.banMsMax, settings.banMsMin * 2 ** Math.min(30, offences - 1));
    banned.delete(peer.id);
    banned.set(peer.id, { untilMs: clock.now() + banMs, offences });
    if (banned.size > BANNED_MAX) banned.delete(banned.keys().next().value!);
    drop(peer.id, undefined, peer.inboundBytes, 'misbehaving', `${refusals} frames refused (last: ${reason}), slowed ${SLOWDOWNS_MAX} times within ${SLOWDOWN_WINDOW_MS / 1000} s: disconnected and refused for ${banMs} ms`);
    peer.slowedAtMs = [];
    cutOff(peer, 'misbehaving');
  }

  /**
   * Hands queued frames to the node for at most INBOUND_SLICE_MS; the rest waits for the next turn.
   * First one frame of each peer that arrived since the last slice; then, when other peers' frames
   * are waiting (a backlog that would fill the rest of the slice), what those frames made the node
   * send is written at once; then one frame per peer in turn.
   */
  function deliverInbound(): void {
    const deadline = performance.now() + INBOUND_SLICE_MS;
    const slice = ++slices;
    try {
      let isSliceOver = false;
      if (arrived.size > 0) {
        let served = 0;
        for (const peer of arrived) {
          arrived.delete(peer);
          if (isClosed) return;
          if (!peer.isInboundActive) continue;
          peer.arrivedSlice = slice;
          deliverOne(peer);
          served++;
          if (performance.now() >= deadline) {
            isSliceOver = true;
            break;
          }
        }
        // A peer alone with its own frames coalesces its replies as before; a backlog of others' does not delay them.
        if (served > 0 && active.some((peer) => peer.isInboundActive && peer.arrivedSlice !== slice)) flushWaiting();
      }
      while (!isSliceOver && active.length > 0 && !isClosed) {
        if (nextActive >= active.length) {
          nextActive = 0;
          if (active.some((peer) => !peer.isInboundActive)) active = active.filter((peer) => peer.isInboundActive);
          if (active.length === 0) break;
        }
        const peer = active[nextActive++]!;
        if (peer.isInboundActive) deliverOne(peer);
        if (performance.now() >= deadline) break;
      }
    } finally {
      isDeliveryScheduled = false;
      if (active.some((peer) => peer.isInboundActive) && !isClosed) {
        isDeliveryScheduled = true;
        setImmediate(deliverInbound);
      } else {
        active = [];
        nextActive = 0;
        arrived.clear();
      }
    }
  }

  function deliverOne(peer: Peer): void {
    const frame = peer.inbound[peer.inboundHead]!;
    peer.inbound[peer.inboundHead] = undefined as unknown as Uint8Array;
    peer.inboundHead++;
    peer.inboundBytes -= frame.length;
    totalBytes -= frame.length;
    if (peer.inboundHead === peer.inbound.length) {
      peer.inbound = [];
      peer.inboundHead = 0;
      peer.isInboundActive = false;
    } else if (peer.inboundHead > 1024 && peer.inboundHead * 2 > peer.inbound.length) {
      peer.inbound = peer.inbound.slice(peer.inboundHead);
      peer.inboundHead = 0;
    }
    if (peer.isReadPaused && peer.inboundBytes <= settings.inboundBytesMax / 2 && inboundFrames(peer) <= settings.inboundFramesMax / 2) {
      peer.isReadPaused = false;
      updateReading(peer);
    }
    try {
      frameHandler(peer.id, frame);
    } catch (error) {
      // As when a driver's handler threw before: the peer's channels end, the node lives on.
      drop(peer.id, undefined, frame.length, 'frame/handler-error', String((error as Error)?.message ?? error));
      for (const channel of [...peer.channels]) channel.destroy();
    }
  }

  /**
   * The node's queues hold more than nodeBufferedBytesMax: the peer holding the most (outbound and
   * inbound) is disconnected and its queued frames dropped, until the total is within the cap.
   */
  function shed(): void {
    while (totalBytes > settings.nodeBufferedBytesMax) {
      let largest: Peer | undefined;
      const holding = (peer: Peer): number => peer.queueBytes + peer.inboundBytes + peer.unackedBytes;
      for (const peer of peers.values()) if (largest === undefined || holding(peer) > holding(largest)) largest = peer;
      if (largest === undefined || holding(largest) === 0) return;
      const held = holding(largest);
      const frames = queued(largest) + inboundFrames(largest) + largest.unacked.size;
      drop(largest.id, undefined, held, 'node-buffer-full', `the node's queues held ${totalBytes} bytes (max ${settings.nodeBufferedBytesMax}): the peer holding the most (${held} bytes, ${frames} frames) is disconnected and its queued frames dropped`);
      cutOff(largest, 'node-buffer-full');
    }
  }

  /** Drops a peer's queued frames (both ways) and closes its channels. */
  function cutOff(peer: Peer, reason: string): void {
    totalBytes -= peer.queueBytes + peer.inboundBytes;
    peer.queue = [];
    peer.queueHead = 0;
    peer.queueBytes = 0;
    peer.inbound = [];
    peer.inboundHead = 0;
    peer.inboundBytes = 0;
    totalBytes -= peer.unackedBytes;
    if (peer.unacked.size > 0) peer.givenUpTo = Math.max(peer.givenUpTo, peer.nextSeq - 1);
    peer.unacked.clear();
    peer.unackedBytes = 0;
    peer.resend = [];
    peer.resendHead = 0;
    peer.isInboundActive = false;
    peer.isReadPaused = false;
    if (peer.slowTimer !== undefined) clock.cancel(peer.slowTimer);
    peer.slowTimer = undefined;
    peer.isNotRead = false; // its channels are gone; a new one is read
    peer.isPermanent = false; // not redialled at once: it comes back when it is needed again
    const hadChannels = peer.channels.length > 0;
    for (const channel of [...peer.channels.splice(0), ...peer.retiring.splice(0)]) channel.destroy();
    if (hadChannels) emitEvent({ kind: 'disconnected', node: peer.id, reason });
  }

  /** Simultaneous dials: the dialler of the non-canonical channel closes it once both are up. */
  function dedupe(peer: Peer): void {
    const iAmLower = options.self < peer.id;
    const canonical = peer.channels.find((channel) => channel.isDialer === iAmLower);
    if (canonical === undefined || iAmLower) return;
    for (const channel of peer.channels.filter((other) => other !== canonical && other.isDialer)) retire(peer, channel, false);
  }

  function retire(peer: Peer, channel: Channel, isForced: boolean): void {
    peer.channels.splice(peer.channels.indexOf(channel), 1);
    if (isForced) {
      requeue(peer, channel); // now, before the newer channel's first flush: they go out first on it
      channel.destroy();
    }
    else {
      peer.retiring.push(channel); // still read (and paused with the peer's other channels) until it closes
      channel.end(); // flushes what was written on it, then closes
    }
  }

  const queued = (peer: Peer): number => peer.queue.length - peer.queueHead;

  function send(to: Id, frame: Uint8Array, meta: FrameMeta): void {
    if (isClosed) return;
    const verdict = options.filter?.outbound(to, frame.length) ?? PASS;
    if (verdict.kind === 'drop') return drop(to, meta.msg, frame.length, verdict.reason);
    if (verdict.kind === 'delay' && verdict.delayMs > 0) {
      clock.schedule(clock.now() + verdict.delayMs, () => enqueue(to, frame, meta));
      return;
    }
    enqueue(to, frame, meta);
  }

  function enqueue(to: Id, frame: Uint8Array, meta: FrameMeta): void {
    if (isClosed) return;
    const nowMs = clock.now();
    if (frame.length + FRAME_HEADER_BYTES > settings.frameSizeMaxBytes) return drop(to, meta.msg, frame.length, 'too-large');
    if (meta.expiryMs !== undefined && nowMs > meta.expiryMs) return drop(to, meta.msg, frame.length, 'expired');
    const peer = peerOf(to);
    if (peer.queueBytes + frame.length > settings.queueBytesMax || queued(peer) >= settings.queueFramesMax) {
      return drop(to, meta.msg, frame.length, 'queue-full', `${peer.queueBytes} bytes / ${queued(peer)} frames queued`);
    }
    peer.queue.push({ frame, msg: meta.msg, expiresAtMs: meta.expiryMs ?? nowMs + settings.queuedMsMax });
    peer.queueBytes += frame.length;
    totalBytes += frame.length;
    if (totalBytes > settings.nodeBufferedBytesMax) {
      shed();
      if (peer.queueBytes === 0) return; // this peer was the largest: its frames are gone with its channels
    }
    if (peer.channels.length > 0) scheduleFlush(peer);
    else if (peer.retryTimer === undefined) void dial(peer);
  }

  function scheduleFlush(peer: Peer): void {
    if (peer.isFlushScheduled || (pending(peer) === 0 && !peer.isAckDue && peer.givenUpTo === 0)) return;
    peer.isFlushScheduled = true;
    flushes.add(peer);
    const run = (): void => {
      peer.isFlushScheduled = false;
      flushes.delete(peer);
      flush(peer);
    };
    if (settings.corkMs > 0) setTimeout(run, settings.corkMs);
    else setImmediate(run);
  }

  /**
   * Writes now what waits for this turn's flush (not with corkMs, which asks to wait). The scheduled
   * flush still runs, for what is queued after this.
   */
  function flushWaiting(): void {
    if (settings.corkMs > 0) return;
    for (const peer of flushes) flush(peer);
  }

  function flush(peer: Peer): void {
    if (isClosed) return;
    // An acknowledgement goes on any channel of the peer (the lower id's own dial may be under way).
    const channel = sendChannel(peer) ?? (peer.isAckDue ? peer.channels[peer.channels.length - 1] : undefined);
    if (channel === undefined) return;
    const canSend = channel === sendChannel(peer);
    const state = numbersOf(channel);
    const nowMs = clock.now();
    while ((peer.isAckDue || (canSend && (pending(peer) > 0 || peer.givenUpTo > 0))) && channel.bufferedBytes() < settings.channelBufferBytesMax) {
      const batch: Uint8Array[] = [];
      let batchBytes = 0;
      if (peer.isAckDue) {
        peer.isAckDue = false;
        if (peer.ackTimer !== undefined) clearTimeout(peer.ackTimer);
        peer.ackTimer = undefined;
        batch.push(encodeAck(peer.recvSession, peer.recvUpTo));
        batchBytes += ACK_CONTROL_BYTES + FRAME_HEADER_BYTES;
      }
      if (canSend && peer.givenUpTo > 0 && lowestUnacked(peer) > peer.givenUpTo && state.outNext !== undefined) {
        // Frames given up: the peer may count every seq below the lowest still held as received.
        batch.push(encodeSeq(linkSession, state.outNext, lowestUnacked(peer)));
        batchBytes += SEQ_CONTROL_BYTES + FRAME_HEADER_BYTES;
        peer.givenUpTo = 0;
      }
      while (canSend && batchBytes < settings.flushBytesMax) {
        let entry = nextResend(peer);
        if (entry === undefined) {
          if (queued(peer) === 0) break;
          const next = take(peer);
          if (nowMs > next.expiresAtMs) {
            drop(peer.id, next.msg, next.frame.length, 'expired');
            continue;
          }
          entry = { ...next, seq: peer.nextSeq++, channel: undefined };
          peer.unacked.set(entry.seq, entry);
          peer.unackedBytes += entry.frame.length;
          totalBytes += entry.frame.length;
          if (!peer.isLinkControlled) forgetOldest(peer);
        } else if (nowMs > entry.expiresAtMs) {
          drop(peer.id, entry.msg, entry.frame.length, 'expired', 'its channel closed before the peer acknowledged it, and it expired before another channel took it');
          giveUp(peer, entry);
          continue;
        }
        if (state.outNext !== entry.seq) {
          batch.push(encodeSeq(linkSession, entry.seq, lowestUnacked(peer)));
          batchBytes += SEQ_CONTROL_BYTES + FRAME_HEADER_BYTES;
          if (peer.givenUpTo > 0 && lowestUnacked(peer) > peer.givenUpTo) peer.givenUpTo = 0;
        }
        state.outNext = entry.seq + 1;
        entry.channel = channel;
        batch.push(entry.frame);
        batchBytes += entry.frame.length + FRAME_HEADER_BYTES;
      }
      if (batch.length === 0) break;
      channel.write(encodeFrames(batch));
      peer.lastActivityMs = nowMs;
    }
    // Left over frames wait for the channel's drain event (backpressure).
  }

  function take(peer: Peer): QueuedFrame {
    const entry = peer.queue[peer.queueHead]!;
    peer.queue[peer.queueHead] = undefined as unknown as QueuedFrame;
    peer.queueHead++;
    peer.queueBytes -= entry.frame.length;
    totalBytes -= entry.frame.length;
    if (peer.queueHead > 1024 && peer.queueHead * 2 > peer.queue.length) {
      peer.queue = peer.queue.slice(peer.queueHead);
      peer.queueHead = 0;
    }
    return entry;
  }

  /** Drops queued frames past their expiry while a peer is unreachable (S18). */
  function sweep(): void {
    const nowMs = clock.now();
    for (const peer of peers.values()) {
      if (peer.channels.length > 0 && !peer.isPermanent && pending(peer) === 0 && (peer.unacked.size === 0 || !peer.isLinkControlled) && nowMs - peer.lastActivityMs > settings.idleMsMax) {
        // S21: an idle ephemeral connection is closed; the next frame for the peer dials again.
        for (const channel of peer.channels.splice(0)) channel.destroy();
        emitEvent({ kind: 'disconnected', node: peer.id, reason: 'idle' });
        continue;
      }
      if (pending(peer) === 0 || peer.channels.length > 0) continue;
      for (let entry = peer.resend[peer.resendHead]; entry !== undefined && nowMs > entry.expiresAtMs; entry = peer.resend[peer.resendHead]) {
        nextResend(peer);
        if (peer.unacked.get(entry.seq) !== entry) continue;
        drop(peer.id, entry.msg, entry.frame.length, 'expired', 'its channel closed before the peer acknowledged it; unreachable until expiry');
        giveUp(peer, entry);
      }
      const kept: QueuedFrame[] = [];
      for (let index = peer.queueHead; index < peer.queue.length; index++) {
        const entry = peer.queue[index]!;
        if (nowMs > entry.expiresAtMs) {
          peer.queueBytes -= entry.frame.length;
          totalBytes -= entry.frame.length;
          drop(peer.id, entry.msg, entry.frame.length, 'expired', 'unreachable until expiry');
        } else kept.push(entry);
      }
      peer.queue = kept;
      peer.queueHead = 0;
    }
  }

  function addressesOf(peer: Peer): ReturnType<typeof parseAddress>[] {
    const record = options.directory.node(peer.id);
    return (record?.addresses ?? []).map(parseAddress).filter((address) => address !== undefined && drivers.has(address.scheme));
  }

  async function dial(peer: Peer): Promise<void> {
    if (peer.isDialing || peer.channels.length > 0 || isClosed) return;
    if (isBanned(peer.id)) {
      if (peer.isPermanent || pending(peer) > 0) scheduleRetry(peer);
      return;
    }
    const addresses = addressesOf(peer);
    if (addresses.length === 0) {
      for (let entry = queued(peer) > 0 ? take(peer) : undefined; entry !== undefined; entry = queued(peer) > 0 ? take(peer) : undefined) {
        drop(peer.id, entry.msg, entry.frame.length, 'no-address'); // S17
      }
      for (let entry = nextResend(peer); entry !== undefined; entry = nextResend(peer)) {
        drop(peer.id, entry.msg, entry.frame.length, 'no-address', 'its channel closed before the peer acknowledged it');
        giveUp(peer, entry);
      }
      emitEvent({ kind: 'connect-failed', node: peer.id, address: '', reason: 'dial/no-address' });
      return;
    }
    peer.isDialing = true;
    for (const address of addresses) {
      if (isClosed || peer.channels.length > 0) break;
      try {
        await drivers.get(address!.scheme)!.dial(address!, peer.id, settings.dialTimeoutMs);
        break;
      } catch (error) {
        const code = error instanceof DialError ? error.code : 'dial/error';
        if (code.startsWith('binding/')) {
          trace.emit({ t: clock.now(), kind: 'verify-fail', node: options.nodeName, peer: nameOf(peer.id), reason: code, text: (error as Error).message });
        }
        // The message says why (the address included): `dial/unreachable` alone does not tell a timeout from a refusal.
        emitEvent({ kind: 'connect-failed', node: peer.id, address: address!.text, reason: code, text: (error as Error)?.message || address!.text });
      }
    }
    peer.isDialing = false;
    if (peer.channels.length > 0) {
      applyReading(peer);
      scheduleFlush(peer); // frames held for our dial go on the peer's channel if ours failed
    }
    if (peer.channels.length === 0 && (peer.isPermanent || pending(peer) > 0)) scheduleRetry(peer);
  }

  function scheduleRetry(peer: Peer): void {
    if (isClosed || peer.retryTimer !== undefined || peer.isDialing) return;
    peer.backoffMs = Math.min(settings.backoffMsMax, peer.backoffMs === 0 ? settings.backoffMsMin : peer.backoffMs * 2);
    const delayMs = peer.backoffMs * (0.75 + 0.5 * rng.next()); // jitter, so peers do not redial in lockstep
    peer.retryTimer = clock.schedule(clock.now() + delayMs, () => {
      peer.retryTimer = undefined;
      void dial(peer);
    });
  }

  return {
    isChannelAuthenticated: true,
    send,
    connect(node, connectOptions) {
      const peer = peerOf(node);
      if (connectOptions?.isPermanent !== undefined) peer.isPermanent = connectOptions.isPermanent;
      if (peer.retryTimer === undefined) void dial(peer);
    },
    disconnect(node) {
      const peer = peers.get(node);
      if (peer === undefined) return;
      peer.isPermanent = false;
      if (peer.retryTimer !== undefined) clock.cancel(peer.retryTimer);
      peer.retryTimer = undefined;
      const hadChannels = peer.channels.length > 0;
      if (isBanned(node)) {
        for (const channel of [...peer.channels.splice(0), ...peer.retiring.splice(0)]) channel.destroy();
      } else {
        // What was sent to it before still reaches it: queued frames are written, then its channels
        // are retired (each side reads the other's frames to the end), not destroyed with frames in flight.
        flush(peer);
        for (const channel of [...peer.channels]) retire(peer, channel, false);
      }
      if (hadChannels) emitEvent({ kind: 'disconnected', node, reason: 'requested' });
    },
    onFrame(handler) {
      frameHandler = handler;
    },
    onEvent(handler) {
      eventHandler = handler;
    },
    refusedFrom,
    async listen(listenHost, ports = {}) {
      const addresses: string[] = [];
      for (const driver of drivers.values()) addresses.push(await driver.listen(listenHost, ports[driver.scheme] ?? 0));
      return addresses;
    },
    connectedPeers: () => [...peers.values()].filter((peer) => peer.channels.length > 0).map((peer) => peer.id),
    queuedBytes: (peer) => peers.get(peer)?.queueBytes ?? 0,
    bufferedBytes: () => totalBytes,
    inbound(id) {
      const peer = peers.get(id);
      return peer === undefined
        ? { frames: 0, bytes: 0, isPaused: false, framesMax: 0, bytesMax: 0 }
        : { frames: inboundFrames(peer), bytes: peer.inboundBytes, isPaused: peer.isReadPaused, framesMax: peer.inboundFramesPeak, bytesMax: peer.inboundBytesPeak };
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      clearInterval(sweepTimer);
      for (const peer of peers.values()) {
        if (peer.retryTimer !== undefined) clock.cancel(peer.retryTimer);
        if (peer.slowTimer !== undefined) clock.cancel(peer.slowTimer);
        for (const channel of [...peer.channels.splice(0), ...peer.retiring.splice(0)]) channel.destroy();
      }
      await Promise.all([...drivers.values()].map((driver) => driver.close()));
    },
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
