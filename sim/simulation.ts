// Runs a NetworkPlan in virtual time: builds keys, nodes, engines and links from the seed, applies
// the timed events, and streams numbered trace events to a sink.
import {
  assertNever,
  createRng,
  nodeRng,
  createKeyedSimCrypto,
  createNode,
  DurableStore,
  createNodeCrypto,
  derivePlanIdentities,
  CONNECTION_DEFAULTS,
  TraceSummarizer,
  TRACE_FORMAT,
  TRACE_VERSION,
  withVerifyCache,
  type Crypto,
  type Engine,
  type EngineEnv,
  type Id,
  type NetworkPlan,
  type PlanIdentities,
  type Node,
  type PlanEvent,
  type PlanNode,
  type TraceEvent,
  type TraceHeader,
  type TraceRecord,
  type TraceSink,
  type TraceSummary,
  type IdentityStore,
  type KeyPair,
  type NodeAdvert,
  type NodeOptions,
  type KeySource,
} from '../core/index.js';
import { VirtualNetwork } from './network.js';
import { FrameSchedule, type FrameChooser } from './frame-schedule.js';
import { SimConnections } from './connections.js';
import { Knowledge } from './knowledge.js';
import { SimEngineEnv, type SimEnvContext } from './engine-env.js';
import { nodeView, type NodeView } from './view.js';

import { Scheduler, type RunEnd } from './scheduler.js';

export interface SimulationOptions {
  /** Overrides the plan's seed. */
  readonly seed?: number;
  /** Overrides the plan's duration (ms). */
  readonly durationMs?: number;
  /** Receives every numbered event as it happens (e.g. a JSONL file writer). */
  readonly onEvent?: (event: TraceEvent) => void;
  /** Called with the trace header before the first event. */
  readonly onStart?: (header: TraceHeader) => void;
  /** Keeps every event in memory in `result.events` (default true). */
  readonly isRecording?: boolean;
  /** Called every `progressEvery` scheduler events with virtual time. */
  readonly onProgress?: (nowMs: number, executed: number) => void;
  readonly progressEvery?: number;
  /** Chooses every frame's timing live (exhaustive exploration); overrides the plan's `schedule`. */
  readonly frames?: { readonly delaysMs: ReadonlyArray<number>; readonly restartAfterMs?: number; readonly choose: FrameChooser };
  /** Wraps the run's Crypto (benchmarks use it to time signing and verification). */
  readonly wrapCrypto?: (crypto: Crypto) => Crypto;
}

export interface SimulationResult {
  readonly header: TraceHeader;
  readonly events: ReadonlyArray<TraceEvent>;
  readonly summary: TraceSummary;
  readonly end: RunEnd;
  readonly executed: number;
  /** The run length used (ms). */
  readonly durationMs: number;
  /** The network, for reading resolved link parameters after the run. */
  readonly network: VirtualNetwork;
  /** Node `name`'s own view at the end of the run (its identity store and connections). */
  nodeView(name: string): NodeView;
}

/** Derived key ids and names of a plan for a seed (what the run summary prints). */
export type Identities = PlanIdentities;

/** Derives every key of the plan from the seed with the plan's crypto scheme (wrapped, for benchmarks). */
export function deriveIdentities(plan: NetworkPlan, seed: number, wrapCrypto: (crypto: Crypto) => Crypto = (crypto) => crypto): Identities {
  return derivePlanIdentities(plan, seed, wrapCrypto(plan.crypto === 'sim-keyed' ? createKeyedSimCrypto() : withVerifyCache(createNodeCrypto())));
}

