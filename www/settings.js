// The settings panel is a view of the job object (the CLI's JSON schema). Everything in it
// comes from the engine's registry (src/registry.rs): the fields with their job paths,
// labels, limits and conditions, the strategies with their defaults, the cutter presets and
// the dialects. This file only renders them, so a new strategy or parameter needs no change
// here.

const STORE_KEY = 'swarf.job';
const MEMORY_KEY = 'swarf.strategies';

/**
 * @typedef {{ value: string, label: string }} SelectOption
 * @typedef {{ path: string, equals: string }} When
 * @typedef {{ group: string, kinds?: string[], path: string, control?: string, label: string,
 *   type: 'number' | 'select' | 'checkbox' | 'list', quantity: string, min: number | null,
 *   max: number | null, step: number | null, integer: boolean, nullable: boolean,
 *   options: SelectOption[], when: When | null, reload: boolean, uniform: number }} Field
 * @typedef {{ name: string, label: string, short: string, summary: string[], defaults: any,
 *   fields: string[] }} StrategyEntry
 * @typedef {{ name: string, label: string, summary: string, shape: string[] }} ToolEntry
 * @typedef {{ name: string, label: string, extension: string }} DialectEntry
 * @typedef {{ name: string, type: string, diameter: number, corner_radius?: number, angle?: number }} Preset
 * @typedef {{ strategies: StrategyEntry[], tools: ToolEntry[], presets: Preset[],
 *   dialects: DialectEntry[], fields: Field[] }} Registry
 */

/** How a quantity is labelled, given the job's length unit. */
export const UNIT_LABELS = {
  length: (u) => u, feed: (u) => u + '/min', angle: () => '°', ratio: () => '× diameter', rpm: () => 'rpm',
  acceleration: (u) => u + '/s²',
};

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
function overlayStrategy(strategies, stored, fallback) {
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
    job.operations = ops.filter((o) => o && typeof o === 'object').map((o) => {
      const op = {
        tool: overlay(defaults.tool, o.tool),
        strategy: overlayStrategy(strategies, o.strategy, defaults.strategy),
      };
      // Rest machining, when it was on (the engine's defaults fill in the rest).
      if (o.rest === true) op.rest = true;
      if (typeof o.rest_threshold === 'number' && Number.isFinite(o.rest_threshold)) op.rest_threshold = o.rest_threshold;
      return op;
    });
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

/** The control's element id: from its control key, so that tests and labels can name it
 * (`prefix` tells apart another form built from the same fields: the tool library's). */
const controlId = (f, prefix = 'f-') => prefix + (f.control ?? f.path).replace(/\W/g, '-');

/** The preset buttons: each sets the cutter's fields it names. */
function buildPresets(presets, job, apply) {
  const box = document.createElement('div');
  box.className = 'presets';
  const label = document.createElement('span');
  label.textContent = 'Presets:';
  label.id = 'preset-label';
  box.append(label);
  box.setAttribute('role', 'group');
  box.setAttribute('aria-labelledby', 'preset-label');
  for (const p of presets) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = p.name;
    b.addEventListener('click', () => {
      for (const [k, v] of Object.entries(p)) if (k !== 'name' && has(job, 'tool.' + k)) set(job, 'tool.' + k, v);
      apply();
    });
    box.append(b);
  }
  return box;
}

/** Puts `options` into a select, replacing what it had. */
function fillOptions(select, options) {
  select.replaceChildren(...options.map(({ value, label }) => {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    return o;
  }));
}

/** The input element of one field. */
function makeInput(f) {
  if (f.type === 'select') {
    const select = document.createElement('select');
    fillOptions(select, f.options);
    return select;
  }
  const input = document.createElement('input');
  if (f.type === 'list') {
    input.type = 'text';
    input.inputMode = 'decimal';
    input.placeholder = 'e.g. 8, 5, 2';
  } else {
    input.type = f.type;
    if (f.type === 'number') {
      input.inputMode = 'decimal';
      if (f.step != null) input.step = String(f.integer ? Math.max(1, f.step) : f.step);
      if (f.min != null) input.min = String(f.min);
      if (f.max != null) input.max = String(f.max);
    }
  }
  return input;
}

/** One labelled row: { row, input, unit, err }. */
export function makeRow(f, prefix = 'f-') {
  const id = controlId(f, prefix);
  const row = document.createElement('div');
  row.className = 'field';
  const label = document.createElement('label');
  label.htmlFor = id;
  const name = document.createElement('span');
  name.textContent = f.label;
  const unit = document.createElement('span');
  unit.className = 'unit';
  label.append(name, ' ', unit);
  const input = makeInput(f);
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
  return { row, input, unit, err };
}

