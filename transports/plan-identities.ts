// The identities of a plan deployed on real nodes. Unlike the simulator (keys derived from the
// scenario's seed and names, which anyone holding the scenario can compute), every secret here is
// random per run, or read from a key directory so that a second run keeps the ids. Topic and domain
// names are learnt by building each engine once with a recording env: the nodes whose engines claim
// a key when they are built (a publisher its topic's, a domain member its domain's) are given it;
// every other node gets only the public id.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeCrypto, err, fromHex, NetmachineError, ok, toHex, type Crypto, type EngineEnv, type Id, type KeyPair, type NetworkPlan } from '../core/index.js';
import { engineKeyOf } from './node-identities.js';

/** Every key of a deployment, and who may hold which. */
export interface DeploymentKeys {
  readonly crypto: Crypto;
  /** Node name → key pair (secret handed only to that node's process). */
  readonly nodeKeys: ReadonlyMap<string, KeyPair>;
  /** `node/engine` → engine id (the key derives from the node's secret, inside its process). */
  readonly engineIds: ReadonlyMap<string, Id>;
  /** Topic name → key pair, for every topic the plan's engines and events name. */
  readonly topicKeys: ReadonlyMap<string, KeyPair>;
  /** Domain name → key pair, for every domain an engine claims. */
  readonly domainKeys: ReadonlyMap<string, KeyPair>;
  /** Topic name → nodes whose engines claimed its key when built. */
  readonly topicHolders: ReadonlyMap<string, ReadonlySet<string>>;
  /** Domain name → nodes whose engines claimed its key when built. */
  readonly domainHolders: ReadonlyMap<string, ReadonlySet<string>>;
}

const SECRET_FILE = /^[0-9a-f]{64}\s*$/;

/** A secret from `dir/kind/name.key`, created (mode 0600) when absent; random when there is no directory. */
function secretSource(dir: string | undefined): (kind: 'nodes' | 'topics' | 'domains', name: string) => Uint8Array {
  return (kind, name) => {
    if (dir === undefined) return new Uint8Array(randomBytes(32));
    const file = join(dir, kind, `${encodeURIComponent(name)}.key`);
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new NetmachineError('deploy/key-unreadable', `cannot read the key file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    if (text !== undefined) {
      if (!SECRET_FILE.test(text)) throw new NetmachineError('deploy/bad-key-file', `${file}: expected 64 lowercase hex digits (a file written by netmachine keygen)`);
      return fromHex(text.trim());
    }
    const secret = new Uint8Array(randomBytes(32));
    mkdirSync(join(dir, kind), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${toHex(secret)}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  };
}

/** Names of the nodes linked to `name`, in link declaration order (as the simulator lists them). */
export function planNeighbors(plan: NetworkPlan, name: string): string[] {
  const out: string[] = [];
  for (const link of plan.links) {
    if (link.a === name) out.push(link.b);
    else if (link.b === name) out.push(link.a);
  }
  return out;
}

/** Creates the keys of `plan` (random, or from `keyDir`) and learns who holds each topic and domain key. */
export function createDeploymentKeys(plan: NetworkPlan, options: { readonly keyDir?: string } = {}): DeploymentKeys {
  const crypto = createNodeCrypto();
  const secret = secretSource(options.keyDir);
  const nodeKeys = new Map(plan.nodes.map((node) => [node.name, crypto.keyPair(secret('nodes', node.name))] as const));
  const engineIds = new Map<string, Id>();
  for (const node of plan.nodes) for (const engine of node.engines) engineIds.set(`${node.name}/${engine.name}`, engineKeyOf(crypto, toHex(nodeKeys.get(node.name)!.secret), engine.name).id);
  const topicKeys = new Map<string, KeyPair>();
  const domainKeys = new Map<string, KeyPair>();
  const topicHolders = new Map<string, Set<string>>();
  const domainHolders = new Map<string, Set<string>>();
  const keyOf = (keys: Map<string, KeyPair>, kind: 'topics' | 'domains', name: string): KeyPair => {
    let key = keys.get(name);
    if (key === undefined) keys.set(name, (key = crypto.keyPair(secret(kind, name))));
    return key;
  };
  const claim = (holders: Map<string, Set<string>>, name: string, node: string): void => {
    let set = holders.get(name);
    if (set === undefined) holders.set(name, (set = new Set()));
    set.add(node);
  };
  for (const node of plan.nodes) {
    const env: EngineEnv = {
      nodeName: node.name,
      neighbors: planNeighbors(plan, node.name),
      resolve(reference) {
        const engine = engineIds.get(reference);
        const nodeKey = nodeKeys.get(reference.split('/')[0]!);
        return engine === undefined || nodeKey === undefined ? err(`no engine "${reference}" (expected node/engine of a declared engine)`) : ok({ engine, node: nodeKey.id });
      },
      topic: (name) => keyOf(topicKeys, 'topics', name).id,
      topicKey(name) {
        claim(topicHolders, name, node.name);
        return keyOf(topicKeys, 'topics', name);
      },
      domainKey(name) {
        claim(domainHolders, name, node.name);
        return keyOf(domainKeys, 'domains', name);
      },
      domain: (name) => keyOf(domainKeys, 'domains', name).id,
      nodeId: (name) => nodeKeys.get(name)?.id,
    };
    // Built once here only to learn the names and claims; each node process builds its own.
    for (const engine of node.engines) engine.factory(engine.params, env);
  }
  for (const event of plan.events) if ('topic' in event) keyOf(topicKeys, 'topics', event.topic);
  return { crypto, nodeKeys, engineIds, topicKeys, domainKeys, topicHolders, domainHolders };
}
