/**
 * The Web Worker entry (also runs under node's `worker_threads`). It owns one {@link Sparrow}
 * and answers {@link Request}s from {@link SparrowWorker}, so model inference never blocks the
 * page. Only plain data crosses; errors keep their `code`.
 * @module
 */
import { Sparrow } from './sparrow.js';
import { SparrowError } from './errors.js';
import { loadSite, type SiteSearch } from './site.js';
import type { Request, Response } from './protocol.js';

interface Port {
  postMessage(message: Response, transfer?: Transferable[]): void;
}

let sparrow: Sparrow | undefined;
/** Set by `loadSite`: searches fetch the postings shards they need first. */
let site: SiteSearch | undefined;

function instance(): Sparrow {
  if (!sparrow) throw new SparrowError('NOT_READY', 'the worker has no index yet: call create() or load() first');
  return sparrow;
}

async function handle(port: Port, req: Request): Promise<unknown> {
  switch (req.method) {
    case 'create':
      site = undefined;
      sparrow?.dispose();
      sparrow = await Sparrow.create(req.args[0]);
      return { size: sparrow.size, hasModel: sparrow.hasModel };
    case 'load':
      site = undefined;
      sparrow?.dispose();
      sparrow = await Sparrow.load(req.args[0], req.args[1]);
      return { size: sparrow.size, hasModel: sparrow.hasModel };
    case 'loadSite': {
      sparrow?.dispose();
      site = undefined;
      const { sparrow: loaded, site: loadedSite, ...figures } = await loadSite(req.args[0], req.args[1]);
      sparrow = loaded;
      site = loadedSite;
      return figures;
    }
    case 'search':
      return site ? site.search(req.args[0], req.args[1]) : instance().search(req.args[0], req.args[1]);
    case 'siteLoad':
      if (!site) throw new SparrowError('NOT_READY', 'the worker has no site index: call loadSite() first');
      return site.load();
    case 'addDocuments':
      return instance().addDocuments(req.args[0], {
        batchSize: req.args[1],
        onProgress: (done, total) => port.postMessage({ id: req.id, progress: [done, total] }),
      });
    case 'toBytes': {
      const bytes = instance().toBytes();
      return bytes;
    }
    case 'loadModel':
      return instance().loadModel(req.args[0]);
    case 'size':
      return instance().size;
    case 'hasModel':
      return instance().hasModel;
    default: {
      const target = instance() as unknown as Record<string, (...a: unknown[]) => unknown>;
      const allowed = ['addDocument', 'updateDocument', 'removeDocument', 'has', 'getDocument', 'search', 'encodeQuery', 'encodeDocument', 'stats', 'vacuum', 'loadBytes'];
      if (!allowed.includes(req.method)) throw new SparrowError('INVALID_REQUEST', `unknown method ${req.method}`);
      return target[req.method]!(...req.args);
    }
  }
}

async function serve(port: Port, req: Request): Promise<void> {
  try {
    const result = await handle(port, req);
    const transfer = result instanceof Uint8Array ? [result.buffer] : [];
    port.postMessage({ id: req.id, result }, transfer as Transferable[]);
  } catch (e) {
    const err = SparrowError.from(e);
    port.postMessage({ id: req.id, error: { code: err.code, message: err.message } });
  }
}

// Requests are served one at a time, in order, so a search never sees a half-added batch.
let queue: Promise<void> = Promise.resolve();
function enqueue(port: Port, req: Request): void {
  queue = queue.then(() => serve(port, req));
}

declare const process: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } | undefined;
const isNodeWorker = typeof process !== 'undefined' && !!process?.versions?.node && typeof self === 'undefined';

type NodePort = { on(ev: 'message', f: (m: Request) => void): void } & Port;

if (isNodeWorker) {
  // No top-level await: bundlers build workers as iife by default (Vite does), which has none.
  // Attach synchronously when node allows it (>= 20.16), so no early message is missed.
  const threads = 'node:worker_threads';
  const attach = (mod: { parentPort: NodePort }) => mod.parentPort.on('message', (req) => enqueue(mod.parentPort, req));
  const sync = process?.getBuiltinModule?.(threads) as { parentPort: NodePort } | undefined;
  if (sync) attach(sync);
  else void import(/* @vite-ignore */ threads).then(attach);
} else {
  const scope = self as unknown as Port & { onmessage: ((ev: MessageEvent<Request>) => void) | null };
  scope.onmessage = (ev) => enqueue(scope, ev.data);
}
