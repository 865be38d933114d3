// Deploys a NetworkPlan on real sockets (127.0.0.1): every node a real QUIC and/or TLS endpoint,
// all in this process or one child process per node. Keys are random per run (or from a key
// directory): each node gets its own secret, the topic and domain keys its engines claim, and its
// peers' signed adverts, which every node signs itself once it listens. Timed events run in wall time
// (× timeScale); crash/restart are real (the node is closed / the process killed, then booted again
// with a higher session); partitions, cut links, loss and latency are emulated by a transport-level
// filter and listed in the header's `emulated`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  NetmachineError,
  summarizeTrace,
  toHex,
  TRACE_FORMAT,
  TRACE_VERSION,
  type NetworkPlan,
  type KeyPair,
  type PlanEvent,
  type TraceEvent,
  type TraceHeader,
  type TraceRecord,
  type TraceSummary,
} from '../core/index.js';
import { applyEmulationEvent, EMULATED_FAULTS, initialEmulation, type EmulationState } from './emulation.js';
import { createConfiguredNode, type ConfiguredNode } from './configured-node.js';
import { nodeOfPlanEvent, NodeSpecSchema, type NodePlanEvent, type NodeSpec, type PeerSpec } from './node-spec.js';
import type { FromNodeMessage, ToNodeMessage } from './node-process.js';
import type { PeerAdverts } from './peer-adverts.js';
import { createDeploymentKeys, planNeighbors } from './plan-identities.js';
import { mergeTraces, readNodeTraceFile } from './trace-io.js';
import { createWallClock } from './wall-clock.js';

export interface DeployOptions {
  readonly transport: 'quic' | 'tls' | 'both';
  /** All endpoints in this process, or one child process per node (default). */
  readonly isInProcess?: boolean;
  /** Wall ms per plan ms (default 1). */
  readonly timeScale?: number;
  readonly seed?: number;
  readonly durationMs?: number;
  /** A child that does not report its addresses within this is a failed deployment (wall ms). */
  readonly startupTimeoutMs?: number;
  /** QUIC settings of every node (NodeSpec.quic): e.g. `worker: false` runs the QUIC library in each node's main thread, one thread fewer per process when the nodes outnumber the cores. */
  readonly quic?: NodeSpec['quic'];
  /** Node processes booting at once (default: the machine's CPU count, at least 2). */
  readonly bootConcurrency?: number;
  /** Progress lines (node up, crash, restart). */
  readonly log?: (line: string) => void;
  /** Read keys from this directory, creating missing ones there (default: random keys, kept nowhere). */
  readonly keyDir?: string;
}

/** A node process died (a signal, a fatal error, a bad exit code) or had to be killed: the deployment's trace cannot be trusted. */
export class NodeProcessError extends Error {
  readonly code = 'deploy/node-died';

  constructor(readonly failures: ReadonlyArray<string>) {
    super(`node process failure: ${failures.join('; ')}`);
    this.name = 'NodeProcessError';
  }
}

/** Last bytes of a child's stderr kept for its failure message. */
const STDERR_TAIL_BYTES = 2048;
/** What a process prints when V8 or Node aborts it (the process may still exit by a signal or a code). */
const FATAL_OUTPUT = /FATAL ERROR|Segmentation fault|Native stack trace/;

/** The first line of an uncaught error as Node prints it (`QuicWorkerError: the QUIC worker failed …`). */
const UNCAUGHT_LINE = /^(?:[A-Z]\w*)?Error(?: \[[\w/-]+\])?: .*$/gm;

