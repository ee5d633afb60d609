// Issue 11: the default finishing job on a generated terrain in headless Chromium with
// `?workers=1` and `?workers=2` (and more when WORKERS says so): generate time, best of
// RUNS (and the median), and whether the programs are the same bytes. Not a test (timings
// are not asserted). Diagnostics: DIAG=1 logs every frame the viewer draws, NO_PROGRESS=1
// freezes the progress bar, HIDE_MODEL=1 hides the model; VW/VH size the window.
//   SWARF_URL=http://127.0.0.1:8765/ node tests/browser/measure-pool.mjs
// Env: SIZE (triangles, default 1000000), WORKERS (comma list, default 1,2), RUNS (default 3).
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { launch, BASE, terrainStl } from './helpers.mjs';

const n = Number(process.env.SIZE || 1_000_000);
const counts = (process.env.WORKERS || '1,2').split(',').map(Number);
const runs = Number(process.env.RUNS || 3);
const dir = mkdtempSync(join(tmpdir(), 'swarf-pool-'));
const ny = Math.round(Math.sqrt(n / 2 / 1.25)), nx = Math.round(n / 2 / ny);
const file = join(dir, `terrain-${n}.stl`);
writeFileSync(file, terrainStl(nx, ny, 100, 80));
const browser = await launch();
const rows = [];
for (const w of counts) {
  const context = await browser.newContext({ viewport: { width: Number(process.env.VW || 1200), height: Number(process.env.VH || 800) } });
  // No stock simulation after each run: it would overlap the next run's generate.
  await context.addInitScript(() => localStorage.setItem('swarf.sim', JSON.stringify({ auto: false })));
  await context.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ type: 'longtask', buffered: true });
  });
  const page = await context.newPage();
  await page.goto(new URL(`?workers=${w}`, BASE).href);
  await page.waitForFunction(() => /triangles loaded/.test(document.getElementById('status').textContent));
  await page.setInputFiles('#file', file);
  await page.waitForFunction(() => /terrain-\d+\.stl: .*loaded|Could not/.test(document.getElementById('status').textContent + document.getElementById('error').textContent), null, { timeout: 120_000 });
  if (process.env.DIAG) await page.evaluate(() => {
    const v = window.swarf.viewer;
    window.__draws = [];
    const draw = v.draw.bind(v);
    v.draw = () => { const t = performance.now(); draw(); window.__draws.push([Math.round(t - (window.__t0 || 0)), Math.round(performance.now() - t), v.canvas.width, v.canvas.height]); };
  });
  if (process.env.NO_PROGRESS) await page.evaluate(() => {
    Object.defineProperty(document.getElementById('progress'), 'value', { set() {}, get() { return 0; } });
  });
  if (process.env.HIDE_MODEL) await page.evaluate(() => window.swarf.viewer.setShown('model', false));
  const times = [];
  let hash = '', stat = '';
  for (let r = 0; r < runs; r++) {
    await page.evaluate(() => { window.__long = []; window.__t0 = performance.now(); });
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.waitForFunction(() => /Toolpath ready|Error/.test(document.getElementById('status').textContent + document.getElementById('error').textContent), null, { timeout: 600_000, polling: 250 });
    times.push(await page.evaluate(() => window.swarf.timings.generate));
    hash = createHash('sha256').update(await page.evaluate(() => window.swarf.state.result.gcode)).digest('hex').slice(0, 16);
    stat = await page.textContent('[data-stat="workers"]');
    if (process.env.DIAG) console.log('draws', JSON.stringify(await page.evaluate(() => window.__draws.splice(0))));
    console.log('long tasks', JSON.stringify(await page.evaluate(() => window.__long.map(([s, d]) => [Math.round(s - window.__t0), d]))));
    console.log(w, times.at(-1), JSON.stringify(await page.evaluate(() => window.swarf.state.result.poolTiming)));
  }
  const tris = await page.evaluate(() => window.swarf.state.info.triangles);
  const sorted = [...times].sort((a, b) => a - b);
  rows.push({ workers: w, triangles: tris, best_ms: Math.round(sorted[0]), median_ms: Math.round(sorted[sorted.length >> 1]), runs: times.map(Math.round).join(' / '), stat, gcode: hash });
  await context.close();
}
await browser.close();
const base = rows[0].best_ms;
const mid = rows[0].median_ms;
for (const r of rows) {
  r.speedup = +(base / r.best_ms).toFixed(2);
  r.speedup_median = +(mid / r.median_ms).toFixed(2);
}
console.table(rows);
console.log(JSON.stringify(rows));
