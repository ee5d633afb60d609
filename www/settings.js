// The settings panel is a view of the job object (the CLI's JSON schema, whose defaults come
// from the engine). Each control names its job path; controls whose path the engine's job
// does not have are not shown, so the panel follows the engine's schema as it grows.

const STORE_KEY = 'swarf.job';
const MEMORY_KEY = 'swarf.strategies';

const LEN = 'len'; // a length in the job's units
export const FIELDS = [
  { group: 'Cutter', path: 'tool.type', label: 'Cutter type', type: 'select',
    options: [['flat', 'Flat end mill'], ['ball', 'Ball nose'], ['bull', 'Bull nose'], ['cone', 'V-bit (cone)']] },
  { group: 'Cutter', path: 'tool.diameter', label: 'Diameter', type: 'number', unit: LEN, step: 0.1, min: 0 },
  { group: 'Cutter', path: 'tool.corner_radius', label: 'Corner radius', type: 'number', unit: LEN, step: 0.1, min: 0,
    when: (j) => get(j, 'tool.type') === 'bull' },
  { group: 'Cutter', path: 'tool.angle', label: 'Included angle', type: 'number', unit: '°', step: 1, min: 1, max: 179,
    when: (j) => get(j, 'tool.type') === 'cone' },
  { group: 'Cutter', path: 'tool.flute_length', label: 'Flute length', type: 'number', unit: LEN, step: 1, min: 0 },
  { group: 'Cutter', path: 'tool.number', label: 'Tool number', type: 'number', step: 1, min: 0, integer: true },
  { group: 'Strategy', path: 'strategy.type', label: 'Strategy', type: 'select', swap: true,
    options: [['parallel', 'Parallel finishing'], ['waterline', 'Waterline finishing'], ['rough', 'Roughing (z-level)']] },
  // Parallel finishing.
  { group: 'Strategy', kinds: ['parallel'], path: 'strategy.direction', label: 'Raster direction', type: 'select',
    options: [['x', 'Along X'], ['y', 'Along Y'], ['xy', 'Crosshatch (X then Y)']] },
  { group: 'Strategy', kinds: ['parallel'], path: 'strategy.stepover', label: 'Stepover', type: 'number', unit: LEN, step: 0.05, min: 0 },
  // Waterline and roughing: Z levels.
  { group: 'Strategy', kinds: ['waterline', 'rough'], path: 'strategy.stepdown', label: 'Stepdown', type: 'number', unit: LEN, step: 0.1, min: 0 },
  { group: 'Strategy', kinds: ['rough'], path: 'strategy.stepover_ratio', label: 'Stepover ratio', type: 'number', unit: '× diameter', step: 0.05, min: 0, max: 1 },
  { group: 'Strategy', kinds: ['rough'], path: 'strategy.stock_to_leave', label: 'Stock to leave', type: 'number', unit: LEN, step: 0.1, min: 0 },
  { group: 'Strategy', kinds: ['rough'], path: 'stock.margin', label: 'Raw stock beyond the model (sides, top)', type: 'number', unit: LEN, step: 0.5, min: 0 },
  { group: 'Strategy', kinds: ['rough'], path: 'strategy.stock_to_leave_z', label: 'Stock to leave on floors (empty: same)', type: 'number', unit: LEN, step: 0.1, min: 0, nullable: true },
  { group: 'Strategy', kinds: ['waterline'], path: 'strategy.z_top', label: 'Top Z (empty: model top)', type: 'number', unit: LEN, step: 0.5, nullable: true },
  { group: 'Strategy', kinds: ['rough'], path: 'strategy.z_top', id: 'f-strategy-rough-z_top', label: 'Stock top Z (empty: model top)', type: 'number', unit: LEN, step: 0.5, nullable: true },
  { group: 'Strategy', kinds: ['waterline', 'rough'], path: 'strategy.z_bottom', label: 'Bottom Z (empty: floor)', type: 'number', unit: LEN, step: 0.5, nullable: true },
  { group: 'Strategy', kinds: ['waterline'], path: 'strategy.levels', label: 'Z levels (empty: by stepdown)', type: 'list', unit: LEN },
  { group: 'Strategy', kinds: ['rough'], path: 'strategy.ramp_angle', label: 'Ramp angle', type: 'number', unit: '°', step: 0.5, min: 0.5, max: 90 },
  // Shared.
  { group: 'Strategy', kinds: ['parallel', 'waterline', 'rough'], path: 'strategy.sampling', label: 'Sampling distance', type: 'number', unit: LEN, step: 0.05, min: 0 },
  { group: 'Strategy', kinds: ['parallel', 'waterline', 'rough'], path: 'strategy.tolerance', label: 'Tolerance', type: 'number', unit: LEN, step: 0.005, min: 0 },
  { group: 'Strategy', kinds: ['parallel'], path: 'strategy.pattern', label: 'Line linking', type: 'select',
    options: [['zigzag', 'Zigzag (both ways)'], ['oneway', 'One way']] },
  { group: 'Strategy', kinds: ['rough'], path: 'strategy.pattern', id: 'f-strategy-rough-pattern', label: 'Clearing pattern', type: 'select',
    options: [['offset', 'Offset (follows the part)'], ['zigzag', 'Zigzag lines']] },
  { group: 'Strategy', kinds: ['parallel'], path: 'strategy.milling', label: 'Milling (one way)', type: 'select',
    options: [['climb', 'Climb'], ['conventional', 'Conventional']], when: (j) => get(j, 'strategy.pattern') === 'oneway' },
  { group: 'Strategy', kinds: ['waterline', 'rough'], path: 'strategy.milling', id: 'f-strategy-contour-milling', label: 'Milling', type: 'select',
    options: [['climb', 'Climb'], ['conventional', 'Conventional']] },
  { group: 'Strategy', path: 'bounds.margin', label: 'Margin (empty: cutter radius)', type: 'number', unit: LEN, step: 0.5, nullable: true },
  { group: 'Strategy', path: 'bounds.floor', label: 'Floor Z (empty: model bottom)', type: 'number', unit: LEN, step: 0.5, nullable: true },
  { group: 'Machine', path: 'units', label: 'Job and G-code units', type: 'select', options: [['mm', 'mm'], ['inch', 'inch']], reload: true },
  { group: 'Machine', path: 'machine.dialect', label: 'G-code dialect', type: 'select',
    options: [['linuxcnc', 'LinuxCNC (.ngc)'], ['grbl', 'GRBL (.gcode)']] },
  { group: 'Machine', path: 'machine.feed', label: 'Feed rate', type: 'number', unit: LEN + '/min', step: 10, min: 0 },
  { group: 'Machine', path: 'machine.plunge_feed', label: 'Plunge feed', type: 'number', unit: LEN + '/min', step: 10, min: 0 },
  { group: 'Machine', path: 'machine.rapid_rate', label: 'Rapid rate (for the estimate)', type: 'number', unit: LEN + '/min', step: 100, min: 0 },
  { group: 'Machine', path: 'machine.spindle', label: 'Spindle speed', type: 'number', unit: 'rpm', step: 100, min: 0 },
  { group: 'Machine', path: 'machine.safe_height', label: 'Safe height Z (empty: top + 5)', type: 'number', unit: LEN, step: 0.5, nullable: true },
  { group: 'Machine', path: 'machine.blend_tolerance', label: 'Blend tolerance (G64 P)', type: 'number', unit: LEN, step: 0.005, min: 0 },
  { group: 'Machine', path: 'machine.exact_stop', label: 'Exact stop (G61)', type: 'checkbox' },
  { group: 'Model', path: 'model.units', label: 'File units', type: 'select', options: [['mm', 'mm'], ['inch', 'inch']], reload: true },
  { group: 'Model', path: 'model.scale', label: 'Scale', type: 'number', step: 0.1, min: 0, reload: true, uniform: 3 },
  { group: 'Model', path: 'model.place', label: 'Place', type: 'select', reload: true,
    options: [['none', 'As in the file'], ['center', 'Centred, bottom at Z 0'], ['origin', 'Corner at the origin']] },
];

