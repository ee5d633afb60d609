// Issue 4 item 8: measures the page in headless Chromium and the native CLI on the same
// generated models and job. Not a test (timings are not asserted). Run via
//   scripts/measure-web.sh            (builds, serves on a free port, runs this)
// Env: SWARF_URL (served page), SWARF_CLI (native binary), SIZES (triangles, comma list).
import { writeFileSync, mkdtempSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, BASE, terrainStl } from './helpers.mjs';

const sizes = (process.env.SIZES || '100000,1000000').split(',').map(Number);
const dir = mkdtempSync(join(tmpdir(), 'swarf-measure-'));
const browser = await launch();
const rows = [];
for (const n of sizes) {
  // A terrain of about n triangles (nx * ny * 2), 100 x 80 mm.
  const ny = Math.round(Math.sqrt(n / 2 / 1.25)), nx = Math.round(n / 2 / ny);
  const file = join(dir, `terrain-${n}.stl`);
  writeFileSync(file, terrainStl(nx, ny, 100, 80));
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  await page.goto(BASE);
  await page.waitForFunction(() => /triangles loaded/.test(document.getElementById('status').textContent));
  const t0 = Date.now();
  await page.setInputFiles('#file', file);
  await page.waitForFunction(() => /terrain-\d+\.stl: .*loaded|Could not/.test(document.getElementById('status').textContent + document.getElementById('error').textContent), null, { timeout: 120_000 });
  const wall = Date.now() - t0;
  const info = await page.evaluate(() => window.swarf.state.info);
  const preview = await page.evaluate(() => window.swarf.timings.preview);
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.waitForFunction(() => /Toolpath ready|Error/.test(document.getElementById('status').textContent + document.getElementById('error').textContent), null, { timeout: 600_000 });
  const gen = await page.evaluate(() => window.swarf.timings.generate);
  const job = await page.evaluate(() => JSON.stringify(window.swarf.state.job));
  const memAfterGen = await page.evaluate(() => window.swarf.state.result.info.wasmMemory);
  await context.close();
  let native = null;
  if (process.env.SWARF_CLI) {
    writeFileSync(join(dir, 'job.json'), job);
    // Native: the same job, one thread; the CLI's time includes reading the STL, so the
    // browser figure compared against it is load + generate.
    const s = process.hrtime.bigint();
    execFileSync(process.env.SWARF_CLI, ['generate', file, '--job', join(dir, 'job.json'), '-o', join(dir, 'out.ngc')], { stdio: 'pipe' });
    native = Number(process.hrtime.bigint() - s) / 1e6;
  }
  rows.push({ n: info.triangles, mb: statSync(file).size / 1e6, wall, preview, gen, info, memAfterGen, native });
}
await browser.close();

const f = (x, d = 0) => (x == null ? '–' : x.toFixed(d));
console.log('| triangles | STL MB | drop → preview (ms) | preview, page-measured (ms) | generate in worker (ms) | engine B/tri | wasm memory after load (B/tri) | wasm memory after generate (MB) | native CLI load+generate (ms) | wasm/native |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows)
  console.log(`| ${r.n} | ${f(r.mb, 1)} | ${r.wall} | ${f(r.preview)} | ${f(r.gen)} | ${f(r.info.bytesPerTriangle, 1)} | ${f(r.info.wasmMemory / r.n, 1)} | ${f(r.memAfterGen / 1e6, 1)} | ${f(r.native)} | ${r.native ? f((r.preview + r.gen) / r.native, 2) : '–'} |`);
