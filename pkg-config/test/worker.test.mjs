// The worker client, in a node worker_threads worker (same script as the browser's Web Worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SparrowWorker, SparrowError } from '../../pkg/dist/index.js';
import { docs, semanticOnly } from './corpus.mjs';

test('worker: add with progress, search, errors keep their code', { timeout: 120_000 }, async () => {
  const worker = await SparrowWorker.create();
  const progress = [];
  const reports = await worker.addDocuments(docs, { batchSize: 2, onProgress: (d, t) => progress.push([d, t]) });
  assert.equal(reports.length, docs.length);
  assert.deepEqual(progress, [[2, 6], [4, 6], [6, 6]]);
  assert.equal(await worker.size(), docs.length);
  for (const [query, expected] of semanticOnly) {
    const hits = await worker.search(query, { explain: true });
    assert.equal(hits[0].id, expected);
  }
  await assert.rejects(worker.addDocument({ id: 'tides', text: 'dup' }), (e) => e instanceof SparrowError && e.code === 'DUPLICATE_ID');
  const bytes = await worker.toBytes();
  assert.ok(bytes instanceof Uint8Array && bytes.length > 100);
  await worker.terminate();
});

test('worker: calls before create() fail clearly', { timeout: 60_000 }, async () => {
  const { Worker } = await import('node:worker_threads');
  const raw = new Worker(new URL('../../pkg/dist/worker.js', import.meta.url));
  const reply = await new Promise((resolve) => {
    raw.on('message', resolve);
    raw.postMessage({ id: 1, method: 'search', args: ['x'] });
  });
  assert.equal(reply.error.code, 'NOT_READY');
  await raw.terminate();
});

test('SparrowWorker has every public member of Sparrow, as an async method (one typed method map)', async () => {
  const { Sparrow } = await import('../../pkg/dist/index.js');
  const members = (proto) => {
    const out = new Set();
    for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const name of Object.getOwnPropertyNames(p)) if (name !== 'constructor') out.add(name);
    }
    return out;
  };
  const worker = members(SparrowWorker.prototype);
  assert.deepEqual([...members(Sparrow.prototype)].filter((m) => !worker.has(m)), []);
  for (const name of worker) {
    assert.equal(typeof Object.getOwnPropertyDescriptor(SparrowWorker.prototype, name)?.value ?? 'inherited', 'function', name);
  }
  for (const name of ['create', 'load', 'loadBase']) assert.equal(typeof SparrowWorker[name], 'function', `static ${name}`);
  assert.equal(typeof SparrowWorker.loadSite, 'function');
});

/** The package's worker script in a node worker, counting the batches it is asked to encode. */
async function countingWorker(counter) {
  const { Worker } = await import('node:worker_threads');
  const w = new Worker(new URL('../../pkg/dist/worker.js', import.meta.url));
  return {
    postMessage(m, t) {
      if (m.method === 'encodeDocuments') counter.batches += 1;
      w.postMessage(m, t);
    },
    on: (type, f) => w.on(type, f),
    terminate: () => w.terminate(),
  };
}

const many = Array.from({ length: 40 }, (_, i) => ({ ...docs[i % docs.length], id: `d${i}`, text: `${docs[i % docs.length].text} (note ${i})` }));

test('worker: encoding spread over 3 workers makes the same index, byte for byte, and fails whole', { timeout: 600_000 }, async () => {
  const one = await SparrowWorker.create({ encoders: 1 });
  const helpers = { batches: 0 };
  const three = await SparrowWorker.create({ encoders: 3, spawnWorker: () => countingWorker(helpers) });
  try {
    const expected = await one.addDocuments(many, { batchSize: 4 });
    const progress = [];
    const reports = await three.addDocuments(many, { batchSize: 4, onProgress: (d, t) => progress.push([d, t]) });
    assert.deepEqual(reports, expected, 'the same reports, in order');
    assert.ok(helpers.batches > 0 && helpers.batches < 10, `the two extra workers encoded some of the 10 batches: ${helpers.batches}`);
    assert.deepEqual(await three.toBytes(), await one.toBytes(), 'the same index bytes');
    assert.equal(progress.length, 10);
    assert.deepEqual(progress.at(-1), [40, 40]);
    assert.ok(progress.every(([d], i) => i === 0 || d > progress[i - 1][0]), `progress only grows: ${JSON.stringify(progress)}`);
    const [hit] = await three.search(semanticOnly[0][0]);
    assert.equal(many.find((d) => d.id === hit.id).title, 'How vaccines work');

    // Nothing is half-added, whatever fails: a duplicate id, a bad document, a throwing callback.
    const more = many.map((d, i) => ({ ...d, id: `m${i}` }));
    await assert.rejects(three.addDocuments([...more.slice(0, 20), { id: 'd3', text: 'dup' }]), (e) => e.code === 'DUPLICATE_ID');
    const bad = [...more.slice(0, 13), { id: 'bad', text: 42 }, ...more.slice(13)];
    await assert.rejects(three.addDocuments(bad), (e) => e.code === 'INVALID_DOCUMENT' && /document #13/.test(e.message));
    await assert.rejects(
      three.addDocuments(more, { onProgress: (d) => { if (d > 8) throw new Error('stop'); } }),
      (e) => e.code === 'CALLBACK_FAILED' && /stop/.test(e.message),
    );
    assert.equal(await three.size(), 40);
    assert.deepEqual(await three.toBytes(), await one.toBytes(), 'unchanged by the failed calls');
  } finally {
    await one.terminate();
    await three.terminate();
  }
});

test('worker: extra encoders that cannot start leave encoding to the index worker', { timeout: 300_000 }, async () => {
  const { Worker } = await import('node:worker_threads');
  const worker = await SparrowWorker.create({ encoders: 2, spawnWorker: () => new Worker('throw new Error("no room")', { eval: true }) });
  try {
    const reports = await worker.addDocuments(many.slice(0, 20), { batchSize: 4 });
    assert.equal(reports.length, 20);
    assert.equal(await worker.size(), 20);
  } finally {
    await worker.terminate();
  }
  await assert.rejects(SparrowWorker.create({ encoders: 0 }), (e) => e.code === 'INVALID_OPTION');
});

test('worker: URL objects for the wasm and the model are accepted (posted as their href)', async () => {
  // A URL object cannot be structured-cloned; the client must not hand one to postMessage.
  const worker = await SparrowWorker.create({
    wasm: new URL('../../pkg/wasm/sparrow_wasm_bg.wasm', import.meta.url),
    model: { model: new URL('../../pkg/model/splade-tiny.int8.onnx', import.meta.url), tokenizer: new URL('../../pkg/model/tokenizer.json', import.meta.url) },
  });
  try {
    await worker.addDocuments(docs.slice(0, 2));
    assert.equal(await worker.size(), 2);
    assert.ok((await worker.search(docs[0].text.split(' ').slice(0, 3).join(' '))).length > 0);
  } finally {
    await worker.terminate();
  }
});
