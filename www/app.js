// The page: file in, preview, settings, generate in the worker, download. All text that
// comes from a file or the engine is set with textContent, never parsed as HTML.
import { EngineClient, CancelledError } from './engine-client.js';
import { Viewer } from './viewer.js';
import { buildPanel, loadJob, saveJob, get } from './settings.js';
import * as fmt from './format.js';

const $ = (id) => document.getElementById(id);
const ui = {
  open: $('open'), file: $('file'), name: $('model-name'), canvas: $('view'),
  generate: $('generate'), cancel: $('cancel'), download: $('download'),
  progress: $('progress'), status: $('status'), error: $('error'), form: $('settings'),
  dropHint: $('drop-hint'),
};
const stat = (k, v) => { document.querySelector(`[data-stat="${k}"]`).textContent = v; };

const state = { file: null, name: 'demo', info: null, result: null, job: null, busy: false };
// For tests and the benchmark: timings in ms of the last load and generate.
const timings = {};
window.swarf = { state, timings };

function setStatus(text) { ui.status.textContent = text; }
function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = !text;
}

let viewer = null;
try {
  viewer = new Viewer(ui.canvas);
} catch (e) {
  showError(`The 3D preview is unavailable: ${e.message}. Generating G-code still works.`);
}
const client = new EngineClient();
let panel = null;

function stockBox(info, job) {
  // The engine's default margin is the cutter radius.
  const margin = get(job, 'bounds.margin');
  const m = margin == null ? (Number(get(job, 'tool.diameter')) || 0) / 2 : Number(margin) || 0;
  const b = info.bounds;
  return { min: [b.min[0] - m, b.min[1] - m, b.min[2]], max: [b.max[0] + m, b.max[1] + m, b.max[2]] };
}

function showModelStats(info, size) {
  stat('triangles', fmt.count(info.triangles));
  stat('bpt', info.bytesPerTriangle.toFixed(1));
  stat('memory', fmt.bytes(info.wasmMemory));
  stat('size', size == null ? 'built-in' : fmt.bytes(size));
}

function clearResult() {
  state.result = null;
  ui.download.disabled = true;
  for (const k of ['points', 'length', 'time', 'gcode']) stat(k, '–');
  if (viewer) viewer.setPath(null);
}

async function loadModel(file) {
  const t0 = performance.now();
  const name = file ? file.name : 'demo';
  setStatus(`Loading ${name}…`);
  showError('');
  ui.generate.disabled = true;
  clearResult();
  try {
    const { info, triangles } = await client.load(file, state.job);
    state.file = file;
    state.name = name;
    state.info = info;
    ui.name.textContent = name;
    timings.loaded = performance.now() - t0;
    if (viewer) {
      viewer.setModel(triangles, info.bounds);
      viewer.setStock(stockBox(info, state.job));
    }
    timings.preview = performance.now() - t0;
    showModelStats(info, file ? file.size : null);
    setStatus(`${name}: ${fmt.count(info.triangles)} triangles loaded.`);
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

async function generate() {
  if (state.busy) return;
  panel.clearErrors();
  showError('');
  state.busy = true;
  ui.generate.disabled = true;
  ui.cancel.hidden = false;
  ui.progress.hidden = false;
  ui.progress.value = 0;
  setStatus('Generating toolpath…');
  const t0 = performance.now();
  try {
    const r = await client.generate(state.job, (p) => { ui.progress.value = p; });
    timings.generate = performance.now() - t0;
    state.result = r;
    state.resultJob = structuredClone(state.job);
    if (viewer) viewer.setPath(r.points, r.kinds);
    const s = r.summary;
    stat('points', fmt.count(s.points ?? r.kinds.length));
    const len = (s.feed_length ?? 0) + (s.plunge_length ?? 0) + (s.rapid_length ?? 0);
    stat('length', `${len.toFixed(0)} ${get(state.job, 'units') === 'inch' ? 'in' : 'mm'}`);
    stat('time', fmt.duration(s.estimated_seconds));
    stat('gcode', fmt.bytes(s.gcode_bytes ?? new Blob([r.gcode]).size));
    stat('memory', fmt.bytes(r.info?.wasmMemory));
    ui.download.disabled = false;
    setStatus(`Toolpath ready: ${fmt.count(r.kinds.length)} points in ${(timings.generate / 1000).toFixed(2)} s.`);
  } catch (e) {
    if (e instanceof CancelledError) {
      setStatus('Cancelled.');
    } else {
      setStatus('');
      if (e.field && panel.showError(e.field, e.message)) showError(`Check the settings: ${e.message}`);
      else showError(e.message);
    }
  } finally {
    state.busy = false;
    ui.cancel.hidden = true;
    ui.progress.hidden = true;
    ui.generate.disabled = state.info == null;
  }
}

async function cancel() {
  setStatus('Cancelling…');
  await client.cancel();
  setStatus('Cancelled.');
}

function download() {
  const r = state.result;
  if (!r) return;
  const grbl = get(state.resultJob, 'machine.dialect') === 'grbl';
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([r.gcode], { type: 'text/plain' }));
  a.download = fmt.stem(state.name) + (grbl ? '.gcode' : '.ngc');
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

let validateSeq = 0;
async function onSettingsChange(job, field) {
  saveJob(job);
  clearResult();
  panel.clearErrors();
  showError('');
  if (field && field.reload && state.info) await loadModel(state.file);
  else if (viewer && state.info) viewer.setStock(stockBox(state.info, job));
  const seq = ++validateSeq;
  try {
    const err = await client.validate(job);
    if (seq === validateSeq && err) {
      if (!panel.showError(err.field, err.message)) showError(err.message);
    }
  } catch (e) {
    if (!(e instanceof CancelledError)) showError(e.message);
  }
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
  ui.form.addEventListener('submit', (e) => e.preventDefault());
  for (const b of document.querySelectorAll('[data-preset]')) b.addEventListener('click', () => viewer && viewer.preset(b.dataset.preset));
  $('fit').addEventListener('click', () => viewer && viewer.fit());
  try {
    const defaults = await client.defaultJob();
    state.job = loadJob(defaults);
    panel = buildPanel(ui.form, defaults, state.job, onSettingsChange);
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
