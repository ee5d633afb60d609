// The settings panel is a view of the job object (the CLI's JSON schema, whose defaults come
// from the engine). Each control names its job path; controls whose path the engine's job
// does not have are not shown, so the panel follows the engine's schema as it grows.

const STORE_KEY = 'swarf.job';

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
  { group: 'Strategy', path: 'strategy.direction', label: 'Raster direction', type: 'select',
    options: [['x', 'Along X'], ['y', 'Along Y'], ['xy', 'Crosshatch (X then Y)']] },
  { group: 'Strategy', path: 'strategy.stepover', label: 'Stepover', type: 'number', unit: LEN, step: 0.05, min: 0 },
  { group: 'Strategy', path: 'strategy.sampling', label: 'Sampling distance', type: 'number', unit: LEN, step: 0.05, min: 0 },
  { group: 'Strategy', path: 'strategy.tolerance', label: 'Tolerance', type: 'number', unit: LEN, step: 0.005, min: 0 },
  { group: 'Strategy', path: 'strategy.pattern', label: 'Line linking', type: 'select',
    options: [['zigzag', 'Zigzag (both ways)'], ['oneway', 'One way']] },
  { group: 'Strategy', path: 'strategy.milling', label: 'Milling (one way)', type: 'select',
    options: [['climb', 'Climb'], ['conventional', 'Conventional']], when: (j) => get(j, 'strategy.pattern') === 'oneway' },
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
  if (stored == null || typeof stored !== typeof defaults) return structuredClone(defaults);
  if (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults)) return stored;
  const out = {};
  for (const k of Object.keys(defaults)) out[k] = k in stored ? overlay(defaults[k], stored[k]) : structuredClone(defaults[k]);
  return out;
}

export function loadJob(defaults) {
  try {
    return overlay(defaults, JSON.parse(localStorage.getItem(STORE_KEY) || 'null'));
  } catch {
    return structuredClone(defaults);
  }
}
export function saveJob(job) {
  try { localStorage.setItem(STORE_KEY, JSON.stringify(job)); } catch { /* private mode: not remembered */ }
}

/**
 * Builds the panel into `root`. `onChange(job, field)` runs after every edit.
 * Returns { showError(field, message), clearErrors(), refresh() }.
 */
export function buildPanel(root, defaults, job, onChange) {
  root.replaceChildren();
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
    if (!has(defaults, f.path)) continue;
    if (!groups.has(f.group)) {
      const fs = document.createElement('fieldset');
      const lg = document.createElement('legend');
      lg.textContent = f.group;
      fs.append(lg);
      if (f.group === 'Cutter') fs.append(presetBox);
      groups.set(f.group, fs);
      root.append(fs);
    }
    const id = 'f-' + f.path.replace(/\W/g, '-');
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
      } else v = input.value;
      set(job, f.path, v);
      refresh();
      onChange(job, f);
    });
  }

  function refresh() {
    for (const { f, row, input, unit } of rows) {
      let v = get(job, f.path);
      if (f.uniform && Array.isArray(v)) v = v[0];
      if (f.type === 'checkbox') input.checked = !!v;
      else if (document.activeElement !== input || f.type === 'select') input.value = v == null || Number.isNaN(v) ? '' : String(v);
      row.hidden = f.when ? !f.when(job) : false;
      unit.textContent = f.unit ? '(' + f.unit.replace(LEN, unitLabel()) + ')' : '';
    }
  }
  refresh();

  return {
    refresh,
    clearErrors() {
      for (const r of rows) { r.err.textContent = ''; r.input.removeAttribute('aria-invalid'); }
    },
    /** Puts the engine's message next to its field; returns false when no control has it. */
    showError(field, message) {
      const r = rows.find((x) => field && (x.f.path === field || field.startsWith(x.f.path + '.')));
      if (!r) return false;
      r.err.textContent = message;
      r.input.setAttribute('aria-invalid', 'true');
      return true;
    },
  };
}
