// Runs one node's part of a scenario by itself (NodeSpec.schedule), as the pods and containers of
// `netmachine deploy --emit k8s|compose` do: listen at boot, wait for the deployment's shared origin
// (`clockOrigin`, Unix ms), start, apply the timed events at origin + atMs × timeScale, stop at the
// schedule's end. Links are emulated by the transport filter as in `deploy`. Crash and restart happen
// inside the process: a crash closes every socket without a goodbye and loses the engines' state; a
// restart builds the node anew, on the same ports, with a higher session (as `deploy --in-process`).
// A node that boots after the origin (late, or restarted by its orchestrator) catches up: the
// emulated network and its own up/down state as of now, the earlier workload skipped and traced.
import { NetmachineError, TRACE_FORMAT, TRACE_VERSION, type EngineFactory, type PlanEvent, type TraceRecord, type TraceSink } from '../core/index.js';
import { createConfiguredNode, type ConfiguredNode } from './configured-node.js';
import { applyEmulationEvent, EMULATED_FAULTS, type EmulationState } from './emulation.js';
import type { NodePlanEvent, NodeSpec, ScheduleEvent } from './node-spec.js';
import { createNodeTraceFile } from './trace-io.js';
import { createWallClock } from './wall-clock.js';

export interface ScheduledNodeOptions {
  /** Where the node's trace goes (default spec.trace, else none). */
  readonly tracePath?: string;
  /** Human-readable progress lines. */
  readonly log?: (line: string) => void;
  readonly engines?: ReadonlyMap<string, EngineFactory>;
  /** Maps the host of every dialled address (`netmachine node --resolve`). */
  readonly resolveHost?: (host: string) => string;
}

const NETWORK_KINDS = new Set(['partition', 'heal', 'link-down', 'link-up', 'set-link']);

/** The node a schedule event concerns (`*` = every node), or undefined for network-wide events. */
function targetOf(event: ScheduleEvent): string | undefined {
  if ('node' in event) return event.node;
  if (event.kind === 'send' || event.kind === 'publish') return event.from.split('/')[0];
  if (event.kind === 'subscribe' || event.kind === 'unsubscribe') return event.engine.split('/')[0];
  return undefined;
}

/** The trace record the deployer writes for a network-wide event (partition, heal, link change). */
function networkRecord(event: ScheduleEvent): Omit<TraceRecord, 't'> | undefined {
  switch (event.kind) {
    case 'partition':
      return { kind: 'partition', node: '*', text: JSON.stringify(event.groups), ...(event.isOneWay && { reason: 'one-way' }) };
    case 'heal':
      return { kind: 'heal', node: '*' };
    case 'link-down':
    case 'link-up':
      return { kind: 'link', node: event.a, peer: event.b, text: event.kind === 'link-up' ? 'up' : 'down' };
    case 'set-link':
      return { kind: 'link', node: event.a, peer: event.b, text: JSON.stringify(event.change) };
    default:
      return undefined;
  }
}

/** The log text the deployer writes when a node applies a clock or pause event. */
function appliedText(event: ScheduleEvent): string | undefined {
  switch (event.kind) {
    case 'clock-skew':
      return `clock skew ${event.skewMs}ms`;
    case 'clock-drift':
      return `clock drift rate ${event.rate}`;
    case 'clock-strobe':
      return `clock strobe ${event.offsetMs}ms`;
    case 'pause':
      return 'paused';
    case 'resume':
      return 'resumed';
    default:
      return undefined;
  }
}

