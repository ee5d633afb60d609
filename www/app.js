// The page: file in (an STL model or an SVG/DXF drawing), preview, settings, generate in the
// worker, download. All text that comes from a file or the engine is set with textContent,
// never parsed as HTML.
import { EngineClient, CancelledError } from './engine-client.js';
import { Viewer } from './viewer.js';
import { buildPanel, loadJob, saveJob, loadStrategyMemory, normalizeJob, get } from './settings.js';
import { describeDrawing, drawingStrategy, drawingTool, isDrawingStrategy, strategiesFor } from './workpiece.js';
import { buildOperations } from './operations.js';
import { buildSimulation } from './simulation.js';
import { buildToolLibrary, sameTool } from './toollib.js';
import * as fmt from './format.js';

const $ = (id) => document.getElementById(id);
/** @type {(id: string) => HTMLButtonElement} */
const button = (id) => /** @type {HTMLButtonElement} */ ($(id));
const ui = {
  open: button('open'), file: /** @type {HTMLInputElement} */ ($('file')), name: $('model-name'),
  canvas: /** @type {HTMLCanvasElement} */ ($('view')),
  generate: button('generate'), cancel: button('cancel'), download: button('download'),
  progress: /** @type {HTMLProgressElement} */ ($('progress')), status: $('status'), error: $('error'),
  form: /** @type {HTMLFormElement} */ ($('settings')), dropHint: $('drop-hint'),
  simulate: button('simulate'),
};
const stat = (k, v) => { document.querySelector(`[data-stat="${k}"]`).textContent = v; };

const state = {
  file: null, name: 'demo', info: null, result: null, resultJob: null, job: null, busy: false,
  /** @type {any} the engine's registry */ registry: null,
  /** @type {any} the engine's stock box and machining areas for the job */ preview: null,
  /** @type {'model' | 'drawing'} what the job's cutters and strategies are for */ workpiece: 'model',
  /** @type {any} the engine's default job */ defaults: null,
  /** @type {Record<string, any>} each strategy's defaults */ strategies: null,
};
// For tests and the benchmark: timings in ms of the last load and generate.
const timings = {};
/** @type {any} */
const exposed = { state, timings, viewer: null };
/** @type {any} */ (window).swarf = exposed;

function setStatus(text) { ui.status.textContent = text; }
function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = !text;
}

let viewer = null;
try {
  viewer = new Viewer(ui.canvas);
  exposed.viewer = viewer;
} catch (e) {
  showError(`The 3D preview is unavailable: ${e.message}. Generating G-code still works.`);
}
const client = new EngineClient();
if (viewer) client.previewBudget = viewer.triangleBudget;
let panel = null;
let ops = null;
/** @type {ReturnType<typeof buildToolLibrary> | null} */
let library = null;
const unitLabel = () => (get(state.job, 'units') === 'inch' ? 'in' : 'mm');

/** The operations of the generated job: its chain, or its one tool and strategy. */
const resultOps = () => {
  const j = state.resultJob;
  return j && j.operations && j.operations.length ? j.operations : j ? [{ tool: j.tool, strategy: j.strategy }] : [];
};

/** Operation `k` of the generated program as the slider names it ("2. Waterline (T2)"). */
function opName(k) {
  const op = resultOps()[k];
  if (!op) return `operation ${k + 1}`;
  const s = state.registry && state.registry.strategies.find((x) => x.name === op.strategy.type);
  return `${k + 1}. ${s ? s.short : op.strategy.type} (T${op.tool.number})`;
}

const sim = buildSimulation({
  client,
  viewer: viewer || {
    setStockSim() {}, updateStockRows() {}, setScrub() {}, maxStockSide: () => 4096,
  },
  ui: {
    progress: ui.progress, cancel: ui.cancel, simulate: ui.simulate, bar: $('scrub'),
    range: /** @type {HTMLInputElement} */ ($('scrub-range')), label: /** @type {HTMLOutputElement} */ ($('scrub-label')),
    play: button('play'), legend: document.querySelector('.legend'),
  },
  setStatus: (t) => setStatus(t),
  showError: (t) => showError(t),
  stat,
  opName,
  unit: unitLabel,
  job: () => state.resultJob,
});
exposed.sim = sim;
exposed.client = client;

/** What the engine says the job machines on the loaded model (the stock box and the
 * machining areas), or undefined when it refuses the job (validation then shows why). */
async function fetchPreview(job) {
  try {
    return await client.preview(job);
  } catch {
    return undefined;
  }
}

