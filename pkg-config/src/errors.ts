/**
 * The one error class of the package. Every failure, from Rust or from JS, is a
 * `SparrowError` with a stable `code` (e.g. `DUPLICATE_ID`, `INDEX_TRUNCATED`,
 * `MODEL_NOT_LOADED`) and a message that starts with `sparrow:`.
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

/** Runs `f`, rethrowing any failure as a {@link SparrowError}. */
export function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw SparrowError.from(e);
  }
}
