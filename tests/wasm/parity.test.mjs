// Encoder parity in wasm under node: the same reference vectors the native tests use
// (tests/fixtures/splade/reference-vectors.jsonl, from the transformers implementation).
// Token ids must match exactly; cosine >= 0.9999 (f32 model) and >= 0.99 (int8 model).
//
// The package's full module comes in two builds (issue 17): simd128 and relaxed-SIMD. One node
// process instantiates one, so this file runs twice: as it is, on the simd128 build (forced, so
// that it is tested whatever the engine supports), and from relaxed.test.mjs in a node with
// relaxed-SIMD enabled and SPARROW_SIMD=relaxed-simd, on the build the package picks there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { hasRelaxedSimd, init, simdLevel, Sparrow } from '../../pkg/dist/index.js';

const SIMD = process.env.SPARROW_SIMD ?? 'simd128';
if (SIMD === 'relaxed-simd') {
  assert.ok(hasRelaxedSimd(), 'SPARROW_SIMD=relaxed-simd needs a node with relaxed-SIMD (--experimental-wasm-relaxed-simd)');
  await init();
} else {
  await init(new URL('../../pkg/wasm/sparrow_wasm_bg.wasm', import.meta.url));
}
test(`the ${SIMD} build of the full module is the one instantiated`, () => {
  assert.equal(simdLevel(), SIMD);
});

const modelDir = new URL(`file://${process.env.SPARROW_MODEL_DIR ?? new URL('../../model/build/', import.meta.url).pathname}/`);
const refs = readFileSync(new URL('../fixtures/splade/reference-vectors.jsonl', import.meta.url), 'utf8')
  .trim().split('\n').map((l) => JSON.parse(l));

function cosine(a, b) {
  let dot = 0, na = 0, nb = 0;
  for (const [k, v] of a) { na += v * v; dot += v * (b.get(k) ?? 0); }
  for (const v of b.values()) nb += v * v;
  return na === 0 && nb === 0 ? 1 : dot / Math.sqrt(na * nb);
}

for (const [variant, minCosine] of [['f32', 0.9999], ['int8', 0.99]]) {
  test(`wasm parity (${SIMD}): ${variant} model, ${refs.length} reference texts`, async () => {
    const file = new URL(`splade-tiny.${variant}.onnx`, modelDir);
    assert.ok(existsSync(file), `${file.pathname} missing: run model/build.sh first`);
    const sparrow = await Sparrow.create({
      model: {
        model: file,
        tokenizer: new URL('tokenizer.json', modelDir),
        // the reference truncates at 256 tokens and encodes every language, without pruning
        config: { maxTokens: 256, maxWindows: 1, language: 'any', threshold: 0 },
      },
    });
    const worst = { cosine: 1 };
    for (const ref of refs) {
      const expanded = sparrow.encodeDocument(ref.text);
      const got = new Map(expanded.terms.map((t) => [t.termId, t.weight]));
      const want = new Map(Object.entries(ref.weights).map(([k, v]) => [Number(k), v]));
      const c = cosine(want, got);
      if (c < worst.cosine) Object.assign(worst, { cosine: c, text: ref.text.slice(0, 40) });
      assert.ok(c >= minCosine, `${variant} cosine ${c.toFixed(6)} < ${minCosine} for ${JSON.stringify(ref.text.slice(0, 60))}`);
      assert.deepEqual(sparrow.tokenIds(ref.text), ref.input_ids, `token ids of ${JSON.stringify(ref.text.slice(0, 40))}`);
    }
    console.log(`# ${SIMD} ${variant}: worst cosine ${worst.cosine.toFixed(6)}${worst.text ? ` (${worst.text}...)` : ''}`);
    sparrow.dispose();
  });
}

// The int8 decoder runs on an integer kernel in wasm (i16 hidden states and `i32x4.dot_i16x8_s`;
// in the relaxed-SIMD build 14-bit ones split in 7-bit halves and
// `i32x4.relaxed_dot_i8x16_i7x16_add_s`) and on the dequantized f32 kernel natively: both must give the same vectors, term by term,
// within what the per-token i16 quantization moves (the `sparrow encode` CLI is the native side).
test(`wasm int8 (${SIMD} integer kernel) gives the native encoder's weights`, async () => {
  const target = process.env.CARGO_TARGET_DIR ?? '/var/tmp/sparrow-target';
  const cli = join(target, 'debug/sparrow');
  assert.ok(existsSync(cli), `${cli} missing: cargo build -p sparrow-cli`);
  const sparrow = await Sparrow.create({
    model: {
      model: new URL('splade-tiny.int8.onnx', modelDir),
      tokenizer: new URL('tokenizer.json', modelDir),
      config: { maxWindows: 1, language: 'any' },
    },
  });
  let worst = 0;
  let terms = 0;
  for (const ref of refs.slice(0, 12)) {
    const out = execFileSync(cli, ['encode', '--model', modelDir.pathname, '--int8', '--json', '--top', '0', '--max-windows', '1', '--any-language', ref.text], { encoding: 'utf8' });
    const native = new Map(JSON.parse(out).terms.map((t) => [t.id, t.weight]));
    const wasm = new Map(sparrow.encodeDocument(ref.text).terms.map((t) => [t.termId, t.weight]));
    for (const id of new Set([...native.keys(), ...wasm.keys()])) {
      const d = Math.abs((native.get(id) ?? 0) - (wasm.get(id) ?? 0));
      worst = Math.max(worst, d);
      assert.ok(d <= 2e-3, `term ${id} of ${JSON.stringify(ref.text.slice(0, 40))}: native ${native.get(id)} vs wasm ${wasm.get(id)}`);
    }
    terms += native.size;
  }
  assert.ok(terms > 200, `${terms} terms compared`);
  console.log(`# ${SIMD} int8 wasm vs native: ${terms} terms, largest difference ${worst.toExponential(2)}`);
  sparrow.dispose();
});
