// The demo site (www/) in a real Chromium: it loads the package, indexes its sample documents in
// a worker, finds a semantic-only match as you type, and finds a document added from the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, launchChromium, pkgDir, root, run, serveDir } from '../helpers.mjs';

test('demo: search as you type, semantic match, add a document and find it', async () => {
  pkgDir();
  run(process.execPath, [join(root, 'www/node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: join(root, 'www') });
  const server = await serveDir(join(root, 'www/dist'));
  const browser = await launchChromium();
  const errors = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });

    await page.fill('#q', 'shots that prevent illness');
    await page.waitForSelector('#results li');
    const first = await page.getAttribute('#results li:first-child', 'data-id');
    assert.equal(first, 'vaccines');
    assert.match(await page.textContent('#results li:first-child'), /meaning:/);

    await page.fill('form#add input[name=title]', 'Sourdough');
    await page.fill('form#add textarea[name=text]', 'Bread leavened by wild yeast and lactobacilli in a fermented starter.');
    await page.click('form#add button');
    // the form resets once the document is added (the status line is then overwritten by the search)
    await page.waitForFunction(() => document.querySelector('form#add input[name=title]')?.value === '');
    await page.fill('#q', 'sourdough bread');
    await page.waitForFunction(() => document.querySelector('#results li strong')?.textContent === 'Sourdough');
    await page.screenshot({ path: join(artifacts, 'demo.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
