// The stock simulation in the page, in real headless Chromium: the stock is simulated after
// Generate and drawn shaded; the slider changes the stock's pixels; a simulation can be
// cancelled and run again without generating; the colour hook recolours the stock with a
// deviation map the test computes itself from a model it knows exactly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, waitStatus, terrainStl, decodePng, keepScreenshot } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const LOADED = /triangles loaded|Could not load/;
const SIMULATED = /Stock simulated|Stock simulation cancelled|Stock simulation:|Check the settings|Error/;

/** The canvas as { width, height, channels, data } once the viewer has drawn what it was
 * last given (a frame after the last change, and no seek under way). */
async function canvas(page, name) {
  await page.waitForFunction(() => window.swarf.sim.idle, null, { timeout: 60_000 });
  await page.evaluate(() => new Promise((r) => {
    const v = window.swarf.viewer;
    v.redraw();
    const wait = () => (v.dirty ? requestAnimationFrame(wait) : r(undefined));
    requestAnimationFrame(wait);
  }));
  const png = await page.locator('canvas').screenshot({ timeout: 60_000 });
  if (name) keepScreenshot(png, name);
  return decodePng(png);
}

/** Pixels that differ by more than a little between two canvases of the same size. */
function changed(a, b) {
  assert.equal(a.data.length, b.data.length);
  let n = 0;
  for (let i = 0; i < a.data.length; i += a.channels) {
    const d = Math.abs(a.data[i] - b.data[i]) + Math.abs(a.data[i + 1] - b.data[i + 1]) + Math.abs(a.data[i + 2] - b.data[i + 2]);
    if (d > 24) n++;
  }
  return n;
}

/** Pixels that are not the viewer's background (0.12, 0.13, 0.15). */
function drawn(png) {
  let n = 0;
  for (let i = 0; i < png.data.length; i += png.channels) {
    if (Math.abs(png.data[i] - 31) + Math.abs(png.data[i + 1] - 33) + Math.abs(png.data[i + 2] - 38) > 12) n++;
  }
  return n;
}

/** Opens the page with the stock simulated at `cells` cells, model and toolpath hidden. */
async function setUp(cells = '500000') {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  await s.page.selectOption('#sim-cells', cells);
  return s;
}

async function generateAndSimulate(page) {
  await page.getByRole('button', { name: 'Generate' }).click();
  const r = await waitStatus(page, SIMULATED, 180_000);
  assert.match(r.status, /Stock simulated in [\d.]+ s/, r.error);
  return r;
}

async function scrub(page, k) {
  await page.fill('#scrub-range', String(k));
  await page.waitForFunction((k) => window.swarf.sim.at === k && window.swarf.sim.idle, k, { timeout: 60_000 });
}

test('after Generate the stock is simulated and drawn shaded; the slider changes its pixels', async () => {
  const s = await setUp();
  // The shading alone: the deviation map (and its key in the legend) is the third test's.
  await s.page.uncheck('#sim-deviation');
  await generateAndSimulate(s.page);
  const grid = await s.page.evaluate(() => window.swarf.sim.grid);
  assert.ok(grid.nx * grid.ny <= 500_000 && grid.nx * grid.ny > 400_000, `${grid.nx} × ${grid.ny}`);
  assert.match(await s.page.textContent('[data-stat="sim"]'), /cells of [\d.]+ mm, [\d.]+ s/);
  assert.match(await s.page.textContent('[data-stat="sim-memory"]'), /MB \(\d+ checkpoints\)/);
  assert.equal(await s.page.inputValue('#scrub-range'), String(grid.moves));

  await s.page.uncheck('#show-model');
  await s.page.uncheck('#show-path');
  const end = await canvas(s.page, 'sim-end.png');
  // Shaded, not a flat colour: the lit surface has many tones.
  const tones = new Set();
  for (let i = 0; i < end.data.length; i += end.channels * 7) tones.add((end.data[i] << 16) | (end.data[i + 1] << 8) | end.data[i + 2]);
  assert.ok(tones.size > 200, `only ${tones.size} colours`);
  assert.ok(drawn(end) > end.width * end.height * 0.15, 'the stock covers a good part of the canvas');

  // Back to the uncut block, then half way: each time the stock's pixels change.
  await scrub(s.page, 0);
  const start = await canvas(s.page, 'sim-start.png');
  await scrub(s.page, Math.floor(grid.moves / 2));
  const half = await canvas(s.page, 'sim-half.png');
  const px = end.width * end.height;
  for (const [a, b, what] of [[end, start, 'end / start'], [start, half, 'start / half'], [half, end, 'half / end']]) {
    const n = changed(a, b);
    assert.ok(n > px * 0.02, `${what}: only ${n} pixels changed`);
  }
  // The changes are the stock's: inside the uncut block's silhouette (every later state
  // lies within it), none outside.
  let inside = 0, outside = 0;
  for (let i = 0; i < end.data.length; i += end.channels) {
    const block = Math.abs(start.data[i] - 31) + Math.abs(start.data[i + 1] - 33) + Math.abs(start.data[i + 2] - 38) > 12;
    const d = Math.abs(end.data[i] - half.data[i]) + Math.abs(end.data[i + 1] - half.data[i + 1]) + Math.abs(end.data[i + 2] - half.data[i + 2]);
    if (d > 24) { if (block) inside++; else outside++; }
  }
  assert.ok(inside > px * 0.02, `${inside} pixels of the stock changed`);
  assert.ok(outside < px * 0.001, `${outside} pixels changed off the stock`);

  // The toolpath up to the slider is coloured by operation, the rest dimmed: showing it
  // at half way changes the picture against the stock alone.
  await s.page.check('#show-path');
  const withPath = await canvas(s.page);
  assert.ok(changed(withPath, half) > px * 0.01);
  assert.match(await s.page.textContent('#scrub-label'), /^Move [\d,]+ of [\d,]+ · 1\. Parallel \(T1\)$/);
  await s.close();
});

