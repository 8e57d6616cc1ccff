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
# The encoder runs ~2-10 sections/s on 2 cores, so the demo indexes the first pages only by default
# (SPARROW_DOCS_PAGES=0 indexes all ~60 pages).
if [[ "${SPARROW_DOCS_PAGES:-12}" == 0 ]]; then
  bash scripts/index-nodejs-docs.sh www/public/generated/nodejs
else
  bash scripts/index-nodejs-docs.sh www/public/generated/nodejs --limit "${SPARROW_DOCS_PAGES:-12}"
fi
(cd www && npx vite build --logLevel warn)
echo "docs search: http://127.0.0.1:${PORT:-8080}/docs/"
exec node www/serve.mjs www/dist --port "${PORT:-8080}"
