// The simulated stock in WebGL2: a height field drawn straight from a float texture of its
// heights, lit with normals taken from the neighbouring heights, with walls down to the
// stock's bottom. Used by viewer.js.
//
// No vertex buffer: each row of cells is one instanced triangle strip whose vertices find
// their cell from gl_VertexID and gl_InstanceID, and fetch their height from the texture.
// So the GPU holds 4 bytes per cell (the R32F texture; 3 more with per-cell colours), and a
// slider's seek re-uploads only the rows it changed (texSubImage2D).

const VS = `#version 300 es
precision highp float; precision highp int; precision highp sampler2D;
uniform mat4 uMvp; uniform mat4 uView;
uniform sampler2D uH; uniform sampler2D uC; uniform bool uUseColors;
uniform ivec2 uN; uniform int uStride; uniform vec2 uOrigin; uniform float uCell;
uniform float uBottom; uniform float uTop; uniform bool uSmooth;
out vec3 vN; out vec3 vEye; out vec3 vBase; out float vWall;
float h(int i, int j) { return texelFetch(uH, ivec2(clamp(i, 0, uN.x - 1), clamp(j, 0, uN.y - 1)), 0).r; }
void main() {
  // Vertex columns 0..mx+1 and rows 0..my+1: the ring 0 / m+1 is the walls' foot on the
  // grid's edge, the others are cell centres (every uStride-th cell).
  int mx = (uN.x + uStride - 1) / uStride, my = (uN.y + uStride - 1) / uStride;
  int vi = gl_VertexID >> 1, vj = gl_InstanceID + (gl_VertexID & 1);
  int ci = clamp((vi - 1) * uStride, 0, uN.x - 1), cj = clamp((vj - 1) * uStride, 0, uN.y - 1);
  bool x0 = vi == 0, x1 = vi == mx + 1, y0 = vj == 0, y1 = vj == my + 1;
  bool wall = x0 || x1 || y0 || y1;
  float x = x0 ? uOrigin.x : x1 ? uOrigin.x + float(uN.x) * uCell : uOrigin.x + (float(ci) + 0.5) * uCell;
  float y = y0 ? uOrigin.y : y1 ? uOrigin.y + float(uN.y) * uCell : uOrigin.y + (float(cj) + 0.5) * uCell;
  float z0 = h(ci, cj);
  float z = wall ? uBottom : z0;
  vN = vec3(0.0, 0.0, 1.0);
  if (uSmooth) {
    int s = uStride;
    int il = max(ci - s, 0), ir = min(ci + s, uN.x - 1), jd = max(cj - s, 0), ju = min(cj + s, uN.y - 1);
    float dx = (h(ir, cj) - h(il, cj)) / (float(max(ir - il, 1)) * uCell);
    float dy = (h(ci, ju) - h(ci, jd)) / (float(max(ju - jd, 1)) * uCell);
    vN = mat3(uView) * normalize(vec3(-dx, -dy, 1.0));
  }
  vEye = (uView * vec4(x, y, z, 1.0)).xyz;
  vWall = wall ? 1.0 : 0.0;
  if (uUseColors) vBase = texelFetch(uC, ivec2(ci, cj), 0).rgb;
  // Uncut top a darker tone than the cut surfaces, so what the program removed stands out.
  else vBase = z0 < uTop - 1e-4 * max(1.0, abs(uTop)) ? vec3(0.86, 0.74, 0.56) : vec3(0.62, 0.52, 0.40);
  gl_Position = uMvp * vec4(x, y, z, 1.0);
}`;

const FS = `#version 300 es
precision highp float;
uniform vec3 uKey; uniform bool uSmooth;
in vec3 vN; in vec3 vEye; in vec3 vBase; in float vWall; out vec4 o;
void main() {
  // The faces' own normal on the walls (any fragment near the ring), and everywhere when
  // the cells are a pixel or less apart; else the smooth one from the neighbouring heights.
  vec3 n = vWall > 0.0 || !uSmooth ? normalize(cross(dFdx(vEye), dFdy(vEye))) : normalize(vN);
  if (dot(n, vEye) > 0.0) n = -n;
  vec3 v = normalize(-vEye);
  float key = max(dot(n, uKey), 0.0);
  float head = max(dot(n, v), 0.0);
  float spec = pow(max(dot(reflect(-uKey, n), v), 0.0), 32.0);
  o = vec4(vBase * (0.22 + 0.45 * key + 0.38 * head) + 0.12 * spec, 1.0);
}`;

