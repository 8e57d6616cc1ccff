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
