import fs from 'node:fs';
// The wasm side of the wasm/native ratio: the same job as `swarf-bench --job-only`, timed
// inside the wasm engine under node (best of three). Run scripts/build-web.sh first.
import { fileURLToPath } from 'node:url';
import { initSync, Engine, defaultJob } from '../www/pkg/swarf.js';
const pkg = fileURLToPath(new URL('../www/pkg/swarf_bg.wasm', import.meta.url));
initSync({ module: fs.readFileSync(pkg) });
const e = new Engine();
const job = defaultJob();
job.strategy.stepover = 0.5; job.strategy.sampling = 0.25;
const bytes = fs.readFileSync(process.argv[2]);
e.beginLoad(bytes.length);
e.pushChunk(bytes);
e.finishLoad(job);
let best = 1e9;
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  e.generate(job, () => true);
  best = Math.min(best, performance.now() - t);
}
console.log('wasm generate ms', best.toFixed(1));
