// The page's side of the worker bridge. Every call returns a promise; `cancel()` stops a
// running generate at once by terminating the worker (its event loop is blocked inside the
// engine, so a message could not reach it) and starting a fresh one that re-reads the last
// model from its File. Used by both the app (app.js) and the embed element (embed.js).

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

/** A module worker from `url`. Cross-origin scripts (an embed hosted on a CDN) cannot be
 * started as workers directly, so a same-origin blob module that imports them is used.
 * The engine's worker starts its pool with it too. */
export function spawnWorker(url) {
  if (new URL(url).origin === location.origin) return new Worker(url, { type: 'module' });
  const shim = new Blob([`import ${JSON.stringify(String(url))};`], { type: 'text/javascript' });
  return new Worker(URL.createObjectURL(shim), { type: 'module' });
}

/** How many workers sample parallel finishing: the job's `machine.workers`, else every core
 * the browser reports. */
export function defaultWorkers(job) {
  return job?.machine?.workers ?? (globalThis.navigator?.hardwareConcurrency || 1);
}

export class EngineClient {
  constructor(workerUrl = new URL('./worker.js', import.meta.url)) {
    this.workerUrl = workerUrl;
    this.nextId = 1;
    this.pending = new Map();
    this.lastLoad = null; // { source, job } to replay after a cancel
    /** The most triangles the preview is sent (more are decimated); null: the worker's. */
    this.previewBudget = null;
    this.spawn();
  }

  spawn() {
    this.worker = spawnWorker(this.workerUrl);
    this.worker.onmessage = (e) => this.onMessage(e.data);
    this.worker.onerror = (e) => {
      const err = new Error(e.message || 'the engine worker failed to start');
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.ready = this.call('init');
  }

  onMessage(msg) {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if ('progress' in msg) {
      if (p.onProgress) p.onProgress(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else if (msg.error.cancelled) p.reject(new CancelledError());
    else {
      // The job field at fault travels with the message, for the page to place it.
      p.reject(Object.assign(new Error(msg.error.message), { field: msg.error.field }));
    }
  }

  call(type, args = {}, onProgress = null) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress, type });
      this.worker.postMessage({ id, type, ...args });
    });
  }

  /** Default job (plain object, the CLI's JSON schema). */
  async defaultJob() {
    return (await this.ready).job;
  }

  /** Default parameters per strategy name (the engine's registry), each tagged by `type`. */
  async defaultStrategies() {
    return (await this.ready).strategies;
  }

  /** The engine's registry: strategies, cutters, dialects and the settings panel's fields. */
  async registry() {
    return (await this.ready).registry;
  }

  /** What `job` machines on the loaded model: { stock, areas, floor, top, safeHeight }, or
   * null with no model; rejects with the engine's message for a job it refuses. */
  preview(job) {
    return this.call('preview', { job });
  }

  /** `source`: a File/Blob (an STL, or an SVG/DXF drawing: by name, else by content), or
   * null for the built-in demo; `job` gives the import transform (`job.model`) and units.
   * Resolves { info, triangles, lines, kinds }: `info.kind` is "model" or "drawing"; a
   * drawing has no triangles and its paths as line segments (`lines`, xyz pairs, with a
   * colour kind per point), a model null lines. */
  load(source, job) {
    this.lastLoad = { source, job };
    return this.call('load', { source, job, previewBudget: this.previewBudget });
  }

  validate(job) {
    return this.call('validate', { job });
  }

  generate(job, onProgress, workers = null) {
    return this.call('generate', { job, workers: workers ?? defaultWorkers(job) }, onProgress);
  }

  /** Simulates the last generated program on its stock (`budget`: bytes of heights, 4 per
   * cell; `maxSide`: the most cells along a side; `checkpoints`: bytes for the slider's
   * checkpoints). Resolves { grid, heights, ms, wasmMemory }; `cancelSimulation` rejects it
   * with CancelledError and keeps the worker (and its program). */
  simulate(opts, onProgress) {
    return this.call('simulate', opts, onProgress);
  }

  /** Checks the last generated program against the model on a stock of `cell` (job
   * units; the simulation's cell lines the map up with its grid): resolves { nx, ny, origin,
   * cell, deviation (Float32Array per cell: negative inside the model, NaN beside it),
   * problems, unlisted, deepestGouge, mostLeft, moves, failed, ms }. */
  verify(job, { cell, tolerance, leftover }, onProgress) {
    return this.call('verify', { job, cell, tolerance, leftover }, onProgress);
  }

  /** Stops a running simulation at its next slice (tens of milliseconds). */
  cancelSimulation() {
    for (const [id, p] of this.pending) {
      if (p.type !== 'simulate') continue;
      this.worker.postMessage({ type: 'cancelSimulation', of: id });
      this.pending.delete(id);
      p.reject(new CancelledError());
    }
  }

  /** Frees the finished simulation's stock and checkpoints in the worker (a stale one). */
  dropSimulation() {
    this.worker.postMessage({ type: 'dropSimulation' });
  }

  /** The simulated stock after move `k`: { at, rows: [j0, j1], heights } (only the rows that
   * changed since the previous answer). */
  stockAt(k) {
    return this.call('stockAt', { k });
  }

  /** Every height of the simulated stock as it stands: { at, heights } (row by row). */
  stockHeights() {
    return this.call('stockHeights');
  }

  get busy() {
    for (const p of this.pending.values()) if (p.type === 'generate') return true;
    return false;
  }

  /** Stops everything in flight; resolves once the fresh worker has the model again. */
  async cancel() {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new CancelledError());
    this.pending.clear();
    this.spawn();
    if (this.lastLoad) await this.load(this.lastLoad.source, this.lastLoad.job);
  }

  terminate() {
    this.worker.terminate();
  }
}
