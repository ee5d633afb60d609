// The operations list: the cutter and strategy being edited in the settings panel, added as
// steps of one program (rough, then waterline, then parallel finishing), each with its own
// tool. It is a view of `job.operations` (the CLI's JSON); when the list is empty the job's
// own `tool` and `strategy` are the one operation.

export const STRATEGY_NAMES = { parallel: 'Parallel', waterline: 'Waterline', rough: 'Rough' };
const TOOL_NAMES = { flat: 'flat', ball: 'ball', bull: 'bull', cone: 'V-bit' };

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? String(+v.toFixed(4)) : String(v));

export function toolSummary(tool, unit) {
  const d = `${num(tool.diameter)} ${unit}`;
  if (tool.type === 'bull') return `${d} bull r${num(tool.corner_radius)}`;
  if (tool.type === 'cone') return `${d} ${num(tool.angle)}° V-bit`;
  return `${d} ${TOOL_NAMES[tool.type] ?? tool.type}`;
}

export function strategySummary(s) {
  switch (s.type) {
    case 'parallel': return `stepover ${num(s.stepover)}`;
    case 'waterline':
      return Array.isArray(s.levels) && s.levels.length ? `${s.levels.length} level${s.levels.length > 1 ? 's' : ''}` : `stepdown ${num(s.stepdown)}`;
    case 'rough': return `stepdown ${num(s.stepdown)}, leave ${num(s.stock_to_leave)}`;
    default: return '';
  }
}

/** One row's text, e.g. "1. Rough, 6 mm flat, stepdown 2, leave 0.5 (T1)". */
export function summary(op, k, unit) {
  const name = STRATEGY_NAMES[op.strategy.type] ?? op.strategy.type;
  return `${k + 1}. ${name}, ${toolSummary(op.tool, unit)}, ${strategySummary(op.strategy)} (T${op.tool.number})`;
}

function sameTool(a, b) {
  if (a.type !== b.type || a.diameter !== b.diameter || a.flute_length !== b.flute_length) return false;
  if (a.type === 'bull' && a.corner_radius !== b.corner_radius) return false;
  if (a.type === 'cone' && a.angle !== b.angle) return false;
  return true;
}

function button(text, label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (label) b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

/**
 * The "Operations" fieldset. `ctx`:
 * - `job`: the job object (its `operations` array is edited in place);
 * - `unit()`: the length unit's label;
 * - `checkEditor(job)`: resolves true when that one-operation job is valid (else shows the
 *   engine's message next to the field);
 * - `loadEditor(op)`: puts an operation's cutter and strategy into the settings panel;
 * - `onChange(note)`: after every change of the list.
 * Returns { fieldset, refresh(), clearErrors(), showError(field, message) }.
 */
export function buildOperations(ctx) {
  const { job } = ctx;
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
  const add = button('Add as operation', null, addCurrent);
  add.id = 'op-add';
  const clear = button('Clear operations', null, () => {
    job.operations.length = 0;
    changed(null, add);
  });
  clear.id = 'op-clear';
  bar.append(add, clear);
  fs.append(legend, hint, list, bar);
  let errors = [];

  async function addCurrent() {
    // What is in the panel at the click (the check below is asynchronous).
    const tool = structuredClone(job.tool);
    const strategy = structuredClone(job.strategy);
    if (!(await ctx.checkEditor({ ...job, tool, strategy, operations: [] }))) return;
    let note = null;
    // Another cutter under a number already taken would make the tool change a no-op on
    // the machine: give it the next free number (and show that in the panel).
    if (job.operations.some((o) => o.tool.number === tool.number && !sameTool(o.tool, tool))) {
      const was = tool.number;
      const same = job.operations.find((o) => sameTool(o.tool, tool));
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
      const same = row?.querySelector(d < 0 ? '[data-act=up]' : '[data-act=down]');
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
      const li = document.createElement('li');
      li.className = 'op';
      const text = document.createElement('span');
      text.className = 'op-text';
      text.id = `op-${k}-text`;
      text.textContent = summary(op, k, unit);
      const tools = document.createElement('div');
      tools.className = 'op-buttons';
      const n = k + 1;
      const up = button('↑', `Move operation ${n} up`, () => move(k, -1));
      up.dataset.act = 'up';
      up.disabled = k === 0;
      const down = button('↓', `Move operation ${n} down`, () => move(k, 1));
      down.dataset.act = 'down';
      down.disabled = k === ops.length - 1;
      const edit = button('Load', `Load operation ${n} into the settings`, () => ctx.loadEditor(op, k));
      const remove = button('Remove', `Remove operation ${n}`, () => {
        ops.splice(k, 1);
        changed(null, () => list.children[Math.min(k, ops.length - 1)]?.querySelector('[data-act=remove]'));
      });
      remove.dataset.act = 'remove';
      tools.append(up, down, edit, remove);
      const err = document.createElement('div');
      err.className = 'error';
      err.id = `op-${k}-error`;
      err.setAttribute('aria-live', 'polite');
      err.textContent = errors[k] || '';
      li.setAttribute('aria-describedby', err.id);
      if (errors[k]) li.classList.add('invalid');
      li.append(text, tools, err);
      list.append(li);
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