/** The job value a control holds. */
export function readInput(f, input) {
  if (f.type === 'checkbox') return input.checked;
  if (f.type === 'list') return input.value.split(/[\s,;]+/).filter(Boolean).map(Number);
  if (f.type !== 'number') return input.value;
  const v = input.value.trim() === '' ? (f.nullable ? null : NaN) : Number(input.value);
  return f.uniform && v != null ? new Array(f.uniform).fill(v) : v;
}

/** Shows a job value in its control (leaving one being typed in alone). */
export function writeInput(f, input, v) {
  if (f.uniform && Array.isArray(v)) v = v[0];
  if (f.type === 'checkbox') input.checked = !!v;
  else if (f.type === 'list') {
    if (document.activeElement !== input) input.value = Array.isArray(v) ? v.join(', ') : '';
  } else if (document.activeElement !== input || f.type === 'select') input.value = v == null || Number.isNaN(v) ? '' : String(v);
}

/**
 * Builds the panel into `root` from the engine's registry. `onChange(job, field)` runs after
 * every edit. Returns { showError(field, message), clearErrors(), refresh(), remember(),
 * offerStrategies(names), groups }.
 * @param {HTMLElement} root
 * @param {any} defaults
 * @param {any} job
 * @param {(job: any, field: Field | null) => void} onChange
 * @param {{ registry: Registry, strategies: Record<string, any>, memory: Record<string, any> }} opts
 */
export function buildPanel(root, defaults, job, onChange, { registry, strategies, memory }) {
  root.replaceChildren();
  const kindOf = (j) => get(j, 'strategy.type') ?? 'parallel';
  const remember = () => {
    memory[kindOf(job)] = structuredClone(job.strategy);
    saveStrategyMemory(memory);
  };
  const rows = [];
  /** @type {Map<string, HTMLFieldSetElement>} */
  const groups = new Map();
  // Strategy fields sit in one box, reordered to the chosen strategy's own order.
  const strategyBox = document.createElement('div');
  const byKey = new Map();
  const unitLabel = () => (get(job, 'units') === 'inch' ? 'in' : 'mm');
  const apply = () => { refresh(); onChange(job, null); };

  for (const f of registry.fields) {
    if (!has(defaults, f.path) && !f.kinds) continue;
    if (!groups.has(f.group)) {
      const fs = document.createElement('fieldset');
      const lg = document.createElement('legend');
      lg.textContent = f.group;
      fs.append(lg);
      if (f.group === 'Cutter') fs.append(buildPresets(registry.presets, job, apply));
      groups.set(f.group, fs);
      root.append(fs);
    }
    const r = { f, ...makeRow(f) };
    if (f.kinds) {
      if (!strategyBox.isConnected) groups.get(f.group).append(strategyBox);
      strategyBox.append(r.row);
      byKey.set(f.control ?? f.path, r.row);
    } else groups.get(f.group).append(r.row);
    rows.push(r);
    r.input.addEventListener('change', () => {
      // A field of another strategy: it was being typed in when it was hidden, and losing
      // the focus then fires this; the value belongs to no field of this strategy.
      if (f.kinds && !f.kinds.includes(kindOf(job))) return;
      const v = readInput(f, r.input);
      if (f.path === 'strategy.type') {
        // Another strategy: keep this one's parameters for later, bring back that one's.
        remember();
        job.strategy = structuredClone(memory[v] ?? strategies[v] ?? { type: v });
      } else set(job, f.path, v);
      remember();
      refresh();
      onChange(job, f);
    });
  }

  let shownKind = null;
  function refresh() {
    const kind = kindOf(job);
    if (kind !== shownKind) {
      shownKind = kind;
      const entry = registry.strategies.find((s) => s.name === kind);
      for (const key of entry ? entry.fields : []) if (byKey.has(key)) strategyBox.append(byKey.get(key));
    }
    for (const { f, row, input, unit } of rows) {
      writeInput(f, input, get(job, f.path));
      row.hidden = (f.kinds && !f.kinds.includes(kind)) || (f.when ? get(job, f.when.path) !== f.when.equals : false);
      const label = UNIT_LABELS[f.quantity];
      unit.textContent = label ? '(' + label(unitLabel()) + ')' : '';
    }
  }
  refresh();

  return {
    refresh,
    remember,
    groups,
    /** Lists only these strategies in the Strategy select (those of the loaded workpiece). */
    offerStrategies(names) {
      const r = rows.find((x) => x.f.path === 'strategy.type');
      if (!r || !(r.input instanceof HTMLSelectElement)) return;
      fillOptions(r.input, r.f.options.filter((o) => names.includes(o.value)));
      writeInput(r.f, r.input, get(job, r.f.path));
    },
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
