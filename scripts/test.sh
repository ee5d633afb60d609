#!/usr/bin/env bash
# Runs every test: formatting, lints, the native test suite (cutters, index, STL, G-code
# through LinuxCNC's rs274, CLI), the wasm build, and the page in headless Chromium.
# Installs what it needs first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets -- -D warnings
cargo clippy --all-targets --features parallel -- -D warnings

echo "== page JavaScript: tsc --checkJs (JSDoc types, no emit)"
npm run -s lint:js

echo "== wasm build (no warnings allowed)"
out=$(cargo build --lib --target wasm32-unknown-unknown --release 2>&1) || { echo "$out"; exit 1; }
if echo "$out" | grep -q '^warning'; then echo "$out"; echo "wasm build has warnings"; exit 1; fi

echo "== cargo test"
SWARF_REQUIRE_RS274=1 cargo test --release

if [ -x scripts/test-web.sh ] && [ "${SWARF_SKIP_BROWSER:-0}" != 1 ]; then
  echo "== page in headless Chromium"
  scripts/test-web.sh
fi
echo "== all tests passed"