/** Runs the node's schedule to its end (or until SIGINT/SIGTERM); resolves after its trace is written. */
export async function runScheduledNode(spec: NodeSpec, options: ScheduledNodeOptions = {}): Promise<void> {
  const schedule = spec.schedule;
  if (schedule === undefined) throw new NetmachineError('node/no-schedule', `node ${spec.name}: the config has no schedule`);
  const self = spec.name;
  const originMs = spec.clockOrigin > 0 ? spec.clockOrigin : Date.now();
  const clock = createWallClock(originMs, spec.timeScale);
  const tracePath = options.tracePath ?? spec.trace;
  const file = tracePath === undefined ? undefined : createNodeTraceFile(tracePath);
  const log = options.log ?? (() => {});
  const sink: TraceSink = {
    emit(record: TraceRecord) {
      file?.emit(record);
      if (record.kind === 'connect' || record.kind === 'disconnect' || record.kind === 'connect-failed' || record.kind === 'verify-fail') log(`${record.kind} ${record.peer ?? ''} ${record.text ?? ''} ${record.reason ?? ''}`.trimEnd());
    },
  };
  const record = (entry: Omit<TraceRecord, 't'>): void => sink.emit({ t: clock.now(), ...entry } as TraceRecord);
  let emulation: EmulationState = { directions: schedule.links, groups: [], isOneWay: false };
  let session = spec.session ?? Math.floor(Date.now() / 1000);
  const boot = (): Promise<ConfiguredNode> =>
    createConfiguredNode(
      { ...spec, session, clockOrigin: originMs },
      { trace: sink, emulation: () => emulation, ...(options.engines !== undefined && { engines: options.engines }), ...(options.resolveHost !== undefined && { resolveHost: options.resolveHost }) },
    ).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === undefined || !/^E[A-Z]+$/.test(code)) throw error;
      throw new NetmachineError('node/listen-failed', `node ${self}: cannot listen on ${spec.listen.host} (quic ${spec.listen.quic}, tls ${spec.listen.tls}): ${(error as Error).message}`);
    });
  let current: ConfiguredNode | undefined = await boot();
  let known = current.known();
  let hasHeader = false;
  const begin = (): void => {
    if (hasHeader) return;
    hasHeader = true;
    file?.begin({ format: TRACE_FORMAT, version: TRACE_VERSION, backend: spec.transport === 'both' ? 'quic+tls' : spec.transport, seed: spec.seed, scenario: null, started: originMs, crypto: 'ed25519', nodes: known.nodes, engines: known.engines, node: self, emulated: EMULATED_FAULTS });
  };
  const startCurrent = (): void => {
    current!.start(spec.peers, originMs);
    known = current!.known();
    begin();
  };
  log(`node ${self} ${current.real.id} listening on ${current.addresses.join(' ')}`);

  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let isStopping = false;
  const waits: NodeJS.Timeout[] = [];
  const stop = async (): Promise<void> => {
    if (isStopping) return;
    isStopping = true;
    waits.forEach(clearTimeout);
    clock.cancelAll();
    log(`node ${self} stopping`);
    await chain.catch(() => {});
    await current?.close();
    current = undefined;
    begin();
    file?.flush();
    finish();
  };
  const onSignal = (): void => void stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let chain: Promise<void> = Promise.resolve();

  async function apply(event: ScheduleEvent): Promise<void> {
    if (isStopping) return;
    if (NETWORK_KINDS.has(event.kind)) {
      emulation = applyEmulationEvent(emulation, event as PlanEvent);
      const entry = networkRecord(event);
      if (schedule!.isRecorder && entry !== undefined) record(entry);
      return;
    }
    const target = targetOf(event);
    if (target !== self && target !== '*') return; // another node's event
    if (event.kind === 'crash') {
      if (current === undefined) return;
      record({ kind: 'crash', node: self });
      log(`crash ${self}`);
      const crashed = current;
      current = undefined;
      await crashed.close();
      return;
    }
    if (event.kind === 'restart') {
      if (current !== undefined) return;
      session = Math.max(session + 1, Math.floor(Date.now() / 1000));
      record({ kind: 'restart', node: self });
      log(`restart ${self} (session ${session})`);
      current = await boot();
      if (isStopping) return void (await current.close());
      startCurrent();
      return;
    }
    if (current === undefined) return record({ kind: 'log', node: self, reason: 'scenario-event-skipped', text: `${event.kind}: node is down` });
    if (!current.perform(event as NodePlanEvent)) record({ kind: 'log', node: self, reason: 'scenario-event-skipped', text: `${event.kind}: no such engine` });
    const text = appliedText(event);
    if (text !== undefined) record({ kind: 'log', node: self, text });
  }

  // Wait for the shared start; a node booted after it catches up on what it missed.
  const waitMs = originMs - Date.now();
  if (waitMs > 0) {
    log(`node ${self} waiting ${(waitMs / 1000).toFixed(1)} s for the start (${new Date(originMs).toISOString()})`);
    await new Promise<void>((resolve) => waits.push(setTimeout(resolve, waitMs)));
  }
  if (isStopping) return void (await finished);
  const lateMs = clock.now();
  const events = [...schedule.events].sort((a, b) => a.atMs - b.atMs);
  const missed = events.filter((event) => event.atMs <= lateMs);
  let isUp = true;
  let skipped = 0;
  for (const event of missed) {
    const target = targetOf(event);
    if (NETWORK_KINDS.has(event.kind)) emulation = applyEmulationEvent(emulation, event as PlanEvent);
    else if (event.kind === 'crash' && target === self) isUp = false;
    else if (event.kind === 'restart' && (target === self || target === '*')) isUp = true;
    else if (target === self || target === '*') skipped++;
  }
  if (isUp) startCurrent();
  else {
    await current.close();
    current = undefined;
  }
  if (lateMs >= 1000 || missed.length > 0) {
    const text = `started ${Math.round(lateMs)} ms after the origin: ${missed.length} earlier events taken as done (${skipped} of this node's skipped)${isUp ? '' : '; down until its next restart'}`;
    log(`node ${self} ${text}`);
    record({ kind: 'log', node: self, reason: 'started-late', text });
  }
  for (const event of events.slice(missed.length)) clock.schedule(event.atMs, () => void (chain = chain.then(() => apply(event)).catch((error) => log(`event ${event.kind} failed: ${String(error)}`))));
  clock.schedule(schedule.durationMs, () => void stop());
  await finished;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}
