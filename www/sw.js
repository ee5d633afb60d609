// Service worker: precaches the app shell, the wasm and its glue on install, then serves
// them cache-first so the page loads and generates with no network. The cache name carries
// the build hash (pkg/build.js, written by scripts/build-web.sh), so a new build installs a
// new cache and the old one is deleted on activation.
importScripts('./pkg/build.js');
const sw = /** @type {ServiceWorkerGlobalScope & { SWARF_BUILD: string }} */ (/** @type {unknown} */ (self));
const CACHE = 'swarf-' + sw.SWARF_BUILD;
const SHELL = [
  './', 'index.html', 'style.css', 'app.js', 'engine-client.js', 'worker.js', 'pool-worker.js', 'viewer.js',
  'settings.js', 'operations.js', 'format.js', 'workpiece.js', 'simulation.js', 'stock-view.js', 'toollib.js', 'embed.js',
  'manifest.webmanifest',
  'icons/icon.svg', 'icons/icon-192.png', 'icons/icon-512.png',
  'pkg/swarf.js', 'pkg/swarf_bg.wasm', 'pkg/build.js',
];

sw.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => sw.skipWaiting()));
});

sw.addEventListener('activate', (e) => {
  e.waitUntil((async () => {
    for (const k of await caches.keys()) if (k.startsWith('swarf-') && k !== CACHE) await caches.delete(k);
    await sw.clients.claim();
  })());
});

sw.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== location.origin) return;
  e.respondWith((async () => {
    const hit = await caches.match(req, { ignoreSearch: true });
    if (hit) return hit;
    return fetch(req);
  })());
});