test('Cancel stops a simulation at once; Simulate runs it again without generating', async () => {
  // 8M cells of the demo's finishing program: many seconds of work.
  const s = await setUp('8000000');
  await s.page.getByRole('button', { name: 'Generate' }).click();
  await waitStatus(s.page, /Simulating the stock/, 60_000);
  await s.page.waitForFunction(() => document.getElementById('progress').value > 0.02, null, { timeout: 60_000 });
  const t0 = Date.now();
  await s.page.getByRole('button', { name: 'Cancel' }).click();
  await waitStatus(s.page, /Stock simulation cancelled/, 5_000);
  const took = Date.now() - t0;
  assert.ok(took < 1500, `cancel took ${took} ms`);
  assert.ok(await s.page.isHidden('#cancel'));
  assert.ok(await s.page.isHidden('#scrub'));
  // The worker kept the program: Simulate (at a smaller size) works without a new Generate.
  await s.page.selectOption('#sim-cells', '500000');
  const gens = await s.page.evaluate(() => window.swarf.timings.generate);
  await s.page.getByRole('button', { name: 'Simulate' }).click();
  const r = await waitStatus(s.page, SIMULATED, 120_000);
  assert.match(r.status, /Stock simulated/);
  assert.equal(await s.page.evaluate(() => window.swarf.timings.generate), gens);
  // A setting change drops the stale stock; Generate works as before.
  await s.page.fill('#f-strategy-stepover', '2');
  await s.page.dispatchEvent('#f-strategy-stepover', 'change');
  assert.ok(await s.page.isHidden('#scrub'));
  await generateAndSimulate(s.page);
  await s.close();
});

/** The height of the test terrain's surface (terrainStl(nx, ny, w, h): two triangles per
 * grid square, a-b-c and a-c-d) at (x, y), or NaN off it. */
function terrainHeight(nx, ny, w, h, x, y) {
  const z = (i, j) => 5 + 2 * Math.sin(i * 0.31) * Math.cos(j * 0.23) + 0.5 * Math.sin((i + j) * 0.05);
  const u = (x / w) * nx, v = (y / h) * ny;
  if (!(u >= 0 && u <= nx && v >= 0 && v <= ny)) return NaN;
  const i = Math.min(nx - 1, Math.floor(u)), j = Math.min(ny - 1, Math.floor(v));
  const fu = u - i, fv = v - j;
  // Below the diagonal a-c: triangle a b c; above: a c d.
  return fu >= fv
    ? z(i, j) + fu * (z(i + 1, j) - z(i, j)) + fv * (z(i + 1, j + 1) - z(i + 1, j))
    : z(i, j) + fv * (z(i, j + 1) - z(i, j)) + fu * (z(i + 1, j + 1) - z(i, j + 1));
}

