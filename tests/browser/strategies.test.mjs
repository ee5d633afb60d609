// Strategies and chained operations in the page: waterline and roughing chosen in the
// settings panel, previewed, downloaded in both dialects equal to the CLI's program for the
// same job JSON; a chain of operations with tool changes; errors at the field or the
// operation row; everything remembered across a reload (and older saved jobs migrated).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launch, open, waitStatus, terrainStl, cliGenerate, download } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const LOADED = /triangles loaded|Could not load/;
const DONE = /Toolpath ready|Cancelled|Check the settings|Error|cancelled/;
const STL = terrainStl(40, 30);

async function generate(page) {
  await page.getByRole('button', { name: 'Generate' }).click();
  return waitStatus(page, DONE, 90_000);
}

async function loadTerrain(page) {
  await waitStatus(page, LOADED);
  await page.setInputFiles('#file', { name: 'terrain.stl', mimeType: 'model/stl', buffer: STL });
  assert.match((await waitStatus(page, /terrain\.stl: .*loaded|Could not load/)).status, /2,400 triangles loaded/);
}

async function setNumber(page, id, value) {
  await page.fill(id, String(value));
  await page.dispatchEvent(id, 'change');
}

const savedJob = (page) => page.evaluate(() => localStorage.getItem('swarf.job'));

/** Downloads the program and checks it equals the CLI's for the job the page saved. */
async function downloadEqualsCli(t, page, ext) {
  const got = await download(page);
  assert.equal(got.name, `terrain.${ext}`);
  const cli = cliGenerate(STL, await savedJob(page));
  assert.equal(cli.error, undefined);
  if (cli.skip) t.diagnostic(cli.skip);
  else {
    if (!got.bytes.equals(cli.gcode) && process.env.SWARF_DIFF_DIR) {
      fs.writeFileSync(`${process.env.SWARF_DIFF_DIR}/browser.${ext}`, got.bytes);
      fs.writeFileSync(`${process.env.SWARF_DIFF_DIR}/cli.${ext}`, cli.gcode);
    }
    assert.ok(got.bytes.equals(cli.gcode), `browser ${ext} differs from the CLI's`);
  }
  return got.bytes.toString();
}

/** Z of the cutting (feed) moves of the previewed toolpath: distinct levels and counts. */
function feedLevels(page) {
  return page.evaluate(() => {
    const r = window.swarf.state.result;
    const z = new Map();
    for (let i = 0; i < r.kinds.length; i++) {
      if (r.kinds[i] !== 2) continue;
      const k = Math.round(r.points[3 * i + 2] * 1000) / 1000;
      z.set(k, (z.get(k) || 0) + 1);
    }
    return { levels: [...z.keys()].sort((a, b) => b - a), points: r.kinds.length, feeds: [...z.values()].reduce((a, b) => a + b, 0) };
  });
}

test('Waterline: its parameters replace the raster ones; the toolpath lies on a few Z levels; G-code equals the CLI in both dialects', async (t) => {
  const s = await open(browser);
  await loadTerrain(s.page);
  assert.equal(await s.page.getByLabel('Strategy', { exact: true }).count(), 1);
  assert.ok(await s.page.isVisible('#f-strategy-stepover'));
  assert.ok(!(await s.page.isVisible('#f-strategy-stepdown')));
  await s.page.selectOption('#f-strategy-type', 'waterline');
  assert.ok(!(await s.page.isVisible('#f-strategy-stepover')), 'raster stepover hidden');
  for (const id of ['#f-strategy-stepdown', '#f-strategy-z_top', '#f-strategy-z_bottom', '#f-strategy-levels', '#f-strategy-contour-milling'])
    assert.ok(await s.page.isVisible(id), id);
  // The engine's defaults for waterline.
  assert.equal(await s.page.inputValue('#f-strategy-stepdown'), '1');
  assert.equal(await s.page.inputValue('#f-strategy-z_top'), '');
  await setNumber(s.page, '#f-strategy-stepdown', 1.5);
  const r = await generate(s.page);
  assert.match(r.status, /Toolpath ready/);
  assert.equal(r.error, '');
  const { levels, feeds } = await feedLevels(s.page);
  assert.ok(feeds > 100, `${feeds} cutting points`);
  // The terrain spans about 2 .. 8 mm: a few levels, 1.5 apart (the last may be the floor).
  assert.ok(levels.length >= 3 && levels.length <= 6, `levels ${levels}`);
  for (let k = 1; k < levels.length - 1; k++) assert.ok(Math.abs(levels[k - 1] - levels[k] - 1.5) < 1e-3, `levels ${levels}`);
  const ngc = await downloadEqualsCli(t, s.page, 'ngc');
  assert.match(ngc, /waterline/i);
  // The same job in GRBL.
  await s.page.selectOption('#f-machine-dialect', 'grbl');
  assert.match((await generate(s.page)).status, /Toolpath ready/);
  await downloadEqualsCli(t, s.page, 'gcode');
  await s.close();
});

