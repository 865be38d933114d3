// Errors of the property-testing kit: bad constraints or arguments (programmer input, not traces).
import { NetmachineError } from '../core/index.js';

/** A kit argument is out of range or inconsistent; `code` is `kit/<what>`. */
export class KitError extends NetmachineError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
    this.name = 'KitError';
  }
}

/** Checks that `value` is an integer in [min, max]; names the constraint in the error. */
export function checkInteger(where: string, name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new KitError('kit/bad-constraints', `${where}: ${name} must be an integer between ${min} and ${max}, got ${value}`);
  }
}

/** Checks `min <= max` for a pair of constraints. */
export function checkOrdered(where: string, minName: string, min: number, maxName: string, max: number): void {
  if (min > max) throw new KitError('kit/bad-constraints', `${where}: ${minName} (${min}) must not exceed ${maxName} (${max})`);
}

/** Checks that `value` is a probability (0..1). */
export function checkProbability(where: string, name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new KitError('kit/bad-constraints', `${where}: ${name} must be between 0 and 1, got ${value}`);
}
