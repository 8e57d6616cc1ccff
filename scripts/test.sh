#!/usr/bin/env bash
# Every test Sparrow has, in the order CI runs them (.ci/run calls exactly this).
#
# Cold on 2 cores this is dominated by compiling tract twice (native + wasm32), so each is
# compiled once: clippy runs as the compiler of our own crates (SPARROW_LINT=1 in scripts/env.sh:
# RUSTC_WORKSPACE_WRAPPER=clippy-driver, -D warnings) inside the builds the tests need anyway,
# instead of a `cargo clippy` that would check tract a second time; the native and the wasm32
# builds run side by side; the npm package (both wasm modules) is built once and every later test
# uses it, the bindings' JS boundary included (pkg-config/test/lite.test.mjs). A target dir outside the clone (CARGO_TARGET_DIR, default
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

# The two tract builds (native for the tests, wasm32 for the package) run side by side: each
# leaves a core idle at times (long single crates), so together they finish sooner than one after
# the other. They use different profile directories of the target dir, so their locks never meet.
step "native tests (build + clippy + run, all targets) || npm package build (wasm32 + clippy -> wasm-bindgen -> tsc)"
package_log="$(mktemp)"
package_t0=$SECONDS
(node pkg-config/scripts/build.mjs --profile wasm-dev >"$package_log" 2>&1; echo "$? $SECONDS" >"$package_log.rc") &
package_pid=$!
native_ok=0
{ cargo test --workspace --all-targets --locked && cargo test --workspace --doc --locked; } || native_ok=$?
native_secs=$((SECONDS - package_t0))
wait "$package_pid" || true
read -r package_rc package_end <"$package_log.rc"
printf '\n----- npm package build (wasm-dev; ran beside the native tests) -----\n'
cat "$package_log"
printf 'native tests %d s, package build %d s, side by side\n' "$native_secs" $((package_end - package_t0))
rm -f "$package_log" "$package_log.rc"
[[ "$native_ok" == 0 ]] || { echo "native tests failed" >&2; exit 1; }
[[ "$package_rc" == 0 ]] || { echo "npm package build failed (log above)" >&2; exit 1; }

step "sparrow-core builds for wasm32 on its own (stays wasm-clean)"
wcargo build -p sparrow-core --profile wasm-dev --locked

step "TypeScript + wasm tests in node (package API, search-only module at the JS boundary, worker client, site loading); the demos type-check"
(cd pkg-config && npm test)
(cd www && node node_modules/typescript/bin/tsc -p .)

step "cross-language, packaging and browser tests"
(cd tests && npm test)

printf '\nall tests passed in %d s\n' $((SECONDS - t0))