/** The key light's direction in world space (from the upper left front), before the view. */
const KEY = (() => {
  const v = [-0.35, -0.55, 1.0];
  const l = Math.hypot(...v);
  return v.map((x) => x / l);
})();

/** A linked WebGL program from vertex and fragment shader sources (the viewer's too). */
export function compile(gl, vs, fs) {
  const p = gl.createProgram();
  for (const [type, src] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]]) {
    const s = gl.createShader(type);
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
    gl.attachShader(p, s);
  }
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(p));
  return p;
}

/**
 * @typedef {{ nx: number, ny: number, origin: number[], cell: number, top: number,
 *   bottom: number }} Grid the stock's grid as the engine's Simulation.grid() gives it
 */

/** Cell colours for a signed deviation per cell: how far the stock lies above the model
 * there (the stock's height minus the model's, in the job's units). Within ±`tolerance` it
 * is green (on size); below, a gouge, red, darker the deeper (to -`max`); above, material
 * left, from yellow-green through cyan to deep blue at `max` and beyond; NaN (no model under
 * the cell) grey. `max` defaults to the largest deviation either way.
 * @param {Float32Array | Float64Array} dev one value per cell, row by row (`j * nx + i`)
 * @param {{ tolerance?: number, max?: number }} [opts]
 * @returns {Uint8Array} RGB per cell
 */
export function deviationColors(dev, { tolerance = 0.01, max } = {}) {
  let top = max;
  if (!(top > 0)) {
    top = 0;
    for (const d of dev) if (Math.abs(d) > top) top = Math.abs(d);
  }
  const span = Math.max(top - tolerance, 1e-12);
  const out = new Uint8Array(3 * dev.length);
  const put = (k, r, g, b) => { out[3 * k] = r * 255; out[3 * k + 1] = g * 255; out[3 * k + 2] = b * 255; };
  // Material left: yellow-green, cyan, deep blue (three stops, linear between).
  const ramp = [[0.75, 0.90, 0.25], [0.20, 0.80, 0.90], [0.10, 0.20, 0.85]];
  for (let k = 0; k < dev.length; k++) {
    const d = dev[k];
    if (Number.isNaN(d)) put(k, 0.5, 0.5, 0.5);
    else if (d < -tolerance) {
      const t = Math.min(1, (-d - tolerance) / span);
      put(k, 1.0 - 0.45 * t, 0.25 * (1 - t), 0.2 * (1 - t));
    } else if (d <= tolerance) put(k, 0.25, 0.78, 0.32);
    else {
      const t = Math.min(1, (d - tolerance) / span) * 2;
      const a = ramp[Math.min(1, Math.floor(t))], b = ramp[Math.min(2, Math.floor(t) + 1)], f = t - Math.floor(t);
      put(k, a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f);
    }
  }
  return out;
}

export class StockMesh {
  /** @param {WebGL2RenderingContext} gl */
  constructor(gl) {
    this.gl = gl;
    this.prog = compile(gl, VS, FS);
    this.vao = gl.createVertexArray();
    /** @type {Grid | null} */
    this.grid = null;
    this.heights = null;
    this.colors = null;
    this.maxSide = gl.getParameter(gl.MAX_TEXTURE_SIZE);
  }

