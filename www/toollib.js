// The tool library: the user's cutters with their feeds and speeds, kept in localStorage
// (`swarf.tools`) and exported and imported as a JSON file. The cutter being edited and each
// operation pick their tool from it; editing a library tool updates the operations that use
// it.
//
// An operation uses a library tool when its `tool` equals that tool in the job's units (the
// fields that make the cutter and its rates: `sameTool`). So the job stays exactly the CLI's
// JSON, with no link of its own, and a tool edited by hand in an operation simply stops
// being the library's.
//
// The fields, labels, limits and units of the editor are the registry's `tool.*` fields
// (the settings panel's Cutter group); the engine checks a tool (`validateJob`) before it is
// saved or imported, so the library holds nothing a job would refuse.

import { get, set, makeRow, readInput, writeInput, UNIT_LABELS } from './settings.js';

const STORE_KEY = 'swarf.tools';
/** What an exported file says it is. */
export const FILE_FORMAT = 'swarf-tool-library';
export const FILE_VERSION = 1;
/** The most tools a library (or a file) holds, and the largest file read. */
const MAX_TOOLS = 500;
const MAX_FILE_BYTES = 1 << 20;

/** The job `tool` keys a library tool carries (besides its id, name and units). */
export const SPEC_KEYS = ['type', 'diameter', 'corner_radius', 'angle', 'flute_length', 'flutes',
  'holder_diameter', 'feed', 'plunge_feed', 'spindle', 'number'];
/** Lengths and feeds: converted between mm and inch. */
const SCALED = new Set(['diameter', 'corner_radius', 'flute_length', 'holder_diameter', 'feed', 'plunge_feed']);
/** May be null ("not given": the machine's rate, a plain shank, flutes unknown). */
const OPTIONAL = new Set(['flutes', 'holder_diameter', 'feed', 'plunge_feed', 'spindle']);
const INTEGER = new Set(['flutes', 'number']);

/**
 * @typedef {{ id: string, name: string, units: 'mm' | 'inch', type: string, diameter: number,
 *   corner_radius: number, angle: number, flute_length: number, flutes: number | null,
 *   holder_diameter: number | null, feed: number | null, plunge_feed: number | null,
 *   spindle: number | null, number: number }} LibraryTool
 */

const factor = (from, to) => (from === to ? 1 : from === 'inch' ? 25.4 : 1 / 25.4);
/** A converted value, rounded to what the post could tell apart (so mm → inch → mm is the
 * identity for any value a user types). */
const convert = (v, k) => (k === 1 ? v : +(v * k).toPrecision(12));

/** A library tool as a job's `tool` in `units`. */
export function toSpec(tool, units) {
  const k = factor(tool.units, units);
  const spec = {};
  for (const key of SPEC_KEYS) {
    const v = tool[key];
    spec[key] = v != null && SCALED.has(key) ? convert(v, k) : v;
  }
  return spec;
}

/** A job's `tool` (in `units`) as the values of a library tool, in the same units. */
function fromSpec(spec, units) {
  const t = { units };
  for (const key of SPEC_KEYS) t[key] = spec[key] ?? null;
  return t;
}

/** True when two job tools are the same library tool: the same shape (the corner radius of
 * a bull, the angle of a cone), flutes, holder, rates and number. */
export function sameTool(a, b) {
  const eq = (x, y) => (x == null || y == null ? x == null && y == null
    : x === y || Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y)));
  if (a.type !== b.type) return false;
  const keys = SPEC_KEYS.filter((k) => k !== 'type' && (k !== 'corner_radius' || a.type === 'bull') && (k !== 'angle' || a.type === 'cone'));
  return keys.every((k) => eq(a[k], b[k]));
}

