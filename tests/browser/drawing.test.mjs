// 2D drawings in the page and the embed: an SVG or DXF opened or dropped is drawn on the bed,
// the settings offer the 2D strategies and start with a profile with tabs, whose toolpath
// rises over the tabs; profile and engrave give arcs as G2/G3 (equal to the CLI's program),
// the download has the dialect's extension; a broken drawing shows the engine's one-line
// message; the embed takes an SVG model too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, open, waitStatus, terrainStl, dropFile, decodePng, cliGenerate, download, keepScreenshot } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const LOADED = /triangles loaded|Could not load/;
const DONE = /Toolpath ready|Cancelled|Check the settings|Error|cuts nothing/;
const SIGN = readFileSync(new URL('../../www/examples/sign.svg', import.meta.url));
const BLOCKS = readFileSync(new URL('../fixtures/drawing/blocks.dxf', import.meta.url));

async function generate(page) {
  await page.getByRole('button', { name: 'Generate' }).click();
  return waitStatus(page, DONE, 60_000);
}

async function loadSign(page) {
  await page.setInputFiles('#file', { name: 'sign.svg', mimeType: 'image/svg+xml', buffer: SIGN });
  return waitStatus(page, /sign\.svg: .*loaded|Could not load/);
}

/** The canvas as decoded pixels, after the next frame. */
async function canvasPixels(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  const png = await page.locator('#view').screenshot();
  return { png, img: decodePng(png) };
}

/** Pixels whose colour differs between two screenshots of the same size. */
function differing(a, b) {
  assert.equal(a.data.length, b.data.length);
  let n = 0;
  for (let i = 0; i < a.data.length; i += a.channels) {
    if (Math.abs(a.data[i] - b.data[i]) + Math.abs(a.data[i + 1] - b.data[i + 1]) + Math.abs(a.data[i + 2] - b.data[i + 2]) > 30) n++;
  }
  return n;
}

/** Pixels near a colour (r, g, b in 0..255). */
function near(img, [r, g, b], tol = 40) {
  let n = 0;
  for (let i = 0; i < img.data.length; i += img.channels) {
    if (Math.abs(img.data[i] - r) + Math.abs(img.data[i + 1] - g) + Math.abs(img.data[i + 2] - b) < tol) n++;
  }
  return n;
}

/** Z of the previewed toolpath's cutting moves, whether every move is 0-2 (no arcs), and
 * the cutting moves that rise above the bottom once the bottom was reached (over tabs). */
function previewed(page) {
  return page.evaluate(() => {
    const r = window.swarf.state.result;
    const z = new Set();
    let straight = true;
    for (let i = 0; i < r.kinds.length; i++) {
      if (r.kinds[i] > 2) straight = false;
      if (r.kinds[i] === 2) z.add(Math.round(r.points[3 * i + 2] * 1000) / 1000);
    }
    const levels = [...z].sort((a, b) => a - b);
    let bottom = false, risen = 0;
    for (let i = 0; i < r.kinds.length; i++) {
      if (r.kinds[i] !== 2) continue;
      const zi = Math.round(r.points[3 * i + 2] * 1000) / 1000;
      if (zi === levels[0]) bottom = true;
      else if (bottom && zi === levels[0] + 1) risen++;
    }
    return { levels, straight, arcs: r.arcs, risen };
  });
}

/** Downloads the program and checks it equals the CLI's for the job the page saved. */
async function downloadEqualsCli(t, page, name) {
  const got = await download(page);
  assert.equal(got.name, name);
  const job = await page.evaluate(() => localStorage.getItem('swarf.job'));
  const cli = cliGenerate(SIGN, job, 'sign.svg');
  assert.equal(cli.error, undefined);
  if (cli.skip) t.diagnostic(cli.skip);
  else assert.ok(got.bytes.equals(cli.gcode), `browser ${name} differs from the CLI's`);
  return got.bytes.toString();
}

