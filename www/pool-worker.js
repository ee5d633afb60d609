// One worker of the engine's pool (started by worker.js, which holds the model). It holds
// no model: each request brings a batch of raster lines with the triangles they reach
// (a copy of a part of the model, moved here), samples the lines with the same engine code
// and moves the result back. Its wasm memory holds one batch at a time.
// Messages in:  { module } once (the compiled engine, shared so it is not compiled again),
//               then { id, triangles, bounds, job, op, lines }.
// Messages out: { id, ok: true, out: Float64Array } or { id, ok: false, error }.
import init, { sampleLines } from './pkg/swarf.js';

/** @type {Promise<unknown> | null} */
let ready = null;

self.onmessage = async (/** @type {MessageEvent} */ e) => {
  const m = e.data;
  if (m.module) {
    ready = init({ module_or_path: m.module });
    return;
  }
  try {
    await ready;
    const t0 = performance.now();
    const out = sampleLines(m.triangles, m.bounds, m.job, m.op, m.lines);
    postMessage({ id: m.id, ok: true, out, ms: performance.now() - t0 }, [out.buffer]);
  } catch (err) {
    postMessage({ id: m.id, ok: false, error: String((err && err.message) || err) });
  }
};
