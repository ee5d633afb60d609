// The engine's thread. Holds one wasm `Engine`; answers requests from engine-client.js.
// Messages in:  { id, type: 'init' | 'load' | 'generate' | 'validate' | 'preview' |
//                 'simulate' | 'stockAt' | 'stockHeights' | 'verify', ... }, and at once (not queued)
//                 { type: 'cancelSimulation', of: id } and { type: 'dropSimulation' }
// Messages out: { id, ok, result | error } and { id, progress } while generating or simulating.
// Buffers leave as transferable ArrayBuffers (copies out of wasm memory, then moved).
import init, { Engine, Simulation, defaultJob, drawingFormat, registry, validateJob, wasmMemoryBytes } from './pkg/swarf.js';

const ready = init();
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
 * 50 ms (and at the end), and never cancels (a cancel terminates the worker). */
function progressTo(id) {
  let last = 0;
  return (/** @type {number} */ f) => {
    const now = performance.now();
    if (now - last > 50 || f >= 1) {
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

  async load({ source, job }) {
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
    // `triangles()` is a view of wasm memory: copy it now, before anything can grow memory.
    const triangles = engine.triangles().slice();
    return { value: { info, triangles, lines: null, kinds: null }, transfer: [triangles.buffer] };
  },

  async validate({ job }) {
    return validateJob(job);
  },

  async preview({ job }) {
    return engine ? engine.preview(job) : null;
  },

  async generate({ job }, id) {
    if (!engine) throw new Error('no model loaded');
    const progress = progressTo(id);
    dropSimulation();
    if (generated) generated.free();
    generated = null;
    const g = engine.generate(job, progress);
    generated = g;
    const points = g.points();
    const kinds = g.kinds();
    const ends = g.ends();
    const opStarts = g.opStarts();
    const value = { points, kinds, ends, opStarts, arcs: g.arcs(), gcode: g.gcode(), summary: g.summary(), info: engine.info() };
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
