// WebGL2 preview: shaded model or a drawing's lines at the material top, stock box, toolpath
// coloured by move kind (a drawing's cuts by depth, so tabs and passes show), and the
// simulated stock (stock-view.js) with the toolpath up to a slider's move coloured by
// operation. World is Z up (machine coordinates). Draws only when something changed.
import { StockMesh, compile } from './stock-view.js';

const MODEL_VS = `#version 300 es
uniform mat4 uMvp; uniform mat4 uView;
in vec3 aPos; out vec3 vEye; out float vZ;
void main() { vEye = (uView * vec4(aPos, 1.0)).xyz; vZ = aPos.z; gl_Position = uMvp * vec4(aPos, 1.0); }`;
// Flat normals from screen-space derivatives: no normal buffer (the engine stores none either).
const MODEL_FS = `#version 300 es
precision highp float;
in vec3 vEye; in float vZ; uniform vec2 uZRange; out vec4 o;
void main() {
  vec3 n = normalize(cross(dFdx(vEye), dFdy(vEye)));
  float l = 0.25 + 0.75 * abs(n.z);
  float t = clamp((vZ - uZRange.x) / max(uZRange.y - uZRange.x, 1e-6), 0.0, 1.0);
  vec3 base = mix(vec3(0.55, 0.58, 0.62), vec3(0.80, 0.82, 0.86), t);
  o = vec4(base * l, 1.0);
}`;
// uLift raises a drawing's lines (at Z 0) to the material's top; uByDepth colours cutting
// moves from deep to shallow over uZRange instead of one colour. uScrub >= 0 (a slider's
// point, as a vertex index) colours the cuts up to it by operation (uOpStarts, first vertex
// of each) and dims the rest; rapids stay red.
const LINE_VS = `#version 300 es
uniform mat4 uMvp; uniform vec3 uColors[8]; uniform float uLift;
uniform bool uByDepth; uniform vec2 uZRange; uniform vec3 uDeep; uniform vec3 uShallow;
uniform int uScrub; uniform int uOpStarts[16]; uniform int uOpCount; uniform vec3 uOpColors[6];
uniform vec3 uDim;
in vec3 aPos; in uint aKind; flat out vec3 vColor;
void main() {
  uint k = min(aKind, 7u);
  vec3 c = uColors[k];
  if (uByDepth && k == 2u) {
    float t = clamp((aPos.z - uZRange.x) / max(uZRange.y - uZRange.x, 1e-6), 0.0, 1.0);
    c = mix(uDeep, uShallow, t);
  }
  if (uScrub >= 0) {
    int op = 0;
    for (int i = 1; i < 16; i++) if (i < uOpCount && gl_VertexID >= uOpStarts[i]) op = i;
    if (k != 0u) c = uOpColors[op % 6];
    if (gl_VertexID > uScrub) c = mix(c, uDim, 0.85);
  }
  vColor = c;
  gl_Position = uMvp * vec4(aPos.xy, aPos.z + uLift, 1.0);
}`;
const LINE_FS = `#version 300 es
precision mediump float; flat in vec3 vColor; out vec4 o;
void main() { o = vec4(vColor, 1.0); }`;

// Move kinds 0 rapid, 1 plunge, 2 feed; 3 is the stock box, 4 the machining area; 5 a
// drawing's closed path (outline or hole), 6 its open path (what the engine's
// `drawingLines` tags them with).
const KIND_COLORS = [
  [0.93, 0.26, 0.21], // rapid: red
  [0.98, 0.70, 0.10], // plunge: amber
  [0.10, 0.45, 0.95], // feed: blue
  [0.20, 0.75, 0.35], // stock box: green
  [0.85, 0.80, 0.30], // machining area: pale yellow
  [0.93, 0.94, 0.96], // drawing, closed path: white
  [0.80, 0.55, 1.00], // drawing, open path: violet
  [1.00, 0.35, 0.70], // a cut above the bottom of its run (over a tab): pink
];
/** The kind the viewer gives cutting moves that rise above the bottom of their run. */
const OVER_TAB = 7;

