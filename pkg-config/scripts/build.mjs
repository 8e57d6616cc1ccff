#!/usr/bin/env node
// Builds the npm package into <repo>/pkg: the wasm modules (cargo for wasm32 with build-std ->
// wasm-bindgen --target web, which also runs in node via bytes -> wasm-opt): the search-only one
// (always size-optimised) and the full one, twice: simd128 and relaxed-SIMD, one JS glue (wasm-opt
// in release only), then tsc, model, manifest.
//
//   node pkg-config/scripts/build.mjs                         # release: fat LTO + wasm-opt -O3
//   node pkg-config/scripts/build.mjs --profile wasm-dev      # tests/CI: no LTO, no wasm-opt
//   options: --no-opt (skip wasm-opt), --model-dir DIR (default model/build)
//
// Toolchain facts (why each step is what it is) are in scripts/setup.sh and ARCHITECTURE.md.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const pkgConfig = resolve(here, '..');
const root = resolve(pkgConfig, '..');
const out = join(root, 'pkg');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const profile = opt('--profile', 'wasm-release');
const runWasmOpt = !args.includes('--no-opt') && profile !== 'wasm-dev';
const modelDir = resolve(root, opt('--model-dir', 'model/build'));

const sh = (script) => execFileSync('bash', ['-c', `source scripts/env.sh && ${script}`], { cwd: root, stdio: 'inherit' });
const shOut = (script) => execFileSync('bash', ['-c', `source scripts/env.sh && ${script}`], { cwd: root }).toString().trim();
const t0 = Date.now();
const step = (msg) => console.log(`\n[build ${((Date.now() - t0) / 1000).toFixed(0)}s] ${msg}`);

for (const f of ['splade-tiny.int8.onnx', 'tokenizer.json', 'manifest.json', 'LICENSE', 'NOTICE.md']) {
  if (!existsSync(join(modelDir, f))) {
    console.error(`build: ${join(modelDir, f)} is missing; run model/build.sh first`);
    process.exit(1);
  }
}

const targetDir = shOut('echo "$CARGO_TARGET_DIR"');
const WASM_FEATURES = '--enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue';

// The search-only module first: small, and what a static site's page downloads. Always built
// for size (profile wasm-lite: opt-level z, fat LTO) and shrunk with wasm-opt -Oz.
step('cargo build -p sparrow-wasm --no-default-features --profile wasm-lite (the search-only module)');
sh('wcargo build -p sparrow-wasm --no-default-features --profile wasm-lite --locked');
const liteGen = join(pkgConfig, 'wasm-lite');
rmSync(liteGen, { recursive: true, force: true });
mkdirSync(liteGen, { recursive: true });
// wasm-bindgen names its output after the input file: sparrow_lite.js, sparrow_lite_bg.wasm.
const liteIn = join(liteGen, 'sparrow_lite.wasm');
cpSync(join(targetDir, 'wasm32-unknown-unknown', 'wasm-lite', 'sparrow_wasm.wasm'), liteIn);
sh(`wasm-bindgen --target web --out-dir ${JSON.stringify(liteGen)} ${JSON.stringify(liteIn)}`);
rmSync(liteIn);
const liteOut = join(liteGen, 'sparrow_lite_bg.wasm');
const liteRaw = statSync(liteOut).size;
// --converge repeats -Oz until the module stops shrinking: 422 B less brotli than one pass
// (157,310 vs 157,732, measured 2026-12-07), for a few seconds of build on a 400 kB module.
step('wasm-opt -Oz --converge (search-only module)');
sh(`"$WASM_OPT" -Oz --converge ${WASM_FEATURES} ${JSON.stringify(liteOut)} -o ${JSON.stringify(liteOut)}`);

step(`cargo build -p sparrow-wasm --profile ${profile} (wasm32, -Zbuild-std)`);
sh(`wcargo build -p sparrow-wasm --profile ${profile} --locked`);
const wasmIn = join(targetDir, 'wasm32-unknown-unknown', profile, 'sparrow_wasm.wasm');

step('wasm-bindgen --target web');
const gen = join(pkgConfig, 'wasm');
rmSync(gen, { recursive: true, force: true });
sh(`wasm-bindgen --target web --out-dir ${JSON.stringify(gen)} ${JSON.stringify(wasmIn)}`);

const wasmOut = join(gen, 'sparrow_wasm_bg.wasm');
const rawSize = statSync(wasmOut).size;
if (runWasmOpt) {
  step('wasm-opt -O3 (npm binaryen; Debian 108 breaks wasm-bindgen output)');
  // -O3 rather than -Oz: same gzip size here, and tract's kernels want speed.
  sh(`"$WASM_OPT" -O3 ${WASM_FEATURES} ${JSON.stringify(wasmOut)} -o ${JSON.stringify(wasmOut)}`);
}

