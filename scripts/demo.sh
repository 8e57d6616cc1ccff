#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine, builds the model, the wasm package and the demo
# site, and serves it on http://127.0.0.1:${PORT:-8080}/.
#   SPARROW_PROFILE=wasm-release scripts/demo.sh   # the optimised build (fat LTO + wasm-opt; slower to build)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
source scripts/env.sh
bash model/build.sh
node pkg-config/scripts/build.mjs --profile "${SPARROW_PROFILE:-wasm-dev}"
(cd www && npx vite build --logLevel warn)
exec node www/serve.mjs www/dist --port "${PORT:-8080}"
