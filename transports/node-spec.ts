// What one real node runs, as plain data: its key, listeners, peers (signed adverts), topics and
// domains (public ids, and the keys this node holds) and engines. `netmachine node` builds it from a
// config file (cli/node-config.ts resolves key and advert files); `deploy` hands it to each node
// process. Every secret in it belongs to this node: peers appear only through their public adverts.
import { z } from 'zod';
import type { PlanEvent } from '../core/index.js';
import { parseAddress, type Scheme } from './channel.js';

const Hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');
/** An identity written `kind:<hex>` (as keygen prints it) or as bare hex. */
export function idTextSchema(kind: 'node' | 'eng' | 'topic' | 'dom'): z.ZodString {
  return z.string().regex(new RegExp(`^(${kind}:)?[0-9a-f]{64}$`), `expected a ${kind} id: "${kind}:" and 64 lowercase hex digits`);
}
export const NameSchema = z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'expected a name of letters, digits, "_", ".", ":" or "-"');
const Port = z.number().int().min(0).max(65535);

export const PeerSpecSchema = z.strictObject({
  name: NameSchema,
  /** The peer's signed NodeAdvert (base64, as `netmachine keygen` writes it). */
  advert: z.string().min(1),
  /** Engine name → its signed EngineAdvert (base64) or its id (`eng:<hex>`), so `peer/engine` references resolve. */
  engines: z.record(NameSchema, z.string().min(1)).default({}),
});

/** A topic or domain: its public id, and its secret on the node that holds it (publisher, owner). */
export const KeyedIdentitySchema = z
  .strictObject({ id: z.string().min(1).optional(), secret: Hex32.optional() })
  .refine((entry) => entry.id !== undefined || entry.secret !== undefined, 'expected its id, or its secret on the node that holds the key');

export const EngineSpecSchema = z.strictObject({
  name: NameSchema,
  kind: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  /** The engine's secret seed; absent = derived from the node secret and the engine name. */
  secret: Hex32.optional(),
  /** A TypeScript/JavaScript module exporting a factory named `kind` (absolute, or relative to the config). */
  module: z.string().min(1).optional(),
});

const AtMs = z.number().nonnegative();
const NodeOrAll = z.union([NameSchema, z.literal('*')]);
/** One direction of an emulated link (transports/emulation.ts), as a schedule carries it. */
const EmulatedDirectionSchema = z.strictObject({
  from: NameSchema,
  to: NameSchema,
  isUp: z.boolean().default(true),
  latencyMs: z.number().nonnegative(),
  lossProbability: z.number().min(0).max(1),
  frameSizeMaxBytes: z.number().int().positive(),
});
const LinkChangeSchema = z.strictObject({ latencyMs: z.number().nonnegative().optional(), lossProbability: z.number().min(0).max(1).optional(), frameSizeMaxBytes: z.number().int().positive().optional() });
/** A timed event of a node's schedule: the scenario events that concern this node or the whole network. */
const ScheduleEventSchema = z.union([
  z.strictObject({ atMs: AtMs, kind: z.enum(['crash', 'restart', 'pause', 'resume']), node: NodeOrAll }),
  z.strictObject({ atMs: AtMs, kind: z.literal('partition'), groups: z.array(z.array(NameSchema)), isOneWay: z.boolean().default(false) }),
  z.strictObject({ atMs: AtMs, kind: z.literal('heal') }),
  z.strictObject({ atMs: AtMs, kind: z.enum(['link-down', 'link-up']), a: NameSchema, b: NameSchema }),
  z.strictObject({ atMs: AtMs, kind: z.literal('set-link'), a: NameSchema, b: NameSchema, change: LinkChangeSchema }),
  z.strictObject({ atMs: AtMs, kind: z.literal('send'), from: z.string().min(1), to: z.string().min(1), sizeBytes: z.number().int().nonnegative() }),
  z.strictObject({ atMs: AtMs, kind: z.literal('publish'), from: z.string().min(1), topic: z.string().min(1), sizeBytes: z.number().int().nonnegative() }),
  z.strictObject({ atMs: AtMs, kind: z.enum(['subscribe', 'unsubscribe']), engine: z.string().min(1), topic: z.string().min(1) }),
  z.strictObject({ atMs: AtMs, kind: z.literal('clock-skew'), node: NameSchema, skewMs: z.number() }),
  z.strictObject({ atMs: AtMs, kind: z.literal('clock-drift'), node: NameSchema, rate: z.number().positive() }),
  z.strictObject({ atMs: AtMs, kind: z.literal('clock-strobe'), node: NameSchema, offsetMs: z.number() }),
]);

/**
 * A node's part of a scenario, run by `netmachine node` itself (cluster deployments): the emulated
 * links, the timed events (ms after `clockOrigin`, × `timeScale`) and when to stop.
 */
export const ScheduleSchema = z.strictObject({
  /** The node stops (and ends its trace) this long after the origin (scenario ms). */
  durationMs: z.number().positive(),
  /** The emulated link directions of the whole network; a pair with none is no route (as in the simulator). */
  links: z.array(EmulatedDirectionSchema).default([]),
  events: z.array(ScheduleEventSchema).default([]),
  /** Writes the network-wide records (partition, heal, link changes) into its trace: one node per deployment does. */
  isRecorder: z.boolean().default(false),
});

