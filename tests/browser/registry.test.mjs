// The page lists nothing itself: the settings panel, the strategy, cutter and dialect
// choices are the engine's registry, read here straight from the wasm module; and the
// preview's stock box and machining area are the ones the engine resolves from the job.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, open, waitStatus } from './helpers.mjs';
import { DRAWING_START } from '../../www/workpiece.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const LOADED = /triangles loaded|Could not load/;
const idOf = (key) => '#f-' + key.replace(/\W/g, '-');

/** The engine's registry, from a fresh instance of the wasm module in the page. */
function engineRegistry(page) {
  return page.evaluate(async () => {
    const m = await import(new URL('pkg/swarf.js', location.href).href);
    await m.default();
    return m.registry();
  });
}

const options = (page, id) => page.$$eval(`${id} option`, (os) => os.map((o) => [o.value, o.textContent]));

test('the settings panel shows what the engine lists: strategies, their fields, cutters, dialects', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  const reg = await engineRegistry(s.page);
  assert.ok(reg.strategies.length >= 3 && reg.dialects.length >= 2 && reg.tools.length >= 4);
  // The Strategy select offers the strategies of what is loaded: the demo is a 3D model.
  const model = reg.strategies.filter((k) => !k.drawing), drawing = reg.strategies.filter((k) => k.drawing);
  assert.ok(model.length >= 3 && drawing.length >= 1);
  assert.deepEqual(await options(s.page, '#f-strategy-type'), model.map((k) => [k.name, k.label]));
  assert.deepEqual((await options(s.page, '#f-tool-type')).map(([v]) => v), reg.tools.map((t) => t.name));
  assert.deepEqual((await options(s.page, '#f-machine-dialect')).map(([v]) => v), reg.dialects.map((d) => d.name));
  for (const d of reg.dialects) {
    const label = (await options(s.page, '#f-machine-dialect')).find(([v]) => v === d.name)[1];
    assert.ok(label.includes('.' + d.extension), `${label} names .${d.extension}`);
  }
  // Every field of the engine's panel has its control, labelled as the engine says.
  for (const f of reg.fields) {
    const id = idOf(f.control ?? f.path);
    assert.equal(await s.page.locator(id).count(), 1, id);
    const label = await s.page.textContent(`label[for="${id.slice(1)}"] span:first-child`);
    assert.equal(label, f.label, id);
  }
  // Each strategy shows exactly its own fields (those whose condition holds), in its order:
  // the 3D ones on the demo, then the 2D ones on a drawing.
  await checkStrategies(s.page, reg, model, {});
  await s.page.setInputFiles('#file', { name: 'sign.svg', mimeType: 'image/svg+xml', buffer: readFileSync(new URL('../../www/examples/sign.svg', import.meta.url)) });
  await waitStatus(s.page, /sign\.svg: .*loaded|Could not load/);
  assert.deepEqual(await options(s.page, '#f-strategy-type'), drawing.map((k) => [k.name, k.label]));
  await checkStrategies(s.page, reg, drawing, DRAWING_START);
  await s.close();
});

/** Selects each strategy of `list` and checks its fields, their order and defaults (those of
 * the engine, with `start` laid over them for the strategy the page started with). */
async function checkStrategies(page, reg, list, start) {
  for (const k of list) {
    await page.selectOption('#f-strategy-type', k.name);
    const strategyRows = reg.fields.filter((f) => f.kinds);
    const visible = [];
    for (const f of strategyRows) {
      const key = f.control ?? f.path;
      const shown = await page.isVisible(idOf(key));
      if (shown) visible.push(key);
      if (!f.kinds.includes(k.name)) assert.ok(!shown, `${key} hidden for ${k.name}`);
    }
    const own = k.fields.filter((key) => {
      const f = strategyRows.find((x) => (x.control ?? x.path) === key);
      return !f.when || k.defaults[f.when.path.replace(/^strategy\./, '')] === f.when.equals;
    });
    const order = await page.$$eval('fieldset .field:not([hidden]) [data-path^="strategy."], fieldset .field:not([hidden]) [data-path="stock.margin"]',
      (els) => els.map((e) => e.id));
    assert.deepEqual(visible.sort(), [...own].sort(), k.name);
    assert.deepEqual(order.filter((id) => id !== 'f-strategy-type'), own.map((key) => idOf(key).slice(1)), `${k.name} order`);
    // And its defaults are the engine's.
    for (const key of own) {
      const f = strategyRows.find((x) => (x.control ?? x.path) === key);
      if (f.type !== 'number' || !f.path.startsWith('strategy.')) continue;
      const v = { ...k.defaults, ...(start.type === k.name ? start : {}) }[f.path.slice('strategy.'.length)];
      assert.equal(await page.inputValue(idOf(key)), v == null ? '' : String(v), `${k.name} ${key}`);
    }
  }
}