test('an SVG is drawn on the bed, the 2D strategies are offered, profile with tabs and engrave give G2/G3 equal to the CLI', async (t) => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  const { status, error } = await loadSign(s.page);
  assert.equal(error, '');
  assert.match(status, /sign\.svg: drawing of 1 outline, 2 holes, 1 open path, 120 × 60 mm loaded/);
  assert.equal(await s.page.textContent('[data-stat="drawing"]'), '1 outline, 2 holes, 1 open path, 120 × 60 mm');
  assert.equal(await s.page.textContent('[data-stat="triangles"]'), '–');
  assert.equal(await s.page.textContent('#model-name'), 'sign.svg');

  // A sensible 2D job: a 3 mm flat cutter profiling with tabs; only 2D strategies offered.
  const reg = await s.page.evaluate(() => window.swarf.state.registry);
  const twoD = reg.strategies.filter((k) => k.drawing).map((k) => k.name);
  const offered = await s.page.$$eval('#f-strategy-type option', (os) => os.map((o) => o.value));
  assert.deepEqual(offered, twoD);
  assert.equal(await s.page.inputValue('#f-strategy-type'), 'profile');
  assert.equal(await s.page.inputValue('#f-strategy-side'), 'outside');
  assert.equal(await s.page.inputValue('#f-strategy-tabs'), '4');
  assert.equal(await s.page.inputValue('#f-strategy-depth'), '3');
  assert.equal(await s.page.inputValue('#f-tool-type'), 'flat');
  assert.equal(await s.page.inputValue('#f-tool-diameter'), '3');
  assert.ok(await s.page.isVisible('.legend [data-for="drawing"]'));
  assert.ok(!(await s.page.isVisible('.legend [data-for="model"]')));

  // The drawing's lines are on the canvas: white lines, and the picture differs from the
  // same view without them.
  const withLines = await canvasPixels(s.page);
  keepScreenshot(withLines.png, 'drawing-sign.png');
  // (The view's buttons and legend, drawn over the canvas, have white text of their own.)
  const white = near(withLines.img, [237, 240, 245]);
  await s.page.evaluate(() => window.swarf.viewer.setDrawing(null));
  const bare = await canvasPixels(s.page);
  const diff = differing(withLines.img, bare.img);
  assert.ok(diff > 300, `the drawing changes only ${diff} pixels`);
  const whiteBare = near(bare.img, [237, 240, 245]);
  assert.ok(whiteBare < white - 50, `the white came from the drawing (${white} with it, ${whiteBare} without)`);
  // Back with the lines (a fresh load), then the profile.
  await loadSign(s.page);
  let r = await generate(s.page);
  assert.match(r.status, /Toolpath ready: [\d,]+ points, [\d,]+ arcs \(G2\/G3\)/);
  assert.equal(r.error, '');
  let p = await previewed(s.page);
  assert.ok(p.straight, 'the preview gets straight moves only');
  assert.ok(p.arcs > 0);
  // Depth 3 in passes of 1; the last pass rises 1 mm (the tab height) over each of the tabs.
  assert.deepEqual(p.levels, [-3, -2, -1]);
  assert.ok(p.risen >= 4, `${p.risen} cutting moves over tabs`);
  const cut = await canvasPixels(s.page);
  keepScreenshot(cut.png, 'drawing-sign-profile-tabs.png');
  assert.ok(differing(cut.img, withLines.img) > 300, 'the toolpath is drawn');
  // The cuts over the tabs are pink on the canvas; the rest by depth, deep blue to cyan.
  const pink = near(cut.img, [255, 89, 179]), pinkBefore = near(withLines.img, [255, 89, 179]);
  assert.ok(pink >= pinkBefore + 8, `only ${pink} pink pixels over the tabs (${pinkBefore} before)`);
  assert.deepEqual(await s.page.evaluate(() => [window.swarf.viewer.byDepth, window.swarf.viewer.pathZ]), [true, [-3, -1]]);
  // The holes are circles: whole arcs about their centres.
  assert.match(await downloadEqualsCli(t, s.page, 'sign.ngc'), /^G[23] X[-\d.]+ Y[-\d.]+ I[-\d.]+ J[-\d.]+/m);

  // Engrave: the tool on the lines, at its depth.
  await s.page.selectOption('#f-strategy-type', 'engrave');
  r = await generate(s.page);
  assert.match(r.status, /Toolpath ready: [\d,]+ points, [\d,]+ arcs/);
  p = await previewed(s.page);
  assert.deepEqual(p.levels, [-0.5], 'engraving cuts at its depth below the top');
  keepScreenshot((await canvasPixels(s.page)).png, 'drawing-sign-engraved.png');
  assert.match(await downloadEqualsCli(t, s.page, 'sign.ngc'), /^G[23] X/m);

  // GRBL: the same Download, the dialect's extension.
  await s.page.selectOption('#f-machine-dialect', 'grbl');
  assert.match((await generate(s.page)).status, /Toolpath ready/);
  const grbl = await download(s.page);
  assert.equal(grbl.name, 'sign.gcode');
  assert.match(grbl.bytes.toString(), /^G[23] /m);
  await s.close();
});

