// Issue 11 item 3: how long a frame of the preview takes with a big model loaded (the
// viewer draws a decimated copy; the engine keeps every triangle). Headless Chromium draws
// with SwiftShader (software GL), so these are CPU figures. Not a test. The model is a
// generated terrain of SIZE triangles (default 10,000,000; 500 MB STL).
//   SWARF_URL=http://127.0.0.1:8765/ node tests/browser/measure-frame.mjs
// Env: SIZE, FRAMES (default 20), VW/VH (window, default 1200x800).
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, BASE, terrainStl } from './helpers.mjs';

const n = Number(process.env.SIZE || 10_000_000);
const frames = Number(process.env.FRAMES || 20);
const ny = Math.round(Math.sqrt(n / 2 / 1.25)), nx = Math.round(n / 2 / ny);
const file = join(mkdtempSync(join(tmpdir(), 'swarf-frame-')), `terrain-${n}.stl`);
writeFileSync(file, terrainStl(nx, ny, 100, 80));
const browser = await launch();
const context = await browser.newContext({ viewport: { width: Number(process.env.VW || 1200), height: Number(process.env.VH || 800) } });
const page = await context.newPage();
await page.goto(BASE);
await page.waitForFunction(() => /triangles loaded/.test(document.getElementById('status').textContent));
await page.setInputFiles('#file', file);
await page.waitForFunction(() => /terrain-\d+\.stl: .*loaded|Could not/.test(document.getElementById('status').textContent + document.getElementById('error').textContent), null, { timeout: 300_000 });
// Orbit the view one step per frame and time each draw to completion (readPixels waits for
// the GPU, here SwiftShader's threads), as a drag of the view would redraw.
const r = await page.evaluate((frames) => {
  const v = window.swarf.viewer;
  const gl = v.gl;
  const px = new Uint8Array(4);
  const times = [];
  for (let i = 0; i < frames; i++) {
    v.view.yaw += 0.05;
    const t = performance.now();
    v.draw();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return {
    triangles: window.swarf.state.info.triangles,
    drawn: window.swarf.state.info.previewTriangles,
    software: v.softwareGl,
    canvas: `${v.canvas.width}x${v.canvas.height}`,
    median_ms: +times[times.length >> 1].toFixed(1),
    best_ms: +times[0].toFixed(1),
    worst_ms: +times[times.length - 1].toFixed(1),
  };
}, frames);
console.log(JSON.stringify(r));
await browser.close();
