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

/** Debian's chromium, started the way this network needs (no background connections). */
export async function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

/** Serves `dir` on a free localhost port with www/serve.mjs; returns { url, close }. */
export async function serveDir(dir) {
  const { serve } = await import('../www/serve.mjs');
  const server = await serve(dir, 0);
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}
