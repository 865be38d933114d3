// What an engine factory may ask about the simulated network it is placed in (EngineEnv): one
// small object per boot, its methods on the prototype (a large simulation boots 10⁵–10⁶ nodes).
import { err, ok, type EngineAddress, type EngineEnv, type Id, type KeyPair, type PlanIdentities, type Result } from '../core/index.js';
import type { Knowledge } from './knowledge.js';

/** What every node's env shares (one object per simulation). */
export interface SimEnvContext {
  readonly nodeNames: ReadonlyArray<string>;
  readonly identities: PlanIdentities;
  readonly knowledge: Knowledge;
  /** Link neighbours of a node (by name). */
  neighbors(name: string): ReadonlyArray<string>;
}

export class SimEngineEnv implements EngineEnv {
  constructor(
    /** The node's plan index. */
    private readonly index: number,
    private readonly context: SimEnvContext,
  ) {}

  get nodeName(): string {
    return this.context.nodeNames[this.index]!;
  }

  get neighbors(): ReadonlyArray<string> {
    return this.context.neighbors(this.nodeName);
  }

  get nodeNames(): ReadonlyArray<string> {
    return this.context.nodeNames;
  }

  get known(): ReadonlyArray<string> {
    return this.context.knowledge.knownAt(this.index);
  }

  resolve(reference: string): Result<EngineAddress, string> {
    // Keys exist only for declared `node/engine` references (looked up by the node's plan index and
    // the engine's name: workloads resolve per message).
    const located = this.context.identities.locateEngine(reference);
    if (located === undefined) return err(`no engine "${reference}" (expected node/engine of a declared engine)`);
    return ok(located);
  }

  resolveEngine(node: string, engine: string): Result<EngineAddress, string> {
    const located = this.context.identities.locateEngineOn(node, engine);
    if (located === undefined) return err(`no engine "${node}/${engine}" (expected node/engine of a declared engine)`);
    return ok(located);
  }

  hasEngine(node: string, engine: string): boolean {
    return this.context.identities.hasEngineOn(node, engine);
  }

  knownRun(engine: string): boolean {
    return this.context.knowledge.knownRunAt(this.index, engine);
  }

  topic(name: string): Id {
    return this.context.identities.topic(name);
  }

  topicKey(name: string): KeyPair {
    return this.context.identities.topicKey(name);
  }

  nodeId(name: string): Id | undefined {
    return this.context.identities.nodeKey(name)?.id;
  }

  domainKey(name: string): KeyPair {
    return this.context.identities.domainKey(name);
  }

  domain(name: string): Id {
    return this.context.identities.domainKey(name).id;
  }
}
