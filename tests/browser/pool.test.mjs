// Issue 11: the engine's worker pool. Parallel finishing sampled by two workers is the same
// program, byte for byte, as by one and as the CLI's; the statistics say how many worked;
// a dense model's preview is a decimated copy; and <swarf-cam> served from another origin
// (a second port, the worker started through a blob, CORS) runs its job on the pool.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, extname, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, open, waitStatus, terrainStl, cliGenerate, download } from './helpers.mjs';

const WWW = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'www');
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.css': 'text/css', '.stl': 'model/stl', '.json': 'application/json', '.svg': 'image/svg+xml' };

/** A static server on a free port: `root`'s files, with CORS for any origin when `cors`,
 * or `pages` (path → HTML) first. */
function serve({ root = null, cors = false, pages = {} }) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const headers = cors ? { 'Access-Control-Allow-Origin': '*' } : {};
    if (pages[path]) {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' });
      res.end(pages[path]);
      return;
    }
    try {
      if (!root || path.includes('..')) throw new Error('no');
      const body = await readFile(join(root, path === '/' ? 'index.html' : path));
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(path)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, headers);
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

// 200 x 400 cells: 160,000 triangles, more than the preview draws under SwiftShader.
const STL = terrainStl(200, 400, 60, 50);

async function generateOn(workers) {
  const s = await open(browser, `?workers=${workers}`);
  await waitStatus(s.page, /triangles loaded/);
  await s.page.setInputFiles('#file', { name: 'terrain.stl', mimeType: 'model/stl', buffer: STL });
  await waitStatus(s.page, /terrain\.stl: .*loaded/);
  await s.page.getByRole('button', { name: 'Generate' }).click();
  assert.match((await waitStatus(s.page, /Toolpath ready|Error/, 120_000)).status, /Toolpath ready/);
  const stat = await s.page.textContent('[data-stat="workers"]');
  const triangles = await s.page.textContent('[data-stat="triangles"]');
  const got = await download(s.page);
  const job = await s.page.evaluate(() => JSON.stringify(window.swarf.state.job));
  return { s, stat, triangles, gcode: got.bytes, job };
}

test('two workers write the same program as one and as the CLI, and the statistics say so', async (t) => {
  const one = await generateOn(1);
  assert.equal(one.stat, '1');
  await one.s.close();
  const two = await generateOn(2);
  assert.equal(two.stat, '2 (parallel finishing)');
  assert.ok(two.gcode.equals(one.gcode), 'the pooled program differs from the single worker\'s');
  const cli = cliGenerate(STL, two.job);
  assert.equal(cli.error, undefined);
  if (cli.skip) t.diagnostic(cli.skip);
  else assert.ok(cli.gcode.equals(two.gcode), 'the pooled program differs from the CLI\'s');
  // The engine machines all 160,000 triangles; SwiftShader is sent a decimated copy.
  assert.match(two.triangles, /^160,000 \(preview draws [\d,]+\)$/);
  const drawn = await two.s.page.evaluate(() => [window.swarf.viewer.model.count / 3, window.swarf.viewer.triangleBudget]);
  assert.ok(drawn[0] > 0.3 * drawn[1] && drawn[0] <= drawn[1], `preview of ${drawn[0]} triangles for a budget of ${drawn[1]}`);
  // A job with no parallel finishing runs on one worker, and says why.
  await two.s.page.selectOption('#f-strategy-type', 'waterline');
  await two.s.page.getByRole('button', { name: 'Generate' }).click();
  assert.match((await waitStatus(two.s.page, /Toolpath ready|Error/, 120_000)).status, /Toolpath ready/);
  assert.equal(await two.s.page.textContent('[data-stat="workers"]'), '1 (the pool samples parallel finishing only)');
  await two.s.close();
});

test('<swarf-cam> served from another origin starts its workers through blobs and runs on the pool', async () => {
  const engine = await serve({ root: WWW, cors: true });
  const other = `http://127.0.0.1:${engine.address().port}`;
  const host = await serve({
    pages: {
      '/': `<!doctype html><meta charset="utf-8"><title>host</title>
<script type="module" src="${other}/embed.js"></script>
<h1>A host on its own origin</h1>
<swarf-cam id="cam" model="${other}/examples/part.stl"></swarf-cam>
<output id="received">none</output>
<script type="module">
  document.getElementById('cam').addEventListener('gcode', (e) => {
    window.received = e.detail;
    document.getElementById('received').textContent = e.detail.workers + ' workers';
  });
</script>`,
    },
  });
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const errors = [];
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`http://127.0.0.1:${host.address().port}/`);
    const cam = page.locator('swarf-cam');
    await cam.getByRole('status').filter({ hasText: /part\.stl: [\d,]+ triangles/ }).waitFor({ timeout: 60_000 });
    await cam.getByRole('button', { name: 'Generate' }).click();
    await page.locator('#received').filter({ hasText: /\d+ workers/ }).waitFor({ timeout: 120_000 });
    const got = await page.evaluate(() => window.received);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(got.workers, cores > 1 ? Math.min(cores, got.workers) : 1);
    if (cores > 1) assert.ok(got.workers > 1, `${got.workers} workers on ${cores} cores`);
    assert.match(got.gcode, /^G1 /m);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    engine.close();
    host.close();
  }
});
