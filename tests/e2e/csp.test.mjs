// The Content-Security-Policy check the browser tests rely on (tests/helpers.mjs) can fail: a
// page served by www/serve.mjs with an inline script is blocked, and the violation is caught.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, serveDir } from '../helpers.mjs';

test('serve.mjs sends the CSP, and a violation is caught by the browser helper', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sparrow-csp-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>csp</title><script src="ok.js"></script><script>document.title = "inline ran"</script>');
  writeFileSync(join(dir, 'ok.js'), 'document.documentElement.dataset.external = "ran";');
  const server = await serveDir(dir);
  const browser = await launchChromium();
  try {
    const response = await fetch(server.url);
    assert.equal(response.headers.get('content-security-policy'), "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'");
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => document.documentElement.dataset.external === 'ran');
    await new Promise((ok) => setTimeout(ok, 300));
    assert.equal(await page.title(), 'csp', 'the inline script was blocked');
    assert.ok(browser.cspViolations.some((v) => /Content Security Policy/.test(v)), `caught: ${browser.cspViolations}`);
    browser.cspViolations.length = 0; // expected here; any other test fails on one
  } finally {
    await browser.close();
    await server.close();
  }
});
