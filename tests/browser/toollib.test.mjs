// The tool library in real headless Chromium: it persists across a reload, the cutter and
// each operation pick their tool from it, editing a tool updates the operations using it
// (and the G-code), export and import round-trip, and a bad file gives a clear message
// without breaking the page or changing the library.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, open, waitStatus } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const LOADED = /triangles loaded|Could not load/;

/** The library's rows as their text. */
const rows = (page) => page.locator('.toollib .tool-text').allTextContents();

/** Sets an editor field and fires its change. */
async function field(page, id, value) {
  if (await page.locator(id).evaluate((e) => e.tagName === 'SELECT')) await page.selectOption(id, value);
  else {
    await page.fill(id, value);
    await page.dispatchEvent(id, 'change');
  }
}

/** Adds a tool through the editor: `values` by the job tool's keys. */
async function addTool(page, { name, ...values }) {
  await page.getByRole('button', { name: 'New tool' }).click();
  await page.fill('#tl-name', name);
  for (const [k, v] of Object.entries(values)) await field(page, `#tl-tool-${k}`, String(v));
  await page.click('#tl-save');
  await waitNote(page, new RegExp(`Added ${name}`));
}

async function waitNote(page, re) {
  await page.waitForFunction(
    (src) => new RegExp(src).test(document.getElementById('toollib-note').textContent + ' ' + document.getElementById('toollib-error').textContent),
    re.source, { timeout: 10_000 });
  return { note: await page.textContent('#toollib-note'), error: await page.textContent('#toollib-error') };
}

async function importText(page, text, name = 'tools.json') {
  await page.setInputFiles('#toollib-file', { name, mimeType: 'application/json', buffer: Buffer.from(text) });
}

test('a tool added to the library is there after a reload, and in the cutter\'s picker', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  const start = await rows(s.page);
  assert.ok(start.length >= 3, 'the library starts with the presets');
  await addTool(s.page, { name: 'Test 4 mm flat', type: 'flat', diameter: 4, flutes: 2, feed: 800, spindle: 16000 });
  const added = await rows(s.page);
  assert.equal(added.length, start.length + 1);
  assert.match(added.at(-1), /^Test 4 mm flat — T\d+ · ⌀4 mm flat · 2 flutes · F 800 · S 16000$/);
  await s.page.reload();
  await waitStatus(s.page, LOADED);
  assert.deepEqual(await rows(s.page), added);
  const options = await s.page.locator('#f-tool-library option').allTextContents();
  assert.ok(options.some((o) => /^Test 4 mm flat \(T\d+\)$/.test(o)), options.join(' | '));
  await s.close();
});

test('the cutter and each operation pick library tools; editing a tool updates them and the G-code', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  const p = s.page;
  // The default cutter is the library's 6 mm ball.
  assert.equal(await p.locator('#f-tool-library option:checked').textContent(), '6 mm ball (T1)');
  // Pick the 6 mm flat for the cutter: its fields follow.
  await p.selectOption('#f-tool-library', { label: '6 mm flat (T3)' });
  assert.equal(await p.inputValue('#f-tool-type'), 'flat');
  assert.equal(await p.inputValue('#f-tool-number'), '3');
  // Two operations: the flat, then (picked in its row) the 3 mm ball.
  await p.getByRole('button', { name: 'Add as operation', exact: true }).click();
  await p.waitForFunction(() => window.swarf.state.job.operations.length === 1);
  await p.getByRole('button', { name: 'Add as operation', exact: true }).click();
  await p.waitForFunction(() => window.swarf.state.job.operations.length === 2);
  await p.getByLabel('Tool of operation 2').selectOption({ label: '3 mm ball (T2)' });
  await p.waitForFunction(() => window.swarf.state.job.operations[1].tool.type === 'ball');
  assert.match(await p.textContent('#op-1-text'), /3 mm ball.*\(T2\)/);
  assert.equal(await p.locator('[aria-label="Tool of operation 1"] option:checked').textContent(), '6 mm flat (T3)');

  // Edit the 6 mm flat in the library: a feed of its own and three flutes.
  await p.locator('.tool-row', { hasText: /^6 mm flat — / }).getByRole('button', { name: 'Edit' }).click();
  assert.equal(await p.inputValue('#tl-name'), '6 mm flat');
  await field(p, '#tl-tool-feed', '1234');
  await field(p, '#tl-tool-flutes', '3');
  await p.click('#tl-save');
  const { note } = await waitNote(p, /Saved 6 mm flat/);
  assert.match(note, /2 uses of it updated/);
  const tools = await p.evaluate(() => [window.swarf.state.job.tool, ...window.swarf.state.job.operations.map((o) => o.tool)]);
  assert.deepEqual(tools.map((t) => [t.type, t.number, t.feed, t.flutes]), [['flat', 3, 1234, 3], ['flat', 3, 1234, 3], ['ball', 2, null, null]]);
  // The rows still say which library tool they use.
  assert.equal(await p.locator('[aria-label="Tool of operation 1"] option:checked').textContent(), '6 mm flat (T3)');
  // The engine writes the tool's own feed for the first operation.
  await p.getByRole('button', { name: 'Generate' }).click();
  assert.match((await waitStatus(p, /Toolpath ready|Error|Check/, 120_000)).status, /Toolpath ready/);
  const gcode = await p.evaluate(() => window.swarf.state.result.gcode);
  assert.match(gcode, /F1234\b/);
  await s.close();
});

