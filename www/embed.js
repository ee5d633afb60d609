// <swarf-cam model="part.stl"> — Swarf on any page with one script tag:
//   <script type="module" src="https://example.org/swarf/embed.js"></script>
//   <swarf-cam model="part.stl" job='{"tool": {"diameter": 3}}'></swarf-cam>
//   <swarf-cam model="sign.svg"></swarf-cam>
// `model` is an STL, or an SVG or DXF drawing (by its name, else by its content). A drawing
// starts from the page's 2D defaults (a 3 mm flat cutter, a profile with tabs; engraving when
// it has no closed shape) before `job` is laid over them; a model from the engine's default job.
// `job` is job JSON text (not a URL), laid over the engine's default job one level deep: each
// top-level section given replaces those keys of the default's section (`tool.diameter`
// above, the rest of `tool` kept); a strategy of another `type` starts from that strategy's
// defaults. It is read at each load and each generate, so a changed attribute applies to
// the next Generate.
// The engine, its worker and the wasm resolve relative to this script's own URL. When a
// toolpath is generated the element fires a non-bubbling `gcode` event on itself
// (detail: { gcode, name, summary }); nothing is sent anywhere else.
import { EngineClient, CancelledError } from './engine-client.js';
import { Viewer } from './viewer.js';
import * as fmt from './format.js';
import { describeDrawing, drawingStrategy, drawingTool } from './workpiece.js';

// Constructed stylesheets are not inline styles, so host pages with a strict CSP allow them.
const sheet = new CSSStyleSheet();
sheet.replaceSync(`
:host { display: block; position: relative; min-height: 300px; background: #1f2126; color: #e8e9ec;
  font: 14px/1.4 system-ui, sans-serif; border-radius: 6px; overflow: hidden; }
canvas { width: 100%; height: 100%; min-height: 300px; display: block; touch-action: none; }
.bar { position: absolute; left: 0; right: 0; bottom: 0; display: flex; gap: .5rem; align-items: center;
  padding: .4rem .6rem; background: #000a; }
button { font: inherit; color: #e8e9ec; background: #3a3e47; border: 1px solid #555a66; border-radius: 4px; padding: .25rem .7rem; cursor: pointer; }
button:disabled { opacity: .5; cursor: default; }
button:focus-visible, canvas:focus-visible { outline: 3px solid #ffd24a; outline-offset: -3px; }
progress { flex: 1; }
.status { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
`);

