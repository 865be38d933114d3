// An engine whose role rotates: node i of the plan is the leader during the i-th 500 ms of every
// cycle. Its `inspect()` reports the role, so a scenario can crash "whoever leads now".
import type { EngineFactory } from '../../../kit/index.js';

const TERM_MS = 500;

export const rotatingLeader: EngineFactory = (_params, env) => {
  const nodes = env.nodeNames ?? [env.nodeName];
  let nowMs = 0;
  return {
    handle(input, ctx) {
      nowMs = ctx.now();
      if (input.kind === 'start' || input.kind === 'timer') ctx.setTimer(10, 'tick');
    },
    inspect() {
      const leader = nodes[Math.floor(nowMs / TERM_MS) % nodes.length];
      return { role: leader === env.nodeName ? 'leader' : 'follower', term: Math.floor(nowMs / TERM_MS) };
    },
  };
};
