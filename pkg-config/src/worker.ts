/**
 * The Web Worker entry (also runs under node's `worker_threads`). It owns one {@link Sparrow}
 * and answers {@link Request}s from {@link SparrowWorker}, so model inference never blocks the
 * page. Only plain data crosses; errors keep their `code`. Which methods exist is the typed map
 * in `protocol.ts`, shared with the client.
 * @module
 */
import { Sparrow } from './sparrow.js';
import { SparrowError } from './errors.js';
import { loadSite } from './index.js';
import type { SiteSearch } from './site.js';
import { FORWARDED, GETTERS, type Method, type Methods, type Request, type Response } from './protocol.js';

interface Port {
  postMessage(message: Response, transfer?: Transferable[]): void;
}

let sparrow: Sparrow | undefined;
/** Set by `loadSite`: searches fetch the shards and fragments they need first. */
let site: SiteSearch<Sparrow> | undefined;

function instance(): Sparrow {
  if (!sparrow) throw new SparrowError('NOT_READY', 'the worker has no index yet: call create() or load() first');
  return sparrow;
}

function replace(next: Sparrow, nextSite?: SiteSearch<Sparrow>): void {
  sparrow?.dispose();
  sparrow = next;
  site = nextSite;
}

/** The lifecycle methods; the rest are forwarded to the instance (or the site, for `search`). */
function lifecycle(port: Port, id: number): { [K in keyof Methods]?: (...args: never[]) => unknown } {
  return {
    create: async (options) => {
      replace(await Sparrow.create(options));
      return { size: sparrow!.size, hasModel: sparrow!.hasModel };
    },
    load: async (bytes, options) => {
      replace(await Sparrow.load(bytes, options));
      return { size: sparrow!.size, hasModel: sparrow!.hasModel };
    },
    loadBase: async (bytes, options) => {
      replace(await Sparrow.loadBase(bytes, options));
      return { size: sparrow!.size, hasModel: sparrow!.hasModel };
    },
    loadSite: async (url, options) => {
      const { sparrow: loaded, site: loadedSite, ...figures } = await loadSite(url, options);
      replace(loaded, loadedSite);
      return figures;
    },
    siteLoad: () => {
      if (!site) throw new SparrowError('NOT_READY', 'the worker has no site index: call loadSite() first');
      return site.load();
    },
    addDocuments: (docs, batchSize) =>
      instance().addDocuments(docs, { batchSize, onProgress: (done, total) => port.postMessage({ id, progress: [done, total] }) }),
    search: (query, options) => (site ? site.search(query, options) : instance().search(query, options)),
    dispose: () => {
      sparrow?.dispose();
      sparrow = undefined;
      site = undefined;
    },
  } satisfies { [K in Method]?: (...args: Parameters<Methods[K]>) => unknown };
}

async function handle(port: Port, req: Request): Promise<unknown> {
  const own = lifecycle(port, req.id)[req.method] as ((...a: unknown[]) => unknown) | undefined;
  if (own) return own(...req.args);
  if ((GETTERS as readonly string[]).includes(req.method)) return instance()[req.method as (typeof GETTERS)[number]];
  if ((FORWARDED as readonly string[]).includes(req.method)) {
    const target = instance() as unknown as Record<string, (...a: unknown[]) => unknown>;
    return target[req.method]!(...req.args);
  }
  throw new SparrowError('INVALID_REQUEST', `unknown method ${String(req.method)}`);
}

async function serve(port: Port, req: Request): Promise<void> {
  try {
    const result = await handle(port, req);
    const transfer = result instanceof Uint8Array ? [result.buffer] : [];
    port.postMessage({ id: req.id, result }, transfer as Transferable[]);
  } catch (e) {
    const err = SparrowError.from(e) as SparrowError & { shards?: number[]; fragments?: number[] };
    port.postMessage({ id: req.id, error: { code: err.code, message: err.message, shards: err.shards, fragments: err.fragments } });
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