  /** A float texture of `w` × `h` texels (R32F) or bytes (RGB8), nearest sampling. */
  texture(format, w, h, data) {
    const gl = this.gl;
    const t = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, t);
    for (const p of [gl.TEXTURE_MIN_FILTER, gl.TEXTURE_MAG_FILTER]) gl.texParameteri(gl.TEXTURE_2D, p, gl.NEAREST);
    for (const p of [gl.TEXTURE_WRAP_S, gl.TEXTURE_WRAP_T]) gl.texParameteri(gl.TEXTURE_2D, p, gl.CLAMP_TO_EDGE);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    if (format === 'rgb') gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGB8, w, h, 0, gl.RGB, gl.UNSIGNED_BYTE, data);
    else gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32F, w, h, 0, gl.RED, gl.FLOAT, data);
    return t;
  }

  /** A new stock: its grid and every height (row by row). Drops the colours. */
  setGrid(grid, heights) {
    this.free();
    this.grid = grid;
    if (!grid) return;
    if (heights.length !== grid.nx * grid.ny) throw new Error(`stock heights: ${heights.length} for ${grid.nx} × ${grid.ny} cells`);
    this.heights = this.texture('r32f', grid.nx, grid.ny, heights);
  }

  /** Rows `j0..j1` of heights changed (`heights` holds just those rows). */
  updateRows(j0, j1, heights) {
    const gl = this.gl, g = this.grid;
    if (!g || j1 <= j0) return;
    gl.bindTexture(gl.TEXTURE_2D, this.heights);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, j0, g.nx, j1 - j0, gl.RED, gl.FLOAT, heights);
  }

  /**
   * Colours the stock cell by cell instead of by cut and uncut: `colors` is RGB per cell
   * (Uint8Array, 3 bytes each) or a signed deviation per cell (Float32Array or
   * Float64Array, one value each, mapped by `deviationColors` with `opts`); null goes back
   * to the plain stock.
   * @param {Uint8Array | Uint8ClampedArray | Float32Array | Float64Array | null} colors
   * @param {{ tolerance?: number, max?: number }} [opts]
   */
  setColors(colors, opts) {
    const gl = this.gl, g = this.grid;
    if (!colors) {
      if (this.colors) gl.deleteTexture(this.colors);
      this.colors = null;
      return;
    }
    if (!g) throw new Error('no stock to colour');
    const n = g.nx * g.ny;
    let rgb;
    if (colors instanceof Float32Array || colors instanceof Float64Array) {
      if (colors.length !== n) throw new Error(`stock deviations: ${colors.length} values for ${n} cells`);
      rgb = deviationColors(colors, opts);
    } else {
      if (colors.length !== 3 * n) throw new Error(`stock colours: ${colors.length} bytes for ${n} cells (3 each)`);
      rgb = colors instanceof Uint8Array ? colors : new Uint8Array(colors.buffer, colors.byteOffset, colors.length);
    }
    if (this.colors) gl.deleteTexture(this.colors);
    this.colors = this.texture('rgb', g.nx, g.ny, rgb);
  }

  /** Draws the stock with `mvp` and `view`, every `stride`-th cell; `smooth`: normals from
   * the neighbouring heights (four more texture reads per vertex, which only show where a
   * cell is several pixels wide) rather than each triangle's own. */
  draw(mvp, view, stride = 1, smooth = false) {
    const gl = this.gl, g = this.grid, p = this.prog;
    if (!g) return;
    gl.useProgram(p);
    const u = (name) => gl.getUniformLocation(p, name);
    gl.uniformMatrix4fv(u('uMvp'), false, mvp);
    gl.uniformMatrix4fv(u('uView'), false, view);
    gl.uniform3fv(u('uKey'), [0, 1, 2].map((r) => view[r] * KEY[0] + view[4 + r] * KEY[1] + view[8 + r] * KEY[2]));
    gl.uniform2i(u('uN'), g.nx, g.ny);
    gl.uniform1i(u('uStride'), stride);
    gl.uniform2f(u('uOrigin'), g.origin[0], g.origin[1]);
    gl.uniform1f(u('uCell'), g.cell);
    gl.uniform1f(u('uBottom'), g.bottom);
    gl.uniform1f(u('uTop'), g.top);
    gl.uniform1i(u('uSmooth'), smooth ? 1 : 0);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.heights);
    gl.uniform1i(u('uH'), 0);
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_2D, this.colors);
    gl.uniform1i(u('uC'), 1);
    gl.uniform1i(u('uUseColors'), this.colors ? 1 : 0);
    gl.activeTexture(gl.TEXTURE0);
    // Behind the toolpath (which runs on the cut surface) but in front of the model.
    gl.enable(gl.POLYGON_OFFSET_FILL);
    gl.polygonOffset(1, 1);
    gl.bindVertexArray(this.vao);
    const mx = Math.ceil(g.nx / stride), my = Math.ceil(g.ny / stride);
    gl.drawArraysInstanced(gl.TRIANGLE_STRIP, 0, 2 * (mx + 2), my + 1);
    gl.bindVertexArray(null);
    gl.disable(gl.POLYGON_OFFSET_FILL);
  }

  free() {
    const gl = this.gl;
    if (this.heights) gl.deleteTexture(this.heights);
    if (this.colors) gl.deleteTexture(this.colors);
    this.heights = this.colors = null;
    this.grid = null;
  }
}
