// Runs one node in this process: standalone (`netmachine node`: peers from its spec, until SIGINT
// or SIGTERM) or as a deployment child (IPC: report the listening addresses, wait for `start`
// with the peers, follow `emulation` updates, `stop` gracefully). Both flush the node's trace.
import { TRACE_FORMAT, TRACE_VERSION, type EngineFactory, type TraceRecord, type TraceSink } from '../core/index.js';
import { initialEmulation, type EmulationState } from './emulation.js';
import { createConfiguredNode } from './configured-node.js';
import type { NodePlanEvent, NodeSpec, PeerSpec } from './node-spec.js';
import type { PeerAdverts } from './peer-adverts.js';
import { createNodeTraceFile } from './trace-io.js';

/** Deployer → node messages. */
export type ToNodeMessage =
  | { readonly kind: 'start'; readonly peers: ReadonlyArray<PeerSpec>; readonly emulation?: EmulationState; readonly clockOriginMs?: number }
  | { readonly kind: 'emulation'; readonly state: EmulationState }
  | { readonly kind: 'plan-event'; readonly event: NodePlanEvent }
  | { readonly kind: 'stop' };

/** Node → deployer messages. */
export type FromNodeMessage =
  /** Listening: the addresses and the node's own signed adverts for them (what its peers are given). */
  | { readonly kind: 'listening'; readonly addresses: ReadonlyArray<string>; readonly adverts: Omit<PeerAdverts, 'name'> }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'error'; readonly message: string };

export interface NodeProcessOptions {
  readonly engines?: ReadonlyMap<string, EngineFactory>;
  /** Where the node's trace goes (JSONL records); default spec.trace, else none. */
  readonly tracePath?: string;
  /** Human-readable lines (connections, shutdown); default none. */
  readonly log?: (line: string) => void;
  /** Follow the deployment protocol over the IPC channel instead of running standalone. */
  readonly isChild?: boolean;
  /** Maps the host of every dialled address (`netmachine node --resolve`). */
  readonly resolveHost?: (host: string) => string;
}

/** Runs the node until it is told to stop (IPC `stop`, SIGINT, SIGTERM); resolves after a graceful shutdown. */
export async function runNodeProcess(spec: NodeSpec, options: NodeProcessOptions = {}): Promise<void> {
  const tracePath = options.tracePath ?? spec.trace;
  const file = tracePath === undefined ? undefined : createNodeTraceFile(tracePath);
  const log = options.log ?? (() => {});
  /** Clock ms between the clock's origin and the trace's `started` (0 in a deployment: it shares the origin). */
  let traceOffsetMs = 0;
  const sink: TraceSink = {
    emit(record: TraceRecord) {
      file?.emit(traceOffsetMs === 0 ? record : { ...record, t: record.t - traceOffsetMs });
      if (record.kind === 'connect' || record.kind === 'disconnect' || record.kind === 'connect-failed' || record.kind === 'verify-fail') {
        log(`${record.kind} ${record.peer ?? ''} ${record.text ?? ''} ${record.reason ?? ''}`.trimEnd());
      }
    },
  };
  let emulation: EmulationState = initialEmulation([]);
  const send = (message: FromNodeMessage): void => void process.send?.(message);
  const node = await createConfiguredNode(spec, { trace: sink, ...(options.engines !== undefined && { engines: options.engines }), ...(options.isChild === true && { emulation: () => emulation }), ...(options.resolveHost !== undefined && { resolveHost: options.resolveHost }) });
  log(`node ${spec.name} ${node.real.id} listening on ${node.addresses.join(' ')}`);
  /** Writes the trace header once the peers are known: time zero is a deployment's shared origin, else now. */
  const beginTrace = (originMs: number): void => {
    const started = originMs !== 0 ? originMs : Math.floor(Date.now());
    traceOffsetMs = (started - originMs) / spec.timeScale;
    const known = node.known();
    file?.begin({ format: TRACE_FORMAT, version: TRACE_VERSION, backend: spec.transport === 'both' ? 'quic+tls' : spec.transport, seed: spec.seed, scenario: null, started, crypto: 'ed25519', nodes: known.nodes, engines: known.engines, node: spec.name });
  };
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let isStopping = false;
  const stop = async (): Promise<void> => {
    if (isStopping) return;
    isStopping = true;
    log(`node ${spec.name} shutting down`);
    await node.close();
    file?.flush();
    finish();
  };
  const onSignal = (): void => void stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (options.isChild === true) {
    process.on('message', (message: ToNodeMessage) => {
      switch (message.kind) {
        case 'start':
          if (message.emulation !== undefined) emulation = message.emulation;
          try {
            node.start(message.peers, message.clockOriginMs);
            beginTrace(message.clockOriginMs ?? spec.clockOrigin);
          } catch (error) {
            send({ kind: 'error', message: String((error as Error).message ?? error) });
          }
          return;
        case 'emulation':
          emulation = message.state;
          return;
        case 'plan-event':
          if (!node.perform(message.event)) sink.emit({ t: node.real.clock.now(), kind: 'log', node: spec.name, reason: 'scenario-event-skipped', text: `${message.event.kind}: no such engine` });
          return;
        case 'stop':
          void stop();
          return;
      }
    });
    process.once('disconnect', onSignal); // the deployer went away
    send({ kind: 'listening', addresses: node.addresses, adverts: node.adverts(spec.session ?? 1) });
  } else {
    try {
      node.start(spec.peers);
    } catch (error) {
      // A bad advert or engine: close everything, so nothing keeps the process alive.
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await node.close();
      throw error;
    }
    beginTrace(spec.clockOrigin);
    for (const engine of spec.engines) log(`engine ${engine.name} (${engine.kind}) eng:${node.engineIds.get(engine.name)}`);
  }
  await finished;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (options.isChild === true) send({ kind: 'stopped' });
}
