#!/usr/bin/env node
// Model load time in wasm, several loads in one node process: the first pays V8 compiling the
// wasm code that tract's loader runs; later ones show the load itself.
//
//   node tests/bench/model-load.mjs [int8,f32,int8,f32]
//
// Needs: pkg/ (node pkg-config/scripts/build.mjs), model/build (model/build.sh).
import { readFileSync } from 'node:fs';
import { Sparrow } from '../../pkg/dist/index.js';

const dir = new URL('../../model/build/', import.meta.url);
const order = (process.argv[2] ?? 'int8,f32,int8,f32').split(',');
const tokenizer = readFileSync(new URL('tokenizer.json', dir));
const loads = [];
for (const variant of order) {
  const model = readFileSync(new URL(`splade-tiny.${variant}.onnx`, dir));
  const s = await Sparrow.create({ model: false });
  const t = performance.now();
  await s.loadModel({ model, tokenizer });
  loads.push({ variant, ms: Math.round(performance.now() - t) });
  if (!s.encodeQuery('vaccines prevent illness').length) throw new Error('empty expansion');
  s.dispose();
}
const build = JSON.parse(readFileSync(new URL('../../pkg/build-info.json', import.meta.url), 'utf8'));
console.log(JSON.stringify({ package: build.profile, loads }));