class SwarfCam extends HTMLElement {
  static observedAttributes = ['model'];

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [sheet];
    const canvas = document.createElement('canvas');
    canvas.tabIndex = 0;
    canvas.setAttribute('aria-label', 'Swarf 3D preview. Drag to orbit, wheel to zoom.');
    const bar = document.createElement('div');
    bar.className = 'bar';
    this.btnGenerate = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Generate', disabled: true });
    this.btnCancel = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Cancel', hidden: true });
    this.btnDownload = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Download', disabled: true });
    this.progress = Object.assign(document.createElement('progress'), { max: 1, value: 0, hidden: true });
    this.progress.setAttribute('aria-label', 'Toolpath progress');
    this.statusEl = document.createElement('span');
    this.statusEl.className = 'status';
    this.statusEl.setAttribute('role', 'status');
    bar.append(this.btnGenerate, this.btnCancel, this.btnDownload, this.progress, this.statusEl);
    root.append(canvas, bar);
    this.canvas = canvas;
    /** True when the loaded workpiece is a 2D drawing. */
    this.drawing = false;
    /** @type {any} the engine's `info()` of the loaded workpiece */
    this.info = null;
    this.btnGenerate.addEventListener('click', () => this.generate());
    this.btnCancel.addEventListener('click', () => this.client.cancel());
    this.btnDownload.addEventListener('click', () => this.download());
  }

  connectedCallback() {
    if (!this.client) {
      this.client = new EngineClient(new URL('./worker.js', import.meta.url));
      try {
        this.viewer = new Viewer(this.canvas);
        this.client.previewBudget = this.viewer.triangleBudget;
      } catch (e) { this.status(e.message); }
    }
    this.load();
  }

  disconnectedCallback() {
    // Free the worker (and the model's memory) when the host removes the element.
    if (this.client) this.client.terminate();
    this.client = null;
  }

  attributeChangedCallback() {
    if (this.client) this.load();
  }

  status(text) { this.statusEl.textContent = text; }

  /** The job: the engine's defaults (with the 2D starting cutter and strategy when a
   * drawing is loaded), overlaid with the `job` attribute's JSON if any. */
  async job() {
    // A copy: the client hands out the same defaults object every time.
    const job = structuredClone(await this.client.defaultJob());
    const strategies = await this.client.defaultStrategies();
    const extra = this.getAttribute('job');
    const over = extra ? JSON.parse(extra) : null;
    if (this.drawing) {
      job.tool = { ...job.tool, ...drawingTool((over && over.units) || job.units) };
      job.strategy = drawingStrategy(await this.client.registry(), strategies, this.info);
    }
    if (over) {
      // A strategy of another type starts from that type's defaults, not the default job's.
      const type = over.strategy && over.strategy.type;
      if (type && type !== job.strategy.type && strategies && strategies[type]) job.strategy = structuredClone(strategies[type]);
      for (const [k, v] of Object.entries(over)) job[k] = typeof v === 'object' && v && !Array.isArray(v) ? { ...job[k], ...v } : v;
    }
    return job;
  }

  async load() {
    const src = this.getAttribute('model');
    this.btnGenerate.disabled = true;
    this.btnDownload.disabled = true;
    try {
      let blob = null;
      this.name = 'demo';
      if (src) {
        const url = new URL(src, document.baseURI);
        const res = await fetch(url);
        if (!res.ok) throw new Error(`could not fetch the model (HTTP ${res.status})`);
        this.name = decodeURIComponent(url.pathname.split('/').pop() || 'model');
        // A File keeps the name, which tells a drawing (.svg, .dxf) from an STL.
        blob = new File([await res.blob()], this.name);
      }
      this.status(`Loading ${this.name}…`);
      // Only the import transform and units of the job matter to a load.
      const { info, triangles, lines, kinds } = await this.client.load(blob, await this.job());
      this.drawing = info.kind === 'drawing';
      this.info = info;
      if (this.viewer) {
        this.viewer.setModel(triangles, info.bounds);
        this.viewer.setDrawing(lines, kinds);
        const p = this.drawing ? await this.client.preview(await this.job()).catch(() => null) : null;
        this.viewer.setDrawingTop(p ? p.top : 0);
      }
      this.status(this.drawing ? `${this.name}: ${describeDrawing(info)}` : `${this.name}: ${fmt.count(info.triangles)} triangles`);
      this.btnGenerate.disabled = false;
    } catch (e) {
      this.status(`Error: ${e.message}`);
    }
  }

  async generate() {
    this.btnGenerate.disabled = true;
    this.btnCancel.hidden = false;
    this.progress.hidden = false;
    this.statusEl.hidden = true;
    try {
      const job = await this.job();
      const r = await this.client.generate(job, (p) => { this.progress.value = p; });
      if (this.viewer) this.viewer.setPath(r.points, r.kinds, this.drawing);
      this.result = { gcode: r.gcode, job, registry: await this.client.registry() };
      this.btnDownload.disabled = false;
      this.statusEl.hidden = false;
      const pool = r.workers > 1 ? ` (${r.workers} workers)` : '';
      this.status(`${fmt.count(r.kinds.length)} points, ${fmt.bytes(r.gcode.length)} of G-code${pool}`);
      // Only this element's own listeners receive the G-code.
      this.dispatchEvent(new CustomEvent('gcode', {
        bubbles: false, composed: false,
        detail: { gcode: r.gcode, name: this.name, summary: r.summary, workers: r.workers },
      }));
    } catch (e) {
      this.statusEl.hidden = false;
      this.status(e instanceof CancelledError ? 'Cancelled.' : `Error: ${e.message}`);
    } finally {
      this.btnGenerate.disabled = false;
      this.btnCancel.hidden = true;
      this.progress.hidden = true;
    }
  }

  download() {
    if (!this.result) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([this.result.gcode], { type: 'text/plain' }));
    a.download = fmt.programName(this.result.registry, this.name, this.result.job.machine?.dialect);
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }
}

if (!customElements.get('swarf-cam')) customElements.define('swarf-cam', SwarfCam);
