// `sink`: receives anything and does nothing; the default destination of workloads and timed sends.
import { z } from 'zod';
import type { EngineFactory } from '../engine.js';
import { parseParams } from './params.js';

export const createSinkEngine: EngineFactory = (params) => {
  parseParams('sink', z.strictObject({}), params);
  return { handle: () => {} };
};
