#!/usr/bin/env bash
# Issue 4 item 8: time from drop to preview and to toolpath in headless Chromium, wasm memory
# per triangle, wasm/native ratio, .wasm size. SIZES=100000,1000000 by default.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error >/dev/null
scripts/build-web.sh
cargo build -q --release --bin swarf
export SWARF_CLI="$PWD/target/release/swarf"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory www >/dev/null 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
sleep 1
export SWARF_URL="http://127.0.0.1:$PORT/"
echo ".wasm size: $(stat -c %s www/pkg/swarf_bg.wasm) bytes ($(gzip -9c www/pkg/swarf_bg.wasm | wc -c) gzipped)"
node tests/browser/measure.mjs 2> >(grep -v -e dbus -e 'unexpected operator' >&2)
