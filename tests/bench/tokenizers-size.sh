#!/usr/bin/env bash
# What the `tokenizers` crate would add to the search-only wasm module (ARCHITECTURE.md, "Why
# WordPiece is written by hand"): builds a tiny cdylib that parses a tokenizer.json and encodes a
# query, with and without `tokenizers` (the same code path parses JSON with serde_json in both),
# for wasm32 with the search-only module's settings (opt-level z, fat LTO, one codegen unit,
# panic=abort, wasm-opt -Oz), and prints raw, gzip -9 and brotli (q 11) bytes of each.
#   bash tests/bench/tokenizers-size.sh        (~15 min cold on 2 cores: std and tokenizers for wasm32)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/scripts/env.sh"
work="$(mktemp -d)"
mkdir -p "$work/src" "$work/.cargo"
cp "$ROOT/tests/bench/tokenizers-size.rs" "$work/src/lib.rs"
cp "$ROOT/.cargo/config.toml" "$work/.cargo/"
tok_version="$(grep -A1 '^name = "tokenizers"' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
cat > "$work/Cargo.toml" <<TOML
[package]
name = "tokprobe"
version = "0.0.0"
edition = "2021"
[lib]
crate-type = ["cdylib"]
[features]
tok = ["dep:tokenizers"]
[dependencies]
tokenizers = { version = "=$tok_version", default-features = false, features = ["unstable_wasm"], optional = true }
serde_json = "1"
[profile.release]
opt-level = "z"
lto = "fat"
codegen-units = 1
panic = "abort"
debug = false
[workspace]
TOML
export CARGO_TARGET_DIR="${TOKPROBE_TARGET:-/var/tmp/tokprobe-target}"
cd "$work"
for f in base tok; do
  if [[ "$f" == tok ]]; then wcargo build --release --quiet --features tok; else wcargo build --release --quiet; fi
  "$WASM_OPT" -Oz --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/tokprobe.wasm" -o "$work/$f.wasm"
done
node -e "
const z = require('zlib'), fs = require('fs');
const size = (f) => { const b = fs.readFileSync(f); return [b.length, z.gzipSync(b, { level: 9 }).length, z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }).length]; };
const [a, b] = ['$work/base.wasm', '$work/tok.wasm'].map(size);
console.log('without tokenizers: raw ' + a[0] + ', gzip ' + a[1] + ', brotli ' + a[2]);
console.log('with tokenizers:    raw ' + b[0] + ', gzip ' + b[1] + ', brotli ' + b[2]);
console.log('tokenizers adds:    raw ' + (b[0] - a[0]) + ', gzip ' + (b[1] - a[1]) + ', brotli ' + (b[2] - a[2]));
"
rm -rf "$work"
