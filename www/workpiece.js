// What the loaded workpiece asks of the job: a 3D model (STL) is cut by the 3D strategies, a
// 2D drawing (SVG, DXF) by the 2D ones. The engine's registry marks each strategy with
// `drawing`; this module only picks the starting values for a drawing and words its figures.
// Shared by the page (app.js) and the embed (embed.js).

/** The strategy a drawing starts with, laid over the engine's defaults of its type: a
 * profile outside the shapes (cutting the part free) with four holding tabs per outline. */
export const DRAWING_START = { type: 'profile', tabs: 4 };
/** The start for a drawing with no closed shape (nothing to cut round): engraving its lines. */
export const OPEN_DRAWING_START = { type: 'engrave' };

/** The cutter a drawing starts with: a 3 mm (1/8 in) flat end mill. */
export function drawingTool(units) {
  return { type: 'flat', diameter: units === 'inch' ? 0.125 : 3 };
}

/** True when the registry says strategy `type` cuts a drawing. */
export function isDrawingStrategy(registry, type) {
  const s = registry && registry.strategies.find((x) => x.name === type);
  return !!(s && s.drawing);
}

/** The strategy names for a drawing (true) or a model (false), in the registry's order. */
export function strategiesFor(registry, drawing) {
  return registry.strategies.filter((s) => !!s.drawing === drawing).map((s) => s.name);
}

/** The starting strategy for a drawing whose `info()` is `info` (`strategies`: each one's
 * defaults by name). When the registry lacks that strategy, the first 2D one's defaults. */
export function drawingStrategy(registry, strategies, info) {
  const start = info && info.outlines === 0 ? OPEN_DRAWING_START : DRAWING_START;
  if (!strategies[start.type]) return structuredClone(strategies[strategiesFor(registry, true)[0]]);
  return { ...structuredClone(strategies[start.type]), ...start };
}

const plural = (n, word) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;
const dim = (v) => String(+v.toFixed(v < 10 ? 2 : 1));

/** "1 outline, 2 holes, 1 open path, 120 × 60 mm" for a drawing's `info()`. */
export function describeDrawing(info) {
  const unit = info.units === 'inch' ? 'in' : 'mm';
  return `${plural(info.outlines, 'outline')}, ${plural(info.holes, 'hole')}, ${plural(info.openPaths, 'open path')}, ${dim(info.size[0])} × ${dim(info.size[1])} ${unit}`;
}
