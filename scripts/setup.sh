#!/usr/bin/env bash
# Installs everything the build and the tests need, idempotently and quietly:
# the wasm target, the wasm-bindgen CLI at the version Cargo.lock pins, LinuxCNC's rs274
# interpreter, Chromium, and the npm packages. A second run only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "setup: $*"; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown >/dev/null
fi

# Debian packages: rs274 (linuxcnc-uspace) and chromium, with one apt-get update first.
need_apt=()
command -v rs274 >/dev/null 2>&1 || need_apt+=(linuxcnc-uspace)
if [ "${SWARF_SKIP_BROWSER:-0}" != 1 ] && [ -d www ]; then
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# wasm-bindgen CLI at exactly the version the lock file pins (a mismatch fails at build).
want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock 2>/dev/null || true)
if [ -n "$want" ]; then
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    log "cargo install wasm-bindgen-cli $want (about 3 minutes, once)"
    cargo install -q wasm-bindgen-cli --version "$want" >/dev/null
  fi
fi

# npm packages for the page's build (wasm-opt) and browser tests, from the lock file.
if [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
  fi
fi
log "ready"