test('a model after a drawing brings the 3D strategies and the cutter back; a reload keeps both', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  await s.page.fill('#f-tool-diameter', '5');
  await s.page.dispatchEvent('#f-tool-diameter', 'change');
  await loadSign(s.page);
  assert.equal(await s.page.inputValue('#f-strategy-type'), 'profile');
  await s.page.fill('#f-strategy-depth', '2.5');
  await s.page.dispatchEvent('#f-strategy-depth', 'change');
  await dropFile(s.page, terrainStl(20, 10), 'terrain.stl');
  await waitStatus(s.page, /terrain\.stl: .*loaded/);
  const reg = await s.page.evaluate(() => window.swarf.state.registry);
  const offered = await s.page.$$eval('#f-strategy-type option', (os) => os.map((o) => o.value));
  assert.deepEqual(offered, reg.strategies.filter((k) => !k.drawing).map((k) => k.name));
  assert.equal(await s.page.inputValue('#f-strategy-type'), 'parallel');
  assert.equal(await s.page.inputValue('#f-tool-diameter'), '5');
  assert.equal(await s.page.evaluate(() => window.swarf.viewer.drawing), null, 'the drawing is gone');
  const r = await generate(s.page);
  assert.match(r.status, /Toolpath ready/, r.error);
  // The drawing again: its own cutter and depth come back.
  await loadSign(s.page);
  assert.equal(await s.page.inputValue('#f-tool-diameter'), '3');
  assert.equal(await s.page.inputValue('#f-strategy-depth'), '2.5');
  await s.page.reload();
  await waitStatus(s.page, LOADED);
  assert.equal(await s.page.inputValue('#f-strategy-type'), 'parallel', 'the demo is a model');
  assert.equal(await s.page.inputValue('#f-tool-diameter'), '5');
  await loadSign(s.page);
  assert.equal(await s.page.inputValue('#f-strategy-depth'), '2.5');
  await s.close();
});

test('a DXF dropped on the page loads as a drawing and generates', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  await dropFile(s.page, BLOCKS, 'blocks.dxf', 'image/vnd.dxf');
  const { status } = await waitStatus(s.page, /blocks\.dxf: .*loaded|Could not load/);
  assert.match(status, /drawing of 1 outline, 2 holes, 1 open path, 228\.6 × 83\.3 mm loaded\. Note: .*flattened/);
  assert.match((await generate(s.page)).status, /Toolpath ready/);
  await s.close();
});

test('adaptive clearing is offered for pockets (and for 3D roughing) and its program equals the CLI\'s', async (t) => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  await s.page.selectOption('#f-strategy-type', 'rough');
  const roughOffered = await s.page.$$eval('#f-strategy-rough-pattern option', (os) => os.map((o) => o.value));
  assert.deepEqual(roughOffered, ['offset', 'zigzag', 'adaptive']);
  await loadSign(s.page);
  await s.page.selectOption('#f-strategy-type', 'pocket');
  const offered = await s.page.$$eval('#f-strategy-pocket-pattern option', (os) => os.map((o) => o.value));
  assert.deepEqual(offered, ['offset', 'zigzag', 'adaptive']);
  await s.page.selectOption('#f-strategy-pocket-pattern', 'adaptive');
  for (const [id, v] of [['#f-strategy-depth', '1'], ['#f-strategy-stepover_ratio', '0.5']]) {
    await s.page.fill(id, v);
    await s.page.dispatchEvent(id, 'change');
  }
  const r = await generate(s.page);
  assert.match(r.status, /Toolpath ready/);
  assert.equal(r.error, '');
  keepScreenshot((await canvasPixels(s.page)).png, 'drawing-sign-adaptive.png');
  const job = JSON.parse(await s.page.evaluate(() => localStorage.getItem('swarf.job')));
  assert.equal(job.strategy.pattern, 'adaptive');
  await downloadEqualsCli(t, s.page, 'sign.ngc');
  await s.close();
});

