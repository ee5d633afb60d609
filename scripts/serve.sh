#!/usr/bin/env bash
# Builds the web page and serves it on http://127.0.0.1:8080 (PORT=... to change), in the
# foreground until stopped. Any static server would do; python3's ships with the machine and
# serves .wasm as application/wasm.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
PORT="${PORT:-8080}"
echo "Swarf: http://127.0.0.1:$PORT/  (embed example: http://127.0.0.1:$PORT/embed.html)"
exec python3 -m http.server "$PORT" --bind 127.0.0.1 --directory www
