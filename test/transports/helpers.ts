// Shared fixtures for the real-transport tests: in-process nodes on loopback with in-memory traces.
import {
  createNodeCrypto,
  createRng,
  deriveSecret,
  IdentityStore,
  withVerifyCache,
  type Engine,
  type Id,
  type KeyPair,
  type TraceRecord,
} from '../../core/index.js';
import { startRealNode, type RealNode, type RealNodeOptions, type Scheme } from '../../transports/index.js';

export const crypto = withVerifyCache(createNodeCrypto());

export function keyOf(name: string, seed = 7): KeyPair {
  return crypto.keyPair(deriveSecret(seed, 'node', name));
}

export function engineKeyOf(reference: string, seed = 7): KeyPair {
  return crypto.keyPair(deriveSecret(seed, 'eng', reference));
}

export interface TestNode {
  readonly name: string;
  readonly real: RealNode;
  readonly directory: IdentityStore;
  readonly trace: TraceRecord[];
  /** Bodies received by this node's `sink` engine, as text, with the source node. */
  readonly received: Array<{ from: Id; body: string }>;
}

/** A `sink` engine that records what it receives. */
export function sinkEngine(received: Array<{ from: Id; body: string }>): Engine {
  return {
    handle(input) {
      if (input.kind === 'message') received.push({ from: input.sourceNode, body: Buffer.from(input.message.body).toString() });
    },
  };
}

const names = new Map<Id, string>();

/** Starts nodes `names` (each with a `sink` engine), all knowing each other's addresses; `extra` may differ per node name. */
export async function startNodes(nodeNames: ReadonlyArray<string>, schemes: ReadonlyArray<Scheme>, extra: Partial<RealNodeOptions> | ((name: string) => Partial<RealNodeOptions>) = {}): Promise<TestNode[]> {
  const nodes: TestNode[] = [];
  for (const name of nodeNames) {
    const key = keyOf(name);
    names.set(key.id, name);
    const directory = new IdentityStore();
    const trace: TraceRecord[] = [];
    const real = await startRealNode(
      { crypto, rng: createRng(1, name), trace: { emit: (record) => trace.push(record) } },
      { name, key, session: 1, schemes, listenHost: '127.0.0.1', directory, nameOf: (id) => names.get(id), transport: { backoffMsMin: 50, backoffMsMax: 500, dialTimeoutMs: 3000 }, ...(typeof extra === 'function' ? extra(name) : extra) },
    );
    const received: Array<{ from: Id; body: string }> = [];
    const sinkKey = engineKeyOf(`${name}/sink`);
    names.set(sinkKey.id, `${name}/sink`);
    real.node.addEngine('sink', sinkKey, sinkEngine(received));
    nodes.push({ name, real, directory, trace, received });
  }
  for (const node of nodes) {
    for (const other of nodes) {
      if (other === node) continue;
      node.directory.setNode({ id: other.real.id, addresses: other.real.addresses, trust: 128 });
      node.directory.setEngineNode(engineKeyOf(`${other.name}/sink`).id, other.real.id);
    }
  }
  return nodes;
}

/** Adds and starts a sender engine on `from` that sends `count` messages to each target's sink. */
export function sendFrom(from: TestNode, targets: ReadonlyArray<TestNode>, count: number, label = 'm', sizeBytes = 0): void {
  const padding = 'x'.repeat(sizeBytes);
  const engine: Engine = {
    handle(input, ctx) {
      if (input.kind !== 'start') return;
      for (const target of targets) {
        for (let i = 0; i < count; i++) {
          ctx.send({ kind: 'engine', engine: engineKeyOf(`${target.name}/sink`).id, node: target.real.id }, Buffer.from(`${label}:${from.name}:${i}${padding}`));
        }
      }
    },
  };
  const name = `sender-${label}`;
  from.real.node.addEngine(name, engineKeyOf(`${from.name}/${name}`), engine);
  from.real.node.start();
}

/** Polls `condition` every 10 ms; rejects with `what` after `timeoutMs` (tests never hang). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function closeAll(nodes: ReadonlyArray<{ real: RealNode }>): Promise<void> {
  await Promise.all(nodes.map((node) => node.real.close()));
}