/** Why a child's exit is a failure, or undefined for a clean exit (code 0, no signal, no fatal output); names the fatal error or the last uncaught error it printed. */
export function childFailure(name: string, exit: { code: number | null; signal: NodeJS.Signals | null }, stderrTail: string): string | undefined {
  const fatal = FATAL_OUTPUT.exec(stderrTail);
  if (exit.code === 0 && exit.signal === null && fatal === null) return undefined;
  const how = exit.signal !== null ? `died by signal ${exit.signal}` : exit.code !== 0 ? `exited with code ${exit.code}` : 'exited with code 0';
  if (fatal !== null) return `node ${name} ${how} after a fatal error: ${stderrTail.slice(fatal.index).split('\n')[0]!.trim().slice(0, 200)}`;
  const uncaught = [...stderrTail.matchAll(UNCAUGHT_LINE)].pop()?.[0];
  return `node ${name} ${how}${uncaught === undefined ? '' : `: ${uncaught.trim().slice(0, 400)}`}`;
}

export interface DeployResult {
  readonly header: TraceHeader;
  readonly events: ReadonlyArray<TraceEvent>;
  readonly summary: TraceSummary;
}

/** A node as the deployer drives it, whichever the mode. */
interface Member {
  readonly addresses: ReadonlyArray<string>;
  /** The node's own signed adverts for its addresses. */
  readonly adverts: Omit<PeerAdverts, 'name'>;
  start(peers: ReadonlyArray<PeerSpec>, emulation: EmulationState, clockOriginMs: number): void;
  emulate(state: EmulationState): void;
  perform(event: NodePlanEvent): void;
  /** Graceful stop (flushes the trace). */
  stop(): Promise<void>;
  /** Crash: no goodbye. */
  kill(): Promise<void>;
}

/** A node could not be booted (it exited, failed or stayed silent before listening): names the node and why. */
export class NodeBootError extends NetmachineError {
  constructor(
    readonly node: string,
    readonly reason: string,
  ) {
    super('deploy/boot-failed', `node ${node} failed to boot: ${reason}`, { node });
    this.name = 'NodeBootError';
  }
}

/** Runs `work` on every item, at most `limit` at once; resolves when all have settled, with each result or error in item order. */
export async function settleBounded<T, R>(items: ReadonlyArray<T>, limit: number, work: (item: T) => Promise<R>): Promise<Array<PromiseSettledResult<R>>> {
  const results = new Array<PromiseSettledResult<R>>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await work(items[index]!) };
      } catch (error) {
        results[index] = { status: 'rejected', reason: error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}

/** The default number of node processes booted at once: each boot is mostly CPU (loading the code, generating certificates). */
export const defaultBootConcurrency = (): number => Math.max(2, availableParallelism());

/** Where the built package lives relative to this file's folder when running from the sources. */
const DIST_NODE_MAIN = new URL('../dist/transports/node-main.js', import.meta.url);
/** Written by `npm run build` after a successful build, with the build's start time as its mtime. */
const BUILD_STAMP = new URL('../dist/.build-stamp', import.meta.url);
/** The source folders a node process runs code from (node-main and what it imports). */
const NODE_SOURCE_FOLDERS = ['transports', 'core'];

/** True when some file under `dir` changed after `sinceMs`. */
function hasChangedSince(dir: string, sinceMs: number): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() ? hasChangedSince(path, sinceMs) : statSync(path).mtimeMs > sinceMs) return true;
  }
  return false;
}

/**
 * How a node process is started. Compiled: node-main.js. From the TypeScript sources: the compiled
 * node-main.js too when dist/ holds a successful build at least as new as every file of transports/
 * and core/ (a node boots about 3× faster than through tsx: 1 s instead of 2.7 s over TLS, 2 s
 * instead of 6 s over QUIC, measured on a loaded machine), else node-main.ts through tsx.
 */
function nodeEntry(): { path: string; execArgv: string[] } {
  if (!import.meta.url.endsWith('.ts')) return { path: fileURLToPath(new URL('./node-main.js', import.meta.url)), execArgv: [] };
  const root = fileURLToPath(new URL('..', import.meta.url));
  const stamp = statSync(BUILD_STAMP, { throwIfNoEntry: false });
  const isBuilt = stamp !== undefined && existsSync(DIST_NODE_MAIN) && !NODE_SOURCE_FOLDERS.some((folder) => hasChangedSince(join(root, folder), stamp.mtimeMs));
  return isBuilt ? { path: fileURLToPath(DIST_NODE_MAIN), execArgv: [] } : { path: fileURLToPath(new URL('./node-main.ts', import.meta.url)), execArgv: ['--import', 'tsx'] };
}

