// The stock simulation's side of the page: its settings (remembered in localStorage, not
// part of the job), running it in the worker after a job is generated (progress and cancel
// as for generating), and the slider that shows the stock after any move, with the toolpath
// up to that move coloured by operation.
//
// Scrubbing: the worker keeps checkpoints of the stock (see src/replay.rs) and answers a
// seek with only the rows that changed. The page keeps at most one seek in flight: while it
// runs, further slider positions only replace the one to go to next, so dragging never
// queues up work and the stock catches up with the last position.
import { CancelledError } from './engine-client.js';
import { OP_COLORS } from './viewer.js';
import * as fmt from './format.js';

const STORE_KEY = 'swarf.sim';
const MB = 1024 * 1024;

/** The resolutions offered, in cells (4 bytes each). */
export const RESOLUTIONS = [
  { cells: 500_000, label: '0.5 million cells (2 MB)' },
  { cells: 2_000_000, label: '2 million cells (8 MB)' },
  { cells: 8_000_000, label: '8 million cells (32 MB)' },
];

/** The settings: simulate after every generate; cells; megabytes for the slider's
 * checkpoints (each one a copy of the stock: 64 MB holds 8 of a 2M-cell stock, so a seek
 * back cuts at most an eighth of the program again). */
const DEFAULTS = { auto: true, cells: 2_000_000, checkpointMb: 64, deviation: true, tolerance: 0.01 };

function loadSettings() {
  try {
    const v = JSON.parse(localStorage.getItem(STORE_KEY) || 'null');
    if (!v || typeof v !== 'object') return { ...DEFAULTS };
    return {
      auto: typeof v.auto === 'boolean' ? v.auto : DEFAULTS.auto,
      cells: RESOLUTIONS.some((r) => r.cells === v.cells) ? v.cells : DEFAULTS.cells,
      checkpointMb: Number.isFinite(v.checkpointMb) && v.checkpointMb >= 0 && v.checkpointMb <= 1024 ? v.checkpointMb : DEFAULTS.checkpointMb,
      deviation: typeof v.deviation === 'boolean' ? v.deviation : DEFAULTS.deviation,
      tolerance: Number.isFinite(v.tolerance) && v.tolerance > 0 && v.tolerance <= 10 ? v.tolerance : DEFAULTS.tolerance,
    };
  } catch {
    return { ...DEFAULTS };
  }
}

/** A labelled control row in the settings panel's style. */
function row(label, input, id) {
  const div = document.createElement('div');
  div.className = 'field' + (input.type === 'checkbox' ? ' check' : '');
  const l = document.createElement('label');
  l.htmlFor = id;
  l.textContent = label;
  input.id = id;
  div.append(l, input);
  return div;
}

/**
 * @param {{ client: import('./engine-client.js').EngineClient, viewer: any,
 *   ui: { progress: HTMLProgressElement, cancel: HTMLButtonElement, simulate: HTMLButtonElement,
 *     bar: HTMLElement, range: HTMLInputElement, label: HTMLOutputElement, play: HTMLButtonElement,
 *     legend: HTMLElement },
 *   setStatus: (text: string) => void, showError: (text: string) => void,
 *   stat: (key: string, value: string) => void, opName: (k: number) => string,
 *   unit: () => string, job?: () => any }} ctx
 */
