// The trace format (JSONL): one header line, then one event per line. viz/ and replay depend on it;
// it is documented in README.md "Trace format". Bump TRACE_VERSION on any incompatible change.

export const TRACE_FORMAT = 'netmachine-trace';
export const TRACE_VERSION = 1;

/** Which backend produced a trace. */
export type TraceBackend = 'sim' | 'quic' | 'tls' | 'quic+tls';

/** The first line of every trace. */
export interface TraceHeader {
  readonly format: typeof TRACE_FORMAT;
  readonly version: number;
  readonly backend: TraceBackend;
  /** The seed the run used (sim: everything derives from it). */
  readonly seed: number;
  /** The scenario document, inline, so the trace alone can be replayed. */
  readonly scenario: unknown;
  /** Where the scenario was loaded from (user engine modules resolve against it on replay). */
  readonly scenarioFile?: string;
  /** The run length used (ms), after any `--until` override. */
  readonly durationMs?: number;
  /** Start time: 0 for virtual time, wall ms since the Unix epoch on real networks. */
  readonly started: number;
  /** Crypto scheme of the run (`ed25519`, `sim-keyed`). */
  readonly crypto: string;
  /** Node name → node id (hex). */
  readonly nodes: Readonly<Record<string, string>>;
  /** `node/engine` name → engine id (hex). */
  readonly engines: Readonly<Record<string, string>>;
  /** The links of the topology as node-name pairs (so idle links are drawn too). */
  readonly links?: ReadonlyArray<readonly [string, string]>;
  /** Faults that were emulated rather than real (real backends only). */
  readonly emulated?: ReadonlyArray<string>;
  /** The node that wrote this trace, on a per-node trace of a real network (`netmachine node --trace`). */
  readonly node?: string;
}

/** Every kind of trace event. */
export type TraceKind =
  | 'send' // an engine handed a message to its Router
  | 'transmit' // a frame left a node for a peer (node → peer)
  | 'receive' // a frame arrived at a node from a peer
  | 'deliver' // a message reached an engine
  | 'drop' // a message or frame was discarded; `reason` says why
  | 'verify-fail' // a signature or binding check failed; never delivered
  | 'timer' // an engine timer fired
  | 'subscribe'
  | 'unsubscribe'
  | 'crash'
  | 'restart'
  | 'partition'
  | 'heal'
  | 'link' // a link changed (up, down, parameters)
  | 'connect'
  | 'disconnect'
  | 'connect-failed'
  | 'log';

// A record typed by TraceKind, so the compiler keeps the list complete when a kind is added.
const KINDS: Record<TraceKind, true> = {
  send: true, transmit: true, receive: true, deliver: true, drop: true, 'verify-fail': true, timer: true, subscribe: true, unsubscribe: true,
  crash: true, restart: true, partition: true, heal: true, link: true, connect: true, disconnect: true, 'connect-failed': true, log: true,
};

/** Every trace kind, for readers that check names in untrusted input. */
export const TRACE_KINDS: ReadonlyArray<TraceKind> = Object.keys(KINDS) as TraceKind[];

/** A trace event before the sink numbers it. Absent fields are omitted from the JSON line. */
export interface TraceRecord {
  /** Time in ms (virtual, or wall since `started`). */
  readonly t: number;
  readonly kind: TraceKind;
  /** Name of the node where the event happened. */
  readonly node: string;
  /** Name of the engine concerned, on `node`. */
  readonly engine?: string;
  /** Message trace id: `<12 hex of source engine>:<message id>`. */
  readonly msg?: string;
  /** Trace id of the message whose handling caused this event (causality for the diagrams). */
  readonly cause?: string;
  /** Destination kind of the message: `engine`, `node`, `topic`. */
  readonly dst?: string;
  /** The destination, as a name when known, else short hex. */
  readonly to?: string;
  /** The other node of a transmit / receive / connect event, or a link's far end. */
  readonly peer?: string;
  /** Size in bytes (frame size for transmit/receive/drop, body size for send/deliver). */
  readonly bytes?: number;
  /** Underlay hops a received frame crossed, on the simulator, when more than one (absent: one, or unknown on real networks). */
  readonly hops?: number;
  /** Why a drop or verify-fail happened: a stable code such as `loss`, `no-route`, `codec/truncated`. */
  readonly reason?: string;
  /** Topic name or short id, for pub/sub events. */
  readonly topic?: string;
  /** Free text for logs and fault events. */
  readonly text?: string;
  /** Structured values (e.g. `{ rttMs: 12 }` from the ping engine). */
  readonly data?: Readonly<Record<string, number | string | boolean>>;
}

/** A numbered trace event, as written to the file. */
export interface TraceEvent extends TraceRecord {
  /** Global sequence: ties across nodes replay in one order. */
  readonly seq: number;
}

const FIELD_ORDER = ['t', 'seq', 'kind', 'node', 'engine', 'msg', 'cause', 'dst', 'to', 'peer', 'bytes', 'hops', 'reason', 'topic', 'text', 'data'] as const;

/** The canonical JSON line of an event: fixed key order, absent fields omitted. */
export function traceLine(event: TraceEvent): string {
  const ordered: Record<string, unknown> = {};
  for (const key of FIELD_ORDER) {
    const value = event[key];
    if (value !== undefined) ordered[key] = value;
  }
  return JSON.stringify(ordered);
}

/** The header line. */
export function traceHeaderLine(header: TraceHeader): string {
  return JSON.stringify(header);
}

/** Formats a message trace id from the source engine id (hex) and message id. */
export function messageTraceId(sourceEngine: string, id: number): string {
  return `${sourceEngine.slice(0, 12)}:${id}`;
}
