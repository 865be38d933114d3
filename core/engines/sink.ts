// `sink`: receives anything and does nothing; the default destination of workloads and timed sends.
import { z } from 'zod';
import type { Engine, EngineFactory } from '../engine.js';
import { engineSpec, parseParams } from './params.js';

const NO_PARAMS = z.strictObject({});

/** A sink keeps no state: every node shares this one instance. */
const SINK: Engine = Object.freeze({ handle() {} });

/** What validate checks of a `sink` engine. */
export const SINK_SPEC = engineSpec(NO_PARAMS);

export const createSinkEngine: EngineFactory = (params) => {
  parseParams('sink', NO_PARAMS, params);
  return SINK;
};
