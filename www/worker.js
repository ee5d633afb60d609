// The engine's thread. Holds one wasm `Engine`; answers requests from engine-client.js.
// Messages in:  { id, type: 'init' | 'load' | 'generate' | 'validate' | 'preview' |
//                 'simulate' | 'stockAt' | 'stockHeights' | 'verify', ... }, and at once (not queued)
//                 { type: 'cancelSimulation', of: id } and { type: 'dropSimulation' }
// Messages out: { id, ok, result | error } and { id, progress } while generating or simulating.
// Buffers leave as transferable ArrayBuffers (copies out of wasm memory, then moved).
import { spawnWorker } from './engine-client.js';
import init, { Engine, Simulation, defaultJob, drawingFormat, registry, validateJob, wasmMemoryBytes } from './pkg/swarf.js';

/** The engine compiled once: this worker instantiates it, and so does each pool worker. */
const wasmModule = (async () => {
  const url = new URL('./pkg/swarf_bg.wasm', import.meta.url);
  try {
    return await WebAssembly.compileStreaming(fetch(url));
  } catch {
    // A host that serves .wasm without its MIME type: compile from the bytes.
    return WebAssembly.compile(await (await fetch(url)).arrayBuffer());
  }
})();
const ready = wasmModule.then((module) => init({ module_or_path: module }));
let engine = null;
/** @type {import('./pkg/swarf.js').Generated | null} the last program, kept to simulate it */
let generated = null;
/** @type {{ id: number, sim: Simulation, cancelled: boolean, done: boolean } | null} the stock
 * simulation (`id`: of the request that started it) */
let simulation = null;

/** Simulate requests cancelled before they started (their ids). */
const cancelledEarly = new Set();

/** How long one slice of the simulation runs before the worker looks at its messages (a
 * cancel, a validation): short enough for a cancel to feel immediate. */
const SLICE_MS = 40;

/** Lets the worker's other messages run (a MessageChannel task, without setTimeout's clamp). */
function yieldToMessages() {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve(undefined);
    ch.port2.postMessage(0);
  });
}

/** A progress callback for the engine that posts request `id`'s fraction at most every
 * 250 ms (and at the end), and never cancels (a cancel terminates the worker). Each post
 * repaints the page's progress bar, and on a software renderer every repaint composites
 * the 3D view with the CPU: at 20 a second that took a core from the pool's workers
 * (BENCHMARKS.md); four a second is still a moving bar. */
function progressTo(id) {
  let last = 0;
  return (/** @type {number} */ f) => {
    const now = performance.now();
    if (now - last > 250 || f >= 1) {
      last = now;
      postMessage({ id, progress: f });
    }
    return true;
  };
}

/** Stops and frees the running or finished simulation. */
function dropSimulation() {
  if (!simulation) return;
  // A running one frees itself when it sees the flag at its next slice.
  if (simulation.done) simulation.sim.free();
  else simulation.cancelled = true;
  simulation = null;
}

/** The simulation a slider may seek in, or an error saying why there is none. */
function finishedSimulation() {
  if (!simulation || !simulation.done) throw new Error('no finished stock simulation');
  return simulation.sim;
}

/** The most triangles the preview draws unless the page says (`previewBudget`; the viewer
 * asks for fewer on a software renderer). A laptop's GPU draws a million at interactive
 * rates; past that the preview is a decimated copy (the statistics say so), which also
 * spares the page 36 bytes a triangle. */
const PREVIEW_TRIANGLES = 1_000_000;

/** The pool: workers that sample batches of raster lines (pool-worker.js), started on
 * first use and kept. @type {Worker[]} */
const pool = [];
/** Where the last generate spent its time (ms): planning batches, sampling them (`busy`:
 * each batch's time in its pool worker; `own`: in this thread), linking and writing, and
 * in all.
 * @type {{ batches: number, sampling: number, linking: number, handler: number, busy: number[], own: number[] }} */
const poolTiming = { batches: 0, sampling: 0, linking: 0, handler: 0, busy: [], own: [] };

/** Grows the pool to `n` workers, each given the compiled engine. */
async function poolOf(/** @type {number} */ n) {
  const module = await wasmModule;
  while (pool.length < n) {
    const w = spawnWorker(new URL('./pool-worker.js', import.meta.url));
    w.postMessage({ module });
    pool.push(w);
  }
  return pool.slice(0, n);
}

/** Resolves after the messages already queued for this thread have been handled: the
 * engine's thread samples batches between them. */
function yieldToEvents() {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve(undefined);
    ch.port2.postMessage(null);
  });
}

/** Runs `job` with its parallel-finishing lines sampled by `n` threads: this one, on the
 * model it holds, and `n - 1` pool workers, each batch carrying only the triangles it
 * reaches (the model is never copied whole); then linked here. The program is the same
 * bytes as `engine.generate`'s. */
