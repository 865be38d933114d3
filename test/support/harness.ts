// A two-node harness over a hand-driven Transport: tests inject raw frames and read the trace.
import {
  createNodeCrypto,
  createNode,
  deriveSecret,
  IdentityStore,
  createRng,
  type Engine,
  type EngineInput,
  type Id,
  type KeyPair,
  type Node,
  type TraceEvent,
  type Transport,
} from '../../core/index.js';
import { Scheduler } from '../../sim/index.js';

export interface Harness {
  readonly scheduler: Scheduler;
  readonly crypto: ReturnType<typeof createNodeCrypto>;
  readonly a: Node;
  readonly b: Node;
  readonly keys: { a: KeyPair; b: KeyPair; aEngine: KeyPair; bEngine: KeyPair; mallory: KeyPair };
  /** Frames A handed to its transport for B (in order). */
  readonly framesAtoB: Uint8Array[];
  readonly events: TraceEvent[];
  /** Messages B's engine received. */
  readonly received: EngineInput[];
  /** Peers B's Router asked its transport to disconnect (S4). */
  readonly disconnectsAtB: Id[];
  /** Hands `frame` to B as if it arrived from `from` (default A). */
  inject(frame: Uint8Array, from?: Id): void;
  /** Makes A's engine send `body` to B's engine. */
  sendAtoB(body: Uint8Array): void;
  run(): void;
}

export function createHarness(options: { isChannelAuthenticated?: boolean } = {}): Harness {
  const scheduler = new Scheduler();
  const crypto = createNodeCrypto();
  const key = (name: string, kind: 'node' | 'eng'): KeyPair => crypto.keyPair(deriveSecret('harness', kind, name));
  const keys = { a: key('a', 'node'), b: key('b', 'node'), aEngine: key('a/app', 'eng'), bEngine: key('b/app', 'eng'), mallory: key('mallory', 'node') };
  const events: TraceEvent[] = [];
  let seq = 0;
  const trace = { emit: (record: Omit<TraceEvent, 'seq'>) => events.push({ ...record, seq: seq++ }) };
  const framesAtoB: Uint8Array[] = [];
  let deliverToB: (from: Id, frame: Uint8Array) => void = () => {};
  const disconnectsAtB: Id[] = [];
  const transport = (onSend: (node: Id, frame: Uint8Array) => void, capture: (handler: (from: Id, frame: Uint8Array) => void) => void, onDisconnect: (node: Id) => void = () => {}): Transport => ({
    ...(options.isChannelAuthenticated === true && { isChannelAuthenticated: true }),
    send: onSend,
    connect: () => {},
    disconnect: onDisconnect,
    onFrame: capture,
    onEvent: () => {},
  });
  const directory = new IdentityStore();
  const received: EngineInput[] = [];
  let pending: Uint8Array | undefined;
  const a = createNode(
    { clock: scheduler, rng: createRng(1, 'a'), crypto, trace, transport: transport((_node, frame) => framesAtoB.push(frame), () => {}) },
    { name: 'a', key: keys.a, directory, session: 1 },
  );
  const b = createNode(
    { clock: scheduler, rng: createRng(1, 'b'), crypto, trace, transport: transport(() => {}, (handler) => (deliverToB = handler), (node) => disconnectsAtB.push(node)) },
    { name: 'b', key: keys.b, directory, session: 1 },
  );
  const sender: Engine = {
    handle(input, ctx) {
      if (input.kind === 'timer' && pending !== undefined) {
        ctx.send({ kind: 'engine', engine: keys.bEngine.id, node: keys.b.id }, pending);
        pending = undefined;
      }
    },
  };
  let senderCtxTimer: (() => void) | undefined;
  const senderWrapper: Engine = {
    handle(input, ctx) {
      if (input.kind === 'start') senderCtxTimer = () => ctx.setTimer(0, 'send');
      sender.handle(input, ctx);
    },
  };
  a.addEngine('app', keys.aEngine, senderWrapper);
  b.addEngine('app', keys.bEngine, { handle: (input) => void (input.kind === 'message' && received.push(input)) });
  a.start();
  b.start();
  return {
    scheduler,
    crypto,
    a,
    b,
    keys,
    framesAtoB,
    events,
    received,
    disconnectsAtB,
    inject: (frame, from = keys.a.id) => deliverToB(from, frame),
    sendAtoB(body) {
      pending = body;
      senderCtxTimer!();
      scheduler.run(Infinity);
    },
    run: () => void scheduler.run(Infinity),
  };
}
