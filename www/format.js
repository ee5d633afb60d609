// Human-readable numbers for the statistics panel.
export function bytes(n) {
  if (n == null || !Number.isFinite(n)) return '–';
  const u = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
}
export function count(n) {
  return n == null ? '–' : Number(n).toLocaleString('en');
}
export function duration(s) {
  if (s == null || !Number.isFinite(s)) return '–';
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.round(s % 60);
  return h ? `${h} h ${m} min` : m ? `${m} min ${sec} s` : `${sec} s`;
}
/** A file name's stem, safe for a download name. */
function stem(name) {
  const s = String(name || 'model').replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_').replace(/^[._]+/, '');
  return s.slice(0, 80) || 'model';
}
/** A program's download name: the model's stem and the dialect's extension (the engine's
 * registry says which). */
export function programName(registry, modelName, dialect) {
  const d = registry && registry.dialects.find((x) => x.name === dialect);
  return stem(modelName) + '.' + (d ? d.extension : 'nc');
}