/** Cutter presets: a few common tools (mm). */
export const PRESETS = [
  { name: '6 mm ball', tool: { type: 'ball', diameter: 6 } },
  { name: '3 mm ball', tool: { type: 'ball', diameter: 3 } },
  { name: '6 mm flat', tool: { type: 'flat', diameter: 6 } },
  { name: '6 mm bull r1', tool: { type: 'bull', diameter: 6, corner_radius: 1 } },
  { name: '60° V-bit 6 mm', tool: { type: 'cone', diameter: 6, angle: 60 } },
];

export function get(obj, path) {
  return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}
export function has(obj, path) {
  const keys = path.split('.');
  const last = keys.pop();
  const parent = keys.reduce((o, k) => (o == null ? undefined : o[k]), obj);
  return parent != null && typeof parent === 'object' && Object.prototype.hasOwnProperty.call(parent, last);
}
export function set(obj, path, value) {
  const keys = path.split('.');
  const last = keys.pop();
  const parent = keys.reduce((o, k) => (o[k] ??= {}), obj);
  parent[last] = value;
}

/** Stored values laid over the engine's defaults, keeping only keys the defaults have
 * (so a stale or foreign localStorage entry cannot add junk to the job). */
function overlay(defaults, stored) {
  if (Array.isArray(defaults)) return Array.isArray(stored) ? structuredClone(stored) : structuredClone(defaults);
  if (stored == null || typeof stored !== typeof defaults) return structuredClone(defaults);
  if (typeof defaults !== 'object' || defaults === null) return stored;
  const out = {};
  for (const k of Object.keys(defaults)) out[k] = k in stored ? overlay(defaults[k], stored[k]) : structuredClone(defaults[k]);
  return out;
}