test('Spiral finishing: chosen as the raster direction, one plunge and no lift, the winding from the milling field, equal to the CLI', async (t) => {
  const s = await open(browser);
  await loadTerrain(s.page);
  await s.page.selectOption('#f-strategy-direction', 'spiral');
  assert.ok(await s.page.isVisible('#f-strategy-milling'), 'the winding is chosen with the milling field');
  const turns = [];
  for (const milling of ['climb', 'conventional']) {
    await s.page.selectOption('#f-strategy-milling', milling);
    const r = await generate(s.page);
    assert.match(r.status, /Toolpath ready/);
    assert.equal(r.error, '');
    const path = await s.page.evaluate(() => {
      const { points, kinds } = window.swarf.state.result;
      const k = Array.from(kinds);
      const first = k.indexOf(2), last = k.lastIndexOf(2);
      // The winding: the sum of cross products about the path's centre (negative: clockwise).
      let cx = 0, cy = 0, n = 0;
      for (let i = first; i <= last; i++) { cx += points[3 * i]; cy += points[3 * i + 1]; n++; }
      cx /= n; cy /= n;
      let turn = 0;
      for (let i = first + 1; i <= last; i++) {
        turn += (points[3 * i - 3] - cx) * (points[3 * i + 1] - cy) - (points[3 * i - 2] - cy) * (points[3 * i] - cx);
      }
      return { plunges: k.filter((v) => v === 1).length, feeds: last - first + 1, lifted: k.slice(first, last + 1).some((v) => v !== 2), turn };
    });
    assert.equal(path.plunges, 1, 'one plunge');
    assert.ok(!path.lifted, 'no lift between the first and the last cut');
    assert.ok(path.feeds > 200, `${path.feeds} cutting points`);
    turns.push(path.turn);
    await downloadEqualsCli(t, s.page, 'ngc');
  }
  assert.ok(turns[0] < 0 && turns[1] > 0, `climb clockwise, conventional anticlockwise: ${turns}`);
  await s.close();
});

test('Pencil finishing: its fields are shown, a bad angle is refused at its field, the tracks are cut at drop-cutter height, equal to the CLI', async (t) => {
  const s = await open(browser);
  await loadTerrain(s.page);
  await s.page.selectOption('#f-strategy-type', 'pencil');
  for (const id of ['#f-strategy-min_angle', '#f-strategy-passes', '#f-strategy-stepover', '#f-strategy-sampling', '#f-strategy-tolerance'])
    assert.ok(await s.page.isVisible(id), id);
  assert.ok(!(await s.page.isVisible('#f-strategy-direction')), 'no raster direction');
  assert.equal(await s.page.inputValue('#f-strategy-min_angle'), '20');
  assert.equal(await s.page.inputValue('#f-strategy-passes'), '0');
  await setNumber(s.page, '#f-strategy-min_angle', 200);
  const err = s.page.locator('#f-strategy-min_angle-error');
  await err.filter({ hasText: /\S/ }).waitFor({ timeout: 5_000 });
  assert.match(await err.textContent(), /between 1° and 179°/);
  // The test terrain is smooth: its creases are its facets' (a few degrees), so ask for
  // those, with one pass either side.
  await setNumber(s.page, '#f-strategy-min_angle', 5);
  await setNumber(s.page, '#f-strategy-passes', 1);
  const r = await generate(s.page);
  assert.match(r.status, /Toolpath ready/);
  assert.equal(r.error, '');
  const path = await s.page.evaluate(() => {
    const { kinds } = window.swarf.state.result;
    const k = Array.from(kinds);
    return { feeds: k.filter((v) => v === 2).length, plunges: k.filter((v) => v === 1).length };
  });
  assert.ok(path.feeds > 20 && path.plunges >= 1, JSON.stringify(path));
  const ngc = await downloadEqualsCli(t, s.page, 'ngc');
  assert.match(ngc, /pencil/i);
  await s.close();
});

