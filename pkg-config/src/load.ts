/**
 * Loading: the wasm module (once per realm) and byte sources (URLs, bytes, responses), in
 * browsers, workers and node. JS does the I/O; the wasm module only ever sees bytes.
 * @module
 */
import initWasm, { initSync } from '../wasm/sparrow_wasm.js';
import { SparrowError } from './errors.js';
import type { BytesSource } from './types.js';

const isNode =
  typeof process !== 'undefined' && typeof process.versions === 'object' && !!process.versions?.node;

declare const process: { versions?: { node?: string } };

/** Reads a byte source. `file:` URLs (and bare paths in node) are read from disk in node. */
export async function readBytes(source: BytesSource, what: string): Promise<Uint8Array> {
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
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new SparrowError('FETCH_FAILED', `${what}: cannot fetch ${url.href}: ${(e as Error).message}`);
  }
  return responseBytes(response, what);
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

let ready: Promise<void> | undefined;
let initialized = false;

/**
 * Instantiates the wasm module. Safe to call any number of times, concurrently: the first call's
 * promise is shared. `wasm` defaults to the `.wasm` file shipped next to this package.
 */
export function init(wasm?: BytesSource): Promise<void> {
  ready ??= (async () => {
    const source = wasm ?? new URL('../wasm/sparrow_wasm_bg.wasm', import.meta.url);
    if (isNode || typeof source !== 'string' && !(source instanceof URL)) {
      initSync({ module: await readBytes(source, 'wasm module') });
    } else {
      await initWasm({ module_or_path: source });
    }
    initialized = true;
  })().catch((e) => {
    ready = undefined;
    throw e instanceof SparrowError ? e : new SparrowError('WASM_INIT_FAILED', `cannot instantiate the wasm module: ${(e as Error).message ?? e}`);
  });
  return ready;
}

/** Whether {@link init} has completed. */
export function isInitialized(): boolean {
  return initialized;
}

/** URLs of the model files shipped in the package. */
export function bundledModelUrls(): { model: URL; tokenizer: URL } {
  return {
    model: new URL('../model/splade-tiny.int8.onnx', import.meta.url),
    tokenizer: new URL('../model/tokenizer.json', import.meta.url),
  };
}
