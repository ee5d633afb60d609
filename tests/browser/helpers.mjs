// Shared set-up for the browser tests: one headless Chromium per test file, a fresh context
// per test, a guard that records every request to another origin, and model generators.
import { chromium } from 'playwright-core';
import { inflateSync } from 'node:zlib';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE = process.env.SWARF_URL || 'http://127.0.0.1:8080/';
export const ORIGIN = new URL(BASE).origin;

// The flags from shared/DESIGN.md: keep Chromium off the network; WebGL2 via SwiftShader.
const ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

export function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ARGS });
}

/** A fresh context whose requests are checked: `foreign` lists any to another origin. */
export async function open(browser, path = '') {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 800 } });
  const foreign = [];
  const errors = [];
  context.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith('blob:') && !u.startsWith('data:') && new URL(u).origin !== ORIGIN) foreign.push(u);
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => { errors.push(`unexpected dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(new URL(path, BASE).href);
  return {
    context, page, foreign, errors,
    async close() {
      await context.close();
      assert.deepEqual(foreign, [], 'requests to other origins');
      assert.deepEqual(errors, [], 'page errors');
    },
  };
}

/** Waits until #status or #error matches `re`; returns the texts. */
export async function waitStatus(page, re, timeout = 30_000) {
  await page.waitForFunction(
    (src) => new RegExp(src).test(document.getElementById('status').textContent + ' ' + document.getElementById('error').textContent),
    re.source, { timeout });
  return { status: await page.textContent('#status'), error: await page.textContent('#error') };
}

/** A binary STL of a smooth terrain: `nx * ny * 2` triangles over `w` x `h` mm. */
export function terrainStl(nx, ny, w = 50, h = 40) {
  const n = nx * ny * 2;
  const buf = Buffer.alloc(84 + 50 * n);
  buf.write('swarf test terrain', 0);
  buf.writeUInt32LE(n, 80);
  const z = (i, j) => 5 + 2 * Math.sin(i * 0.31) * Math.cos(j * 0.23) + 0.5 * Math.sin((i + j) * 0.05);
  const p = (i, j) => [(i / nx) * w, (j / ny) * h, z(i, j)];
  let o = 84;
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const a = p(i, j), b = p(i + 1, j), c = p(i + 1, j + 1), d = p(i, j + 1);
      for (const t of [[a, b, c], [a, c, d]]) {
        o += 12; // normal left zero, as many writers do
        for (const v of t) for (const x of v) { buf.writeFloatLE(x, o); o += 4; }
        o += 2;
      }
    }
  return buf;
}

/** Drops `bytes` as a file named `name` (of MIME `type`) on the page, as a DataTransfer drop
 * event. */
export async function dropFile(page, bytes, name, type = 'model/stl') {
  const dt = await page.evaluateHandle(({ b64, name, type }) => {
    const bin = atob(b64);
    const u8 = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([u8], name, { type }));
    return dt;
  }, { b64: Buffer.from(bytes).toString('base64'), name, type });
  await page.dispatchEvent('main', 'dragenter', { dataTransfer: dt });
  await page.dispatchEvent('main', 'drop', { dataTransfer: dt });
}

/** Decodes an 8-bit RGB/RGBA PNG (what screenshots are) to { width, height, channels, data }. */
export function decodePng(png) {
  assert.equal(png.readUInt32BE(12), 0x49484452, 'IHDR first');
  const width = png.readUInt32BE(16), height = png.readUInt32BE(20);
  const depth = png[24], type = png[25];
  assert.equal(depth, 8);
  const channels = { 2: 3, 6: 4 }[type];
  assert.ok(channels, `PNG colour type ${type}`);
  const idat = [];
  for (let o = 8; o < png.length;) {
    const len = png.readUInt32BE(o), kind = png.toString('latin1', o + 4, o + 8);
    if (kind === 'IDAT') idat.push(png.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels, data = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? data[y * stride + x - channels] : 0;
      const b = y > 0 ? data[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? data[(y - 1) * stride + x - channels] : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      data[y * stride + x] = (v + pred) & 255;
    }
  }
  return { width, height, channels, data };
}

/** The native CLI's G-code for `stl` bytes (or a drawing's, under the file name `name`) and
 * a job JSON text (`swarf generate --job`), or `{ skip }` when the CLI is not available,
 * `{ error }` when it refuses the job. */
export function cliGenerate(stl, jobJson, name = 'model.stl') {
  const cli = process.env.SWARF_CLI;
  if (!cli || !existsSync(cli)) return { skip: 'SWARF_CLI not set (scripts/test-web.sh sets it)' };
  const dir = mkdtempSync(join(tmpdir(), 'swarf-web-'));
  writeFileSync(join(dir, name), stl);
  writeFileSync(join(dir, 'job.json'), jobJson);
  try {
    execFileSync(cli, ['generate', join(dir, name), '--job', join(dir, 'job.json'), '-o', join(dir, 'out.ngc')], { stdio: 'pipe' });
  } catch (e) {
    return { error: `the CLI cannot run this job: ${String(e.stderr || e.message).trim().split('\n')[0]}` };
  }
  return { gcode: readFileSync(join(dir, 'out.ngc')) };
}

/** Saves a screenshot for a person to look at, under $SWARF_SCREENSHOTS (scripts/test-web.sh
 * sets target/browser-screens); returns the path, or null when not set. */
export function keepScreenshot(png, name) {
  const dir = process.env.SWARF_SCREENSHOTS;
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, png);
  return path;
}

/** Clicks Download and returns the suggested name and the bytes. */
export async function download(page) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
  return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
}
