#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine, builds the model, the wasm package and the demo
# site, indexes the Node.js API docs (Debian's nodejs-doc, MIT) for the docs search page, and
# serves it all on http://127.0.0.1:${PORT:-8080}/ (docs search: /docs/).
#   SPARROW_PROFILE=wasm-release scripts/demo.sh   # the optimised build (fat LTO + wasm-opt; slower to build)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
source scripts/env.sh
bash model/build.sh
node pkg-config/scripts/build.mjs --profile "${SPARROW_PROFILE:-wasm-dev}"
# Every page (~4,000 sections, ~2-3 min on 2 cores with the fused projection kernel; above 2 MiB,
# so it is written sharded and the page fetches only the shards a query needs).
# SPARROW_DOCS_PAGES=N indexes the first N pages only.
if [[ "${SPARROW_DOCS_PAGES:-0}" == 0 ]]; then
  bash scripts/index-nodejs-docs.sh www/public/generated/nodejs
else
  bash scripts/index-nodejs-docs.sh www/public/generated/nodejs --limit "${SPARROW_DOCS_PAGES}"
fi
(cd www && npx vite build --logLevel warn)
echo "docs search: http://127.0.0.1:${PORT:-8080}/docs/"
exec node www/serve.mjs www/dist --port "${PORT:-8080}"