test('setStockColors: a deviation map the test computes, and plain RGB, recolour the stock', async () => {
  const s = await setUp();
  // Stock 3 mm beyond the model on every side and on top (the saved job is the CLI's JSON,
  // which has the stock's margin), so some cells have no model under them.
  await s.page.evaluate(() => {
    const job = structuredClone(window.swarf.state.job);
    job.stock.margin = 3;
    localStorage.setItem('swarf.job', JSON.stringify(job));
  });
  await s.page.reload();
  await waitStatus(s.page, LOADED);
  const [nx, ny, w, h] = [60, 40, 50, 40];
  await s.page.setInputFiles('#file', { name: 'terrain.stl', mimeType: 'model/stl', buffer: terrainStl(nx, ny, w, h) });
  await waitStatus(s.page, /terrain\.stl: .*loaded/);
  // A 3 mm ball (so the terrain's valleys are reached), finishing at 0.5 mm stepover.
  await s.page.fill('#f-tool-diameter', '3');
  await s.page.dispatchEvent('#f-tool-diameter', 'change');
  await s.page.fill('#f-strategy-stepover', '0.5');
  await s.page.dispatchEvent('#f-strategy-stepover', 'change');
  // The page's own deviation map off for now: this test drives the hook itself first.
  await s.page.uncheck('#sim-deviation');
  await generateAndSimulate(s.page);
  await s.page.uncheck('#show-model');
  await s.page.uncheck('#show-path');
  const plain = await canvas(s.page, 'sim-terrain.png');

  // The deviation per cell: the stock's height minus the model's under the cell's centre.
  const { grid, heights } = await s.page.evaluate(async () => {
    const r = await window.swarf.client.stockHeights();
    return { grid: window.swarf.sim.grid, heights: Array.from(r.heights) };
  });
  assert.equal(heights.length, grid.nx * grid.ny);
  const dev = new Float32Array(heights.length);
  let on = 0, left = 0, off = 0, low = Infinity;
  for (let j = 0; j < grid.ny; j++)
    for (let i = 0; i < grid.nx; i++) {
      const x = grid.origin[0] + (i + 0.5) * grid.cell, y = grid.origin[1] + (j + 0.5) * grid.cell;
      const d = heights[j * grid.nx + i] - terrainHeight(nx, ny, w, h, x, y);
      dev[j * grid.nx + i] = d;
      if (Number.isNaN(d)) off++;
      else {
        low = Math.min(low, d);
        if (Math.abs(d) <= 0.01) on++;
        else if (d > 0.01) left++;
      }
    }
  // A ball finishing pass leaves no gouge: the lowest cell is below the model only by the
  // chords between the drop-cutter's samples (0.5 mm apart here: microns); most cells are
  // within 0.01 mm and the scallops' crests (0.02 mm for a 3 mm ball at 0.5 mm) above.
  assert.ok(low > -0.02, `lowest deviation ${low}`);
  assert.ok(on > heights.length * 0.2 && left > 0 && off > 0, `${on} on size, ${left} left, ${off} off the model`);

  await s.page.evaluate((d) => window.swarf.viewer.setStockColors(new Float32Array(d), { tolerance: 0.01 }), Array.from(dev));
  const mapped = await canvas(s.page, 'sim-terrain-deviation.png');
  const px = plain.width * plain.height;
  assert.ok(changed(plain, mapped) > px * 0.1, 'the deviation colours show');
  // On-size green dominates the surface; grey (off the model: the margin) shows too.
  let green = 0, grey = 0, red = 0;
  for (let i = 0; i < mapped.data.length; i += mapped.channels) {
    const [r, g, b] = [mapped.data[i], mapped.data[i + 1], mapped.data[i + 2]];
    if (g > r * 1.6 && g > b * 1.6) green++;
    if (Math.abs(r - g) < 8 && Math.abs(g - b) < 8 && r > 60) grey++;
    if (r > 2 * g && r > 2 * b && r > 80) red++;
  }
  assert.ok(green > px * 0.05, `${green} green pixels`);
  assert.ok(grey > px * 0.005, `${grey} grey pixels`);
  assert.ok(red < px * 0.001, `${red} red pixels where nothing gouges`);

  // A gouge in the map shows red; then plain RGB per cell; then back to the plain stock.
  await s.page.evaluate((d) => {
    const a = new Float32Array(d);
    for (let k = 0; k < a.length; k++) if (a[k] <= 0.01) a[k] = -1;
    window.swarf.viewer.setStockColors(a, { tolerance: 0.01, max: 1 });
  }, Array.from(dev));
  const gouged = await canvas(s.page, 'sim-terrain-gouge.png');
  let reds = 0;
  for (let i = 0; i < gouged.data.length; i += gouged.channels) {
    const [r, g, b] = [gouged.data[i], gouged.data[i + 1], gouged.data[i + 2]];
    if (r > 2 * g && r > 2 * b && r > 60) reds++;
  }
  assert.ok(reds > px * 0.05, `${reds} red pixels`);
  await s.page.evaluate(({ n }) => {
    const rgb = new Uint8Array(3 * n);
    for (let k = 0; k < n; k++) rgb[3 * k + 2] = 255;
    window.swarf.viewer.setStockColors(rgb);
  }, { n: grid.nx * grid.ny });
  const blue = await canvas(s.page);
  let blues = 0;
  for (let i = 0; i < blue.data.length; i += blue.channels) if (blue.data[i + 2] > 2 * blue.data[i] + 20 && blue.data[i + 2] > 2 * blue.data[i + 1] + 20) blues++;
  assert.ok(blues > px * 0.1, `${blues} blue pixels`);
  // A wrong length is refused with a message, the picture unchanged.
  const err = await s.page.evaluate(() => { try { window.swarf.viewer.setStockColors(new Uint8Array(5)); return ''; } catch (e) { return e.message; } });
  assert.match(err, /5 bytes for \d+ cells/);
  await s.page.evaluate(() => window.swarf.viewer.setStockColors(null));
  const back = await canvas(s.page);
  assert.ok(changed(back, plain) < px * 0.001, 'null brings back the plain stock');

  // The engine's check of the same program, on the same grid: along the normal its
  // deviation is never larger than the vertical one the test computed, has its sign where
  // that is clear of rounding, and is NaN exactly where the test found no model.
  const check = await s.page.evaluate(() => {
    const c = window.swarf.sim.check;
    return c && { nx: c.nx, ny: c.ny, dev: Array.from(c.deviation), failed: c.failed, gouge: c.deepestGouge };
  });
  assert.ok(check, 'the page checked the stock against the model');
  assert.equal(check.nx, grid.nx);
  assert.equal(check.ny, grid.ny);
  assert.equal(check.failed, false);
  let compared = 0;
  for (let k = 0; k < dev.length; k++) {
    const v = dev[k], e = check.dev[k];
    assert.equal(Number.isNaN(e), Number.isNaN(v), `cell ${k}: ${e} against ${v}`);
    if (Number.isNaN(v)) continue;
    // The engine replays the G-code (3 decimals, each word within 0.0005 mm), the page's
    // stock the toolpath itself: they may differ by about that much.
    assert.ok(Math.abs(e) <= Math.abs(v) + 1e-3, `cell ${k}: ${e} along the normal, ${v} vertically`);
    if (Math.abs(v) > 3e-3) assert.equal(Math.sign(e), Math.sign(v), `cell ${k}: ${e} against ${v}`);
    compared++;
  }
  assert.ok(compared > dev.length / 2);
  assert.match(await s.page.textContent('[data-stat="gouge"]'), /^(none|0\.\d{4} mm( at line \d+)?)$/);
  assert.match(await s.page.textContent('[data-stat="left"]'), /^0\.\d{3} mm at X/);
  assert.equal(await s.page.textContent('[data-stat="collisions"]'), 'none');
  // The page's own map: switched on, the stock takes its colours (on-size green), no red.
  await s.page.check('#sim-deviation');
  const own = await canvas(s.page, 'sim-terrain-check.png');
  assert.ok(changed(own, plain) > px * 0.1, 'the deviation map shows');
  let ownRed = 0, ownGreen = 0;
  for (let i = 0; i < own.data.length; i += own.channels) {
    const [r, g, b] = [own.data[i], own.data[i + 1], own.data[i + 2]];
    if (r > 2 * g && r > 2 * b && r > 80) ownRed++;
    if (g > r * 1.6 && g > b * 1.6) ownGreen++;
  }
  assert.ok(ownGreen > px * 0.05 && ownRed < px * 0.001, `${ownGreen} green, ${ownRed} red`);
  // Away from the program's end the map goes (a half-cut stock is all "material left").
  await scrub(s.page, Math.floor(grid.moves / 2));
  const halfway = await canvas(s.page);
  await scrub(s.page, grid.moves);
  const again = await canvas(s.page);
  assert.ok(changed(halfway, again) > px * 0.05);
  assert.ok(changed(again, own) < px * 0.001, 'back at the end the map is back');
  await s.close();
});