// The full module once more with relaxed-SIMD (issue 17): the int8 projection's
// `i32x4.relaxed_dot_i8x16_i7x16_add_s` kernel and tract's fused multiply-add matrix kernels. The
// package loads it where `WebAssembly.validate` accepts relaxed-SIMD, the simd128 one elsewhere
// (Safari). Its own target dir: other RUSTFLAGS would otherwise rebuild std and tract each time
// the two builds alternate. Same sources, so wasm-bindgen writes the same JS glue: checked, and
// only the .wasm is kept.
const relaxedTarget = join(targetDir, 'relaxed-simd');
step(`cargo build -p sparrow-wasm --profile ${profile}, +relaxed-simd (target dir ${relaxedTarget})`);
sh(`CARGO_TARGET_DIR=${JSON.stringify(relaxedTarget)} RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" wcargo build -p sparrow-wasm --profile ${profile} --locked`);
const relaxedGen = join(pkgConfig, 'wasm-relaxed');
rmSync(relaxedGen, { recursive: true, force: true });
sh(`wasm-bindgen --target web --out-dir ${JSON.stringify(relaxedGen)} ${JSON.stringify(join(relaxedTarget, 'wasm32-unknown-unknown', profile, 'sparrow_wasm.wasm'))}`);
for (const f of ['sparrow_wasm.js', 'sparrow_wasm.d.ts', 'sparrow_wasm_bg.wasm.d.ts']) {
  if (readFileSync(join(relaxedGen, f), 'utf8') !== readFileSync(join(gen, f), 'utf8')) {
    console.error(`build: wasm-bindgen wrote a different ${f} for the relaxed-SIMD build; the package cannot share one glue`);
    process.exit(1);
  }
}
const relaxedOut = join(gen, 'sparrow_wasm_relaxed_bg.wasm');
cpSync(join(relaxedGen, 'sparrow_wasm_bg.wasm'), relaxedOut);
rmSync(relaxedGen, { recursive: true, force: true });
const relaxedRaw = statSync(relaxedOut).size;
if (runWasmOpt) {
  step('wasm-opt -O3 (relaxed-SIMD module)');
  sh(`"$WASM_OPT" -O3 ${WASM_FEATURES} --enable-relaxed-simd ${JSON.stringify(relaxedOut)} -o ${JSON.stringify(relaxedOut)}`);
}

step('tsc');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
execFileSync(process.execPath, [join(pkgConfig, 'node_modules/typescript/bin/tsc'), '-p', join(pkgConfig, 'tsconfig.json')], { stdio: 'inherit' });

step('assemble pkg/');
cpSync(gen, join(out, 'wasm'), { recursive: true, filter: (src) => !src.endsWith('.gitignore') });
cpSync(liteGen, join(out, 'wasm-lite'), { recursive: true, filter: (src) => !src.endsWith('.gitignore') });
mkdirSync(join(out, 'model'), { recursive: true });
for (const f of ['splade-tiny.int8.onnx', 'tokenizer.json', 'manifest.json', 'LICENSE', 'NOTICE.md']) {
  cpSync(join(modelDir, f), join(out, 'model', f));
}
const manifest = JSON.parse(readFileSync(join(pkgConfig, 'package.json'), 'utf8'));
delete manifest.scripts;
delete manifest.devDependencies;
writeFileSync(join(out, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
cpSync(join(pkgConfig, 'README.md'), join(out, 'README.md'));

const wasmBytes = readFileSync(join(out, 'wasm', 'sparrow_wasm_bg.wasm'));
const relaxedBytes = readFileSync(join(out, 'wasm', 'sparrow_wasm_relaxed_bg.wasm'));
const liteBytes = readFileSync(join(out, 'wasm-lite', 'sparrow_lite_bg.wasm'));
const sizes = {
  profile,
  wasmOpt: runWasmOpt,
  wasmBytesBeforeOpt: rawSize,
  wasmBytes: wasmBytes.length,
  wasmGzipBytes: gzipSync(wasmBytes, { level: 9 }).length,
  relaxedWasmBytesBeforeOpt: relaxedRaw,
  relaxedWasmBytes: relaxedBytes.length,
  relaxedWasmGzipBytes: gzipSync(relaxedBytes, { level: 9 }).length,
  liteWasmBytesBeforeOpt: liteRaw,
  liteWasmBytes: liteBytes.length,
  liteWasmGzipBytes: gzipSync(liteBytes, { level: 9 }).length,
  liteWasmBrotliBytes: brotliCompressSync(liteBytes).length,
  seconds: Math.round((Date.now() - t0) / 1000),
};
writeFileSync(join(out, 'build-info.json'), JSON.stringify(sizes, null, 2) + '\n');
step(`done: ${JSON.stringify(sizes)}`);
