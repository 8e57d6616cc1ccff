// Shared helpers for the cross-language tests.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));
mkdirSync(artifacts, { recursive: true });

/** The Node.js API docs (HTML): the nodejs-doc .deb that scripts/setup.sh unpacks into its cache
 * (the same default as scripts/env.sh; NODEJS_DOCS overrides). */
export const nodejsDocs = process.env.NODEJS_DOCS
  ?? join(process.env.SPARROW_CACHE ?? join(homedir(), '.cache/sparrow'), 'nodejs-doc/usr/share/doc/nodejs/api');

export function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });
}

/** The built package; tests fail (not skip) when it is missing. */
export function pkgDir() {
  const dir = `${root}pkg`;
  if (!existsSync(`${dir}/package.json`)) throw new Error('pkg/ is missing: run node pkg-config/scripts/build.mjs first');
  return dir;
}

/** What Chromium logs when the Content-Security-Policy blocks something. */
export const CSP_VIOLATION = /Content Security Policy|Refused to (load|execute|compile|create|connect|apply|evaluate|frame)/;

/**
 * Debian's chromium, started the way this network needs (no background connections). Every
 * context it opens is watched for Content-Security-Policy violations (www/serve.mjs sends the
 * policy Sparrow documents): `browser.close()` then fails the test, listing them.
 */
export async function launchChromium() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const violations = [];
  const watch = cspWatcher(violations);
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args) => watch(await newContext(...args));
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (...args) => {
    const page = await newPage(...args);
    watch(page.context());
    return page;
  };
  return failOnClose(browser, violations);
}

/**
 * A browser with a profile in `dir` that outlives it (`launchPersistentContext`): a second
 * launch on the same `dir` is a browser restart, with the site's storage kept. Watched for CSP
 * violations like {@link launchChromium}; `context.close()` fails on any.
 */
export async function launchPersistent(dir) {
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, acceptDownloads: true });
  const violations = [];
  cspWatcher(violations)(context);
  return failOnClose(context, violations);
}

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

function cspWatcher(violations) {
  const watched = new WeakSet();
  return (context) => {
    if (watched.has(context)) return context;
    watched.add(context);
    context.on('console', (m) => {
      if (CSP_VIOLATION.test(m.text())) violations.push(`${m.location()?.url ?? ''}: ${m.text()}`);
    });
    // The event the page sees, too (workers' violations reach the console above).
    context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    return context;
  };
}

/** Makes `target.close()` (a browser or a persistent context) fail on any CSP violation seen. */
function failOnClose(target, violations) {
  const close = target.close.bind(target);
  target.close = async (...args) => {
    await close(...args);
    if (violations.length) throw new Error(`Content-Security-Policy violations:\n${[...new Set(violations)].join('\n')}`);
  };
  target.cspViolations = violations;
  return target;
}

/** Serves `dir` on a free localhost port with www/serve.mjs; returns { url, close }. */
export async function serveDir(dir) {
  const { serve } = await import('../www/serve.mjs');
  const server = await serve(dir, 0);
  // Never what keeps a test file's process alive: a test that fails before `close()` (a browser
  // that throws on close, say) ends with its failure instead of waiting for the runner's timeout.
  server.unref();
  const { port } = server.address();
  const close = () => new Promise((ok) => {
    server.close(ok);
    server.closeAllConnections();
  });
  return { url: `http://127.0.0.1:${port}/`, close };
}
