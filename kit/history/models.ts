// Sequential specifications for the linearizability checker: a register (read / write / cas) and
// a key-value store of such registers, checked key by key.
import { KitError } from '../errors.js';
import type { Model } from './linearizability.js';
import type { Operation } from './operations.js';

/** A register's value; `null` is "never written" (a read of a missing key returns null). */
export type RegisterValue = string | number | boolean | null;

/**
 * A compare-and-set register. Operations: `read` (ok output: the value), `write` (input: the value),
 * `cas` (input: `[from, to]`; ok output: `true` when it applied, `false` when `from` did not match;
 * an ok without output counts as applied). `info` operations may have taken effect or not.
 */
export function registerModel(initial: RegisterValue = null): Model<RegisterValue> {
  return {
    name: 'register',
    init: () => initial,
    step: stepRegister,
    key: (state) => JSON.stringify(state),
    isReadOnly: (operation) => operation.f === 'read',
    describeState: (state) => `value ${JSON.stringify(state)}`,
  };
}

/** Registers by key (`operation.key`), each checked on its own. */
export function keyValueModel(initial: RegisterValue = null): Model<RegisterValue> {
  return {
    ...registerModel(initial),
    name: 'key-value',
    partition(operations) {
      const byKey = new Map<string, Operation[]>();
      for (const operation of operations) {
        const key = operation.key ?? '';
        const list = byKey.get(key);
        if (list === undefined) byKey.set(key, [operation]);
        else list.push(operation);
      }
      return [...byKey.values()];
    },
  };
}

function stepRegister(state: RegisterValue, operation: Operation): RegisterValue | undefined {
  const isUnknown = operation.type === 'info';
  switch (operation.f) {
    case 'read':
      return isUnknown || sameValue(operation.output, state) ? state : undefined;
    case 'write':
      return asValue(operation.input);
    case 'cas': {
      const [from, to] = Array.isArray(operation.input) ? (operation.input as unknown[]) : [];
      const matches = sameValue(from, state);
      if (isUnknown) return matches ? asValue(to) : state;
      const applied = operation.output !== false;
      if (applied !== matches) return undefined;
      return applied ? asValue(to) : state;
    }
    default:
      throw new KitError('kit/bad-history', `the register model knows read, write and cas, not "${operation.f}" (${operation.process} at ${operation.invokeMs}ms)`);
  }
}

function asValue(value: unknown): RegisterValue {
  return value === undefined ? null : (value as RegisterValue);
}

function sameValue(a: unknown, b: RegisterValue): boolean {
  return (a === undefined ? null : a) === b;
}