/**
 * The move kinds with every cutting move that lies above the lowest point of its run (the
 * feed moves between two plunges or rapids) marked OVER_TAB, in runs that climb straight up
 * somewhere: where a profile's last pass rises over a holding tab. Flat runs (each depth
 * pass, engraving) and V-carving (whose depth changes only as it moves) are left alone.
 * @param {Float32Array} points
 * @param {Uint8Array} kinds
 */
function markRises(points, kinds) {
  const out = Uint8Array.from(kinds);
  for (let i = 0; i < kinds.length;) {
    if (kinds[i] !== 2) { i++; continue; }
    let j = i, lo = Infinity, vertical = false;
    for (; j < kinds.length && kinds[j] === 2; j++) {
      lo = Math.min(lo, points[3 * j + 2]);
      // A tab is climbed straight up; V-carving changes depth only while it moves sideways.
      if (j > 0 && points[3 * j] === points[3 * j - 3] && points[3 * j + 1] === points[3 * j - 2]
          && points[3 * j + 2] > points[3 * j - 1]) vertical = true;
    }
    if (vertical) for (let k = i; k < j; k++) if (points[3 * k + 2] > lo + 1e-3) out[k] = OVER_TAB;
    i = j;
  }
  return out;
}
/** Operations' colours while scrubbing (none red or amber: those are rapids and plunges);
 * the page's legend reads them from here. */
export const OP_COLORS = [
  [0.10, 0.45, 0.95], [0.15, 0.80, 0.45], [0.70, 0.45, 1.00],
  [0.20, 0.85, 0.95], [1.00, 0.45, 0.75], [0.65, 0.90, 0.20],
];
/** The background the moves after the slider's fade into. */
const BACKGROUND = [0.12, 0.13, 0.15];
// A drawing's cuts by depth: the deepest blue, rising to cyan at the material's top.
const DEEP = [0.10, 0.30, 0.95];
const SHALLOW = [0.25, 0.95, 0.90];