test('a broken drawing shows the engine\'s one-line message; the drawing before it still works', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  await loadSign(s.page);
  for (const [name, bytes, why] of [
    ['broken.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><path d="M 0 0 L 10'), /SVG|nothing to cut/],
    ['empty.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10mm" height="10mm"></svg>'), /nothing to cut/],
    ['notes.dxf', Buffer.from('just some text\nnot a drawing\n'), /DXF|neither/],
    ['<b>x</b>.svg', Buffer.from('<html><body>not svg</body></html>'), /SVG/],
  ]) {
    await dropFile(s.page, bytes, name, 'image/svg+xml');
    const { error } = await waitStatus(s.page, /Could not load/);
    assert.ok(error.startsWith(`Could not load ${name}: `), error);
    assert.match(error, why);
    assert.ok(!error.includes('\n'), 'one line');
    assert.equal(await s.page.locator('#error b').count(), 0, 'the name is text');
  }
  // The sign is back in the engine and engraves.
  assert.match((await generate(s.page)).status, /Toolpath ready/);
  await s.close();
});

test('a drawing of open paths only starts with engraving', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  const wave = '<svg xmlns="http://www.w3.org/2000/svg" width="50mm" height="20mm" viewBox="0 0 50 20"><path d="M 0,10 Q 12,0 25,10 T 50,10" fill="none" stroke="#000"/></svg>';
  await dropFile(s.page, Buffer.from(wave), 'wave.svg', 'image/svg+xml');
  assert.match((await waitStatus(s.page, /wave\.svg: .*loaded|Could not load/)).status, /0 outlines, 0 holes, 1 open path/);
  assert.equal(await s.page.inputValue('#f-strategy-type'), 'engrave');
  assert.match((await generate(s.page)).status, /Toolpath ready/);
  await s.close();
});

test('the embed takes an SVG model: drawn, profiled with G2/G3, handed to its listener', async () => {
  const s = await open(browser, 'embed.html');
  const cam = s.page.locator('swarf-cam');
  await cam.getByRole('status').filter({ hasText: /part\.stl: [\d,]+ triangles/ }).waitFor({ timeout: 30_000 });
  await s.page.evaluate(() => {
    const el = document.getElementById('cam');
    el.addEventListener('gcode', (e) => { window.received = e.detail; });
    el.setAttribute('model', 'examples/sign.svg');
  });
  await cam.getByRole('status').filter({ hasText: /sign\.svg: 1 outline, 2 holes, 1 open path/ }).waitFor({ timeout: 30_000 });
  const lines = await s.page.evaluate(() => document.getElementById('cam').viewer.drawing.count);
  assert.ok(lines > 100, `${lines} line points drawn`);
  await cam.getByRole('button', { name: 'Generate' }).click();
  await s.page.locator('#received').filter({ hasText: /sign\.svg: \d+ lines/ }).waitFor({ timeout: 30_000 });
  const got = await s.page.evaluate(() => window.received);
  assert.equal(got.name, 'sign.svg');
  assert.match(got.gcode, /^G[23] X/m);
  assert.match(got.gcode, /profile/);
  const [dl] = await Promise.all([s.page.waitForEvent('download'), cam.getByRole('button', { name: 'Download' }).click()]);
  assert.equal(dl.suggestedFilename(), 'sign.ngc');
  keepScreenshot(await cam.screenshot(), 'embed-sign.png');
  await s.close();
});