/** Draws a preview from fetchPreview; undefined keeps the last drawing. */
function drawPreview(p) {
  if (!viewer || p === undefined) return;
  state.preview = p;
  viewer.setStock(p ? p.stock : null, p ? p.areas.map((a) => ({ ...a, z: p.floor })) : []);
  // A drawing lies on the material's top (z_top of its operations).
  if (p) viewer.setDrawingTop(p.top);
}

let previewSeq = 0;
async function showPreview(job) {
  if (!viewer || !state.info) return;
  const seq = ++previewSeq;
  const p = await fetchPreview(job);
  if (seq === previewSeq) drawPreview(p);
}

function showModelStats(info, size) {
  const drawing = info.kind === 'drawing';
  const shown = info.previewTriangles;
  stat('triangles', drawing ? '–' : fmt.count(info.triangles)
    + (shown != null && shown < info.triangles ? ` (preview draws ${fmt.count(shown)})` : ''));
  stat('bpt', drawing ? '–' : info.bytesPerTriangle.toFixed(1));
  stat('drawing', drawing ? describeDrawing(info) : '–');
  stat('memory', fmt.bytes(info.wasmMemory));
  stat('size', size == null ? 'built-in' : fmt.bytes(size));
}

const WORKPIECES_KEY = 'swarf.workpieces';