/** Runs `plan` to its duration (or until nothing is left to do). */
export function simulate(plan: NetworkPlan, options: SimulationOptions = {}): SimulationResult {
  const seed = options.seed ?? plan.seed;
  const durationMs = options.durationMs ?? plan.durationMs;
  const isRecording = options.isRecording ?? true;
  const identities = deriveIdentities(plan, seed, options.wrapCrypto);
  const scheduler = new Scheduler();
  const rootRng = createRng(seed);
  const events: TraceEvent[] = [];
  let seq = 0;
  const summarizer = new TraceSummarizer();
  const emit = (record: TraceRecord): void => {
    // The sink owns the record (ports.ts): it is numbered in place rather than copied. Times are kept
    // exact in the scheduler; the trace rounds them to nanoseconds for readability.
    const event = record as { -readonly [K in keyof TraceEvent]: TraceEvent[K] };
    event.t = Math.round(record.t * 1e6) / 1e6;
    event.seq = seq++;
    summarizer.add(event);
    if (isRecording) events.push(event);
    options.onEvent?.(event);
  };
  const network = new VirtualNetwork(scheduler, rootRng.fork('network'), emit, plan.regions);
  plan.nodes.forEach((node, index) => network.addNode(node.name, identities.nodeKeyAt(index).id, node));
  for (const router of plan.routers ?? []) network.addRouter(router);
  for (const link of plan.links) network.addLink(link);
  const nameOf = (id: Id): string | undefined => identities.nameOf(id);
  const settings = plan.connections ?? CONNECTION_DEFAULTS;
  const connections = new SimConnections(scheduler, network, settings, emit, (id) => nameOf(id) ?? id.slice(0, 12));
  const planNodeOf = (name: string): PlanNode | undefined => plan.nodes[identities.nodeIndex(name)];
  const knowledge = new Knowledge(identities.crypto, identities, plan.nodes, (name) => network.neighbors(name), plan.knowsTable);
  const shared = new SimNodeShared(nameOf, plan.buggifyProbability, knowledge, identities);
  const nodeNames = plan.nodes.map((node) => node.name);
  const envContext: SimEnvContext = { nodeNames, identities, knowledge, neighbors: (name) => network.neighbors(name) };

  // Made when asked for (every id of the plan in two objects: ≈ 150 bytes per node that a run
  // without a listener never reads).
  let madeHeader: TraceHeader | undefined;
  const headerOf = (): TraceHeader => (madeHeader ??= {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    backend: 'sim',
    seed,
    scenario: plan.source,
    ...(plan.sourceFile !== undefined && { scenarioFile: plan.sourceFile }),
    durationMs,
    started: 0,
    crypto: identities.crypto.scheme,
    nodes: Object.fromEntries(identities.nodeIds()),
    engines: Object.fromEntries(identities.engineIds()),
    links: plan.links.map((link) => [link.a, link.b] as const),
  });

  // With no listener and no recording, only the summary reads the events: the nodes then tally the
  // hot ones instead of building a record each (numbered all the same, so `seq` stays the count).
  const trace: TraceSink =
    isRecording || options.onEvent !== undefined
      ? { emit }
      : {
          emit,
          tally: (kind, t, source, id, dst, rttMs) => {
            seq++;
            summarizer.tally(kind, Math.round(t * 1e6) / 1e6, source, id, dst, rttMs);
          },
        };
  /** The running incarnation of each node, by plan index. */
  const runningAt: Array<Node | undefined> = [];
  const running = { get: (name: string): Node | undefined => runningAt[identities.nodeIndex(name)] };
  const sessions = new Map<string, number>();
  const persistent = new Map<string, Engine>();
  const skews = new Map<string, number>();
  const rates = new Map<string, number>();
  /** Engines' durable stores (`ctx.disk`), by `node/engine`: they outlive crashes. */
  const disks = new Map<string, DurableStore>();
  const diskOf = (reference: string): DurableStore => disks.get(reference) ?? (disks.set(reference, new DurableStore()), disks.get(reference)!);
  /** Every node's disk opener (one function: a closure per node cost ≈ 100 bytes). */
  const disksOfNodes = (engine: string, nodeName: string): DurableStore => diskOf(`${nodeName}/${engine}`);

  /** Boots a node from its configuration: its own identity store, transport and engines. */
  function boot(planNode: PlanNode): void {
    // Only restarted nodes have an entry (the first boot is session 1): one map entry per node cost ≈ 46 B.
    const session = sessions.get(planNode.name) ?? 1;
    const index = identities.nodeIndex(planNode.name);
    const key = identities.nodeKeyAt(index);
    const directory = knowledge.storeFor(planNode.name);
    const rng = nodeRng(seed, planNode.name, session);
    const transport = connections.attach(planNode.name, key.id, directory, rng);
    const node = createNode({ clock: scheduler, rng, transport, trace, crypto: identities.crypto, disks: disksOfNodes }, new SimNodeOptions(planNode.name, key, directory, session, shared));
    const env = new SimEngineEnv(index, envContext);
    const engines = planNode.engines;
    for (let k = 0; k < engines.length; k++) {
      const engine = engines[k]!;
      // A persistent engine keeps its instance (and so its state) across restarts.
      const reference = engine.isPersistent === true ? `${planNode.name}/${engine.name}` : undefined;
      const instance = (reference !== undefined ? persistent.get(reference) : undefined) ?? engine.factory(engine.params, env);
      if (reference !== undefined) persistent.set(reference, instance);
      // By index: the key is derived when the engine first signs or is addressed.
      node.addEngine(engine.name, identities.engineEntity(index, k), instance);
    }
    // Before any timer is armed, so a node whose clock was never skewed keeps an exact clock (no offsets).
    const skew = skews.get(planNode.name);
    if (skew !== undefined) node.setClockSkew(skew);
    if (rates.has(planNode.name)) node.setClockRate(rates.get(planNode.name)!);
    runningAt[index] = node;
    node.start();
    // Configured permanent connections, dialled at boot and kept (as `netmachine node` does).
    for (const peer of permanentPeers(planNode.name)) transport.connect(identities.nodeKey(peer)!.id, { isPermanent: true });
  }

  function permanentPeers(name: string): ReadonlyArray<string> {
    switch (settings.permanent) {
      case 'none':
        return [];
      case 'known':
        return knowledge.known(name);
      case 'neighbors': {
        const known = knowledge.known(name);
        return network.neighbors(name).filter((peer) => known.includes(peer));
      }
    }
  }

  function engineEnv(nodeName: string): EngineEnv {
    return new SimEngineEnv(identities.nodeIndex(nodeName), envContext);
  }

  function apply(event: PlanEvent): void {
    const t = scheduler.now();
    switch (event.kind) {
      case 'crash': {
        if (!network.isUp(event.node)) return;
        running.get(event.node)?.stop();
        connections.crash(network.indexOf(event.node));
        network.crash(event.node);
        emit({ t, kind: 'crash', node: event.node });
        return;
      }
      case 'lose-writes':
      case 'corrupt-write': {
        const engines = event.engine !== undefined ? [event.engine] : (planNodeOf(event.node)?.engines ?? []).map((engine) => engine.name);
        for (const engine of engines) {
          const disk = diskOf(`${event.node}/${engine}`);
          if (event.kind === 'lose-writes') emit({ t, kind: 'log', node: event.node, engine, reason: 'storage-fault', text: `lost ${disk.loseLastWrites(event.count)} of the last ${event.count} writes` });
          else {
            const key = disk.corruptLastWrite();
            emit({ t, kind: 'log', node: event.node, engine, reason: 'storage-fault', text: key === undefined ? 'nothing to corrupt' : `corrupted key ${key}` });
          }
        }
        return;
      }
      case 'crash-where':
      case 'pause-where': {
        const chosen = nodeNames.filter((name) => network.isUp(name) && matches(running.get(name)?.inspect(event.engine), event.state));
        if (chosen.length === 0) emit({ t, kind: 'log', node: '*', reason: 'scenario-event-skipped', text: `${event.kind}: no node's ${event.engine} reports ${JSON.stringify(event.state)}` });
        for (const node of chosen) apply({ atMs: t, kind: event.kind === 'crash-where' ? 'crash' : 'pause', node });
        return;
      }
      case 'restart': {
        if (event.node === '*') return void nodeNames.filter((name) => !network.isUp(name)).forEach((node) => apply({ atMs: t, kind: 'restart', node }));
        if (network.isUp(event.node)) return;
        network.restart(event.node);
        emit({ t, kind: 'restart', node: event.node });
        const planNode = planNodeOf(event.node);
        if (planNode === undefined) return; // a router runs nothing
        sessions.set(event.node, (sessions.get(event.node) ?? 1) + 1);
        boot(planNode);
        return;
      }
      case 'pause':
      case 'resume': {
        if (event.node === '*') return void nodeNames.filter((name) => running.get(name)?.isPaused() === true).forEach((node) => apply({ atMs: t, kind: 'resume', node }));
        const node = running.get(event.node);
        if (node === undefined || !network.isUp(event.node)) return;
        emit({ t, kind: 'log', node: event.node, text: event.kind === 'pause' ? 'paused' : 'resumed' });
        if (event.kind === 'pause') node.pause();
        else node.resume();
        return;
      }
      case 'partition':
        network.partition(event.groups, event.isOneWay);
        emit({ t, kind: 'partition', node: '*', text: JSON.stringify(event.groups), ...(event.isOneWay && { reason: 'one-way' }) });
        return;
      case 'heal':
        network.heal();
        emit({ t, kind: 'heal', node: '*' });
        return;
      case 'link-down':
      case 'link-up':
        network.setLinkUp(event.a, event.b, event.kind === 'link-up');
        emit({ t, kind: 'link', node: event.a, peer: event.b, text: event.kind === 'link-up' ? 'up' : 'down' });
        return;
      case 'set-link':
        network.setLink(event.a, event.b, event.change);
        emit({ t, kind: 'link', node: event.a, peer: event.b, text: JSON.stringify(event.change) });
        return;
      case 'send':
      case 'publish': {
        const [nodeName, engineName] = splitReference(event.from);
        const size = event.sizeBytes;
        const isDone = running.get(nodeName)?.perform(engineName, (ctx) => {
          if (event.kind === 'publish') ctx.publish(identities.topic(event.topic), new Uint8Array(size));
          else {
            const target = engineEnv(nodeName).resolve(event.to);
            if (target.ok) ctx.send({ kind: 'engine', engine: target.value.engine, node: target.value.node }, new Uint8Array(size));
          }
        });
        if (isDone !== true) emit({ t, kind: 'log', node: nodeName, engine: engineName, reason: 'scenario-event-skipped', text: `${event.kind}: node is down` });
        return;
      }
      case 'subscribe':
      case 'unsubscribe': {
        const [nodeName, engineName] = splitReference(event.engine);
        const topic = identities.topic(event.topic);
        running.get(nodeName)?.perform(engineName, (ctx) => (event.kind === 'subscribe' ? ctx.subscribe(topic) : ctx.unsubscribe(topic)));
        return;
      }
      case 'clock-skew':
        running.get(event.node)?.setClockSkew(event.skewMs);
        skews.set(event.node, event.skewMs);
        emit({ t, kind: 'log', node: event.node, text: `clock skew ${event.skewMs}ms` });
        return;
      case 'clock-drift':
        running.get(event.node)?.setClockRate(event.rate);
        rates.set(event.node, event.rate);
        emit({ t, kind: 'log', node: event.node, text: `clock drift rate ${event.rate}` });
        return;
      case 'clock-strobe':
        // A strobe is volatile: a restarted node's clock is back in place.
        running.get(event.node)?.setClockStrobe(event.offsetMs);
        emit({ t, kind: 'log', node: event.node, text: `clock strobe ${event.offsetMs}ms` });
        return;
      default:
        assertNever(event, 'plan event');
    }
  }

  if (options.onStart !== undefined) options.onStart(headerOf());
  for (const planNode of plan.nodes) scheduler.schedule(0, () => boot(planNode));
  for (const event of plan.events) scheduler.schedule(event.atMs, () => apply(event));
  const frames = options.frames ?? plan.schedule;
  if (frames !== undefined) {
    const crash = (node: string): void => {
      apply({ atMs: scheduler.now(), kind: 'crash', node });
      if (frames.restartAfterMs !== undefined) scheduler.schedule(scheduler.now() + frames.restartAfterMs, () => apply({ atMs: scheduler.now(), kind: 'restart', node }));
    };
    network.setFrameSchedule(new FrameSchedule({ delaysMs: frames.delaysMs, choices: 'choices' in frames ? frames.choices : [], ...(frames.restartAfterMs !== undefined && { restartAfterMs: frames.restartAfterMs }) }, 'choose' in frames ? frames.choose : undefined), crash);
  }
  const end = scheduler.run(durationMs, options.onProgress, options.progressEvery);
  const displayName = (id: Id): string => nameOf(id) ?? id.slice(0, 12);
  return {
    get header() {
      return headerOf();
    },
    events,
    summary: summarizer.result(), end, executed: scheduler.executed, durationMs, network, nodeView: (name) => nodeView(connections, network.indexOf(name), name, displayName) };
}

