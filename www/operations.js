// The operations list: the cutter and strategy being edited in the settings panel, added as
// steps of one program (rough, then waterline, then parallel finishing), each with its own
// tool. It is a view of `job.operations` (the CLI's JSON); when the list is empty the job's
// own `tool` and `strategy` are the one operation.

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? String(+v.toFixed(4)) : String(v));

/**
 * Fills a summary template of the engine's registry from `values`: `{key}` is a value,
 * `{#key noun}` the length of a list with the noun ("3 levels"). Null when a value is
 * missing or a list is empty, so the next template is tried.
 * @param {string} template
 * @param {Record<string, any>} values
 * @returns {string | null}
 */
function fill(template, values) {
  let ok = true;
  const text = template.replace(/\{(#?)(\w+)(?: (\w+))?\}/g, (_, count, key, noun) => {
    const v = values[key];
    if (count) {
      if (!Array.isArray(v) || v.length === 0) ok = false;
      return ok ? `${v.length} ${noun}${v.length === 1 ? '' : 's'}` : '';
    }
    if (v == null) ok = false;
    return num(v);
  });
  return ok ? text : null;
}

/** One row's text, e.g. "1. Rough, 6 mm flat, stepdown 2, leave 0.5 (T1)". */
function summary(registry, op, k, unit) {
  const kind = registry.strategies.find((s) => s.name === op.strategy.type);
  const tool = registry.tools.find((t) => t.name === op.tool.type);
  const name = (kind ? kind.short : op.strategy.type) + (op.rest ? ' (rest)' : '');
  const toolText = (tool && fill(tool.summary, { ...op.tool, unit })) ?? `${num(op.tool.diameter)} ${unit} ${op.tool.type}`;
  let params = '';
  for (const t of kind ? kind.summary : []) if ((params = fill(t, op.strategy) ?? '')) break;
  return `${k + 1}. ${name}, ${toolText}, ${params} (T${op.tool.number})`;
}

/** Two cutters are the same tool when their kind and the parameters of its shape agree. */
function sameTool(registry, a, b) {
  if (a.type !== b.type) return false;
  const shape = registry.tools.find((t) => t.name === a.type)?.shape ?? ['diameter'];
  return shape.every((k) => a[k] === b[k]);
}

function button(text, label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (label) b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

/** The fieldset's frame: legend, hint, the list, and the Add / Clear buttons. */
function buildFrame(onAdd, onClear) {
  const fs = document.createElement('fieldset');
  fs.className = 'operations';
  const legend = document.createElement('legend');
  legend.textContent = 'Operations';
  legend.id = 'ops-title';
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.id = 'ops-hint';
  const list = document.createElement('ol');
  list.className = 'ops';
  list.setAttribute('aria-labelledby', 'ops-title');
  list.setAttribute('aria-describedby', 'ops-hint');
  const bar = document.createElement('div');
  bar.className = 'op-actions';
  const add = button('Add as operation', null, onAdd);
  add.id = 'op-add';
  const clear = button('Clear operations', null, onClear);
  clear.id = 'op-clear';
  bar.append(add, clear);
  fs.append(legend, hint, list, bar);
  return { fs, hint, list, add, clear };
}

/**
 * An operation's rest-machining controls (not on the first operation, which has nothing
 * before it): a checkbox, and the thickness that counts as cut already.
 * @param {{ k: number, rest: boolean, threshold: number, unit: string,
 *   setRest: (on: boolean) => void, setThreshold: (v: number) => void }} r
 */
function buildRest(r) {
  const box = document.createElement('div');
  box.className = 'op-rest';
  const n = r.k + 1;
  const label = document.createElement('label');
  const check = document.createElement('input');
  check.type = 'checkbox';
  check.checked = r.rest;
  check.dataset.act = 'rest';
  check.setAttribute('aria-label', `Operation ${n}: rest machining, only where the earlier operations left material`);
  check.addEventListener('change', () => r.setRest(check.checked));
  label.append(check, ' Rest: only where earlier operations left material');
  const thick = document.createElement('label');
  thick.hidden = !r.rest;
  const input = document.createElement('input');
  input.type = 'number';
  input.min = '0';
  input.step = '0.01';
  input.value = String(r.threshold);
  input.dataset.act = 'rest-threshold';
  input.setAttribute('aria-label', `Operation ${n}: rest threshold (${r.unit})`);
  input.addEventListener('change', () => {
    const v = Number(input.value);
    r.setThreshold(input.value.trim() === '' ? NaN : v);
  });
  thick.append('thicker than ', input, ` ${r.unit}`);
  box.append(label, thick);
  return box;
}

/**
 * One operation's row: its text, its tool picker (when there is a tool library), its rest
 * controls, move / load / remove buttons and its error line.
 * @param {{ k: number, count: number, text: string, error: string, move: (d: number) => void,
 *   load: () => void, remove: () => void, picker: HTMLElement | null, rest: HTMLElement | null }} r
 */
function buildRow(r) {
  const { k } = r;
  const li = document.createElement('li');
  li.className = 'op';
  const text = document.createElement('span');
  text.className = 'op-text';
  text.id = `op-${k}-text`;
  text.textContent = r.text;
  const tools = document.createElement('div');
  tools.className = 'op-buttons';
  const n = k + 1;
  const up = button('↑', `Move operation ${n} up`, () => r.move(-1));
  up.dataset.act = 'up';
  up.disabled = k === 0;
  const down = button('↓', `Move operation ${n} down`, () => r.move(1));
  down.dataset.act = 'down';
  down.disabled = k === r.count - 1;
  const edit = button('Load', `Load operation ${n} into the settings`, r.load);
  const remove = button('Remove', `Remove operation ${n}`, r.remove);
  remove.dataset.act = 'remove';
  tools.append(up, down, edit, remove);
  const err = document.createElement('div');
  err.className = 'error';
  err.id = `op-${k}-error`;
  err.setAttribute('aria-live', 'polite');
  err.textContent = r.error;
  li.setAttribute('aria-describedby', err.id);
  if (r.error) li.classList.add('invalid');
  li.append(text);
  if (r.picker) {
    r.picker.classList.add('op-tool');
    li.append(r.picker);
  }
  if (r.rest) li.append(r.rest);
  li.append(tools, err);
  return li;
}

/**
 * The "Operations" fieldset. `ctx`:
 * - `job`: the job object (its `operations` array is edited in place);
 * - `registry`: the engine's registry (strategy and cutter names, summaries, shapes);
 * - `unit()`: the length unit's label;
 * - `checkEditor(job)`: resolves true when that one-operation job is valid (else shows the
 *   engine's message next to the field);
 * - `loadEditor(op)`: puts an operation's cutter and strategy into the settings panel;
 * - `onChange(note)`: after every change of the list;
 * - `toolPicker(op, k, picked)` (optional): a control that picks operation k's tool (from
 *   the tool library); it sets `op.tool` and calls `picked()`.
 * Returns { fieldset, refresh(), clearErrors(), showError(field, message) }.
 */
export function buildOperations(ctx) {
  const { job, registry } = ctx;
  const { fs, hint, list, add, clear } = buildFrame(() => addCurrent(), () => {
    job.operations.length = 0;
    changed(null, add);
  });
  let errors = [];

  async function addCurrent() {
    // What is in the panel at the click (the check below is asynchronous).
    const tool = structuredClone(job.tool);
    const strategy = structuredClone(job.strategy);
    if (!(await ctx.checkEditor({ ...job, tool, strategy, operations: [] }))) return;
    let note = null;
    // Another cutter under a number already taken would make the tool change a no-op on
    // the machine: give it the next free number (and show that in the panel).
    if (job.operations.some((o) => o.tool.number === tool.number && !sameTool(registry, o.tool, tool))) {
      const was = tool.number;
      const same = job.operations.find((o) => sameTool(registry, o.tool, tool));
      tool.number = same ? same.tool.number : Math.max(0, ...job.operations.map((o) => o.tool.number)) + 1;
      job.tool.number = tool.number;
      note = `Tool number set to T${tool.number}: T${was} is another cutter in this program.`;
    }
    job.operations.push({ tool, strategy });
    changed(note, add);
  }

  function changed(note, focus) {
    errors = [];
    refresh();
    if (focus) {
      const target = typeof focus === 'function' ? focus() : focus;
      (target && target.isConnected && !target.disabled ? target : add).focus();
    }
    ctx.onChange(note);
  }

  function move(k, d) {
    const ops = job.operations;
    [ops[k], ops[k + d]] = [ops[k + d], ops[k]];
    // Keep the keyboard on the moved row: the same arrow, or the other one at an end.
    changed(null, () => {
      const row = list.children[k + d];
      const same = /** @type {HTMLButtonElement | null} */ (row?.querySelector(d < 0 ? '[data-act=up]' : '[data-act=down]'));
      return same && !same.disabled ? same : row?.querySelector(d < 0 ? '[data-act=down]' : '[data-act=up]');
    });
  }

  function refresh() {
    const ops = job.operations || [];
    const unit = ctx.unit();
    hint.textContent = ops.length
      ? `Generate runs these ${ops.length} operation${ops.length > 1 ? 's' : ''} in order, in one program with tool changes. "Add" adds the cutter and strategy above.`
      : 'None: Generate runs the cutter and strategy above. Add them here to chain several (rough, then waterline, then parallel) into one program.';
    // Rebuilding the rows must not drop the keyboard focus of a row's button.
    const focused = list.contains(document.activeElement) ? document.activeElement.getAttribute('aria-label') : null;
    list.replaceChildren();
    ops.forEach((op, k) => {
      list.append(buildRow({
        k, count: ops.length, text: summary(registry, op, k, unit), error: errors[k] || '',
        move: (d) => move(k, d),
        load: () => ctx.loadEditor(op, k),
        rest: k === 0 && !op.rest ? null : buildRest({
          k, rest: op.rest === true, unit,
          threshold: typeof op.rest_threshold === 'number' ? op.rest_threshold : registry.rest_threshold,
          setRest: (on) => {
            op.rest = on;
            if (on && typeof op.rest_threshold !== 'number') op.rest_threshold = registry.rest_threshold;
            changed(on ? `Operation ${k + 1} now cuts only what the earlier operations left.` : `Operation ${k + 1} now cuts in full.`,
              () => list.children[k]?.querySelector('[data-act=rest]'));
          },
          setThreshold: (v) => {
            op.rest_threshold = v;
            changed(null, () => list.children[k]?.querySelector('[data-act=rest-threshold]'));
          },
        }),
        picker: ctx.toolPicker
          ? ctx.toolPicker(op, k, () => changed(`Operation ${k + 1} now cuts with T${op.tool.number}.`, () => list.children[k]?.querySelector('select')))
          : null,
        remove: () => {
          ops.splice(k, 1);
          changed(null, () => list.children[Math.min(k, ops.length - 1)]?.querySelector('[data-act=remove]'));
        },
      }));
    });
    clear.hidden = ops.length === 0;
    if (focused) [...list.querySelectorAll('button')].find((x) => x.getAttribute('aria-label') === focused)?.focus();
  }
  refresh();

  return {
    fieldset: fs,
    refresh,
    clearErrors() {
      errors = [];
      for (const li of list.children) {
        li.classList.remove('invalid');
        li.querySelector('.error').textContent = '';
      }
    },
    /** Puts a message about `operations[k]…` next to that row; false for other fields. */
    showError(field, message) {
      const m = /^operations\[(\d+)\]\.?(.*)$/.exec(field || '');
      if (!m) return false;
      const k = Number(m[1]);
      const li = list.children[k];
      if (!li) return false;
      errors[k] = m[2] ? `${m[2]}: ${message}` : message;
      li.classList.add('invalid');
      li.querySelector('.error').textContent = errors[k];
      return true;
    },
  };
}
