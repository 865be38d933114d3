/** Raised when a programmer-level invariant fails (TigerStyle): the run stops. */
export class AssertionError extends Error {
  readonly code = 'assert/failed';
}

/** Asserts an invariant; assertions stay on in every build. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Ends an exhaustive `switch` over a discriminated union. */
export function assertNever(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** An expected failure with a stable `code` in the form `area/what`. */
export class NetmachineError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'NetmachineError';
    this.code = code;
    this.details = details;
  }
}

/** A value or a typed error, for decoders and parsers of untrusted input. */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}