test('export and import round-trip the library', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  const p = s.page;
  await addTool(p, { name: 'Engraver', type: 'cone', diameter: 3.175, angle: 30, flutes: 1, holder_diameter: 20, plunge_feed: 100 });
  const before = await rows(p);
  const dl = await (async () => {
    const [d] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Export…' }).click()]);
    return { name: d.suggestedFilename(), text: readFileSync(await d.path(), 'utf8') };
  })();
  assert.equal(dl.name, 'swarf-tools.json');
  const file = JSON.parse(dl.text);
  assert.equal(file.format, 'swarf-tool-library');
  assert.equal(file.version, 1);
  const engraver = file.tools.find((t) => t.name === 'Engraver');
  assert.deepEqual(
    [engraver.units, engraver.type, engraver.diameter, engraver.angle, engraver.flutes, engraver.holder_diameter, engraver.plunge_feed, engraver.feed],
    ['mm', 'cone', 3.175, 30, 1, 20, 100, null]);
  assert.ok(!('id' in engraver), 'ids stay in this browser');

  // Empty the library, then import the file: the same tools come back.
  while (await p.locator('.toollib li').count()) await p.locator('.toollib li button', { hasText: 'Delete' }).first().click();
  assert.deepEqual(await rows(p), []);
  await importText(p, dl.text, 'swarf-tools.json');
  const { note } = await waitNote(p, /Imported/);
  assert.equal(note, `Imported ${before.length} tools from swarf-tools.json.`);
  assert.deepEqual(await rows(p), before);
  // Importing it again replaces each by name: nothing doubles.
  await importText(p, dl.text, 'swarf-tools.json');
  assert.match((await waitNote(p, /replaced/)).note, new RegExp(`\\(${before.length} replaced\\)`));
  assert.deepEqual(await rows(p), before);

  // A tool in inches comes into a millimetre job converted.
  await importText(p, JSON.stringify({ format: 'swarf-tool-library', tools: [{ name: 'Quarter inch flat', units: 'inch', type: 'flat', diameter: 0.25, flute_length: 0.75, feed: 40, number: 40 }] }));
  await waitNote(p, /Imported 1 tool from/);
  await p.selectOption('#f-tool-library', { label: 'Quarter inch flat (T40)' });
  assert.equal(await p.inputValue('#f-tool-diameter'), '6.35');
  assert.equal(await p.inputValue('#f-tool-flute_length'), '19.05');
  assert.equal(await p.inputValue('#f-tool-feed'), '1016');
  await s.close();
});

test('a bad import gives a clear message, and the library and the page carry on', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  const p = s.page;
  const before = await rows(p);
  const bad = [
    ['{"tools": [', /Could not import broken\.json: it is not JSON/],
    ['[1, 2]', /no "tools" list/],
    ['{"format": "cura-profile", "tools": []}', /format is "cura-profile"/],
    ['{"tools": [{"name": "A", "type": "drill", "diameter": 3}]}', /tool 1 \("A"\): type: "drill" is not one of flat, ball, bull, cone/],
    ['{"tools": [{"name": "A", "type": "flat", "diameter": "6"}]}', /tool 1 \("A"\): diameter: "6" is not a number/],
    ['{"tools": [{"type": "flat", "diameter": 6}]}', /tool 1: has no name/],
    // Past the page's own checks, the engine's: a negative diameter, 0 flutes.
    ['{"tools": [{"name": "Neg", "type": "flat", "diameter": -2}]}', /tool 1 \("Neg"\): diameter: .*-2/],
    ['{"tools": [{"name": "Ok", "type": "flat", "diameter": 2}, {"name": "Z", "type": "ball", "diameter": 2, "flutes": 0, "number": 9}]}', /tool 2 \("Z"\): flutes: 0 flutes/],
    ['{"tools": [{"name": "A", "type": "flat", "diameter": 2, "number": 7}, {"name": "B", "type": "flat", "diameter": 3, "number": 7}]}', /"A" and "B" are both T7/],
    [`{"tools": [{"name": "${'<img src=x onerror=alert(1)>'}", "type": "flat", "diameter": 3, "number": 1}]}`, /are both T1/],
  ];
  for (const [text, want] of bad) {
    await importText(p, text, 'broken.json');
    const { error } = await waitNote(p, /Could not import/);
    assert.match(error, want);
    assert.match(error, /^Could not import broken\.json: /);
    assert.deepEqual(await rows(p), before, 'the library is unchanged');
    // The next import starts from a clean message.
    await p.evaluate(() => { document.getElementById('toollib-error').textContent = ''; });
  }
  assert.equal(await p.locator('img').count(), 0, 'nothing was made from a name');
  // The page still works: a good import, and a Generate.
  await importText(p, '{"tools": [{"name": "Fine ball", "type": "ball", "diameter": 1, "number": 50}]}', 'good.json');
  await waitNote(p, /Imported 1 tool from good\.json/);
  await p.getByRole('button', { name: 'Generate' }).click();
  assert.match((await waitStatus(p, /Toolpath ready|Error|Check/, 120_000)).status, /Toolpath ready/);
  await s.close();
});

test('a library saved by hand that cannot be read starts again from the presets, with a message', async () => {
  const s = await open(browser);
  await waitStatus(s.page, LOADED);
  await s.page.evaluate(() => localStorage.setItem('swarf.tools', '{"tools": [{"name": 5}]'));
  await s.page.reload();
  await waitStatus(s.page, LOADED);
  assert.match(await s.page.textContent('#toollib-error'), /could not be read/);
  assert.ok((await rows(s.page)).length >= 3);
  await s.close();
});
