/**
 * Loading: wasm modules (once per realm) and byte sources (URLs, bytes, responses), in browsers,
 * workers and node. JS does the I/O; the wasm modules only ever see bytes.
 * @module
 */
import { SparrowError } from './errors.js';
import type { BytesSource, FetchOptions } from './types.js';

const isNode =
  typeof process !== 'undefined' && typeof process.versions === 'object' && !!process.versions?.node;

declare const process: { versions?: { node?: string } };

/** What a fetched file must be: its size and SHA-256 (hex), or the first hex digits of it. */
export interface Expected {
  bytes?: number;
  sha256?: string;
}

/**
 * Reads a byte source. `file:` URLs (and bare paths in node) are read from disk in node; other
 * URLs are fetched with `fetchOptions` (timeout, bounded retry, abort signal).
 * `expect` checks the size and SHA-256 of what arrived (`INDEX_INTEGRITY` otherwise).
 */
export async function readBytes(source: BytesSource, what: string, expect?: Expected, fetchOptions: FetchOptions = {}): Promise<Uint8Array> {
  const bytes = await readRaw(source, what, fetchOptions);
  if (expect) await verify(bytes, expect, what);
  return bytes;
}

/** HTTP statuses worth asking again for: the server may answer next time. */
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * Fetches `url` whole. Each attempt (request and body) has `timeoutMs`; a network error, a
 * timeout or a retryable status is tried again up to `retries` times (after 200 ms, then 400 ms,
 * ...); a 404 or another client error is not. `signal` aborts at any point (`ABORTED`). So a
 * stalled server costs a caller at most about `(retries + 1) * timeoutMs`, never forever.
 */
async function fetchBytes(url: URL, what: string, options: FetchOptions): Promise<Uint8Array> {
  const { signal, timeoutMs = 30_000, retries = 2 } = options;
  const aborted = () => new SparrowError('ABORTED', `${what}: the fetch of ${url.href} was aborted`);
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw aborted();
    const attemptCtl = new AbortController();
    const onAbort = () => attemptCtl.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attemptCtl.abort();
    }, timeoutMs);
    let failure: SparrowError;
    try {
      const response = await fetch(url, { signal: attemptCtl.signal });
      if (response.ok) return new Uint8Array(await response.arrayBuffer());
      failure = new SparrowError('FETCH_FAILED', `${what}: ${response.url || url.href} answered HTTP ${response.status}`);
      await response.body?.cancel().catch(() => undefined);
      if (!RETRYABLE.has(response.status)) throw failure;
    } catch (e) {
      if (e instanceof SparrowError) throw e;
      if (signal?.aborted) throw aborted();
      failure = timedOut
        ? new SparrowError('FETCH_TIMEOUT', `${what}: ${url.href} did not answer within ${timeoutMs} ms`)
        : new SparrowError('FETCH_FAILED', `${what}: cannot fetch ${url.href}: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    if (attempt >= retries) {
      if (attempt > 0) failure.message += ` (after ${attempt + 1} attempts)`;
      throw failure;
    }
    await new Promise((ok) => setTimeout(ok, 200 * 2 ** attempt));
  }
}

async function readRaw(source: BytesSource, what: string, fetchOptions: FetchOptions): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof Response !== 'undefined' && source instanceof Response) return responseBytes(source, what);
  if (typeof source !== 'string' && !(source instanceof URL)) {
    throw new SparrowError('INVALID_SOURCE', `${what}: expected a URL, a string, bytes or a Response`);
  }
  const url = source instanceof URL ? source : new URL(source, baseUrl());
  if (isNode && url.protocol === 'file:') {
    // A variable specifier keeps bundlers from trying to resolve a node module for the browser.
    const fsModule = 'node:fs/promises';
    const { readFile } = await import(/* @vite-ignore */ fsModule);
    try {
      return new Uint8Array(await readFile(url));
    } catch (e) {
      throw new SparrowError('FETCH_FAILED', `${what}: cannot read ${url.href}: ${(e as Error).message}`);
    }
  }
  return fetchBytes(url, what, fetchOptions);
}

async function responseBytes(response: Response, what: string): Promise<Uint8Array> {
  if (!response.ok) {
    throw new SparrowError('FETCH_FAILED', `${what}: ${response.url || 'request'} answered HTTP ${response.status}`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

function baseUrl(): string {
  if (typeof location !== 'undefined') return location.href;
  return isNode ? `file://${'/'}` : import.meta.url;
}

/** Hex SHA-256 (Web Crypto: browsers on secure origins, workers, node 20). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function verify(bytes: Uint8Array, expect: Expected, what: string): Promise<void> {
  if (expect.bytes !== undefined && bytes.byteLength !== expect.bytes) {
    throw new SparrowError('INDEX_INTEGRITY', `${what}: ${bytes.byteLength} bytes arrived, the manifest says ${expect.bytes}`);
  }
  if (expect.sha256 !== undefined) {
    const got = await sha256Hex(bytes);
    if (!got.startsWith(expect.sha256)) {
      throw new SparrowError('INDEX_INTEGRITY', `${what}: SHA-256 ${got.slice(0, 16)}… is not the manifest's ${expect.sha256.slice(0, 16)}…`);
    }
  }
}

/**
 * A module of one function using the two relaxed-SIMD instructions the relaxed build relies on
 * (`i32x4.relaxed_dot_i8x16_i7x16_add_s`, `f32x4.relaxed_madd`): an engine that validates it
 * runs that build. Exported for service workers that precache only the module a browser will
 * load (the notes demo's does).
 */
export const RELAXED_SIMD_PROBE: readonly number[] = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 30, 1, 28, 0, 65, 1, 253, 15,
  65, 2, 253, 15, 65, 3, 253, 17, 253, 147, 2, 65, 0, 253, 17, 65, 0, 253, 17, 253, 133, 2, 11,
];