/** How long a stopped node process may take to exit before it is killed (a failure) (wall ms). */
const STOP_WAIT_MS = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `plan` on real transports for its duration and returns the merged trace. */
export async function deployPlan(plan: NetworkPlan, options: DeployOptions): Promise<DeployResult> {
  const seed = options.seed ?? plan.seed;
  const durationMs = options.durationMs ?? plan.durationMs;
  const timeScale = options.timeScale ?? 1;
  const log = options.log ?? (() => {});
  const keys = createDeploymentKeys(plan, options.keyDir === undefined ? {} : { keyDir: options.keyDir });
  // Time zero is when every node listens (child processes take a while to boot).
  let started = Date.now();
  const clock = createWallClock(started, timeScale);
  const own: TraceRecord[] = []; // the deployer's records: crash, restart, partition, …
  const inProcessEvents: TraceRecord[] = [];
  let emulation = initialEmulation(plan.links, plan.regions === undefined ? undefined : { matrix: plan.regions, nodes: plan.nodes });
  const workDir = mkdtempSync(join(tmpdir(), 'netmachine-deploy-'));
  const traceFiles: string[] = [];
  const sessions = new Map<string, number>();
  const ports = new Map<string, { quic: number; tls: number }>();
  // In process, the plan's own factories; a child process resolves kinds to the built-in engines.
  /** Node processes that died by a signal, a fatal error or a bad exit code, or had to be killed: the deployment fails. */
  const failures: string[] = [];
  const entry = nodeEntry();
  const planFactories = new Map(plan.nodes.flatMap((node) => node.engines.map((engine) => [engine.kind, engine.factory] as const)));

  const keyed = (entries: ReadonlyMap<string, KeyPair>, holders: ReadonlyMap<string, ReadonlySet<string>>, name: string): Record<string, { id: string; secret?: string }> =>
    Object.fromEntries([...entries].map(([entry, key]) => [entry, { id: key.id, ...(holders.get(entry)?.has(name) === true && { secret: toHex(key.secret) }) }]));
  const specOf = (name: string): NodeSpec => {
    const node = plan.nodes.find((candidate) => candidate.name === name)!;
    return NodeSpecSchema.parse({
      name,
      secret: toHex(keys.nodeKeys.get(name)!.secret),
      session: sessions.get(name) ?? 1,
      transport: options.transport,
      listen: { host: '127.0.0.1', ...(ports.get(name) ?? { quic: 0, tls: 0 }) },
      seed,
      clockOrigin: started,
      timeScale,
      permanent: plan.connections?.permanent ?? 'neighbors',
      engines: node.engines.map((engine) => ({ name: engine.name, kind: engine.kind, params: engine.params, ...(engine.module !== undefined && { module: engine.module }) })),
      topics: keyed(keys.topicKeys, keys.topicHolders, name),
      domains: keyed(keys.domainKeys, keys.domainHolders, name),
      neighbors: planNeighbors(plan, name),
      ...(options.quic !== undefined && { quic: options.quic }),
    });
  };

  async function boot(name: string): Promise<Member> {
    const spec = specOf(name);
    const member = options.isInProcess === true ? await bootInProcess(spec) : await bootChild(spec);
    const portOf = (scheme: string): number => Number(member.addresses.find((address) => address.startsWith(scheme))?.split(':').pop() ?? 0);
    ports.set(name, { quic: portOf('quic'), tls: portOf('tls') });
    adverts.set(name, member.adverts);
    return member;
  }

  async function bootInProcess(spec: NodeSpec): Promise<Member> {
    let current = emulation;
    const node: ConfiguredNode = await createConfiguredNode(spec, {
      trace: { emit: (record) => inProcessEvents.push(record) },
      emulation: () => current,
      engines: planFactories,
    });
    return {
      addresses: node.addresses,
      adverts: node.adverts(spec.session ?? 1),
      start: (peers, state, clockOriginMs) => {
        current = state;
        node.start(peers, clockOriginMs);
      },
      emulate: (state) => {
        current = state;
      },
      perform: (event) => {
        if (!node.perform(event)) inProcessEvents.push({ t: clock.now(), kind: 'log', node: spec.name, reason: 'scenario-event-skipped', text: `${event.kind}: no such engine` });
      },
      stop: () => node.close(),
      kill: () => node.close(),
    };
  }

  async function bootChild(spec: NodeSpec): Promise<Member> {
    const specPath = join(workDir, `${spec.name}.${spec.session}.json`);
    const tracePath = join(workDir, `${spec.name}.${spec.session}.jsonl`);
    writeFileSync(specPath, JSON.stringify(spec), { mode: 0o600 });
    traceFiles.push(tracePath);
    const child: ChildProcess = spawn(process.execPath, [...entry.execArgv, entry.path, specPath, tracePath], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    // Its stderr is passed on, and its end kept to name a fatal error.
    let stderrTail = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL_BYTES);
    });
    /** Set when the deployer kills it (a crash event): its signal is no failure. */
    let isKilled = false;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        // Its last output may still be in the pipe.
        const judge = (): void => {
          const failure = isKilled ? undefined : childFailure(`${spec.name} (session ${spec.session ?? 1})`, { code, signal }, stderrTail);
          if (failure !== undefined) (failures.push(failure), log(failure));
          resolve();
        };
        if (child.stderr!.readableEnded) judge();
        else child.stderr!.once('close', judge);
      }),
    );
    const timeoutMs = options.startupTimeoutMs ?? 30_000;
    /** The first line of the child's last error report (a bad engine, a port in use), for a boot failure. */
    let lastError: string | undefined;
    const listening = await new Promise<Extract<FromNodeMessage, { kind: 'listening' }>>((resolve, reject) => {
      const timer = setTimeout(() => {
        isKilled = true;
        child.kill('SIGKILL');
        reject(new NodeBootError(spec.name, `it did not report its addresses within ${timeoutMs} ms (killed)`));
      }, timeoutMs);
      child.on('message', (message: FromNodeMessage) => {
        if (message.kind === 'listening') {
          clearTimeout(timer);
          resolve(message);
        }
        if (message.kind === 'error') {
          lastError = message.message.split('\n')[0]!.slice(0, 300);
          log(`node ${spec.name}: ${message.message}`);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const why = lastError ?? stderrTail.trim().split('\n').pop()?.slice(0, 300);
        reject(new NodeBootError(spec.name, `it ${signal !== null ? `died by signal ${signal}` : `exited with code ${code}`} before listening${why === undefined || why === '' ? '' : `: ${why}`}`));
      });
    }).catch(async (error: unknown) => {
      await exited;
      throw error;
    });
    const post = (message: ToNodeMessage): void => {
      if (child.connected) child.send(message);
    };
    return {
      addresses: listening.addresses,
      adverts: listening.adverts,
      start: (peers, state, clockOriginMs) => post({ kind: 'start', peers, emulation: state, clockOriginMs }),
      emulate: (state) => post({ kind: 'emulation', state }),
      perform: (event) => post({ kind: 'plan-event', event }),
      async stop() {
        post({ kind: 'stop' });
        const timer = setTimeout(() => {
          failures.push(`node ${spec.name} (session ${spec.session ?? 1}) did not stop within ${STOP_WAIT_MS} ms and was killed`);
          isKilled = true;
          child.kill('SIGKILL');
        }, STOP_WAIT_MS);
        await exited;
        clearTimeout(timer);
      },
      async kill() {
        isKilled = true;
        child.kill('SIGKILL');
        await exited;
      },
    };
  }

  const members = new Map<string, Member>();
  /** Boots that failed: once one has, no further node is booted. */
  const bootFailures: unknown[] = [];
  /** Each node's latest adverts (a crashed node keeps its last ones: it comes back on the same ports). */
  const adverts = new Map<string, Omit<PeerAdverts, 'name'>>();
  // A node knows the peers its plan entry names (`knows:`), by default its link neighbours, as in the simulator.
  const knownBy = new Map(plan.nodes.map((node) => [node.name, new Set(node.knows ?? planNeighbors(plan, node.name))]));
  const peersFor = (name: string): PeerSpec[] =>
    plan.nodes.filter((node) => node.name !== name && knownBy.get(name)!.has(node.name) && adverts.has(node.name)).map((node) => ({ name: node.name, ...adverts.get(node.name)! }));

  const emit = (record: Omit<TraceRecord, 't'>): void => void own.push({ t: clock.now(), ...record } as TraceRecord);

  async function apply(event: PlanEvent): Promise<void> {
    switch (event.kind) {
      case 'crash': {
        const member = members.get(event.node);
        if (member === undefined) return;
        members.delete(event.node);
        emit({ kind: 'crash', node: event.node });
        log(`crash ${event.node}`);
        await member.kill();
        return;
      }
      case 'crash-where':
      case 'pause-where':
      case 'lose-writes':
      case 'corrupt-write':
        // A real node's engine state and store are inside its process, out of the deploy runner's reach.
        emit({ kind: 'log', node: '*', reason: 'scenario-event-skipped', text: `${event.kind}: ${event.kind.endsWith('where') ? 'faults aimed by engine state' : 'storage faults'} run in the simulator only` });
        return;
      case 'restart': {
        if (event.node === '*') {
          for (const node of plan.nodes) if (!members.has(node.name)) await apply({ atMs: event.atMs, kind: 'restart', node: node.name });
          return;
        }
        if (members.has(event.node)) return;
        sessions.set(event.node, (sessions.get(event.node) ?? 1) + 1);
        emit({ kind: 'restart', node: event.node });
        log(`restart ${event.node}`);
        const member = await boot(event.node);
        members.set(event.node, member);
        member.start(peersFor(event.node), emulation, started);
        return;
      }
      case 'send':
      case 'publish':
      case 'subscribe':
      case 'unsubscribe':
      case 'clock-skew':
      case 'clock-drift':
      case 'clock-strobe':
      case 'pause':
      case 'resume': {
        if (event.kind === 'resume' && event.node === '*') {
          for (const [name, member] of members) (member.perform({ ...event, node: name }), emit({ kind: 'log', node: name, text: 'resumed' }));
          return;
        }
        const name = nodeOfPlanEvent(event)!;
        const member = members.get(name);
        if (member === undefined) emit({ kind: 'log', node: name, reason: 'scenario-event-skipped', text: `${event.kind}: node is down` });
        else member.perform(event);
        if (event.kind === 'clock-skew') emit({ kind: 'log', node: name, text: `clock skew ${event.skewMs}ms` });
        else if (event.kind === 'clock-drift') emit({ kind: 'log', node: name, text: `clock drift rate ${event.rate}` });
        else if (event.kind === 'clock-strobe') emit({ kind: 'log', node: name, text: `clock strobe ${event.offsetMs}ms` });
        else if (event.kind === 'pause' || event.kind === 'resume') emit({ kind: 'log', node: name, text: event.kind === 'pause' ? 'paused' : 'resumed' });
        return;
      }
      case 'partition':
      case 'heal':
      case 'link-down':
      case 'link-up':
      case 'set-link': {
        emulation = applyEmulationEvent(emulation, event);
        for (const member of members.values()) member.emulate(emulation);
        if (event.kind === 'partition') emit({ kind: 'partition', node: '*', text: JSON.stringify(event.groups), ...(event.isOneWay && { reason: 'one-way' }) });
        else if (event.kind === 'heal') emit({ kind: 'heal', node: '*' });
        else emit({ kind: 'link', node: event.a, peer: event.b, text: event.kind === 'set-link' ? JSON.stringify(event.change) : event.kind === 'link-up' ? 'up' : 'down' });
        return;
      }
    }
  }

  try {
    const concurrency = options.bootConcurrency ?? defaultBootConcurrency();
    const bootStart = Date.now();
    let booted = 0;
    log(`booting ${plan.nodes.length} nodes, ${Math.min(concurrency, plan.nodes.length)} at a time${options.isInProcess === true ? ' (in this process)' : entry.execArgv.length === 0 ? '' : ' (from the TypeScript sources, through tsx: run `npm run build` for a faster boot)'}`);
    const boots = await settleBounded(plan.nodes, concurrency, async (node) => {
      // After a failure nothing more is started: the deployment is over.
      if (bootFailures.length > 0) return;
      try {
        members.set(node.name, await boot(node.name));
      } catch (error) {
        const failure = error instanceof NodeBootError ? error : new NodeBootError(node.name, String((error as Error)?.message ?? error));
        bootFailures.push(failure);
        throw failure;
      }
      booted++;
      log(`node ${node.name} listening on ${members.get(node.name)!.addresses.join(' ')} (${booted}/${plan.nodes.length})`);
    });
    const failed = boots.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    if (failed.length > 0) {
      const named = failed as NodeBootError[];
      for (const error of named) log(error.message);
      throw named.length === 1 ? named[0]! : new NodeBootError(named.map((error) => error.node).join(', '), named.map((error) => `${error.node}: ${error.reason}`).join('; '));
    }
    log(`${plan.nodes.length} nodes listening after ${((Date.now() - bootStart) / 1000).toFixed(1)} s`);
    started = Date.now();
    clock.setOrigin(started);
    for (const [name, member] of members) member.start(peersFor(name), emulation, started);
    const runStart = clock.now();
    const pending: Array<Promise<void>> = [];
    const timers = plan.events.map((event) => setTimeout(() => pending.push(apply(event).catch((error) => log(`event ${event.kind} failed: ${String(error)}`))), Math.max(0, (event.atMs + runStart - clock.now()) * timeScale)));
    await sleep(Math.max(0, (durationMs + runStart - clock.now()) * timeScale));
    timers.forEach(clearTimeout);
    await Promise.all(pending);
  } catch (error) {
    // A failed boot (or a failed start): stop what runs, keep nothing.
    await Promise.all([...members.values()].map((member) => member.stop()));
    members.clear();
    if (process.env.NETMACHINE_KEEP_DEPLOY === undefined) rmSync(workDir, { recursive: true, force: true });
    throw error;
  } finally {
    await Promise.all([...members.values()].map((member) => member.stop()));
  }
  if (failures.length > 0) {
    if (process.env.NETMACHINE_KEEP_DEPLOY === undefined) rmSync(workDir, { recursive: true, force: true });
    throw new NodeProcessError(failures);
  }
  const sources = options.isInProcess === true ? [own, inProcessEvents] : [own, ...traceFiles.map((file) => readNodeTraceFile(file).events)];
  const events = mergeTraces(sources).filter((event) => event.t <= durationMs);
  if (process.env.NETMACHINE_KEEP_DEPLOY === undefined) rmSync(workDir, { recursive: true, force: true });
  else log(`deployment files kept in ${workDir}`);
  const header: TraceHeader = {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    backend: options.transport === 'both' ? 'quic+tls' : options.transport,
    seed,
    scenario: plan.source,
    started,
    crypto: 'ed25519',
    nodes: Object.fromEntries([...keys.nodeKeys].map(([name, key]) => [name, key.id])),
    engines: Object.fromEntries(keys.engineIds),
    emulated: EMULATED_FAULTS,
  };
  return { header, events, summary: summarizeTrace(events) };
}
