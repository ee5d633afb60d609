// The engine's thread. Holds one wasm `Engine`; answers requests from engine-client.js.
// Messages in:  { id, type: 'init' | 'load' | 'generate' | 'validate' | 'preview', ... }
// Messages out: { id, ok, result | error } and { id, progress } while generating.
// Buffers leave as transferable ArrayBuffers (copies out of wasm memory, then moved).
import init, { Engine, defaultJob, drawingFormat, registry, validateJob, wasmMemoryBytes } from './pkg/swarf.js';

const ready = init();
let engine = null;

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
    let last = 0;
    const progress = (f) => {
      const now = performance.now();
      if (now - last > 50 || f >= 1) {
        last = now;
        postMessage({ id, progress: f });
      }
      return true;
    };
    const g = engine.generate(job, progress);
    try {
      const points = g.points();
      const kinds = g.kinds();
      const value = { points, kinds, arcs: g.arcs(), gcode: g.gcode(), summary: g.summary(), info: engine.info() };
      return { value, transfer: [points.buffer, kinds.buffer] };
    } finally {
      g.free();
    }
  },
};

// One request at a time, in order (a load's stream reads are async).
/** @type {Promise<unknown>} */
let queue = ready;
self.onmessage = (/** @type {MessageEvent} */ e) => {
  const { id, type, ...args } = e.data;
  queue = queue.then(async () => {
    try {
      const r = await handlers[type](args, id);
      if (r && r.transfer) postMessage({ id, ok: true, result: r.value }, r.transfer);
      else postMessage({ id, ok: true, result: r });
    } catch (err) {
      const error = {
        message: String((err && err.message) || err),
        field: (err && err.field) || null,
      };
      postMessage({ id, ok: false, error });
    }
  });
};