let relaxed: boolean | undefined;

/**
 * Whether this engine runs relaxed-SIMD (Chromium does, 156 measured here; Node 20 only with
 * `--experimental-wasm-relaxed-simd`; Safari does not). Decides which build of the full module
 * `init()` loads by default.
 */
export function hasRelaxedSimd(): boolean {
  relaxed ??= typeof WebAssembly === 'object' && WebAssembly.validate(new Uint8Array(RELAXED_SIMD_PROBE));
  return relaxed;
}

/** `init` / `isInitialized` for one wasm-bindgen module (`--target web` output). */
export interface ModuleLoader {
  /** Instantiates the module once per realm (concurrent calls share the first promise). */
  init(wasm?: BytesSource): Promise<void>;
  /** Whether {@link ModuleLoader.init} has completed. */
  isInitialized(): boolean;
}

/** A {@link ModuleLoader} over wasm-bindgen's async and sync initializers. */
export function moduleLoader(
  initAsync: (opts: { module_or_path: string | URL }) => Promise<unknown>,
  initSync: (opts: { module: Uint8Array }) => unknown,
  defaultUrl: () => URL,
  name: string,
): ModuleLoader {
  let ready: Promise<void> | undefined;
  let initialized = false;
  return {
    init(wasm?: BytesSource): Promise<void> {
      ready ??= (async () => {
        const source = wasm ?? defaultUrl();
        if (isNode || (typeof source !== 'string' && !(source instanceof URL))) {
          initSync({ module: await readBytes(source, `${name} wasm module`) });
        } else {
          await initAsync({ module_or_path: source });
        }
        initialized = true;
      })().catch((e) => {
        ready = undefined;
        throw e instanceof SparrowError ? e : new SparrowError('WASM_INIT_FAILED', `cannot instantiate the ${name} wasm module: ${(e as Error).message ?? e}`);
      });
      return ready;
    },
    isInitialized: () => initialized,
  };
}

/** URLs of the model files shipped in the package. */
export function bundledModelUrls(): { model: URL; tokenizer: URL } {
  return {
    model: new URL('../model/splade-tiny.int8.onnx', import.meta.url),
    tokenizer: new URL('../model/tokenizer.json', import.meta.url),
  };
}
