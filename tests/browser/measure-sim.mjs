// Issue 10: the stock simulation of the demo job in the page, in headless Chromium: the
// run's time in the worker, the memory it holds, seek times for the slider (in the engine,
// and round trip to the page with the rows uploaded), and the time of a frame with the
// stock drawn. Not a test (timings are not asserted). Run with the page served:
//   SWARF_URL=http://127.0.0.1:PORT/ node tests/browser/measure-sim.mjs
// Env: CELLS (the stock's cells, default 2000000, the page's default).
import { launch, BASE } from './helpers.mjs';

const cells = Number(process.env.CELLS || 2_000_000);
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
const page = await context.newPage();
await page.goto(BASE);
await page.waitForFunction(() => /triangles loaded/.test(document.getElementById('status').textContent));
await page.selectOption('#sim-cells', String(cells));
await page.getByRole('button', { name: 'Generate' }).click();
await page.waitForFunction(() => /Stock simulated|Stock simulation/.test(document.getElementById('status').textContent + document.getElementById('error').textContent), null, { timeout: 600_000 });
const r = await page.evaluate(async () => {
  const { sim, client, viewer, timings } = window.swarf;
  const g = sim.grid;
  const out = { grid: g, generate: timings.generate, simulate: sim.timings.simulate, engine: sim.timings.engine, seeks: [] };
  // Seeks with the stock hidden (engine and transfer), then the same with it drawn.
  viewer.setShown('stock', false);
  const n = g.moves;
  for (const k of [n / 2, n / 4, n / 4 + n / 100, n / 4 + n / 1000, 0, n, n - n / 100].map(Math.floor)) {
    const t = performance.now();
    const s = await client.stockAt(k);
    viewer.updateStockRows(s.rows[0], s.rows[1], s.heights);
    out.seeks.push({ k, ms: performance.now() - t, engine: s.ms, rows: s.rows[1] - s.rows[0] });
  }
  viewer.setShown('stock', true);
  const frames = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    viewer.orbit(2, 0);
    await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
    viewer.gl.finish();
    frames.push(performance.now() - t);
  }
  out.frames = frames;
  out.detail = viewer.stockDetail(viewer.matrices().mvp);
  out.sim = document.querySelector('[data-stat="sim"]').textContent;
  out.simMemory = document.querySelector('[data-stat="sim-memory"]').textContent;
  out.wasm = document.querySelector('[data-stat="memory"]').textContent;
  return out;
});
await browser.close();
const f = (x) => x.toFixed(0);
console.log(`demo job (${r.grid.moves} moves), stock ${r.grid.nx} × ${r.grid.ny} cells of ${r.grid.cell.toFixed(4)} mm`);
console.log(`generate ${f(r.generate)} ms; simulate ${f(r.simulate)} ms in the page (${f(r.engine)} ms in the worker)`);
console.log(`held by the simulation: ${r.simMemory}; wasm memory after: ${r.wasm}`);
console.log('| seek to move | rows sent | engine ms | round trip ms |');
console.log('|---|---|---|---|');
for (const s of r.seeks) console.log(`| ${s.k} | ${s.rows} | ${f(s.engine)} | ${f(s.ms)} |`);
console.log(`frame with the stock drawn (every ${r.detail.stride} cells): ${r.frames.map(f).join(', ')} ms`);