/** The cutter, strategy and operations last used on each kind of workpiece. */
function loadWorkpieces() {
  try {
    const v = JSON.parse(localStorage.getItem(WORKPIECES_KEY) || '{}');
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

/** What the job's own strategy cuts. */
const jobWorkpiece = (job) => (isDrawingStrategy(state.registry, get(job, 'strategy.type')) ? 'drawing' : 'model');

/** Offers the strategies of `kind` and, when the job's cutter and strategy are for the other
 * kind, swaps them (and the operations) for those last used on `kind`, or for its starting
 * values: a drawing (whose `info()` is `info`) starts with a 3 mm flat cutter profiling
 * with tabs, or engraving when it has no closed shape (workpiece.js). */
function useWorkpiece(kind, info) {
  const job = state.job;
  state.workpiece = kind;
  if (panel) panel.offerStrategies(strategiesFor(state.registry, kind === 'drawing'));
  const was = jobWorkpiece(job);
  if (was === kind) return;
  // A value still being typed belongs to the settings being put away: commit it first.
  const active = document.activeElement;
  if (active instanceof HTMLElement && ui.form.contains(active)) active.blur();
  const saved = loadWorkpieces();
  saved[was] = { tool: job.tool, strategy: job.strategy, operations: job.operations };
  let next = saved[kind];
  if (!next || jobWorkpiece(next) !== kind) {
    const d = state.defaults;
    next = kind === 'drawing'
      ? { tool: { ...d.tool, ...drawingTool(job.units) }, strategy: drawingStrategy(state.registry, state.strategies, info), operations: [] }
      : { tool: d.tool, strategy: d.strategy, operations: [] };
  }
  const fitted = normalizeJob(state.defaults, state.strategies, { ...job, ...next });
  job.tool = fitted.tool;
  job.strategy = fitted.strategy;
  job.operations = fitted.operations;
  try { localStorage.setItem(WORKPIECES_KEY, JSON.stringify(saved)); } catch { /* not remembered */ }
  saveJob(job);
  if (panel) {
    panel.refresh();
    panel.offerStrategies(strategiesFor(state.registry, kind === 'drawing'));
  }
  if (ops) ops.refresh();
}

/** The legend items of one kind of workpiece only (`data-for`). */
function showLegend(kind) {
  for (const li of document.querySelectorAll('.legend [data-for]')) {
    if (li instanceof HTMLElement) li.hidden = li.dataset.for !== kind;
  }
}

function clearResult() {
  state.result = null;
  ui.download.disabled = true;
  for (const k of ['points', 'length', 'time', 'time-feed', 'time-rapid', 'lines', 'gcode', 'arcfit', 'workers']) stat(k, '–');
  showOperationTimes(null);
  sim.clear();
  if (viewer) viewer.setPath(null);
}

/** The planner's time per operation, as rows under the rapid time (none for one). */
function showOperationTimes(timing) {
  for (const el of document.querySelectorAll('#stats [data-op-time]')) el.remove();
  const ops = timing ? timing.operations.filter(([, secs]) => secs > 0) : [];
  if (ops.length < 2) return;
  let after = document.querySelector('[data-stat="time-rapid"]');
  let k = 0;
  ops.forEach(([name, secs]) => {
    const dt = document.createElement('dt');
    dt.className = 'op-time';
    dt.dataset.opTime = '';
    // The planner names operations as the program's comments do ("rough with Flat D6").
    dt.textContent = name ? `Op ${++k}: ${name}` : 'Before the first operation';
    const dd = document.createElement('dd');
    dd.dataset.opTime = '';
    dd.textContent = fmt.duration(secs);
    after.after(dt, dd);
    after = dd;
  });
}

/** The summary's figures: time (the planner's, with its breakdown), G-code lines and size
 * before and after arc fitting. */
function showSummary(r) {
  const s = r.summary;
  const t = s.timing;
  stat('time', fmt.duration(s.estimated_seconds) + (t ? '' : ' (programmed rates)'));
  stat('time-feed', t ? fmt.duration(t.feed) : '–');
  stat('time-rapid', t ? fmt.duration(t.rapid) : '–');
  showOperationTimes(t);
  const merged = s.moves_merged > 0;
  stat('lines', merged ? `${fmt.count(s.lines_before)} → ${fmt.count(s.lines)}` : fmt.count(s.lines));
  const size = s.gcode_bytes ?? new Blob([r.gcode]).size;
  stat('gcode', merged ? `${fmt.bytes(s.bytes_before)} → ${fmt.bytes(size)}` : fmt.bytes(size));
  stat('arcfit', merged
    ? `${fmt.count(s.moves_merged)} moves into ${fmt.count(r.arcs)} arcs`
    : get(state.resultJob, 'machine.arc_fitting') ? 'no arcs found' : 'off');
}

async function loadModel(file) {
  const t0 = performance.now();
  const name = file ? file.name : 'demo';
  setStatus(`Loading ${name}…`);
  showError('');
  ui.generate.disabled = true;
  clearResult();
  try {
    const { info, triangles, lines, kinds } = await client.load(file, state.job);
    state.file = file;
    state.name = name;
    state.info = info;
    ui.name.textContent = name;
    timings.loaded = performance.now() - t0;
    // The settings follow the workpiece: 2D strategies for a drawing, 3D for a model.
    const drawing = info.kind === 'drawing';
    useWorkpiece(drawing ? 'drawing' : 'model', info);
    showLegend(state.workpiece);
    // Asked before drawing, so the model and its stock box come up in one frame.
    const preview = viewer ? await fetchPreview(state.job) : undefined;
    ++previewSeq;
    if (viewer) {
      viewer.setModel(triangles, info.bounds);
      viewer.setDrawing(lines, kinds);
      drawPreview(preview);
    }
    timings.preview = performance.now() - t0;
    showModelStats(info, file ? file.size : null);
    if (drawing) {
      const notes = info.notices.length ? ` Note: ${info.notices.join('; ')}.` : '';
      setStatus(`${name}: drawing of ${describeDrawing(info)} loaded.${notes}`);
    } else setStatus(`${name}: ${fmt.count(info.triangles)} triangles loaded.`);
  } catch (e) {
    if (e instanceof CancelledError) return;
    setStatus('');
    showError(`Could not load ${name}: ${e.message}`);
    // The engine dropped its model when the load began: put the previous one back.
    try {
      await client.load(state.file, state.job);
    } catch { /* the previous model loaded before, so this only fails if the worker died */ }
  } finally {
    ui.generate.disabled = state.info == null;
  }
}

/** Puts an engine error next to its control (a setting or an operation row); false when
 * no control has that field. */
function placeError(field, message) {
  return !!field && (ops.showError(field, message) || panel.showError(field, message));
}

function clearErrors() {
  panel.clearErrors();
  ops.clearErrors();
}

/** `?workers=N` in the page's address: the pool's size, over the machine settings. */
function urlWorkers() {
  const n = Number(new URLSearchParams(location.search).get('workers'));
  return Number.isInteger(n) && n >= 1 && n <= 256 ? n : null;
}

/** What the statistics say about the pool for result `r`. */
function describeWorkers(r) {
  if (r.workers > 1) return `${r.workers} (parallel finishing)`;
  if (r.parallelFinishing === false) return '1 (the pool samples parallel finishing only)';
  return '1';
}

async function generate() {
  if (state.busy) return;
  sim.clear();
  clearErrors();
  showError('');
  state.busy = true;
  ui.generate.disabled = true;
  ui.cancel.hidden = false;
  ui.progress.hidden = false;
  ui.progress.value = 0;
  setStatus('Generating toolpath…');
  const t0 = performance.now();
  try {
    const r = await client.generate(state.job, (p) => { ui.progress.value = p; }, urlWorkers());
    timings.generate = performance.now() - t0;
    state.result = r;
    state.resultJob = structuredClone(state.job);
    if (viewer) viewer.setPath(r.points, r.kinds, state.workpiece === 'drawing');
    const s = r.summary;
    stat('points', fmt.count(s.points ?? r.kinds.length));
    const len = (s.feed_length ?? 0) + (s.plunge_length ?? 0) + (s.rapid_length ?? 0);
    stat('length', `${len.toFixed(0)} ${get(state.job, 'units') === 'inch' ? 'in' : 'mm'}`);
    showSummary(r);
    stat('memory', fmt.bytes(r.info?.wasmMemory));
    stat('workers', describeWorkers(r));
    ui.download.disabled = false;
    const chain = s.operations > 1 ? `, ${s.operations} operations` : '';
    const arcs = r.arcs ? `, ${fmt.count(r.arcs)} arcs (G2/G3)` : '';
    setStatus(`Toolpath ready: ${fmt.count(r.kinds.length)} points${arcs}${chain} in ${(timings.generate / 1000).toFixed(2)} s.`);
  } catch (e) {
    if (e instanceof CancelledError) {
      setStatus('Cancelled.');
    } else {
      setStatus('');
      if (placeError(e.field, e.message)) showError(`Check the settings: ${e.message}`);
      else showError(e.message);
    }
  } finally {
    state.busy = false;
    ui.cancel.hidden = true;
    ui.progress.hidden = true;
    ui.generate.disabled = state.info == null;
  }
  if (state.result) sim.afterGenerate(state.result, ui.status.textContent);
}

async function cancel() {
  if (sim.running) {
    sim.cancel();
    return;
  }
  setStatus('Cancelling…');
  // The worker is replaced: the program it held for the simulation goes with it.
  sim.clear();
  await client.cancel();
  setStatus('Cancelled.');
}

function download() {
  const r = state.result;
  if (!r) return;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([r.gcode], { type: 'text/plain' }));
  a.download = fmt.programName(state.registry, state.name, get(state.resultJob, 'machine.dialect'));
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** The job of the cutter and strategy being edited alone (what "Add as operation" adds). */
const editorJob = (job) => ({ ...job, operations: [] });

let validateSeq = 0;
async function onSettingsChange(job, field) {
  saveJob(job);
  clearResult();
  clearErrors();
  showError('');
  if (ops) ops.refresh();
  showCutterPicker();
  if (field && field.reload && state.info) await loadModel(state.file);
  else showPreview(job);
  const seq = ++validateSeq;
  try {
    let err = await client.validate(job);
    // With operations, the engine checks those; the settings being edited are checked too,
    // so a bad value shows at its field before it is added.
    if (!err && job.operations && job.operations.length) err = await client.validate(editorJob(job));
    if (seq === validateSeq && err) {
      if (!placeError(err.field, err.message)) showError(err.message);
    }
  } catch (e) {
    if (!(e instanceof CancelledError)) showError(e.message);
  }
}

/** True when the cutter and strategy being edited are valid; else shows why at the field. */
async function checkEditor(job) {
  clearErrors();
  showError('');
  const err = await client.validate(job);
  if (!err) return true;
  if (!panel.showError(err.field, err.message)) showError(err.message);
  setStatus('Not added: check the settings.');
  return false;
}

/** The Cutter group's "Library tool" select, for the cutter being edited. */
const cutterPickerRow = document.createElement('div');
cutterPickerRow.className = 'field';
function showCutterPicker() {
  if (!library) return;
  const job = state.job;
  const select = library.picker(job.tool, 'Library tool', (spec) => {
    job.tool = spec;
    panel.refresh();
    onSettingsChange(job, null);
    setStatus(`The cutter is now T${spec.number} from the tool library.`);
  });
  select.id = 'f-tool-library';
  const label = document.createElement('label');
  label.htmlFor = select.id;
  label.textContent = 'Library tool';
  const keep = document.activeElement && document.activeElement.id === select.id;
  cutterPickerRow.replaceChildren(label, select);
  if (keep) select.focus();
}

/** The tool library, before the Cutter group, with its picker in that group. */
function buildLibraryPanel(job) {
  library = buildToolLibrary({
    registry: state.registry,
    defaults: state.defaults,
    units: () => (get(job, 'units') === 'inch' ? 'inch' : 'mm'),
    current: () => structuredClone(job.tool),
    check: (j) => client.validate(j),
    edited(before, after) {
      let n = 0;
      for (const holder of [job, ...(job.operations || [])]) {
        if (sameTool(holder.tool, before)) { holder.tool = structuredClone(after); n++; }
      }
      if (n) {
        panel.refresh();
        onSettingsChange(job, null);
      }
      return n;
    },
    changed() {
      showCutterPicker();
      if (ops) ops.refresh();
    },
  });
  const cutter = panel.groups.get('Cutter') || null;
  ui.form.insertBefore(library.fieldset, cutter);
  if (cutter) cutter.insertBefore(cutterPickerRow, cutter.querySelector('.presets')?.nextSibling ?? null);
  showCutterPicker();
}

function buildOperationsPanel(job) {
  ops = buildOperations({
    job,
    registry: state.registry,
    unit: unitLabel,
    checkEditor,
    loadEditor(op, k) {
      job.tool = structuredClone(op.tool);
      job.strategy = structuredClone(op.strategy);
      panel.remember();
      panel.refresh();
      setStatus(`Operation ${k + 1} is in the settings above: change it and add it again.`);
      onSettingsChange(job, null);
      document.getElementById('f-strategy-type')?.focus();
    },
    onChange(note) {
      panel.refresh();
      onSettingsChange(job, null);
      const n = job.operations.length;
      setStatus((note ? note + ' ' : '') + (n ? `${n} operation${n > 1 ? 's' : ''} in the program.` : 'No operations: Generate runs the settings above.'));
    },
    toolPicker: (op, k, picked) => library && library.picker(op.tool, `Tool of operation ${k + 1}`, (spec) => {
      op.tool = spec;
      picked();
    }),
  });
  const before = panel.groups.get('Machine') || null;
  ui.form.insertBefore(ops.fieldset, before);
}

function installFileInputs() {
  ui.open.addEventListener('click', () => ui.file.click());
  ui.file.addEventListener('change', () => {
    const f = ui.file.files[0];
    ui.file.value = '';
    if (f) loadModel(f);
  });
  let depth = 0;
  const isFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  document.addEventListener('dragenter', (e) => { if (isFiles(e)) { depth++; ui.dropHint.hidden = false; } });
  document.addEventListener('dragleave', () => { if (--depth <= 0) { depth = 0; ui.dropHint.hidden = true; } });
  document.addEventListener('dragover', (e) => { e.preventDefault(); });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    ui.dropHint.hidden = true;
    const f = e.dataTransfer && e.dataTransfer.files[0];
    if (f) loadModel(f);
  });
}

