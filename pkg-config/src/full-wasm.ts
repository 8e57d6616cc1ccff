/** The full wasm module (encoder + model runtime). @module */
import initWasm, { initSync, SparrowIndex, checkManifest, formatVersions } from '../wasm/sparrow_wasm.js';
import { moduleLoader } from './load.js';
import type { WasmModule } from './wasm.js';

/** The full module's index class (with the writer and model methods). */
export { SparrowIndex as FullIndex };

/** The full module: indexes, search, and the SPLADE encoder. */
export const fullWasm: WasmModule = {
  kind: 'full',
  ...moduleLoader(initWasm, initSync, () => new URL('../wasm/sparrow_wasm_bg.wasm', import.meta.url), 'full'),
  SparrowIndex,
  checkManifest: (json, sha) => JSON.parse(checkManifest(json, sha ?? undefined)),
  formatVersions: () => JSON.parse(formatVersions()),
};