/** A new id for a library tool. */
function newId() {
  return globalThis.crypto && crypto.randomUUID ? crypto.randomUUID() : `t${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
}

/** A short description of a library tool: "T1 · 6 mm ball · 2 flutes · F 1200 · S 18000". */
export function describeTool(t) {
  const u = t.units === 'inch' ? 'in' : 'mm';
  const shape = t.type === 'bull' ? ` r${t.corner_radius}` : t.type === 'cone' ? ` ${t.angle}°` : '';
  const parts = [`T${t.number}`, `⌀${t.diameter} ${u} ${t.type}${shape}`];
  if (t.flutes != null) parts.push(`${t.flutes} flute${t.flutes === 1 ? '' : 's'}`);
  if (t.feed != null) parts.push(`F ${t.feed}`);
  if (t.spindle != null) parts.push(`S ${t.spindle}`);
  return parts.join(' · ');
}

/**
 * Reads one tool of a file or of localStorage: a plain object with a name, units and the
 * job tool's keys; keys left out take the defaults (`defaults`: the engine's default tool,
 * in mm). Throws an Error whose message names the key; the engine checks the values'
 * ranges after.
 * @returns {LibraryTool}
 */
function readTool(v, defaults, types) {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('is not an object');
  const name = typeof v.name === 'string' ? v.name.trim() : '';
  if (!name) throw new Error('has no name');
  if (name.length > 80) throw new Error('name: longer than 80 characters');
  const units = v.units ?? 'mm';
  if (units !== 'mm' && units !== 'inch') throw new Error(`units: "${String(units).slice(0, 20)}" is not mm or inch`);
  const type = v.type;
  if (!types.includes(type)) throw new Error(`type: ${JSON.stringify(type)?.slice(0, 30)} is not one of ${types.join(', ')}`);
  const base = toSpec({ ...defaults, units: 'mm' }, units);
  /** @type {any} */
  const t = { id: typeof v.id === 'string' && v.id ? v.id.slice(0, 64) : newId(), name, units, type };
  for (const key of SPEC_KEYS.slice(1)) {
    const x = key in v ? v[key] : (OPTIONAL.has(key) ? null : base[key]);
    if (x === null && OPTIONAL.has(key)) { t[key] = null; continue; }
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${key}: ${JSON.stringify(x)?.slice(0, 30) ?? 'nothing'} is not a number`);
    if (INTEGER.has(key) && !Number.isInteger(x)) throw new Error(`${key}: ${x} is not a whole number`);
    t[key] = x;
  }
  return t;
}

/** Tool numbers and names must be unique within a library: the first clash, or null. */
function clash(tools) {
  for (let i = 0; i < tools.length; i++)
    for (let j = 0; j < i; j++) {
      if (tools[i].name === tools[j].name) return `two tools are named "${tools[i].name}"`;
      if (tools[i].number === tools[j].number) return `"${tools[j].name}" and "${tools[i].name}" are both T${tools[i].number}`;
    }
  return null;
}

/**
 * Parses a library file's text (what `exportText` writes): `{ format, version, tools: [...] }`.
 * Throws an Error with a message a user can act on; returns the tools (not yet checked by
 * the engine).
 * @returns {LibraryTool[]}
 */