/**
 * A simulated node's options: a class, so that the advert getter lives on the prototype (an object
 * literal with a getter and a spread was a dictionary-mode object of ≈ 0.7 KB per node).
 */
class SimNodeOptions implements NodeOptions {
  constructor(
    readonly name: string,
    readonly key: KeyPair,
    readonly directory: IdentityStore,
    readonly session: number,
    private readonly shared: SimNodeShared,
  ) {}

  get nameOf(): (id: Id) => string | undefined {
    return this.shared.nameOf;
  }
  get buggifyProbability(): number | undefined {
    return this.shared.buggifyProbability;
  }
  get keys(): KeySource {
    return this.shared.keys;
  }
  /** Signed on first use (ctx.connections.selfAdvert()), so nodes whose engines never hand it out cost nothing. */
  get advert(): NodeAdvert {
    return this.shared.knowledge.advertOf(this.name);
  }
}

/** What every simulated node's options share (one object per simulation, not four fields per node). */
class SimNodeShared {
  constructor(
    readonly nameOf: (id: Id) => string | undefined,
    readonly buggifyProbability: number | undefined,
    readonly knowledge: Knowledge,
    readonly keys: KeySource,
  ) {}
}

/** Whether an engine's reported state has every value of `wanted`. */
function matches(state: Readonly<Record<string, string | number | boolean>> | undefined, wanted: Readonly<Record<string, string | number | boolean>>): boolean {
  return state !== undefined && Object.entries(wanted).every(([key, value]) => state[key] === value);
}

function splitReference(reference: string): [string, string] {
  const slash = reference.indexOf('/');
  return [reference.slice(0, slash), reference.slice(slash + 1)];
}
