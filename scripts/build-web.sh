#!/usr/bin/env bash
# Builds the wasm engine and its JS glue into www/pkg, as wasm-pack.toml says.
# Installs what it needs when missing (wasm32 target, wasm-bindgen CLI at the pinned
# version, npm binaryen for wasm-opt); a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

# Read wasm-pack.toml (python3's tomllib) into shell variables.
eval "$(python3 - <<'PY'
import tomllib, shlex
c = tomllib.load(open("wasm-pack.toml", "rb"))
b, g, o = c["build"], c["bindgen"], c["opt"]
print(f"PROFILE={shlex.quote(b['profile'])} TARGET={shlex.quote(b['target'])}")
print(f"BINDGEN_VERSION={shlex.quote(g['version'])} BINDGEN_TARGET={shlex.quote(g['target'])}")
print(f"OUT_DIR={shlex.quote(g['out_dir'])} OUT_NAME={shlex.quote(g['out_name'])}")
print(f"OPT_ENABLED={'1' if o['enabled'] else '0'} OPT_FLAGS={shlex.quote(' '.join(o['flags']))}")
PY
)"

say() { echo "build-web: $*" >&2; }

# The bindgen CLI must match the crate exactly: check the lock file agrees with wasm-pack.toml.
LOCKED=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if [ -n "$LOCKED" ] && [ "$LOCKED" != "$BINDGEN_VERSION" ]; then
  say "Cargo.lock pins wasm-bindgen $LOCKED but wasm-pack.toml says $BINDGEN_VERSION: make them equal"
  exit 1
fi

if ! rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  say "adding rust target $TARGET"
  rustup target add "$TARGET" >/dev/null
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $BINDGEN_VERSION\b"; then
  # Not --locked: one locked transitive version is missing from the registry here.
  say "installing wasm-bindgen-cli $BINDGEN_VERSION (a few minutes, once)"
  cargo install -q wasm-bindgen-cli --version "$BINDGEN_VERSION" --force
fi

if [ "$OPT_ENABLED" = 1 ] && [ ! -x node_modules/.bin/wasm-opt ]; then
  say "installing npm dev tools (binaryen, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

say "cargo build --lib --$PROFILE --target $TARGET"
cargo build -q --lib --profile "$PROFILE" --target "$TARGET"
PROFILE_DIR=$PROFILE
[ "$PROFILE" = dev ] && PROFILE_DIR=debug
WASM="target/$TARGET/$PROFILE_DIR/swarf.wasm"

mkdir -p "$OUT_DIR"
# The .d.ts it writes beside the glue is what `npm run lint:js` checks the worker against.
wasm-bindgen --target "$BINDGEN_TARGET" --out-dir "$OUT_DIR" --out-name "$OUT_NAME" "$WASM"

BG="$OUT_DIR/${OUT_NAME}_bg.wasm"
if [ "$OPT_ENABLED" = 1 ]; then
  # shellcheck disable=SC2086
  node_modules/.bin/wasm-opt $OPT_FLAGS "$BG" -o "$BG.opt"
  mv "$BG.opt" "$BG"
fi

# The service worker's cache name follows the build, so a new build replaces the old cache.
HASH=$(find "$BG" "$OUT_DIR/$OUT_NAME.js" www -maxdepth 1 -type f \( -name "*.wasm" -o -name "*.js" -o -name "*.html" -o -name "*.css" -o -name "*.webmanifest" -o -name "*.svg" -o -name "*.png" \) -print0 \
  | sort -z | xargs -0 cat | sha256sum | cut -c1-12)
printf 'self.SWARF_BUILD = "%s";\n' "$HASH" > "$OUT_DIR/build.js"
say "done: $BG $(stat -c %s "$BG") bytes, build $HASH"