test('Constant-scallop finishing: its fields are shown, a scallop past the radius is refused at its field, loops cut inwards, equal to the CLI', async (t) => {
  const s = await open(browser);
  await loadTerrain(s.page);
  await s.page.selectOption('#f-strategy-type', 'scallop');
  for (const id of ['#f-strategy-scallop', '#f-strategy-sampling', '#f-strategy-tolerance'])
    assert.ok(await s.page.isVisible(id), id);
  assert.ok(!(await s.page.isVisible('#f-strategy-stepover')), 'no stepover: the scallop decides it');
  assert.equal(await s.page.inputValue('#f-strategy-scallop'), '0.01');
  await setNumber(s.page, '#f-strategy-scallop', 50);
  const err = s.page.locator('#f-strategy-scallop-error');
  await err.filter({ hasText: /\S/ }).waitFor({ timeout: 5_000 });
  assert.match(await err.textContent(), /at most the cutter radius/);
  await setNumber(s.page, '#f-strategy-scallop', 0.05);
  await setNumber(s.page, '#f-strategy-sampling', 0.5);
  const r = await generate(s.page);
  assert.match(r.status, /Toolpath ready/);
  assert.equal(r.error, '');
  // One plunge per nest of loops at most a few: the loops link over the surface.
  const path = await s.page.evaluate(() => {
    const k = Array.from(window.swarf.state.result.kinds);
    return { feeds: k.filter((v) => v === 2).length, plunges: k.filter((v) => v === 1).length };
  });
  assert.ok(path.feeds > 1000 && path.plunges >= 1 && path.plunges < 20, JSON.stringify(path));
  const ngc = await downloadEqualsCli(t, s.page, 'ngc');
  assert.match(ngc, /scallop/i);
  await s.close();
});

test('Steep and shallow: its fields are shown, a bad angle is refused at its field, waterline pieces and raster runs, equal to the CLI', async (t) => {
  const s = await open(browser);
  await loadTerrain(s.page);
  await s.page.selectOption('#f-strategy-type', 'steep');
  for (const id of ['#f-strategy-angle', '#f-strategy-overlap', '#f-strategy-steep-direction', '#f-strategy-stepover',
    '#f-strategy-stepdown', '#f-strategy-z_top', '#f-strategy-z_bottom', '#f-strategy-sampling', '#f-strategy-tolerance'])
    assert.ok(await s.page.isVisible(id), id);
  assert.ok(!(await s.page.isVisible('#f-strategy-direction')), "parallel's direction (with the spiral) is not offered");
  assert.equal(await s.page.inputValue('#f-strategy-angle'), '45');
  assert.equal(await s.page.inputValue('#f-strategy-overlap'), '0.5');
  await setNumber(s.page, '#f-strategy-angle', 95);
  const err = s.page.locator('#f-strategy-angle-error');
  await err.filter({ hasText: /\S/ }).waitFor({ timeout: 5_000 });
  assert.match(await err.textContent(), /between 0° and 90°/);
  // The test terrain's hills are gentle: split at 15° so both halves have ground.
  await setNumber(s.page, '#f-strategy-angle', 15);
  await setNumber(s.page, '#f-strategy-stepdown', 2);
  const r = await generate(s.page);
  assert.match(r.status, /Toolpath ready/);
  assert.equal(r.error, '');
  const path = await s.page.evaluate(() => {
    const { kinds, points } = window.swarf.state.result;
    // Feed moves at one height (waterline pieces) and climbing or falling (raster runs).
    let level = 0, slope = 0;
    for (let i = 1; i < kinds.length; i++) {
      if (kinds[i] !== 2 || kinds[i - 1] === 0) continue;
      if (points[3 * i + 2] === points[3 * i - 1]) level++; else slope++;
    }
    return { level, slope };
  });
  assert.ok(path.level > 20 && path.slope > 20, JSON.stringify(path));
  const ngc = await downloadEqualsCli(t, s.page, 'ngc');
  assert.match(ngc, /steep/i);
  await s.close();
});