async function generatePooled(job, batches, n, progress) {
  const workers = await poolOf(Math.min(n - 1, batches.length - 1));
  const threads = workers.length + 1;
  const bounds = engine.modelBounds();
  /** @type {Float64Array[]} */
  const sampled = new Array(batches.length);
  let next = 0;
  let done = 0;
  // Sampling is most of the work; linking and writing the program the rest.
  const SAMPLING = 0.9;
  // Each worker holds up to two batches: the one it samples and the next, so it never
  // waits while this thread samples one of its own. Near the end (no more batches left
  // than threads) only one, so the last batches go to whichever thread is free first.
  const run = (/** @type {Worker} */ w) => new Promise((resolve, reject) => {
    let held = 0;
    const fill = () => {
      while (next < batches.length && held < (batches.length - next > threads ? 2 : 1)) {
        const i = next++;
        const b = batches[i];
        const triangles = engine.trianglesIn(b.reach[0], b.reach[1], b.reach[2], b.reach[3]);
        w.postMessage({ id: i, triangles, bounds, job, op: b.op, lines: b.lines }, [triangles.buffer]);
        held++;
      }
      if (held === 0) {
        w.onmessage = null;
        w.onerror = null;
        resolve(undefined);
      }
    };
    w.onmessage = (/** @type {MessageEvent} */ e) => {
      const m = e.data;
      if (!m.ok) {
        reject(new Error(m.error));
        return;
      }
      held--;
      sampled[m.id] = m.out;
      poolTiming.busy.push(Math.round(m.ms));
      progress((SAMPLING * ++done) / batches.length);
      fill();
    };
    w.onerror = (/** @type {ErrorEvent} */ e) => reject(new Error(e.message || 'a pool worker failed'));
    fill();
  });
  // This thread's share: the next batch whenever it is free, sampled on the whole model
  // (no copy, no index to build); between batches the workers' results are answered.
  const own = async () => {
    while (next < batches.length) {
      const i = next++;
      const b = batches[i];
      const t = performance.now();
      sampled[i] = engine.sampleBatch(job, b.op, b.lines);
      poolTiming.own.push(Math.round(performance.now() - t));
      progress((SAMPLING * ++done) / batches.length);
      await yieldToEvents();
    }
  };
  const t0 = performance.now();
  poolTiming.busy = [];
  poolTiming.own = [];
  await Promise.all([...workers.map(run), own()]);
  poolTiming.sampling = performance.now() - t0;
  return engine.generateWith(job, sampled, (/** @type {number} */ f) => progress(SAMPLING + (1 - SAMPLING) * f));
}

// Reads a File/Blob stream chunk by chunk into the engine: the file is never held whole in
// JS memory, and the engine's reader sees each chunk once.
async function streamInto(blob) {
  engine.beginLoad(blob.size);
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    engine.pushChunk(value);
  }
}

/** True when `blob` is a 2D drawing: named .svg or .dxf (so a broken one gets the drawing
 * reader's message), else when its first bytes look like one to the engine. */
async function isDrawing(blob) {
  const name = blob instanceof File ? blob.name.toLowerCase() : '';
  if (/\.(svg|dxf)$/.test(name)) return true;
  return drawingFormat(new Uint8Array(await blob.slice(0, 256).arrayBuffer())) != null;
}