export const NodeSpecSchema = z.strictObject({
  name: NameSchema,
  /** The node's 32-byte secret seed (hex). */
  secret: Hex32,
  /** Boot number; must grow across restarts (default: seconds since the epoch). */
  session: z.number().int().positive().optional(),
  transport: z.enum(['quic', 'tls', 'both']).default('both'),
  listen: z.strictObject({ host: z.string().min(1).default('127.0.0.1'), quic: Port.default(0), tls: Port.default(0) }).default({ host: '127.0.0.1', quic: 0, tls: 0 }),
  /**
   * The addresses peers reach this node at, in preference order: its own signed advert (which its
   * engines hand out, `ctx.connections.selfAdvert()`) names them. Default: the listening addresses,
   * or none (no advert to hand out) when it listens on a wildcard host (0.0.0.0, ::).
   */
  advertise: z.array(z.string().refine((text) => parseAddress(text) !== undefined, 'expected an address scheme://host:port (scheme quic or tls, port 1–65535)')).min(1).max(16).optional(),
  /** Accept nodes that are not among the peers. */
  open: z.boolean().default(false),
  /** Seeds the node's random streams (loss emulation, engines' ctx.rng); never a key. */
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
  /** Wall-clock origin (Unix epoch ms) shared by a deployment; 0 = the epoch. */
  clockOrigin: z.number().nonnegative().default(0),
  /** Wall ms per clock ms (a deployment's --time-scale). */
  timeScale: z.number().positive().default(1),
  /** Which peers to keep permanent connections to (re-dialled on loss): `neighbors` (= true), `known` (every peer) or `none` (= false). */
  permanent: z.union([z.boolean(), z.enum(['neighbors', 'known', 'none'])]).default('neighbors'),
  peers: z.array(PeerSpecSchema).default([]),
  engines: z.array(EngineSpecSchema).default([]),
  /** Topic name → id (and secret on the publisher's node). */
  topics: z.record(z.string().min(1), KeyedIdentitySchema).default({}),
  /** Domain name → id (and secret on the owner's node). */
  domains: z.record(z.string().min(1), KeyedIdentitySchema).default({}),
  /** Names of the linked peers (the `neighbors` engines see); default: every peer. */
  neighbors: z.array(NameSchema).optional(),
  /** JSONL trace file written by `netmachine node`. */
  trace: z.string().optional(),
  /** Bounds against hostile peers (docs/security.md "Real networks: hostile peers"). */
  limits: z
    .strictObject({
      /** Refusal records (drop, verify-fail) traced per peer, reason and window; the rest are counted in one summary record (0: no limit). */
      dropRecordsPerWindow: z.number().int().min(0).optional(),
      dropRecordWindowMs: z.number().int().positive().optional(),
      /** Per peer: received frames not yet handled, above which the peer is not read (bytes, frames). */
      inboundBytes: z.number().int().positive().optional(),
      inboundFrames: z.number().int().positive().optional(),
      /** Per peer: frames queued for it (bytes, frames); above them new frames are dropped queue-full. */
      queueBytes: z.number().int().positive().optional(),
      queueFrames: z.number().int().positive().optional(),
      /** All peers' queues together (bytes): above it the peer holding the most is disconnected. */
      nodeBufferedBytes: z.number().int().positive().optional(),
      /** KeyObjects cached per kind (private, public), least recently used out. */
      keyObjects: z.number().int().positive().optional(),
    })
    .optional(),
  /** Run this node's part of a scenario (emitted by `netmachine deploy --emit`); absent = run until stopped. */
  schedule: ScheduleSchema.optional(),
  quic: z.strictObject({ udpPayloadBytes: z.number().int().min(1200).max(65527).optional(), maxIdleTimeoutMs: z.number().int().positive().optional(), worker: z.boolean().optional() }).optional(),
});

export type NodeSpec = z.output<typeof NodeSpecSchema>;
export type PeerSpec = z.output<typeof PeerSpecSchema>;
export type KeyedIdentitySpec = z.output<typeof KeyedIdentitySchema>;
export type NodeSchedule = z.output<typeof ScheduleSchema>;
export type ScheduleEvent = NodeSchedule['events'][number];

/** Schemes of a `transport` setting, in preference order. */
export function schemesOf(transport: 'quic' | 'tls' | 'both'): Scheme[] {
  return transport === 'both' ? ['quic', 'tls'] : [transport];
}

/** The plan events a node applies itself. */
export type NodePlanEvent = Extract<PlanEvent, { kind: 'send' | 'publish' | 'subscribe' | 'unsubscribe' | 'clock-skew' | 'clock-drift' | 'clock-strobe' | 'pause' | 'resume' }>;

/** The node a plan event concerns, or undefined for network-wide events. */
export function nodeOfPlanEvent(event: PlanEvent): string | undefined {
  switch (event.kind) {
    case 'send':
    case 'publish':
      return event.from.split('/')[0];
    case 'subscribe':
    case 'unsubscribe':
      return event.engine.split('/')[0];
    case 'clock-skew':
    case 'clock-drift':
    case 'clock-strobe':
    case 'pause':
    case 'resume':
    case 'crash':
    case 'restart':
      return event.node;
    default:
      return undefined;
  }
}