test('Roughing: its parameters are shown; generate gives a toolpath or the engine\'s message', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  await s.page.selectOption('#f-strategy-type', 'rough');
  for (const id of ['#f-strategy-stepdown', '#f-strategy-stepover_ratio', '#f-strategy-stock_to_leave', '#f-strategy-stock_to_leave_z',
    '#f-strategy-rough-z_top', '#f-strategy-z_bottom', '#f-strategy-rough-pattern', '#f-strategy-ramp_angle'])
    assert.ok(await s.page.isVisible(id), id);
  assert.equal(await s.page.inputValue('#f-strategy-stepdown'), '2');
  assert.equal(await s.page.inputValue('#f-strategy-rough-pattern'), 'offset');
  const r = await generate(s.page);
  if (/Toolpath ready/.test(r.status)) assert.equal(r.error, '');
  else assert.notEqual(r.error.trim(), '', 'the engine\'s message is shown');
  await setNumber(s.page, '#f-strategy-stepover_ratio', 1.5);
  const err = s.page.locator('#f-strategy-stepover_ratio-error');
  await err.filter({ hasText: /\S/ }).waitFor({ timeout: 5_000 });
  assert.match(await err.textContent(), /fraction of the cutter diameter/);
  await s.close();
});

test('Adaptive roughing: offered for 3D roughing, a tiny stepover is refused at its field, cut level by level with helix arcs or entries beside the stock, equal to the CLI', async (t) => {
  const s = await open(browser);
  await loadTerrain(s.page);
  await s.page.selectOption('#f-strategy-type', 'rough');
  const offered = await s.page.$$eval('#f-strategy-rough-pattern option', (o) => o.map((e) => e.value));
  assert.deepEqual(offered, ['offset', 'zigzag', 'adaptive']);
  await s.page.selectOption('#f-strategy-rough-pattern', 'adaptive');
  await setNumber(s.page, '#f-strategy-stepover_ratio', 0.01);
  const err = s.page.locator('#f-strategy-rough-pattern-error');
  await err.filter({ hasText: /\S/ }).waitFor({ timeout: 5_000 });
  assert.match(await err.textContent(), /tens of thousands of passes/);
  await setNumber(s.page, '#f-strategy-stepover_ratio', 0.3);
  await setNumber(s.page, '#f-strategy-stepdown', 2);
  const r = await generate(s.page);
  assert.match(r.status, /Toolpath ready/);
  assert.equal(r.error, '');
  const lv = await feedLevels(s.page);
  assert.ok(lv.levels.length >= 2 && lv.feeds > 500, JSON.stringify(lv));
  const ngc = await downloadEqualsCli(t, s.page, 'ngc');
  assert.match(ngc, /rough/i);
  await s.close();
});

