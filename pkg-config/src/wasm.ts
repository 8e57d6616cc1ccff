/**
 * The two wasm modules the package ships, behind one interface: `full` (the encoder, tract and
 * the model runtime: documents can be expanded in the page) and `lite` (search only: no model
 * code, a fraction of the bytes). Both are built from `crate/wasm`; the lite one without its
 * `model` feature. Each entry point imports only the module it needs, so a page that imports
 * `sparrow-search/lite` never fetches the full module.
 * @module
 */
import type { SparrowIndex } from '../wasm/sparrow_wasm.js';
import type { ModuleLoader } from './load.js';
import type { FormatVersions, SiteManifest } from './types.js';

/**
 * The wasm-bindgen `SparrowIndex` class. The search-only module's is the full one's without the
 * writer and model methods, which only `Sparrow` (full module) calls.
 */
export interface IndexClass {
  fromBytes(bytes: Uint8Array): SparrowIndex;
  fromBaseBytes(bytes: Uint8Array): SparrowIndex;
}

/** One wasm module: its loader, index class and free functions. */
export interface WasmModule extends ModuleLoader {
  /** `full` or `lite`. */
  readonly kind: 'full' | 'lite';
  readonly SparrowIndex: IndexClass;
  /** Validates a site manifest in Rust (`sparrow_core::format::SiteManifest`). */
  checkManifest(json: Uint8Array, modelSha256?: string | null): SiteManifest;
  /** `{ indexFormat, manifest }`: the versions this module reads and writes. */
  formatVersions(): FormatVersions;
}
