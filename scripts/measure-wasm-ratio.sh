#!/usr/bin/env bash
# wasm/native speed ratio for the same surfacing job (engine only, no I/O, best of three):
# the wasm build under node against the native build, on generated terrains.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh >/dev/null
cargo build --release --bin swarf --bin swarf-bench 2>/dev/null
for n in ${SIZES:-223 707}; do
  f=$(mktemp --suffix .stl)
  target/release/swarf demo --size "$n" -o "$f" >/dev/null
  w=$(node --no-warnings bench/wasm_job.mjs "$f" | awk '{print $NF}')
  r=$(target/release/swarf-bench --job-only "$f" | awk '{print $NF}')
  echo "terrain $n: $(( 2*n*n + 8*n + 2 )) triangles, wasm ${w} ms, native ${r} ms, ratio $(python3 -c "print(f'{$w/$r:.2f}')")"
  rm -f "$f"
done
