/**
 * The one error class of the package. Every failure, from Rust or from JS, is a
 * `SparrowError` with a stable `code` (e.g. `DUPLICATE_ID`, `INDEX_TRUNCATED`,
 * `MODEL_NOT_LOADED`) and a message that starts with `sparrow: `. This class is the one place
 * that prefix is added (Rust's messages carry none); a message that already has it (an error
 * passed back from a worker) keeps one.
 * @module
 */
export class SparrowError extends Error {
  /** Stable, machine-readable error code. */
  readonly code: string;
  /** `SHARDS_NOT_LOADED`: the postings shards the search needs. */
  shards?: number[];
  /** `FRAGMENTS_NOT_LOADED`: the document fragments holding the hits. */
  fragments?: number[];

  constructor(code: string, message: string) {
    super(message.startsWith('sparrow:') ? message : `sparrow: ${message}`);
    this.name = 'SparrowError';
    this.code = code;
  }

  /** Turns anything thrown (a wasm error with `code`, a JS error, a string) into a SparrowError. */
  static from(e: unknown): SparrowError {
    if (e instanceof SparrowError) return e;
    if (e instanceof Error) {
      const raw = (e as Error & { code?: unknown }).code;
      const code = typeof raw === 'string' ? raw : 'INTERNAL';
      const err = new SparrowError(code, e.message);
      if (e.stack) err.stack = e.stack;
      const { shards, fragments } = e as Error & { shards?: number[]; fragments?: number[] };
      if (Array.isArray(shards)) err.shards = shards;
      if (Array.isArray(fragments)) err.fragments = fragments;
      return err;
    }
    return new SparrowError('INTERNAL', String(e));
  }
}

/** Modules whose instance trapped, with what the trap said. */
const lost = new WeakMap<object, string>();
const anyModule = {};

function instanceLost(trap: string): SparrowError {
  return new SparrowError(
    'INSTANCE_LOST',
    `the wasm instance trapped (${trap}), so its memory cannot be trusted: every index in it is lost and each later call fails with INSTANCE_LOST; load the index again in a new page or worker (from your last saved bytes)`,
  );
}

/**
 * Runs `f` (a call into the wasm instance of `module`), rethrowing any failure as a
 * {@link SparrowError}. A trap (`WebAssembly.RuntimeError`: out-of-bounds memory, `unreachable`
 * after a panic or a failed allocation) leaves the instance's memory in an unknown state: it is
 * reported as `INSTANCE_LOST`, and every later call into that module is refused with the same
 * code instead of running on (or returning) garbage.
 */
export function guard<T>(f: () => T, module: object = anyModule): T {
  const trapped = lost.get(module);
  if (trapped !== undefined) throw instanceLost(trapped);
  try {
    return f();
  } catch (e) {
    if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) {
      lost.set(module, e.message);
      throw instanceLost(e.message);
    }
    throw SparrowError.from(e);
  }
}