test('a chain of waterline (6 mm ball) then parallel (3 mm ball) is one program with two tool changes, equal to the CLI', async (t) => {
  const s = await open(browser);
  await loadTerrain(s.page);
  await s.page.selectOption('#f-strategy-type', 'waterline');
  await setNumber(s.page, '#f-strategy-stepdown', 2);
  await s.page.getByRole('button', { name: 'Add as operation' }).click();
  await s.page.locator('.op-text').first().waitFor();
  await s.page.selectOption('#f-strategy-type', 'parallel');
  await s.page.getByRole('button', { name: '3 mm ball' }).click();
  await setNumber(s.page, '#f-strategy-stepover', 0.8);
  await s.page.getByRole('button', { name: 'Add as operation' }).click();
  await s.page.locator('.op-text').nth(1).waitFor();
  assert.deepEqual(await s.page.locator('.op-text').allTextContents(), [
    '1. Waterline, 6 mm ball, stepdown 2 (T1)',
    '2. Parallel, 3 mm ball, stepover 0.8 (T2)',
  ]);
  // The second cutter got its own number, and the panel shows it.
  assert.equal(await s.page.inputValue('#f-tool-number'), '2');
  const r = await generate(s.page);
  assert.match(r.status, /Toolpath ready: .* 2 operations/);
  const both = await feedLevels(s.page);
  const ngc = await downloadEqualsCli(t, s.page, 'ngc');
  assert.match(ngc, /^T1 M6$/m);
  assert.match(ngc, /^T2 M6$/m);
  assert.ok(ngc.indexOf('T1 M6') < ngc.indexOf('T2 M6'));
  // GRBL has no tool changer: it pauses for the change by hand.
  await s.page.selectOption('#f-machine-dialect', 'grbl');
  assert.match((await generate(s.page)).status, /Toolpath ready/);
  const gc = await downloadEqualsCli(t, s.page, 'gcode');
  assert.doesNotMatch(gc, /M6/);
  assert.match(gc, /^M0$/m);
  // Reorder: parallel first. Then remove it: only the waterline is left.
  await s.page.getByRole('button', { name: 'Move operation 2 up' }).click();
  assert.match(await s.page.locator('.op-text').first().textContent(), /^1\. Parallel, 3 mm ball/);
  assert.equal(await s.page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Move operation 1 down', 'focus stays on the moved row');
  await s.page.getByRole('button', { name: 'Remove operation 1' }).click();
  assert.deepEqual(await s.page.locator('.op-text').allTextContents(), ['1. Waterline, 6 mm ball, stepdown 2 (T1)']);
  await s.page.selectOption('#f-machine-dialect', 'linuxcnc');
  assert.match((await generate(s.page)).status, /Toolpath ready/);
  const one = await feedLevels(s.page);
  assert.ok(one.points < both.points, 'the preview showed both operations');
  await s.close();
});

test('rest machining: the second operation of a rough chain cuts only what the first left, equal to the CLI, remembered, its threshold checked at its row', async (t) => {
  const s = await open(browser);
  await loadTerrain(s.page);
  await s.page.selectOption('#f-strategy-type', 'rough');
  await s.page.getByRole('button', { name: '6 mm flat' }).click();
  await s.page.getByRole('button', { name: 'Add as operation' }).click();
  await s.page.locator('.op-text').first().waitFor();
  await setNumber(s.page, '#f-tool-diameter', 3);
  await s.page.getByRole('button', { name: 'Add as operation' }).click();
  await s.page.locator('.op-text').nth(1).waitFor();
  // The first operation has nothing before it: no rest control there.
  assert.equal(await s.page.locator('.op').first().locator('[data-act=rest]').count(), 0);
  const full = await generate(s.page);
  assert.match(full.status, /Toolpath ready/);
  const fullPoints = await s.page.evaluate(() => window.swarf.state.result.kinds.length);
  const rest = s.page.getByRole('checkbox', { name: /Operation 2: rest machining/ });
  await rest.check();
  assert.match(await s.page.locator('.op-text').nth(1).textContent(), /^2\. Rough \(rest\), 3 mm flat/);
  const threshold = s.page.getByRole('spinbutton', { name: /Operation 2: rest threshold/ });
  assert.equal(await threshold.inputValue(), '0.05');
  const r = await generate(s.page);
  assert.match(r.status, /Toolpath ready/);
  const restPoints = await s.page.evaluate(() => window.swarf.state.result.kinds.length);
  assert.ok(restPoints < fullPoints, `rest ${restPoints} points, full ${fullPoints}`);
  const ngc = await downloadEqualsCli(t, s.page, 'ngc');
  assert.match(ngc, /rest rough with Flat D3/);
  // Remembered across a reload.
  await s.page.reload();
  await waitStatus(s.page, LOADED);
  assert.ok(await s.page.getByRole('checkbox', { name: /Operation 2: rest machining/ }).isChecked());
  // A threshold of 0 is refused at the row.
  await s.page.getByRole('spinbutton', { name: /Operation 2: rest threshold/ }).fill('0');
  await s.page.getByRole('spinbutton', { name: /Operation 2: rest threshold/ }).dispatchEvent('change');
  const bad = await generate(s.page);
  assert.match(bad.error, /must be a positive number/);
  assert.match(await s.page.textContent('#op-1-error'), /^rest_threshold: 0 must be a positive number/);
  await s.close();
});

test('an invalid stepdown shows the engine\'s message next to the field, and an operation\'s next to its row', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  await s.page.selectOption('#f-strategy-type', 'waterline');
  await setNumber(s.page, '#f-strategy-stepdown', -1);
  const err = s.page.locator('#f-strategy-stepdown-error');
  await err.filter({ hasText: /\S/ }).waitFor({ timeout: 5_000 });
  assert.match(await err.textContent(), /-1 must be a positive number/);
  assert.equal(await s.page.getAttribute('#f-strategy-stepdown', 'aria-invalid'), 'true');
  const r = await generate(s.page);
  assert.match(r.error, /must be a positive number/);
  // Not added while invalid.
  await s.page.getByRole('button', { name: 'Add as operation' }).click();
  await waitStatus(s.page, /Not added/);
  assert.equal(await s.page.locator('.op').count(), 0);
  await setNumber(s.page, '#f-strategy-stepdown', 1);
  await s.page.waitForFunction(() => document.getElementById('f-strategy-stepdown-error').textContent === '');
  // A saved chain whose second operation is bad: the message is at that row.
  await s.page.evaluate(() => {
    const job = JSON.parse(localStorage.getItem('swarf.job'));
    job.operations = [
      { tool: { ...job.tool }, strategy: { ...job.strategy } },
      { tool: { ...job.tool, number: 2 }, strategy: { ...job.strategy, stepdown: 0 } },
    ];
    localStorage.setItem('swarf.job', JSON.stringify(job));
  });
  await s.page.reload();
  await waitStatus(s.page, LOADED);
  const r2 = await generate(s.page);
  assert.match(r2.error, /must be a positive number/);
  assert.match(await s.page.textContent('#op-1-error'), /^strategy\.stepdown: 0 must be a positive number/);
  assert.equal(await s.page.textContent('#op-0-error'), '');
  await s.close();
});

