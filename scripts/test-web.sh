#!/usr/bin/env bash
# The web side's tests: builds the page, installs what the browser tests need (npm
# playwright-core + binaryen, Debian chromium), runs the wasm unit tests under node
# (wasm-bindgen-test), serves www/ on a free port and runs the browser tests in headless
# Chromium with node's test runner. Idempotent and quiet; the output ends with node's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { echo "test-web: $*" >&2; }

if [ ! -d node_modules/playwright-core ] || [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/tsc ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

if [ ! -x /usr/bin/chromium ]; then
  say "installing chromium (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
fi

scripts/build-web.sh

say "wasm unit tests (wasm-bindgen-test under node)"
LOG=$(mktemp)
if ! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown --lib web:: >"$LOG" 2>&1; then
  grep -v '^warning' "$LOG" | tail -40 >&2
  say "wasm unit tests failed"
  exit 1
fi
grep -E '^test (web|result)' "$LOG" >&2 || true
rm -f "$LOG"

# The native CLI, to compare its G-code with the page's download byte for byte.
say "building the native CLI"
cargo build -q --release --bin swarf 2>/dev/null || say "(CLI build failed: that comparison will be skipped)"
export SWARF_CLI="$PWD/target/release/swarf"
# Screenshots the tests keep for a person to look at (the drawing and its toolpath).
export SWARF_SCREENSHOTS="${SWARF_SCREENSHOTS:-$PWD/target/browser-screens}"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory www >/dev/null 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/" && break
  sleep 0.1
done
export SWARF_URL="http://127.0.0.1:$PORT/"
say "browser tests against $SWARF_URL"
# Chromium's Debian wrapper and dbus print harmless noise on stderr; the test results are on stdout.
node --test --test-concurrency=1 tests/browser/ 2> >(grep -v -e dbus -e 'unexpected operator' >&2)
