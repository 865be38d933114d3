// The Engine API: synchronous handlers that ask for effects through `ctx` (DESIGN.md "The ports").
import type { Result } from './assert.js';
import type { Id } from './ids.js';
import type { Destination, EngineMessage, RoutingScope, TransportPrefs } from './message.js';
import type { Rng, TimerId } from './ports.js';

/** What an engine is asked to handle. */
export type EngineInput =
  | { readonly kind: 'start' }
  | {
      readonly kind: 'message';
      readonly message: EngineMessage;
      /** The node the message came from (this node for local messages). */
      readonly sourceNode: Id;
      /** The message's trace id, for logs. */
      readonly traceId: string;
    }
  | { readonly kind: 'timer'; readonly timer: TimerId; readonly tag: string }
  | { readonly kind: 'notice'; readonly notice: Notice };

/** Local notifications (SPEC §4.2–§4.4) delivered to engines that asked for them. */
export type Notice =
  | { readonly kind: 'node-connected'; readonly node: Id }
  | { readonly kind: 'node-disconnected'; readonly node: Id }
  | { readonly kind: 'node-connect-failed'; readonly node: Id };

/** Options of one outgoing message. */
export interface SendOptions {
  readonly replyTo?: number;
  /** Relative expiry in ms from now (converted to an absolute deadline at send time, Q5). */
  readonly expiryMs?: number;
  readonly scope?: RoutingScope;
  readonly tprefs?: TransportPrefs;
  /** Defaults to `netmachine.raw/1.0`. */
  readonly protocol?: string;
}

/** Structured values for `log`. */
export type LogData = Readonly<Record<string, number | string | boolean>>;

/** What a handler may do; every effect is applied by the Node runtime after the handler returns. */
export interface EngineContext {
  /** This engine's identity. */
  readonly self: Id;
  /** The identity of the node hosting this engine. */
  readonly node: Id;
  /** This engine's name on its node. */
  readonly name: string;
  /** Current time in ms (virtual in the simulator). */
  now(): number;
  /** This engine's own seeded random stream. */
  readonly rng: Rng;
  /** Sends `body` to `destination`; returns the message id. */
  send(destination: Destination, body: Uint8Array, options?: SendOptions): number;
  /** Answers `message` (from `sourceNode`) with `replyTo` set; returns the message id. */
  reply(input: Extract<EngineInput, { kind: 'message' }>, body: Uint8Array, options?: SendOptions): number;
  /** Publishes `body` to `topic`; returns the message id. */
  publish(topic: Id, body: Uint8Array, options?: SendOptions): number;
  subscribe(topic: Id): void;
  unsubscribe(topic: Id): void;
  /** Schedules a `timer` input after `delayMs`. */
  setTimer(delayMs: number, tag?: string): TimerId;
  cancelTimer(timer: TimerId): void;
  /** Writes a `log` trace event. */
  log(text: string, data?: LogData): void;
}

/** An engine instance: one synchronous handler. */
export interface Engine {
  handle(input: EngineInput, ctx: EngineContext): void;
}

/** An engine's address as a scenario names it (`node/engine`). */
export interface EngineAddress {
  readonly engine: Id;
  readonly node: Id;
}

/** What a factory may ask about the network it is placed in (names resolve to ids). */
export interface EngineEnv {
  /** The node this engine runs on. */
  readonly nodeName: string;
  /** Names of the nodes directly linked to this one, in a stable order. */
  readonly neighbors: ReadonlyArray<string>;
  /** Resolves `node/engine` to an address. */
  resolve(reference: string): Result<EngineAddress, string>;
  /** The identity of the topic called `name`. */
  topic(name: string): Id;
}

/** Builds an engine from its parameters; throws an EngineConfigError for bad parameters. */
export type EngineFactory = (params: Readonly<Record<string, unknown>>, env: EngineEnv) => Engine;