test('strategy, parameters and operations survive a reload; each strategy keeps its own values; old saved jobs migrate', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  await s.page.selectOption('#f-strategy-type', 'waterline');
  await setNumber(s.page, '#f-strategy-stepdown', 0.75);
  await s.page.fill('#f-strategy-levels', '6, 4.5 3');
  await s.page.dispatchEvent('#f-strategy-levels', 'change');
  await s.page.getByRole('button', { name: 'Add as operation' }).click();
  await s.page.locator('.op-text').first().waitFor();
  await s.page.selectOption('#f-strategy-type', 'parallel');
  await setNumber(s.page, '#f-strategy-stepover', 0.6);
  await s.page.reload();
  await waitStatus(s.page, LOADED);
  assert.equal(await s.page.inputValue('#f-strategy-type'), 'parallel');
  assert.equal(await s.page.inputValue('#f-strategy-stepover'), '0.6');
  assert.deepEqual(await s.page.locator('.op-text').allTextContents(), ['1. Waterline, 6 mm ball, 3 levels (T1)']);
  await s.page.selectOption('#f-strategy-type', 'waterline');
  assert.equal(await s.page.inputValue('#f-strategy-stepdown'), '0.75');
  assert.equal(await s.page.inputValue('#f-strategy-levels'), '6, 4.5, 3');
  const job = JSON.parse(await savedJob(s.page));
  assert.deepEqual(job.strategy.levels, [6, 4.5, 3]);
  assert.equal(job.operations[0].strategy.type, 'waterline');

  // A job saved by an older page (no strategy type, no operations, a stray key) still loads.
  await s.page.evaluate(() => {
    localStorage.setItem('swarf.job', JSON.stringify({
      units: 'mm', tool: { type: 'flat', diameter: 4 }, strategy: { stepover: 0.7, direction: 'y', junk: 1 }, machine: { feed: 800 }, extra: true,
    }));
    localStorage.removeItem('swarf.strategies');
  });
  await s.page.reload();
  await waitStatus(s.page, LOADED);
  assert.equal(await s.page.inputValue('#f-strategy-type'), 'parallel');
  assert.equal(await s.page.inputValue('#f-strategy-stepover'), '0.7');
  assert.equal(await s.page.inputValue('#f-strategy-direction'), 'y');
  assert.equal(await s.page.inputValue('#f-tool-diameter'), '4');
  assert.equal(await s.page.locator('.op').count(), 0);
  assert.match((await generate(s.page)).status, /Toolpath ready/);
  const migrated = JSON.parse(await s.page.evaluate(() => JSON.stringify(window.swarf.state.job)));
  assert.equal(migrated.extra, undefined);
  assert.equal(migrated.strategy.junk, undefined);
  assert.deepEqual(migrated.operations, []);
  await s.close();
});
