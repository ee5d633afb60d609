// Offline after one visit (service worker), and the embed element on a host page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, waitStatus } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('after the service worker installs, the page reloads and generates offline', async () => {
  const s = await open(browser);
  await waitStatus(s.page, /triangles loaded/);
  await s.page.evaluate(async () => { await navigator.serviceWorker.ready; });
  const manifest = await s.page.evaluate(async () => (await fetch('manifest.webmanifest')).json());
  assert.ok(manifest.icons.some((i) => i.sizes === '512x512'), 'installable: a 512 px icon');
  await s.context.setOffline(true);
  await s.page.reload();
  assert.ok(await s.page.evaluate(() => !!navigator.serviceWorker.controller), 'controlled by the service worker');
  await waitStatus(s.page, /demo: .*triangles loaded/);
  await s.page.getByRole('button', { name: 'Generate' }).click();
  assert.match((await waitStatus(s.page, /Toolpath ready|Error/)).status, /Toolpath ready/);
  await s.context.setOffline(false);
  await s.close();
});

test('the embed example: <swarf-cam> loads its model and hands G-code to its own listener', async () => {
  const s = await open(browser, 'embed.html');
  const cam = s.page.locator('swarf-cam');
  await cam.getByRole('status').filter({ hasText: /part\.stl: [\d,]+ triangles/ }).waitFor({ timeout: 30_000 });
  // A listener on the document must not see the event: it does not bubble out of the element.
  await s.page.evaluate(() => {
    window.leaked = false;
    document.addEventListener('gcode', () => { window.leaked = true; }, true);
    window.addEventListener('gcode', () => { window.leaked = true; });
  });
  await cam.getByRole('button', { name: 'Generate' }).click();
  await s.page.locator('#received').filter({ hasText: /part\.stl: \d+ lines/ }).waitFor({ timeout: 30_000 });
  assert.equal(await cam.getByRole('button', { name: 'Download' }).isEnabled(), true);
  await s.close();
});