/** A stored strategy laid over the defaults of its own type. A strategy saved before the
 * type tag existed is parallel finishing; an unknown type falls back to `fallback`. */
export function overlayStrategy(strategies, stored, fallback) {
  const type = stored && typeof stored === 'object' ? (stored.type ?? 'parallel') : null;
  if (!type || !strategies || !strategies[type]) return structuredClone(fallback);
  const out = overlay(strategies[type], stored);
  out.type = type;
  if (Array.isArray(out.levels)) out.levels = out.levels.filter((v) => typeof v === 'number');
  return out;
}

/** The job remembered in localStorage (or `stored`), made to fit the engine's schema. */
export function normalizeJob(defaults, strategies, stored) {
  const job = overlay(defaults, stored);
  if (!('strategy' in defaults)) return job;
  job.strategy = overlayStrategy(strategies, stored && stored.strategy, defaults.strategy);
  if ('operations' in defaults) {
    const ops = stored && Array.isArray(stored.operations) ? stored.operations : [];
    job.operations = ops.filter((o) => o && typeof o === 'object').map((o) => ({
      tool: overlay(defaults.tool, o.tool),
      strategy: overlayStrategy(strategies, o.strategy, defaults.strategy),
    }));
  }
  return job;
}

export function loadJob(defaults, strategies = null) {
  try {
    return normalizeJob(defaults, strategies, JSON.parse(localStorage.getItem(STORE_KEY) || 'null'));
  } catch {
    return structuredClone(defaults);
  }
}
export function saveJob(job) {
  try { localStorage.setItem(STORE_KEY, JSON.stringify(job)); } catch { /* private mode: not remembered */ }
}

/** The parameters last used with each strategy type, so switching back and forth keeps them. */
export function loadStrategyMemory(strategies) {
  const out = {};
  let stored = null;
  try { stored = JSON.parse(localStorage.getItem(MEMORY_KEY) || 'null'); } catch { /* start afresh */ }
  for (const [type, d] of Object.entries(strategies || {})) {
    out[type] = overlayStrategy(strategies, stored && stored[type] && { ...stored[type], type }, d);
  }
  return out;
}
function saveStrategyMemory(memory) {
  try { localStorage.setItem(MEMORY_KEY, JSON.stringify(memory)); } catch { /* not remembered */ }
}

/**
 * Builds the panel into `root`. `onChange(job, field)` runs after every edit.
 * Returns { showError(field, message), clearErrors(), refresh() }.
 */
