/** The search-only wasm module (no model code). @module */
import initWasm, { initSync, SparrowIndex, checkManifest, formatVersions } from '../wasm-lite/sparrow_lite.js';
import { moduleLoader } from './load.js';
import type { WasmModule } from './wasm.js';

/** The search-only module: indexes, lexical and lookup-hybrid search, no encoder. */
export const liteWasm: WasmModule = {
  kind: 'lite',
  ...moduleLoader(initWasm, initSync, () => new URL('../wasm-lite/sparrow_lite_bg.wasm', import.meta.url), 'search-only'),
  SparrowIndex: SparrowIndex as unknown as WasmModule['SparrowIndex'],
  checkManifest: (json, sha) => JSON.parse(checkManifest(json, sha ?? undefined)),
  formatVersions: () => JSON.parse(formatVersions()),
};
