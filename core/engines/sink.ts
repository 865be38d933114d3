// `sink`: receives anything and does nothing; the default destination of workloads and timed sends.
import { z } from 'zod';
import type { EngineFactory } from '../engine.js';
import { parseParams } from './params.js';

const NO_PARAMS = z.strictObject({});

export const createSinkEngine: EngineFactory = (params) => {
  parseParams('sink', NO_PARAMS, params);
  return { handle: () => {} };
};