const handlers = {
  async init() {
    // Strategies, cutters, dialects and the settings panel come from the engine's registry.
    const reg = registry();
    const strategies = Object.fromEntries(reg.strategies.map((s) => [s.name, s.defaults]));
    return { job: defaultJob(), registry: reg, strategies, wasmMemory: wasmMemoryBytes() };
  },

  async load({ source, job, previewBudget }) {
    if (!engine) engine = new Engine();
    // A new workpiece: the last program and its stock are of the old one.
    dropSimulation();
    if (generated) generated.free();
    generated = null;
    if (source && (await isDrawing(source))) {
      // Drawings are read whole (they are small next to meshes) and have lines, not triangles.
      const info = engine.loadDrawing(new Uint8Array(await source.arrayBuffer()), job);
      const { lines, kinds } = engine.drawingLines();
      const triangles = new Float32Array(0);
      return { value: { info, triangles, lines, kinds }, transfer: [lines.buffer, kinds.buffer] };
    }
    let info;
    if (source) {
      await streamInto(source);
      info = engine.finishLoad(job);
    } else {
      info = engine.loadDemo(job);
    }
    // A copy for WebGL, decimated past PREVIEW_TRIANGLES: the engine machines the full model.
    const triangles = engine.previewTriangles(previewBudget || PREVIEW_TRIANGLES);
    info.previewTriangles = triangles.length / 9;
    return { value: { info, triangles, lines: null, kinds: null }, transfer: [triangles.buffer] };
  },

  async validate({ job }) {
    return validateJob(job);
  },

  async preview({ job }) {
    return engine ? engine.preview(job) : null;
  },

  /** Runs the job; with `workers` > 1, parallel finishing is sampled by that many threads
   * (this one and `workers - 1` pool workers). Resolves the program and the preview, with
   * `workers`: how many sampled. */
  async generate({ job, workers }, id) {
    if (!engine) throw new Error('no model loaded');
    const progress = progressTo(id);
    dropSimulation();
    if (generated) generated.free();
    generated = null;
    const n = Math.max(1, Math.floor(Number(workers) || 1));
    // A drawing, or a job with no parallel finishing, has no batches.
    const t0 = performance.now();
    const batches = n > 1 ? engine.parallelBatches(job) : [];
    const pooled = batches.length > 1;
    const t1 = performance.now();
    const g = pooled ? await generatePooled(job, batches, n, progress) : engine.generate(job, progress);
    poolTiming.batches = t1 - t0;
    poolTiming.linking = performance.now() - t1 - (pooled ? poolTiming.sampling : 0);
    generated = g;
    const points = g.points();
    const kinds = g.kinds();
    const ends = g.ends();
    const opStarts = g.opStarts();
    const value = {
      points, kinds, ends, opStarts, arcs: g.arcs(), gcode: g.gcode(), summary: g.summary(), info: engine.info(),
      workers: pooled ? Math.min(n, batches.length) : 1, parallelFinishing: n > 1 ? batches.length > 0 : null,
      poolTiming: { ...poolTiming, sampling: pooled ? poolTiming.sampling : 0, handler: performance.now() - t0 },
    };
    return { value, transfer: [points.buffer, kinds.buffer, ends.buffer] };
  },

  /** Simulates the last program on its stock in slices of about SLICE_MS, posting progress
   * after each; between slices the worker answers other messages, so a `cancelSimulation`
   * stops it. Resolves { grid, heights (the finished stock), ms, wasmMemory }. */
  async simulate({ budget, maxSide, checkpoints }, id) {
    if (cancelledEarly.delete(id)) throw Object.assign(new Error('cancelled'), { cancelled: true });
    if (!generated) throw new Error('generate a toolpath first');
    dropSimulation();
    const t0 = performance.now();
    const me = { id, sim: new Simulation(generated, budget, maxSide, checkpoints), cancelled: false, done: false };
    simulation = me;
    let work = 1e5;
    for (;;) {
      const t = performance.now();
      const done = me.sim.advance(work);
      const dt = Math.max(performance.now() - t, 0.5);
      // Size the next slice from this one's pace, without lurching.
      work *= Math.min(4, Math.max(0.25, SLICE_MS / dt));
      postMessage({ id, progress: me.sim.progress() });
      if (done) break;
      await yieldToMessages();
      if (me.cancelled) {
        me.sim.free();
        throw Object.assign(new Error('cancelled'), { cancelled: true });
      }
    }
    me.done = true;
    const grid = me.sim.grid();
    const heights = me.sim.heights();
    const value = { grid, heights, ms: performance.now() - t0, wasmMemory: wasmMemoryBytes() };
    return { value, transfer: [heights.buffer] };
  },

  /** Checks the last program against the model (engine `verify`): the deviation of every
   * cell of the stock (`cell`: the simulation's, so the map lines up with its grid) and the
   * problems with their G-code lines. Resolves what `Engine.verify` returns. */
  async verify({ job, cell, tolerance, leftover }, id) {
    if (!engine) throw new Error('no model loaded');
    if (!generated) throw new Error('generate a toolpath first');
    const progress = progressTo(id);
    const t0 = performance.now();
    const r = engine.verify(generated, job, { cell, budget_bytes: 64 * 1024 * 1024, tolerance, leftover }, progress);
    r.ms = performance.now() - t0;
    return { value: r, transfer: [r.deviation.buffer] };
  },

  /** Every height of the simulated stock as it stands: { at, heights }. */
  async stockHeights() {
    const sim = finishedSimulation();
    const heights = sim.heights();
    return { value: { at: sim.at(), heights }, transfer: [heights.buffer] };
  },

  /** The stock after move `k` of the simulated program: { at, rows: [j0, j1], heights } with
   * only the rows that changed since the last answer. */
  async stockAt({ k }) {
    const t0 = performance.now();
    const r = finishedSimulation().seek(k);
    r.ms = performance.now() - t0;
    return { value: r, transfer: [r.heights.buffer] };
  },
};

/** Runs one request and posts its answer. */
async function answer(type, args, id) {
  try {
    const r = await handlers[type](args, id);
    if (r && r.transfer) postMessage({ id, ok: true, result: r.value }, r.transfer);
    else postMessage({ id, ok: true, result: r });
  } catch (err) {
    const error = {
      message: String((err && err.message) || err),
      field: (err && err.field) || null,
      cancelled: !!(err && err.cancelled),
    };
    postMessage({ id, ok: false, error });
  }
}

// One request at a time, in order (a load's stream reads are async).
/** @type {Promise<unknown>} */
let queue = ready;
// A simulation runs beside the queue (it starts in turn, then yields between slices), so
// validations and previews are answered while it runs; a cancel is seen at once.
self.onmessage = (/** @type {MessageEvent} */ e) => {
  const { id, type, ...args } = e.data;
  if (type === 'dropSimulation') {
    dropSimulation();
    return;
  }
  if (type === 'cancelSimulation') {
    if (simulation && simulation.id === args.of) dropSimulation();
    else cancelledEarly.add(args.of);
    return;
  }
  if (type === 'simulate') {
    queue = queue.then(() => { answer(type, args, id); });
    return;
  }
  queue = queue.then(() => answer(type, args, id));
};