export function buildSimulation(ctx) {
  const { client, viewer, ui } = ctx;
  const settings = loadSettings();
  const save = () => { try { localStorage.setItem(STORE_KEY, JSON.stringify(settings)); } catch { /* not remembered */ } };
  /** The result being simulated or shown: its `ends` (vertex of each move's end) and
   * `opStarts` (each operation's first move). */
  let result = null;
  /** The run under way (a token: a newer run or a clear replaces it), or null. */
  let running = null;
  /** The grid of the finished simulation, or null. */
  let grid = null;
  /** Where the stock is (the last seek answered) and where the slider wants it. */
  let at = 0;
  let want = null;
  let seeking = false;
  let playing = 0;
  const timings = {};
  /** The check of the finished stock against the model (engine `verify`), or null. */
  let check = null;

  /** The deviation map on the stock, when it is wanted and the stock shows the whole
   * program (a map of a half-cut stock would be all "material left"). */
  function showColors() {
    if (!viewer.setStockColors) return;
    const on = settings.deviation && check && grid && at === grid.moves
      && check.nx === grid.nx && check.ny === grid.ny;
    viewer.setStockColors(on ? check.deviation : null, on ? { tolerance: check.tolerance } : undefined);
    // Its key, in the legend: what the colours mean and where the scale ends.
    for (const li of ui.legend.querySelectorAll('[data-deviation]')) li.remove();
    if (!on) return;
    let top = 0;
    for (const d of check.deviation) if (Math.abs(d) > top) top = Math.abs(d);
    const li = document.createElement('li');
    li.dataset.deviation = '';
    const sw = document.createElement('span');
    sw.className = 'sw';
    sw.style.background = 'linear-gradient(90deg, #c0332b, #40c752, #bfe640, #33ccE6, #1a33d9)';
    const u = ctx.unit();
    li.append(sw, `Deviation: red gouge, green within ${check.tolerance} ${u}, yellow to blue up to ${top.toFixed(3)} ${u} left, grey off the model`);
    ui.legend.append(li);
  }

  /** The check's figures in the statistics. */
  function showCheck() {
    if (!check) {
      for (const k of ['gouge', 'left', 'collisions']) ctx.stat(k, '–');
      return;
    }
    const u = ctx.unit();
    const g = check.deepestGouge;
    const tooDeep = g && g.depth > check.tolerance;
    ctx.stat('gouge', g
      ? `${g.depth.toFixed(4)} ${u}${g.line ? ` at line ${g.line}` : ''}${tooDeep ? ' — over the tolerance' : ''}`
      : 'none');
    const m = check.mostLeft;
    ctx.stat('left', m ? `${m.depth.toFixed(3)} ${u} at X${m.at[0].toFixed(1)} Y${m.at[1].toFixed(1)}` : 'none');
    const n = (kind, i) => check.problems.filter((p) => p.kind === kind).length + check.unlisted[i];
    const rapids = n('rapid_through_stock', 1);
    const holder = n('holder_collision', 2);
    const first = check.problems.find((p) => p.kind === 'rapid_through_stock' || p.kind === 'holder_collision');
    ctx.stat('collisions', rapids + holder === 0 ? 'none'
      : `${rapids} rapid${rapids === 1 ? '' : 's'} through stock, ${holder} holder collision${holder === 1 ? '' : 's'} (first at line ${first ? first.line : '?'})`);
  }

  /** Checks the finished stock's program against the model and shows the map. */
  async function verify(run) {
    const job = ctx.job && ctx.job();
    if (!job || !grid) return;
    const mm = ctx.unit() === 'in' ? 25.4 : 1;
    const t0 = performance.now();
    try {
      const r = await client.verify(job, {
        cell: grid.cell,
        tolerance: settings.tolerance / mm,
        leftover: 5 * settings.tolerance / mm,
      }, (p) => { ui.progress.value = p; });
      if (running !== run) return;
      r.tolerance = settings.tolerance / mm;
      check = r;
      timings.verify = performance.now() - t0;
      showCheck();
      showColors();
    } catch (e) {
      if (running !== run) return;
      // A drawing has no model to compare with: the map is simply not there.
      if (!(e instanceof CancelledError) && !/needs a model/.test(e.message)) ctx.showError(`Check: ${e.message}`);
    }
  }

  // Settings: a fieldset the app puts into the form.
  const fieldset = document.createElement('fieldset');
  const legend = document.createElement('legend');
  legend.textContent = 'Stock simulation';
  const auto = document.createElement('input');
  auto.type = 'checkbox';
  auto.checked = settings.auto;
  const cells = document.createElement('select');
  for (const r of RESOLUTIONS) {
    const o = document.createElement('option');
    o.value = String(r.cells);
    o.textContent = r.label;
    cells.append(o);
  }
  cells.value = String(settings.cells);
  const checkpoints = document.createElement('input');
  checkpoints.type = 'number';
  checkpoints.min = '0';
  checkpoints.max = '1024';
  checkpoints.step = '16';
  checkpoints.value = String(settings.checkpointMb);
  const deviationBox = document.createElement('input');
  deviationBox.type = 'checkbox';
  deviationBox.checked = settings.deviation;
  const tolerance = document.createElement('input');
  tolerance.type = 'number';
  tolerance.min = '0.0001';
  tolerance.max = '10';
  tolerance.step = '0.001';
  tolerance.value = String(settings.tolerance);
  fieldset.append(legend,
    row('Simulate after generating', auto, 'sim-auto'),
    row('Resolution', cells, 'sim-cells'),
    row('Slider memory (MB)', checkpoints, 'sim-checkpoints'),
    row('Deviation map (gouges red)', deviationBox, 'sim-deviation'),
    row('Gouge tolerance (mm)', tolerance, 'sim-tolerance'));
  deviationBox.addEventListener('change', () => { settings.deviation = deviationBox.checked; save(); showColors(); });
  tolerance.addEventListener('change', () => {
    const v = Number(tolerance.value);
    if (Number.isFinite(v) && v > 0 && v <= 10) { settings.tolerance = v; save(); } else tolerance.value = String(settings.tolerance);
  });
  auto.addEventListener('change', () => { settings.auto = auto.checked; save(); });
  cells.addEventListener('change', () => { settings.cells = Number(cells.value); save(); });
  checkpoints.addEventListener('change', () => {
    const v = Number(checkpoints.value);
    if (Number.isFinite(v) && v >= 0 && v <= 1024) { settings.checkpointMb = v; save(); } else checkpoints.value = String(settings.checkpointMb);
  });

  /** The preview vertex where move `k` ends, and where each operation's first move starts. */
  const vertexOf = (k) => result.ends[Math.min(k, result.ends.length - 1)];
  const opVertices = () => Array.from(result.opStarts, (s) => (s === 0 ? 0 : result.ends[s - 1] + 1));
  const opOf = (k) => {
    let m = 0;
    for (let i = 1; i < result.opStarts.length; i++) if (k >= result.opStarts[i]) m = i;
    return m;
  };

  function showLegend(on) {
    for (const li of ui.legend.querySelectorAll('[data-op]')) li.remove();
    // The cuts take their operation's colour: the colours by kind and depth step aside.
    ui.legend.classList.toggle('by-operation', on);
    if (!on) return;
    const n = result.opStarts.length;
    for (let m = 0; m < Math.min(n, 16); m++) {
      const li = document.createElement('li');
      li.dataset.op = String(m);
      const sw = document.createElement('span');
      sw.className = 'sw';
      const c = OP_COLORS[m % OP_COLORS.length].map((v) => Math.round(v * 255));
      sw.style.background = `rgb(${c.join(',')})`;
      li.append(sw, `Op ${m + 1}`);
      ui.legend.append(li);
    }
  }

  function label(k) {
    const m = opOf(k);
    ui.label.textContent = `Move ${fmt.count(k)} of ${fmt.count(grid.moves)} · ${ctx.opName(m)}`;
  }

  /** Runs seeks until the stock is where the slider wants it, one at a time. */
  async function pump() {
    if (seeking || want == null || !grid) return;
    const k = want;
    want = null;
    if (k === at) return;
    seeking = true;
    const g = grid;
    const t0 = performance.now();
    try {
      const r = await client.stockAt(k);
      if (grid !== g) return;
      viewer.updateStockRows(r.rows[0], r.rows[1], r.heights);
      at = r.at;
      showColors();
      timings.lastSeek = performance.now() - t0;
      timings.lastSeekEngine = r.ms;
    } catch (e) {
      // A seek of a stock cleared meanwhile fails; that is no news.
      if (grid === g && !(e instanceof CancelledError)) ctx.showError(`Stock simulation: ${e.message}`);
    } finally {
      seeking = false;
    }
    pump();
  }

  /** Colours the path up to move `k` by operation and fades the rest; at the end (the
   * whole program) the path keeps its colours by move kind (and a drawing's by depth, with
   * the cuts over tabs), which say more when nothing is faded. */
  function showPath(k) {
    const end = k >= grid.moves;
    viewer.setScrub(end ? -1 : vertexOf(k), opVertices());
    showLegend(!end);
  }

  /** Shows the state after move `k`: the path at once, the stock when the worker answers. */
  function scrubTo(k) {
    if (!grid) return;
    showPath(k);
    label(k);
    want = k;
    pump();
  }

  ui.range.addEventListener('input', () => {
    stopPlaying();
    scrubTo(Number(ui.range.value));
  });

  function stopPlaying() {
    if (playing) cancelAnimationFrame(playing);
    playing = 0;
    ui.play.textContent = '▶';
    ui.play.setAttribute('aria-label', 'Play the program');
  }

  // Play: through the program in about ten seconds, as fast as the seeks keep up.
  ui.play.addEventListener('click', () => {
    if (playing) return stopPlaying();
    if (!grid) return;
    let k = Number(ui.range.value);
    if (k >= grid.moves) k = 0;
    const step = Math.max(1, Math.round(grid.moves / 600));
    ui.play.textContent = '❚❚';
    ui.play.setAttribute('aria-label', 'Pause');
    const frame = () => {
      if (!grid) return stopPlaying();
      if (!seeking) {
        k = Math.min(grid.moves, k + step);
        ui.range.value = String(k);
        scrubTo(k);
      }
      if (k >= grid.moves) return stopPlaying();
      playing = requestAnimationFrame(frame);
    };
    playing = requestAnimationFrame(frame);
  });

  /** Forgets the stock (a new job, a new model), in the worker too. */
  function clear() {
    if (running) {
      client.cancelSimulation();
      running = null;
      ui.cancel.hidden = true;
      ui.progress.hidden = true;
    } else if (grid) client.dropSimulation();
    stopPlaying();
    grid = null;
    result = null;
    want = null;
    check = null;
    showCheck();
    ui.bar.hidden = true;
    ui.simulate.disabled = true;
    showLegend(false);
    ctx.stat('sim', '–');
    ctx.stat('sim-memory', '–');
    viewer.setStockSim(null, null);
  }

  /** The status line's start while simulating (what Generate said). */
  let base = '';

  /** Simulates the program `r` (what generate resolved) on its stock. */
  async function start(r) {
    clear();
    result = r;
    const before = base;
    const run = {};
    running = run;
    ui.simulate.disabled = true;
    ui.cancel.hidden = false;
    ui.progress.hidden = false;
    ui.progress.value = 0;
    ctx.setStatus(`${before} Simulating the stock…`);
    const t0 = performance.now();
    try {
      const s = await client.simulate({
        budget: settings.cells * 4,
        maxSide: viewer.maxStockSide(),
        checkpoints: settings.checkpointMb * MB,
      }, (p) => { ui.progress.value = p; });
      if (running !== run) return;
      timings.simulate = performance.now() - t0;
      timings.engine = s.ms;
      grid = s.grid;
      at = grid.moves;
      viewer.setStockSim(grid, s.heights);
      ui.range.max = String(grid.moves);
      ui.range.value = String(grid.moves);
      ui.bar.hidden = false;
      showPath(grid.moves);
      label(grid.moves);
      ctx.stat('sim', `${fmt.count(grid.nx)} × ${fmt.count(grid.ny)} cells of ${+grid.cell.toFixed(4)} ${ctx.unit()}, ${(s.ms / 1000).toFixed(2)} s`);
      ctx.stat('sim-memory', `${fmt.bytes(grid.bytes)} (${grid.checkpoints} checkpoints)`);
      ctx.stat('memory', fmt.bytes(s.wasmMemory));
      ctx.setStatus(`${before} Checking the simulated stock against the model…`);
      ui.progress.value = 0;
      await verify(run);
      if (running !== run) return;
      ctx.setStatus(check
        ? `${before} Stock simulated in ${(s.ms / 1000).toFixed(2)} s, checked in ${(check.ms / 1000).toFixed(2)} s${check.failed ? ': the program gouges or collides (see Deepest gouge and Collisions).' : '.'}`
        : `${before} Stock simulated in ${(s.ms / 1000).toFixed(2)} s.`);
    } catch (e) {
      if (running !== run) return;
      if (e instanceof CancelledError) ctx.setStatus(`${before} Stock simulation cancelled.`);
      else ctx.showError(`Stock simulation: ${e.message}`);
    } finally {
      if (running === run) {
        running = null;
        ui.simulate.disabled = false;
        ui.cancel.hidden = true;
        ui.progress.hidden = true;
      }
    }
  }

  return {
    fieldset,
    settings,
    timings,
    clear,
    start,
    /** Simulates `r` when the settings say so after every generate; `status` is what the
     * status line says of the result (the simulation adds to it). */
    afterGenerate(r, status) {
      base = status;
      if (settings.auto) start(r);
      else {
        clear();
        result = r;
        ui.simulate.disabled = false;
      }
    },
    /** Simulates the last result again (the Simulate button). */
    again() {
      if (result && !running) start(result);
    },
    get running() { return !!running; },
    cancel() {
      if (!running) return;
      client.cancelSimulation();
    },
    /** The state the stock is in, and whether a seek is under way (for tests). */
    get at() { return at; },
    get idle() { return !seeking && want == null; },
    /** The finished simulation's grid (null before). */
    get grid() { return grid; },
    /** The check against the model (null before it is done). */
    get check() { return check; },
  };
}