async function start() {
  installFileInputs();
  ui.generate.addEventListener('click', generate);
  ui.cancel.addEventListener('click', cancel);
  ui.download.addEventListener('click', download);
  ui.simulate.addEventListener('click', () => sim.again());
  for (const part of ['model', 'stock', 'path']) {
    const box = /** @type {HTMLInputElement} */ ($('show-' + part));
    box.addEventListener('change', () => viewer && viewer.setShown(part, box.checked));
  }
  ui.form.addEventListener('submit', (e) => e.preventDefault());
  for (const b of document.querySelectorAll('button[data-preset]')) if (b instanceof HTMLElement) b.addEventListener('click', () => viewer && viewer.preset(b.dataset.preset));
  $('fit').addEventListener('click', () => viewer && viewer.fit());
  try {
    const defaults = await client.defaultJob();
    const strategies = await client.defaultStrategies();
    const registry = await client.registry();
    state.registry = registry;
    state.defaults = defaults;
    state.strategies = strategies;
    state.job = loadJob(defaults, strategies);
    panel = buildPanel(ui.form, defaults, state.job, onSettingsChange, { registry, strategies, memory: loadStrategyMemory(strategies) });
    buildLibraryPanel(state.job);
    if (Array.isArray(state.job.operations)) buildOperationsPanel(state.job);
    else ops = { showError: () => false, clearErrors() {}, refresh() {} };
    ui.form.insertBefore(sim.fieldset, panel.groups.get('Model') || null);
  } catch (e) {
    showError(`The engine failed to start: ${e.message}`);
    return;
  }
  await loadModel(null);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('./sw.js').catch((e) => console.warn('offline mode unavailable:', e.message));
  }
}

start();
