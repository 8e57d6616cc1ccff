#!/usr/bin/env bash
# Builds the docs-search index of the Node.js API docs (Debian's nodejs-doc HTML, MIT, unpacked by scripts/setup.sh) into
# OUT (default www/public/generated/nodejs): manifest.json + index-<hash>.spi, plus a copy of
# the pages under OUT/site/ so result links work. Never committed (www/public/generated/ is
# git-ignored).
#   scripts/index-nodejs-docs.sh [OUT] [extra sparrow index args, e.g. --limit 10]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
DOCS="$NODEJS_DOCS"   # scripts/env.sh: the nodejs-doc .deb unpacked by scripts/setup.sh
OUT="${1:-www/public/generated/nodejs}"
shift || true
if [ ! -f "$DOCS/fs.html" ]; then
  echo "index-nodejs-docs: $DOCS/fs.html is missing: run scripts/setup.sh (it unpacks Debian's nodejs-doc .deb there)" >&2
  exit 1
fi
# The dev profile builds dependencies (tract) with opt-level 2, fast enough for indexing, and
# shares its artifacts with `cargo test`.
nice cargo build -p sparrow-cli --quiet
mkdir -p "$OUT"
rm -rf "$OUT/site" && cp -r "$DOCS" "$OUT/site"
# all.html repeats every page; index.html is the table of contents. #apicontent is the body of
# each page (the nodejs docs have no data-sparrow-body marker).
"$CARGO_TARGET_DIR/debug/sparrow" index --site "$DOCS" --out "$OUT" --body '#apicontent' \
  --exclude all.html --exclude index.html "$@"
