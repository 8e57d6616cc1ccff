// Encoder parity in wasm under node: the same reference vectors the native tests use
// (tests/fixtures/splade/reference-vectors.jsonl, from the transformers implementation).
// Token ids must match exactly; cosine >= 0.9999 (f32 model) and >= 0.99 (int8 model).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { Sparrow } from '../../pkg/dist/index.js';

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
  test(`wasm parity: ${variant} model, ${refs.length} reference texts`, async () => {
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
    console.log(`# ${variant}: worst cosine ${worst.cosine.toFixed(6)}${worst.text ? ` (${worst.text}...)` : ''}`);
    sparrow.dispose();
  });
}