/** The stock box and areas the viewer draws, once `ok(drawing)` holds (polled). */
async function drawn(page, ok = () => true) {
  const read = () => page.evaluate(() => {
    const v = window.swarf.viewer;
    return v && v.stock && { stock: v.stock, areas: v.areas, bounds: window.swarf.state.info.bounds };
  });
  const until = Date.now() + 10_000;
  for (;;) {
    const d = await read();
    if (d && ok(d)) return d;
    if (Date.now() > until) assert.fail(`the drawing never matched: ${JSON.stringify(d)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const near = (a, b, what) => a.forEach((x, k) => assert.ok(Math.abs(x - b[k]) < 1e-4, `${what}: ${a} vs ${b}`));

test('the stock box drawn is the engine\'s: it follows job.stock (margin and an explicit box), and the area follows bounds', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  // Default: the model's box (stock margin 0), and the area grown by the cutter radius (3).
  let d = await drawn(s.page);
  near(d.stock.min, d.bounds.min, 'stock min');
  near(d.stock.max, d.bounds.max, 'stock max');
  near(d.areas[0].min, [d.bounds.min[0] - 3, d.bounds.min[1] - 3], 'area min');
  assert.equal(d.areas[0].z, d.bounds.min[2]);
  // Roughing's raw stock margin grows the box on the sides and the top, not the bottom.
  await s.page.selectOption('#f-strategy-type', 'rough');
  await s.page.fill('#f-stock-margin', '5');
  await s.page.dispatchEvent('#f-stock-margin', 'change');
  d = await drawn(s.page, (x) => Math.abs(x.stock.max[2] - x.bounds.max[2] - 5) < 1e-4);
  near(d.stock.min, [d.bounds.min[0] - 5, d.bounds.min[1] - 5, d.bounds.min[2]], 'stock min + margin');
  near(d.stock.max, [d.bounds.max[0] + 5, d.bounds.max[1] + 5, d.bounds.max[2] + 5], 'stock max + margin');
  // The machining margin moves the area, not the stock.
  await s.page.fill('#f-bounds-margin', '0');
  await s.page.dispatchEvent('#f-bounds-margin', 'change');
  d = await drawn(s.page, (x) => Math.abs(x.areas[0].min[0] - x.bounds.min[0]) < 1e-4);
  near(d.areas[0].max, [d.bounds.max[0], d.bounds.max[1]], 'area max');
  near(d.stock.max, [d.bounds.max[0] + 5, d.bounds.max[1] + 5, d.bounds.max[2] + 5], 'stock kept');
  // An explicit stock box, as a saved job (the CLI's JSON) gives it.
  await s.page.evaluate(() => {
    const job = JSON.parse(localStorage.getItem('swarf.job'));
    job.stock = { margin: 0, min: [-70, -60, -2], max: [70, 60, 40] };
    localStorage.setItem('swarf.job', JSON.stringify(job));
  });
  await s.page.reload();
  await waitStatus(s.page, LOADED);
  d = await drawn(s.page, (x) => x.stock.max[2] === 40);
  assert.deepEqual(d.stock, { min: [-70, -60, -2], max: [70, 60, 40] });
  await s.close();
});

test('the download is named with the dialect\'s extension from the engine', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  const reg = await engineRegistry(s.page);
  for (const d of reg.dialects) {
    await s.page.selectOption('#f-machine-dialect', d.name);
    await s.page.getByRole('button', { name: 'Generate' }).click();
    await waitStatus(s.page, /Toolpath ready|Error/, 60_000);
    const [dl] = await Promise.all([s.page.waitForEvent('download'), s.page.getByRole('button', { name: 'Download' }).click()]);
    assert.equal(dl.suggestedFilename(), `demo.${d.extension}`);
  }
  await s.close();
});