export function parseLibrary(text, defaults, types) {
  if (text.length > MAX_FILE_BYTES) throw new Error(`the file is ${text.length} bytes, more than ${MAX_FILE_BYTES}`);
  let v;
  try {
    v = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new Error(`it is not JSON (${String(e.message).slice(0, 120)})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v) || !Array.isArray(v.tools)) {
    throw new Error('it has no "tools" list (a Swarf tool library is {"format": "swarf-tool-library", "tools": [...]})');
  }
  if (v.format != null && v.format !== FILE_FORMAT) throw new Error(`its format is "${String(v.format).slice(0, 40)}", not "${FILE_FORMAT}"`);
  if (v.version != null && v.version !== FILE_VERSION) throw new Error(`it is version ${String(v.version).slice(0, 10)}; this page reads version ${FILE_VERSION}`);
  if (v.tools.length > MAX_TOOLS) throw new Error(`it has ${v.tools.length} tools, more than ${MAX_TOOLS}`);
  const tools = v.tools.map((t, i) => {
    try {
      return readTool(t, defaults, types);
    } catch (e) {
      const name = t && typeof t.name === 'string' ? ` ("${t.name.slice(0, 40)}")` : '';
      throw new Error(`tool ${i + 1}${name}: ${e.message}`);
    }
  });
  const c = clash(tools);
  if (c) throw new Error(c);
  return tools;
}

/** The file's text for `tools`. */
export function exportText(tools) {
  const out = tools.map(({ id: _, ...t }) => t);
  return JSON.stringify({ format: FILE_FORMAT, version: FILE_VERSION, tools: out }, null, 2) + '\n';
}

/** The starting library: the registry's presets as T1, T2, ... in mm. */
function starterTools(registry, defaults) {
  return registry.presets.map((p, k) => ({
    ...fromSpec({ ...defaults, ...p, number: k + 1 }, 'mm'), id: newId(), name: p.name, units: /** @type {'mm'} */ ('mm'),
  }));
}

/**
 * The "Tool library" fieldset. `ctx`:
 * - `registry`: the engine's registry (the `tool.*` fields, cutter kinds, presets);
 * - `defaults`: the engine's default job (its tool fills what a file leaves out);
 * - `units()`: the job's length unit ('mm' or 'inch');
 * - `current()`: the cutter being edited (the job's `tool`), offered as a new tool's start;
 * - `check(job)`: resolves the engine's `{ field, message }` for a job, or null;
 * - `edited(before, after)`: a library tool changed from `before` to `after` (job tools in
 *   the job's units): the page updates what used it; returns how many it updated;
 * - `changed()`: the library changed (the pickers list it again).
 */
export function buildToolLibrary(ctx) {
  const { registry, defaults } = ctx;
  const types = registry.tools.map((t) => t.name);
  const fields = registry.fields.filter((f) => f.path.startsWith('tool.'));
  /** @type {LibraryTool[]} */
  let tools = load();

  function load() {
    let stored = null;
    try { stored = localStorage.getItem(STORE_KEY); } catch { /* private mode */ }
    if (stored == null) return starterTools(registry, defaults.tool);
    try {
      return parseLibrary(stored, defaults.tool, types);
    } catch {
      // A library this page cannot read (edited by hand, another version): start afresh
      // rather than break the page, and say so.
      queueMicrotask(() => showError('The saved tool library could not be read; it starts again from the presets.'));
      return starterTools(registry, defaults.tool);
    }
  }
  function save() {
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify({ format: FILE_FORMAT, version: FILE_VERSION, tools }));
    } catch { /* private mode: not remembered */ }
  }

  const fs = document.createElement('fieldset');
  fs.className = 'toollib';
  const legend = document.createElement('legend');
  legend.textContent = 'Tool library';
  legend.id = 'toollib-title';
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.textContent = 'Your cutters with their feeds and speeds, kept in this browser. The Cutter settings and each operation can take one; editing a tool here updates the operations that use it.';
  const list = document.createElement('ol');
  list.className = 'tools';
  list.setAttribute('aria-labelledby', 'toollib-title');
  const bar = document.createElement('div');
  bar.className = 'op-actions';
  const btn = (text, id, onClick) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.id = id;
    b.addEventListener('click', onClick);
    return b;
  };
  const file = document.createElement('input');
  file.type = 'file';
  file.accept = '.json,application/json';
  file.hidden = true;
  file.id = 'toollib-file';
  bar.append(
    btn('New tool', 'toollib-new', () => openEditor(null)),
    btn('Export…', 'toollib-export', exportFile),
    btn('Import…', 'toollib-import', () => file.click()),
    file,
  );
  const err = document.createElement('div');
  err.className = 'error';
  err.id = 'toollib-error';
  err.setAttribute('role', 'alert');
  const note = document.createElement('div');
  note.className = 'hint';
  note.id = 'toollib-note';
  note.setAttribute('role', 'status');
  const editor = document.createElement('div');
  editor.className = 'tool-editor';
  editor.hidden = true;
  fs.append(legend, hint, list, bar, err, note, editor);

  function showError(text) { err.textContent = text; }
  function showNote(text) { note.textContent = text; }

  // The editor: name, units, and the registry's tool fields, over a draft { units, tool }.
  /** @type {{ id: string | null, units: string, tool: any }} */
  let draft = null;
  const nameRow = makeRow(/** @type {any} */ ({ path: 'name', label: 'Name', type: 'text' }), 'tl-');
  const nameInput = /** @type {HTMLInputElement} */ (nameRow.input);
  nameInput.maxLength = 80;
  const unitsField = { path: 'units', label: 'Units of this tool', type: 'select', options: [{ value: 'mm', label: 'mm' }, { value: 'inch', label: 'inch' }] };
  const unitsRow = makeRow(/** @type {any} */ (unitsField), 'tl-');
  const rows = fields.map((f) => ({ f, ...makeRow(f, 'tl-') }));
  const editorErr = document.createElement('div');
  editorErr.className = 'error';
  editorErr.id = 'tl-error';
  editorErr.setAttribute('aria-live', 'polite');
  const saveBtn = btn('Save tool', 'tl-save', () => saveDraft());
  const cancelBtn = btn('Cancel', 'tl-cancel', () => closeEditor());
  const editorBar = document.createElement('div');
  editorBar.className = 'op-actions';
  editorBar.append(saveBtn, cancelBtn);
  // In the page only while editing, so its fields never stand beside the Cutter group's
  // (same labels) unseen.
  const editorParts = [nameRow.row, unitsRow.row, ...rows.map((r) => r.row), editorErr, editorBar];
  unitsRow.input.addEventListener('change', () => {
    // The same tool in the other unit: lengths and feeds convert.
    const to = /** @type {HTMLSelectElement} */ (unitsRow.input).value;
    draft.tool = toSpec({ ...draft.tool, units: draft.units }, to);
    draft.units = to;
    refreshEditor();
  });
  for (const r of rows) {
    r.input.addEventListener('change', () => {
      set(draft, r.f.path, readInput(r.f, r.input));
      refreshEditor();
    });
  }

  function refreshEditor() {
    /** @type {HTMLSelectElement} */ (unitsRow.input).value = draft.units;
    for (const { f, row, input, unit } of rows) {
      writeInput(f, input, get(draft, f.path));
      row.hidden = f.when ? get(draft, f.when.path) !== f.when.equals : false;
      const label = UNIT_LABELS[f.quantity];
      unit.textContent = label ? '(' + label(draft.units === 'inch' ? 'in' : 'mm') + ')' : '';
    }
  }

  /** Opens the editor on library tool `t`, or on a new tool from the cutter above. */
  function openEditor(t) {
    showError('');
    editorErr.textContent = '';
    for (const r of rows) { r.err.textContent = ''; r.input.removeAttribute('aria-invalid'); }
    if (t) {
      draft = { id: t.id, units: t.units, tool: toSpec(t, t.units) };
      nameInput.value = t.name;
    } else {
      const units = ctx.units();
      const tool = { ...ctx.current() };
      // The next free number, so the new tool does not clash with the library's.
      tool.number = Math.max(0, ...tools.map((x) => x.number)) + 1;
      draft = { id: null, units, tool };
      const kind = registry.tools.find((k) => k.name === tool.type);
      nameInput.value = uniqueName(kind ? `${tool.diameter} ${units === 'inch' ? 'in' : 'mm'} ${kind.label.toLowerCase()}` : 'New tool');
    }
    editor.replaceChildren(...editorParts);
    editor.hidden = false;
    refreshEditor();
    nameInput.focus();
  }

  function uniqueName(name) {
    let n = name, k = 2;
    while (tools.some((t) => t.name === n)) n = `${name} (${k++})`;
    return n;
  }

  function closeEditor() {
    editor.hidden = true;
    editor.replaceChildren();
    draft = null;
  }

  /** The engine's verdict on a tool in `units`: null when valid, else `{ field, message }`
   * with `field` under `tool.` (the strategy is sized to the tool so only the tool is
   * judged). */
  async function check(spec, units) {
    const d = Number.isFinite(spec.diameter) && spec.diameter > 0 ? spec.diameter : 1;
    const strategy = { ...defaults.strategy, type: 'parallel', stepover: d / 4, sampling: d / 4 };
    const e = await ctx.check({ ...structuredClone(defaults), units, tool: spec, strategy, operations: [] });
    return e && e.field && e.field.startsWith('tool.') ? e : null;
  }

  async function saveDraft() {
    if (!draft) return;
    editorErr.textContent = '';
    for (const r of rows) { r.err.textContent = ''; r.input.removeAttribute('aria-invalid'); }
    const d = draft;
    let t;
    try {
      t = readTool({ ...fromSpec(d.tool, d.units), name: nameInput.value, id: d.id ?? undefined }, defaults.tool, types);
    } catch (e) {
      editorErr.textContent = e.message;
      return;
    }
    const others = tools.filter((x) => x.id !== d.id);
    const c = clash([...others, t]);
    if (c) {
      editorErr.textContent = `Not saved: ${c}.`;
      return;
    }
    const e = await check(toSpec(t, t.units), t.units);
    if (draft !== d) return;
    if (e) {
      const r = rows.find((x) => x.f.path === e.field);
      if (r && !r.row.hidden) {
        r.err.textContent = e.message;
        r.input.setAttribute('aria-invalid', 'true');
      }
      editorErr.textContent = `Not saved: ${e.field.slice(5)}: ${e.message}`;
      return;
    }
    const k = tools.findIndex((x) => x.id === d.id);
    let text = `Added ${t.name} (T${t.number}) to the library.`;
    if (k >= 0) {
      const units = ctx.units();
      const n = ctx.edited(toSpec(tools[k], units), toSpec(t, units));
      tools[k] = t;
      text = `Saved ${t.name}${n ? `; ${n} use${n === 1 ? '' : 's'} of it updated` : ''}.`;
    } else tools.push(t);
    save();
    closeEditor();
    refresh();
    showNote(text);
    ctx.changed();
  }

  function remove(t) {
    tools = tools.filter((x) => x.id !== t.id);
    save();
    if (draft && draft.id === t.id) closeEditor();
    refresh();
    showNote(`Removed ${t.name} from the library (operations that used it keep their cutter).`);
    ctx.changed();
  }

  function exportFile() {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([exportText(tools)], { type: 'application/json' }));
    a.download = 'swarf-tools.json';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  /** Imports a library file: every tool is checked (by this page, then by the engine)
   * before any is taken; tools named as one in the library replace it. */
  async function importFile(f) {
    showError('');
    showNote('');
    const what = `Could not import ${f.name}`;
    let got;
    try {
      if (f.size > MAX_FILE_BYTES) throw new Error(`the file is ${f.size} bytes, more than ${MAX_FILE_BYTES}`);
      got = parseLibrary(await f.text(), defaults.tool, types);
      for (const [i, t] of got.entries()) {
        const e = await check(toSpec(t, t.units), t.units);
        if (e) throw new Error(`tool ${i + 1} ("${t.name}"): ${e.field.slice(5)}: ${e.message}`);
      }
    } catch (e) {
      showError(`${what}: ${e.message}`);
      return;
    }
    const merged = [...tools];
    let replaced = 0;
    for (const t of got) {
      const k = merged.findIndex((x) => x.name === t.name);
      if (k >= 0) { merged[k] = { ...t, id: merged[k].id }; replaced++; } else merged.push(t);
    }
    const c = clash(merged);
    if (c) return showError(`${what}: with the library's tools, ${c}.`);
    if (merged.length > MAX_TOOLS) return showError(`${what}: the library would hold ${merged.length} tools, more than ${MAX_TOOLS}.`);
    tools = merged;
    save();
    refresh();
    showNote(`Imported ${got.length} tool${got.length === 1 ? '' : 's'} from ${f.name}${replaced ? ` (${replaced} replaced)` : ''}.`);
    ctx.changed();
  }
  file.addEventListener('change', () => {
    const f = file.files[0];
    file.value = '';
    if (f) importFile(f);
  });

  function refresh() {
    list.replaceChildren(...tools.map((t, k) => {
      const li = document.createElement('li');
      li.className = 'tool-row';
      const text = document.createElement('span');
      text.className = 'tool-text';
      text.id = `tool-${k}-text`;
      text.textContent = `${t.name} — ${describeTool(t)}`;
      const b = document.createElement('div');
      b.className = 'op-buttons';
      // Named "Edit" and "Delete", described by the row's text (which tool).
      const edit = btn('Edit', '', () => openEditor(t));
      edit.removeAttribute('id');
      edit.setAttribute('aria-describedby', text.id);
      const del = btn('Delete', '', () => remove(t));
      del.removeAttribute('id');
      del.setAttribute('aria-describedby', text.id);
      b.append(edit, del);
      li.append(text, b);
      return li;
    }));
  }
  refresh();
  save();

  /** A select offering the library's tools for `tool` (a job tool in the job's units), set
   * to the one it is; picking one calls `pick(spec)` with it in the job's units. */
  function picker(tool, label, pick) {
    const select = document.createElement('select');
    select.setAttribute('aria-label', label);
    const units = ctx.units();
    const custom = document.createElement('option');
    custom.value = '';
    custom.textContent = 'Custom (not in the library)';
    select.append(custom);
    for (const t of tools) {
      const o = document.createElement('option');
      o.value = t.id;
      o.textContent = `${t.name} (T${t.number})`;
      select.append(o);
    }
    const mine = tools.find((t) => sameTool(toSpec(t, units), tool));
    select.value = mine ? mine.id : '';
    custom.disabled = !!mine;
    select.addEventListener('change', () => {
      const t = tools.find((x) => x.id === select.value);
      if (t) pick(toSpec(t, ctx.units()));
    });
    return select;
  }

  return {
    fieldset: fs,
    picker,
    /** The library's tools (copies). */
    get tools() { return structuredClone(tools); },
  };
}
