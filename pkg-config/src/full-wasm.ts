/** The full wasm module (encoder + model runtime). @module */
import initWasm, { initSync, SparrowIndex, checkManifest, formatVersions, simdLevel } from '../wasm/sparrow_wasm.js';
import { hasRelaxedSimd, moduleLoader } from './load.js';
import type { WasmModule } from './wasm.js';

/** The full module's index class (with the writer and model methods). */
export { SparrowIndex as FullIndex };

/** The full module: indexes, search, and the SPLADE encoder. */
export const fullWasm: WasmModule = {
  kind: 'full',
  // Two builds of the same code behind one JS glue: relaxed-SIMD where the engine has it, plain
  // simd128 elsewhere (Safari). Two literal `new URL`s so that bundlers emit both files.
  ...moduleLoader(
    initWasm,
    initSync,
    () =>
      hasRelaxedSimd()
        ? new URL('../wasm/sparrow_wasm_relaxed_bg.wasm', import.meta.url)
        : new URL('../wasm/sparrow_wasm_bg.wasm', import.meta.url),
    'full',
  ),
  SparrowIndex,
  checkManifest: (json, sha) => JSON.parse(checkManifest(json, sha ?? undefined)),
  formatVersions: () => JSON.parse(formatVersions()),
};

/**
 * Which build of the full module `init` instantiated: `'relaxed-simd'` (chosen by default where
 * `hasRelaxedSimd()`: its encoder runs the int8 projection on `i32x4.relaxed_dot_i8x16_i7x16_add_s`
 * and tract's matrix kernels on fused multiply-add) or `'simd128'`. To force one, pass its file to
 * `init` (`sparrow-search/wasm/sparrow_wasm_bg.wasm` or `.../sparrow_wasm_relaxed_bg.wasm`).
 */
const fullSimdLevel = (): 'relaxed-simd' | 'simd128' => simdLevel() as 'relaxed-simd' | 'simd128';
export { fullSimdLevel as simdLevel };
