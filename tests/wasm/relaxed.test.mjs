// The relaxed-SIMD build of the full module (issue 17), in node: Node 20 validates relaxed-SIMD
// only with --experimental-wasm-relaxed-simd, so the parity tests run once more in a child node
// with it, where the package must pick that build by itself (SPARROW_SIMD=relaxed-simd makes
// parity.test.mjs assert so). Chromium picks it by default (tests/e2e: the notes PWA).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('the relaxed-SIMD build passes the parity tests, chosen by feature detection', () => {
  const parity = fileURLToPath(new URL('./parity.test.mjs', import.meta.url));
  // Without NODE_TEST_CONTEXT (set for `node --test`'s own children): the child reports as a
  // top-level run, in text.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const run = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--test', '--test-reporter=spec', parity], {
    env: { ...env, SPARROW_SIMD: 'relaxed-simd' },
    encoding: 'utf8',
    timeout: 600_000,
  });
  process.stdout.write(run.stdout.replace(/^/gm, '  | '));
  process.stderr.write(run.stderr);
  assert.equal(run.status, 0, 'parity.test.mjs failed on the relaxed-SIMD build (output above)');
  assert.match(run.stdout, /relaxed-simd build of the full module is the one instantiated/);
  assert.match(run.stdout, /# relaxed-simd int8 wasm vs native/);
});

test('without relaxed-SIMD the engine gets the simd128 build', async (t) => {
  // This node has no relaxed-SIMD flag: the probe must fail here (Node 20), and the default
  // init must then load the simd128 file. A node that has relaxed-SIMD by default skips this.
  const { hasRelaxedSimd, init, simdLevel } = await import('../../pkg/dist/index.js');
  if (hasRelaxedSimd()) {
    t.skip('this node runs relaxed-SIMD by default');
    return;
  }
  await init();
  assert.equal(simdLevel(), 'simd128');
});
