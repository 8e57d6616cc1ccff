# Sourced by the build/test scripts. One place for the toolchain environment.
#   native: rustup's cargo (or whatever `cargo` is on PATH)
#   wasm32: Debian's rustc-web 1.96 + -Zbuild-std, via the `wcargo` function below
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export PATH="$HOME/.cargo/bin:$PATH"
TOOLS="${SPARROW_TOOLS:-/opt/sparrow-tools}"
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

wcargo() {
  local sub="$1"; shift
  # /usr/bin first so `cargo clippy` finds Debian's cargo-clippy/clippy-driver (1.96), not rustup's;
  # but the node in front of it: wasm-bindgen-test-runner runs `node` from PATH, and Debian 12's
  # node 18 (/usr/bin/node, when installed) crashes on wasm-bindgen 0.2.130's test harness
  # (V8 fatal: a wasm funcref reaches JS in the `__wbg_call` shim). Node 20+ runs it.
  local node_dir
  node_dir="$(dirname "$(command -v node)")"
  PATH="$node_dir:/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
    /usr/bin/cargo "$sub" --target "$WASM_TRIPLE" -Zbuild-std=std,panic_abort "$@"
}