// Column-major 4x4 helpers.
function mul(a, b) {
  const o = new Float32Array(16);
  for (let c = 0; c < 4; c++)
    for (let r = 0; r < 4; r++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[k * 4 + r] * b[c * 4 + k];
      o[c * 4 + r] = s;
    }
  return o;
}
function perspective(fovy, aspect, near, far) {
  const f = 1 / Math.tan(fovy / 2), nf = 1 / (near - far);
  return new Float32Array([f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) * nf, -1, 0, 0, 2 * far * near * nf, 0]);
}
function sub(a, b) { return [a[0] - b[0], a[1] - b[1], a[2] - b[2]]; }
function cross(a, b) { return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]; }
function norm(a) { const l = Math.hypot(a[0], a[1], a[2]) || 1; return [a[0] / l, a[1] / l, a[2] / l]; }
function dot(a, b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
function lookAt(eye, target, up) {
  const z = norm(sub(eye, target)), x = norm(cross(up, z)), y = cross(z, x);
  return new Float32Array([x[0], y[0], z[0], 0, x[1], y[1], z[1], 0, x[2], y[2], z[2], 0,
    -dot(x, eye), -dot(y, eye), -dot(z, eye), 1]);
}

const PRESETS = {
  top: { yaw: -Math.PI / 2, pitch: Math.PI / 2 - 1e-3 },
  front: { yaw: -Math.PI / 2, pitch: 0 },
  iso: { yaw: -Math.PI / 4, pitch: Math.atan(1 / Math.SQRT2) },
};

export class Viewer {
  constructor(canvas) {
    this.canvas = canvas;
    const gl = canvas.getContext('webgl2', { antialias: true });
    if (!gl) throw new Error('WebGL2 is not available in this browser');
    this.gl = gl;
    this.modelProg = compile(gl, MODEL_VS, MODEL_FS);
    this.lineProg = compile(gl, LINE_VS, LINE_FS);
    this.model = null; // { vao, buf, count, bounds }
    this.path = null;
    /** Cutting moves coloured by depth over `pathZ` (for drawings). */
    this.byDepth = false;
    this.pathZ = [0, 0];
    /** A drawing's lines, and the material top they are drawn at. */
    this.drawing = null;
    this.drawingTop = 0;
    this.box = null;
    /** @type {{min: number[], max: number[]} | null} the stock box drawn */
    this.stock = null;
    /** @type {{min: number[], max: number[], z: number}[]} the machining areas drawn */
    this.areas = [];
    /** The simulated stock (drawn when it has a grid). */
    this.sim = new StockMesh(gl);
    /** WebGL done by the CPU (SwiftShader, llvmpipe: no GPU, or a blocked one), where the
     * stock is drawn with a quarter of the vertices (see stockDetail). */
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    this.softwareGl = /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
    /** The most triangles worth drawing here: a software renderer takes about 3 µs a
     * triangle (a 1M-triangle frame is seconds of CPU the engine's workers need). */
    this.triangleBudget = this.softwareGl ? 100_000 : 1_000_000;
    /** What is drawn: the model (or drawing), the simulated stock, the toolpath. */
    this.shown = { model: true, stock: true, path: true };
    /** The slider's point as a vertex index of the path (-1: not scrubbing), and the first
     * vertex of each operation. */
    this.scrub = -1;
    this.opStarts = [0];
    this.view = { ...PRESETS.iso, dist: 100, target: [0, 0, 0] };
    this.radius = 50;
    this.dirty = true;
    this.frames = 0;
    this.installControls();
    new ResizeObserver(() => this.redraw()).observe(canvas);
    this.redraw();
  }

  /** `triangles`: Float32Array, 9 floats per triangle (none for a drawing); `bounds` the
   * box to fit the view to. */
  setModel(triangles, bounds) {
    const gl = this.gl;
    if (this.model) this.freeVao(this.model);
    this.model = null;
    if (triangles && triangles.length) {
      this.model = this.makeVao(this.modelProg, triangles, null);
      this.model.count = triangles.length / 3;
    }
    this.bounds = bounds;
    this.setPath(null);
    this.fit();
    gl.finish();
  }

  /** A drawing's paths as line segments: `lines` xyz pairs at Z 0, `kinds` one per point
   * (5 closed, 6 open); null to remove it. Drawn at `setDrawingTop`'s height. */
  setDrawing(lines, kinds) {
    if (this.drawing) this.freeVao(this.drawing);
    this.drawing = lines && kinds && kinds.length ? this.makeVao(this.lineProg, lines, kinds) : null;
    if (this.drawing) this.drawing.count = kinds.length;
    this.redraw();
  }

  /** The height of the material's top, where the drawing's lines are drawn. */
  setDrawingTop(z) {
    this.drawingTop = Number.isFinite(z) ? z : 0;
    this.redraw();
  }

  /** Shows or hides a part: 'model' (or the drawing), 'stock' (simulated), 'path'. */
  setShown(part, on) {
    this.shown[part] = !!on;
    this.redraw();
  }

  /** The most cells a simulated stock may have along a side (the largest texture). */
  maxStockSide() {
    return this.sim.maxSide;
  }

  /** A simulated stock: `grid` as the engine's `Simulation.grid()` gives it and every
   * height; null removes it (and the slider's colouring of the path). */
  setStockSim(grid, heights) {
    // Nothing to take away: no frame (on a software renderer a frame of a big model is
    // CPU the engine's workers need, and Generate clears the stock first).
    if (!grid && !this.sim.grid && this.scrub === -1) return;
    this.sim.setGrid(grid, heights);
    if (!grid) this.setScrub(-1);
    this.redraw();
  }

  /** The simulated stock's rows `j0..j1` changed to `heights` (those rows only). */
  updateStockRows(j0, j1, heights) {
    this.sim.updateRows(j0, j1, heights);
    this.redraw();
  }

  /**
   * Colours the simulated stock cell by cell: RGB per cell (Uint8Array, 3 bytes each), or
   * a signed deviation per cell (Float32Array: stock minus model; red gouges, green on
   * size, a scale for material left, grey NaN where there is no model: `deviationColors`
   * in stock-view.js, with `opts` { tolerance, max }); null for the plain stock.
   * @param {Uint8Array | Uint8ClampedArray | Float32Array | Float64Array | null} colors
   * @param {{ tolerance?: number, max?: number }} [opts]
   */
  setStockColors(colors, opts) {
    this.sim.setColors(colors, opts);
    this.redraw();
  }

  /** Colours the path up to vertex `k` by operation and dims the rest (`opStarts`: each
   * operation's first vertex); -1 goes back to colours by move kind. */
  setScrub(k, opStarts = this.opStarts) {
    this.scrub = k;
    this.opStarts = opStarts.length ? [...opStarts].slice(0, 16) : [0];
    this.redraw();
  }

  /** `points`: Float32Array xyz, `kinds`: Uint8Array (0 rapid, 1 plunge, 2 feed).
   * `byDepth`: colour the cutting moves by their Z (deep blue to cyan at the top), so a
   * drawing's depth passes stand out, and the cuts that rise over tabs pink. */
  setPath(points, kinds, byDepth = false) {
    if (this.path) this.freeVao(this.path);
    const shown = points && byDepth ? markRises(points, kinds) : kinds;
    this.path = points && kinds.length ? this.makeVao(this.lineProg, points, shown) : null;
    if (this.path) this.path.count = kinds.length;
    this.byDepth = byDepth;
    if (this.path && byDepth) {
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < kinds.length; i++) {
        if (kinds[i] !== 2) continue;
        const z = points[3 * i + 2];
        if (z < lo) lo = z;
        if (z > hi) hi = z;
      }
      this.pathZ = lo <= hi ? [lo, hi] : [0, 0];
    }
    this.redraw();
  }

  /**
   * The stock box `{min:[x,y,z], max:[x,y,z]}` (or null) and the machining areas, each
   * `{min:[x,y], max:[x,y], z}`: a rectangle at height z. Both as the engine resolved them.
   */
  setStock(b, areas = []) {
    if (this.box) this.freeVao(this.box);
    this.box = null;
    this.stock = b;
    this.areas = areas;
    const pts = [], kinds = [];
    if (b) {
      const [a, c] = [b.min, b.max];
      const v = (i) => [(i & 1 ? c : a)[0], (i & 2 ? c : a)[1], (i & 4 ? c : a)[2]];
      for (let i = 0; i < 8; i++)
        for (const bit of [1, 2, 4]) if (!(i & bit)) { pts.push(...v(i), ...v(i | bit)); kinds.push(3, 3); }
    }
    for (const r of areas) {
      const corners = [[r.min[0], r.min[1]], [r.max[0], r.min[1]], [r.max[0], r.max[1]], [r.min[0], r.max[1]]];
      for (let k = 0; k < 4; k++) { pts.push(...corners[k], r.z, ...corners[(k + 1) % 4], r.z); kinds.push(4, 4); }
    }
    if (pts.length) {
      this.box = this.makeVao(this.lineProg, new Float32Array(pts), new Uint8Array(kinds));
      this.box.count = kinds.length;
    }
    this.redraw();
  }

  makeVao(prog, positions, kinds) {
    const gl = this.gl;
    const vao = gl.createVertexArray();
    gl.bindVertexArray(vao);
    const buf = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buf);
    gl.bufferData(gl.ARRAY_BUFFER, positions, gl.STATIC_DRAW);
    const loc = gl.getAttribLocation(prog, 'aPos');
    gl.enableVertexAttribArray(loc);
    gl.vertexAttribPointer(loc, 3, gl.FLOAT, false, 0, 0);
    let kbuf = null;
    if (kinds) {
      kbuf = gl.createBuffer();
      gl.bindBuffer(gl.ARRAY_BUFFER, kbuf);
      gl.bufferData(gl.ARRAY_BUFFER, kinds, gl.STATIC_DRAW);
      const kl = gl.getAttribLocation(prog, 'aKind');
      gl.enableVertexAttribArray(kl);
      gl.vertexAttribIPointer(kl, 1, gl.UNSIGNED_BYTE, 0, 0);
    }
    gl.bindVertexArray(null);
    return { vao, bufs: [buf, kbuf].filter(Boolean), count: 0 };
  }

  freeVao(o) {
    const gl = this.gl;
    gl.deleteVertexArray(o.vao);
    for (const b of o.bufs) gl.deleteBuffer(b);
  }

  fit() {
    const b = this.bounds;
    if (!b) return;
    this.view.target = [0, 1, 2].map((k) => (b.min[k] + b.max[k]) / 2);
    this.radius = Math.max(1e-3, Math.hypot(b.max[0] - b.min[0], b.max[1] - b.min[1], b.max[2] - b.min[2]) / 2);
    // Far enough for the bounding sphere to fit the narrower of the two fields of view.
    const half = Math.min(Math.PI / 10, Math.atan(Math.tan(Math.PI / 10) * this.canvas.clientWidth / Math.max(1, this.canvas.clientHeight)));
    this.view.dist = this.radius / Math.sin(half);
    this.redraw();
  }

  preset(name) {
    Object.assign(this.view, PRESETS[name]);
    this.fit();
  }

  redraw() {
    if (this.dirty && this.raf) return;
    this.dirty = true;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.draw();
    });
  }

  matrices() {
    const { yaw, pitch, dist, target } = this.view;
    const eye = [
      target[0] + dist * Math.cos(pitch) * Math.cos(yaw),
      target[1] + dist * Math.cos(pitch) * Math.sin(yaw),
      target[2] + dist * Math.sin(pitch),
    ];
    const view = lookAt(eye, target, [0, 0, 1]);
    const aspect = this.canvas.width / Math.max(1, this.canvas.height);
    const near = Math.max(dist - this.radius * 4, dist / 1000);
    const proj = perspective(Math.PI / 5, aspect, near, dist + this.radius * 4);
    return { view, mvp: mul(proj, view) };
  }

  draw() {
    this.dirty = false;
    const gl = this.gl, c = this.canvas;
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    const w = Math.max(1, Math.round(c.clientWidth * dpr)), h = Math.max(1, Math.round(c.clientHeight * dpr));
    if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
    gl.viewport(0, 0, w, h);
    gl.clearColor(BACKGROUND[0], BACKGROUND[1], BACKGROUND[2], 1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    gl.enable(gl.DEPTH_TEST);
    const { view, mvp } = this.matrices();
    if (this.model && this.shown.model) {
      gl.useProgram(this.modelProg);
      gl.uniformMatrix4fv(gl.getUniformLocation(this.modelProg, 'uMvp'), false, mvp);
      gl.uniformMatrix4fv(gl.getUniformLocation(this.modelProg, 'uView'), false, view);
      gl.uniform2f(gl.getUniformLocation(this.modelProg, 'uZRange'), this.bounds.min[2], this.bounds.max[2]);
      // Push the surface back a little so a toolpath lying on it stays visible.
      gl.enable(gl.POLYGON_OFFSET_FILL);
      gl.polygonOffset(1, 2);
      gl.bindVertexArray(this.model.vao);
      gl.drawArrays(gl.TRIANGLES, 0, this.model.count);
      gl.disable(gl.POLYGON_OFFSET_FILL);
    }
    if (this.shown.stock) {
      const { stride, smooth } = this.stockDetail(mvp);
      this.sim.draw(mvp, view, stride, smooth);
    }
    const lp = this.lineProg;
    gl.useProgram(lp);
    gl.uniformMatrix4fv(gl.getUniformLocation(lp, 'uMvp'), false, mvp);
    gl.uniform3fv(gl.getUniformLocation(lp, 'uColors'), KIND_COLORS.flat());
    gl.uniform3fv(gl.getUniformLocation(lp, 'uDeep'), DEEP);
    gl.uniform3fv(gl.getUniformLocation(lp, 'uShallow'), SHALLOW);
    gl.uniform2f(gl.getUniformLocation(lp, 'uZRange'), this.pathZ[0], this.pathZ[1]);
    gl.uniform1i(gl.getUniformLocation(lp, 'uByDepth'), 0);
    gl.uniform1i(gl.getUniformLocation(lp, 'uScrub'), -1);
    const lift = gl.getUniformLocation(lp, 'uLift');
    gl.uniform1f(lift, 0);
    if (this.box) {
      gl.bindVertexArray(this.box.vao);
      gl.drawArrays(gl.LINES, 0, this.box.count);
    }
    if (this.drawing && this.shown.model) {
      gl.uniform1f(lift, this.drawingTop);
      gl.bindVertexArray(this.drawing.vao);
      gl.drawArrays(gl.LINES, 0, this.drawing.count);
      gl.uniform1f(lift, 0);
    }
    if (this.path && this.shown.path) {
      gl.uniform1i(gl.getUniformLocation(lp, 'uByDepth'), this.byDepth ? 1 : 0);
      gl.uniform1i(gl.getUniformLocation(lp, 'uScrub'), this.scrub);
      gl.uniform1iv(gl.getUniformLocation(lp, 'uOpStarts'), Int32Array.from({ length: 16 }, (_, i) => this.opStarts[i] ?? 0));
      gl.uniform1i(gl.getUniformLocation(lp, 'uOpCount'), this.opStarts.length);
      gl.uniform3fv(gl.getUniformLocation(lp, 'uOpColors'), OP_COLORS.flat());
      gl.uniform3fv(gl.getUniformLocation(lp, 'uDim'), BACKGROUND);
      // A strip: segment i-1 -> i takes point i's kind (the provoking vertex is the last).
      // Later moves win where they retrace earlier ones exactly (a tab's top over the pass
      // at the same height).
      gl.depthFunc(gl.LEQUAL);
      gl.bindVertexArray(this.path.vao);
      gl.drawArrays(gl.LINE_STRIP, 0, this.path.count);
      gl.depthFunc(gl.LESS);
    }
    gl.bindVertexArray(null);
    this.frames++;
  }

  /** Every how many cells the stock is drawn: about one vertex per pixel of the stock's
   * footprint on the canvas (its box's projected bounds). A 2M-cell stock in a default view
   * covers some 300k pixels: all its cells would be 6 vertices per pixel, detail nobody
   * sees, at 6 times the cost. Zooming in makes the footprint larger and the stride
   * smaller, down to every cell. Where WebGL runs on the CPU, one vertex per 2 × 2 pixels:
   * there a frame costs about 6 µs per cell drawn (SwiftShader, measured on the demo's
   * stock), so 1.4 s at one vertex per pixel and 0.4 s at this. Returns the stride and
   * whether cells are at least 2 pixels apart (smooth normals then show). */
  stockDetail(mvp) {
    const g = this.sim.grid;
    if (!g) return { stride: 1, smooth: false };
    const w = this.canvas.width, h = this.canvas.height;
    let lo = [Infinity, Infinity], hi = [-Infinity, -Infinity], behind = false;
    for (let c = 0; c < 8; c++) {
      const p = [g.origin[0] + (c & 1 ? g.nx * g.cell : 0), g.origin[1] + (c & 2 ? g.ny * g.cell : 0), c & 4 ? g.top : g.bottom];
      const q = [0, 1, 3].map((r) => mvp[r] * p[0] + mvp[4 + r] * p[1] + mvp[8 + r] * p[2] + mvp[12 + r]);
      if (q[2] <= 1e-9) { behind = true; break; }
      for (const k of [0, 1]) { lo[k] = Math.min(lo[k], q[k] / q[2]); hi[k] = Math.max(hi[k], q[k] / q[2]); }
    }
    const clip = (v) => Math.max(-1, Math.min(1, v));
    const area = behind ? w * h : ((clip(hi[0]) - clip(lo[0])) / 2) * w * ((clip(hi[1]) - clip(lo[1])) / 2) * h;
    const perPixel = Math.sqrt((g.nx * g.ny * (this.softwareGl ? 4 : 1)) / Math.max(area, 1));
    return { stride: Math.max(1, Math.ceil(perPixel)), smooth: perPixel <= 0.5 };
  }

  orbit(dx, dy) {
    this.view.yaw -= dx * 0.008;
    this.view.pitch = Math.max(-Math.PI / 2 + 1e-3, Math.min(Math.PI / 2 - 1e-3, this.view.pitch + dy * 0.008));
    this.redraw();
  }

  pan(dx, dy) {
    const { yaw, pitch, dist } = this.view;
    const s = (dist * 2 * Math.tan(Math.PI / 10)) / Math.max(1, this.canvas.clientHeight);
    const right = [-Math.sin(yaw), Math.cos(yaw), 0];
    const up = [-Math.sin(pitch) * Math.cos(yaw), -Math.sin(pitch) * Math.sin(yaw), Math.cos(pitch)];
    for (let k = 0; k < 3; k++) this.view.target[k] += (-dx * right[k] + dy * up[k]) * s;
    this.redraw();
  }

  zoom(factor) {
    this.view.dist = Math.max(this.radius * 0.05, Math.min(this.radius * 50, this.view.dist * factor));
    this.redraw();
  }

  installControls() {
    const c = this.canvas;
    const pointers = new Map();
    let pinch = null;
    c.addEventListener('contextmenu', (e) => e.preventDefault());
    c.addEventListener('pointerdown', (e) => {
      c.setPointerCapture(e.pointerId);
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, button: e.button, shift: e.shiftKey });
    });
    const end = (e) => { pointers.delete(e.pointerId); pinch = null; };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    c.addEventListener('pointermove', (e) => {
      const p = pointers.get(e.pointerId);
      if (!p) return;
      const dx = e.clientX - p.x, dy = e.clientY - p.y;
      if (pointers.size === 2) {
        // Two fingers: pinch zooms, moving together pans.
        const [a, b] = [...pointers.values()];
        p.x = e.clientX; p.y = e.clientY;
        const d = Math.hypot(a.x - b.x, a.y - b.y);
        if (pinch) this.zoom(pinch / Math.max(d, 1));
        pinch = d;
        this.pan(dx / 2, dy / 2);
        return;
      }
      p.x = e.clientX; p.y = e.clientY;
      if (p.button === 2 || p.button === 1 || p.shift) this.pan(dx, dy);
      else this.orbit(dx, dy);
    });
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.zoom(Math.exp(e.deltaY * 0.001));
    }, { passive: false });
    c.addEventListener('keydown', (e) => {
      const step = 15;
      const keys = {
        ArrowLeft: () => (e.shiftKey ? this.pan(-step, 0) : this.orbit(-step, 0)),
        ArrowRight: () => (e.shiftKey ? this.pan(step, 0) : this.orbit(step, 0)),
        ArrowUp: () => (e.shiftKey ? this.pan(0, -step) : this.orbit(0, -step)),
        ArrowDown: () => (e.shiftKey ? this.pan(0, step) : this.orbit(0, step)),
        '+': () => this.zoom(0.9), '=': () => this.zoom(0.9), '-': () => this.zoom(1.1),
        t: () => this.preset('top'), f: () => this.preset('front'), i: () => this.preset('iso'),
      };
      if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
    });
  }
}
