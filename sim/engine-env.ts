// What an engine factory may ask about the simulated network it is placed in (EngineEnv): one
// small object per boot, its methods on the prototype (a large simulation boots 10⁵–10⁶ nodes).
import { err, ok, type EngineAddress, type EngineEnv, type Id, type KeyPair, type PlanIdentities, type Result } from '../core/index.js';
import type { Knowledge } from './knowledge.js';

export class SimEngineEnv implements EngineEnv {
  constructor(
    readonly nodeName: string,
    readonly neighbors: ReadonlyArray<string>,
    readonly nodeNames: ReadonlyArray<string>,
    private readonly identities: PlanIdentities,
    private readonly knowledge: Knowledge,
  ) {}

  get known(): ReadonlyArray<string> {
    return this.knowledge.known(this.nodeName);
  }

  resolve(reference: string): Result<EngineAddress, string> {
    // Keys exist only for declared `node/engine` references (looked up by the node's plan index and
    // the engine's name: workloads resolve per message).
    const located = this.identities.locateEngine(reference);
    if (located === undefined) return err(`no engine "${reference}" (expected node/engine of a declared engine)`);
    return ok(located);
  }

  resolveEngine(node: string, engine: string): Result<EngineAddress, string> {
    const located = this.identities.locateEngineOn(node, engine);
    if (located === undefined) return err(`no engine "${node}/${engine}" (expected node/engine of a declared engine)`);
    return ok(located);
  }

  hasEngine(node: string, engine: string): boolean {
    return this.identities.hasEngineOn(node, engine);
  }

  knownRun(engine: string): boolean {
    return this.knowledge.knownRun(this.nodeName, engine);
  }

  topic(name: string): Id {
    return this.identities.topic(name);
  }

  topicKey(name: string): KeyPair {
    return this.identities.topicKey(name);
  }

  nodeId(name: string): Id | undefined {
    return this.identities.nodeKey(name)?.id;
  }

  domainKey(name: string): KeyPair {
    return this.identities.domainKey(name);
  }

  domain(name: string): Id {
    return this.identities.domainKey(name).id;
  }
}