export function buildPanel(root, defaults, job, onChange, { strategies = null, memory = null } = {}) {
  root.replaceChildren();
  const kindOf = (j) => get(j, 'strategy.type') ?? 'parallel';
  // A strategy field exists when the engine's defaults for one of its strategy types have it.
  const exists = (f) => {
    if (!f.kinds) return has(defaults, f.path);
    const key = f.path.replace(/^strategy\./, '');
    if (strategies) return f.kinds.some((k) => strategies[k] && has(strategies[k], key));
    return f.kinds.includes(kindOf(defaults)) && has(defaults, f.path);
  };
  const remember = () => {
    if (!memory) return;
    memory[kindOf(job)] = structuredClone(job.strategy);
    saveStrategyMemory(memory);
  };
  const rows = [];
  const groups = new Map();
  const unitLabel = () => (get(job, 'units') === 'inch' ? 'in' : 'mm');

  const presetBox = document.createElement('div');
  presetBox.className = 'presets';
  const pl = document.createElement('span');
  pl.textContent = 'Presets:';
  pl.id = 'preset-label';
  presetBox.append(pl);
  presetBox.setAttribute('role', 'group');
  presetBox.setAttribute('aria-labelledby', 'preset-label');
  for (const p of PRESETS) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = p.name;
    b.addEventListener('click', () => {
      for (const [k, v] of Object.entries(p.tool)) if (has(job, 'tool.' + k)) set(job, 'tool.' + k, v);
      refresh();
      onChange(job, null);
    });
    presetBox.append(b);
  }

  for (const f of FIELDS) {
    if (!exists(f)) continue;
    if (!groups.has(f.group)) {
      const fs = document.createElement('fieldset');
      const lg = document.createElement('legend');
      lg.textContent = f.group;
      fs.append(lg);
      if (f.group === 'Cutter') fs.append(presetBox);
      groups.set(f.group, fs);
      root.append(fs);
    }
    const id = f.id ?? 'f-' + f.path.replace(/\W/g, '-');
    const row = document.createElement('div');
    row.className = 'field';
    const label = document.createElement('label');
    label.htmlFor = id;
    const name = document.createElement('span');
    name.textContent = f.label;
    const unit = document.createElement('span');
    unit.className = 'unit';
    label.append(name, ' ', unit);
    let input;
    if (f.type === 'select') {
      input = document.createElement('select');
      for (const [v, t] of f.options) {
        const o = document.createElement('option');
        o.value = v;
        o.textContent = t;
        input.append(o);
      }
    } else if (f.type === 'list') {
      input = document.createElement('input');
      input.type = 'text';
      input.inputMode = 'decimal';
      input.placeholder = 'e.g. 8, 5, 2';
    } else {
      input = document.createElement('input');
      input.type = f.type;
      if (f.type === 'number') {
        input.inputMode = 'decimal';
        for (const k of ['step', 'min', 'max']) if (f[k] != null) input[k] = f[k];
      }
    }
    input.id = id;
    input.name = f.path;
    input.dataset.path = f.path;
    const err = document.createElement('div');
    err.className = 'error';
    err.id = id + '-error';
    err.setAttribute('aria-live', 'polite');
    input.setAttribute('aria-describedby', err.id);
    if (f.type === 'checkbox') row.classList.add('check');
    row.append(label, input, err);
    groups.get(f.group).append(row);
    rows.push({ f, row, input, unit, err });

    input.addEventListener('change', () => {
      let v;
      if (f.type === 'checkbox') v = input.checked;
      else if (f.type === 'number') {
        v = input.value.trim() === '' ? (f.nullable ? null : NaN) : Number(input.value);
        if (f.uniform && v != null) v = new Array(f.uniform).fill(v);
      } else if (f.type === 'list') {
        v = input.value.split(/[\s,;]+/).filter(Boolean).map(Number);
      } else v = input.value;
      if (f.swap) {
        // Another strategy: keep this one's parameters for later, bring back that one's.
        remember();
        job.strategy = structuredClone(memory?.[v] ?? strategies?.[v] ?? { type: v });
      } else set(job, f.path, v);
      remember();
      refresh();
      onChange(job, f);
    });
  }

  function refresh() {
    for (const { f, row, input, unit } of rows) {
      let v = get(job, f.path);
      if (f.uniform && Array.isArray(v)) v = v[0];
      if (f.type === 'checkbox') input.checked = !!v;
      else if (f.type === 'list' && document.activeElement !== input) input.value = Array.isArray(v) ? v.join(', ') : '';
      else if (f.type === 'list') { /* being edited */ } else if (document.activeElement !== input || f.type === 'select') input.value = v == null || Number.isNaN(v) ? '' : String(v);
      row.hidden = (f.kinds && !f.kinds.includes(kindOf(job))) || (f.when ? !f.when(job) : false);
      unit.textContent = f.unit ? '(' + f.unit.replace(LEN, unitLabel()) + ')' : '';
    }
  }
  refresh();

  return {
    refresh,
    remember,
    groups,
    clearErrors() {
      for (const r of rows) { r.err.textContent = ''; r.input.removeAttribute('aria-invalid'); }
    },
    /** Puts the engine's message next to its field; returns false when no control has it. */
    showError(field, message) {
      const fits = (x) => field && (x.f.path === field || field.startsWith(x.f.path + '.') || field.startsWith(x.f.path + '['));
      const r = rows.find((x) => fits(x) && !x.row.hidden) || rows.find(fits);
      if (!r) return false;
      r.err.textContent = message;
      r.input.setAttribute('aria-invalid', 'true');
      return true;
    },
  };
}
