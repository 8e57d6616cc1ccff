/**
 * Sparrow: hybrid (BM25 + learned-sparse) search in the browser, in WebAssembly.
 *
 * ```ts
 * import { Sparrow } from 'sparrow-search';
 * const sparrow = await Sparrow.create();
 * sparrow.addDocuments([{ id: 'a', text: 'The seasons come from the tilt of the Earth.' }]);
 * console.log(sparrow.search('why is winter cold', { explain: true })[0]);
 * ```
 *
 * For search only (a prebuilt index, no model in the page), import `sparrow-search/lite`.
 * @module
 */
import { fullWasm } from './full-wasm.js';
import { readBytes, sha256Hex } from './load.js';
import { openSite, type SiteLoad, type SiteSearch } from './site.js';
import { resolveModel, Sparrow } from './sparrow.js';
import type { BytesSource, FormatVersions, SparrowOptions } from './types.js';

export { Sparrow } from './sparrow.js';
export type { AddDocumentsOptions, EncodedBatch } from './sparrow.js';
export { SparrowBase } from './base.js';
export { SparrowWorker } from './client.js';
export type { SparrowWorkerOptions, WorkerLike } from './client.js';
export { SparrowError } from './errors.js';
export { escapeHtml, highlightTerms, renderHit, safeHref, snippet, snippetHtml } from './render.js';
export type { Highlight, RenderedHit, SnippetPart } from './render.js';
export { hasRelaxedSimd, RELAXED_SIMD_PROBE, sha256Hex } from './load.js';
export { SiteSearch } from './site.js';
export type { SiteLoad } from './site.js';
export type * from './types.js';

/** Instantiates the full wasm module (idempotent, concurrent-safe; the constructors call it). */
export const init = (wasm?: BytesSource): Promise<void> => fullWasm.init(wasm);
/** Whether {@link init} has completed. */
export const isInitialized = (): boolean => fullWasm.isInitialized();
/** The versions this package reads: `{ indexFormat, manifest }` (after {@link init}). */
export const formatVersions = (): FormatVersions => fullWasm.formatVersions();
export { simdLevel } from './full-wasm.js';

/**
 * Loads a prebuilt site index (`sparrow index --site`) into the full module: the manifest, the
 * vocabulary, the whole index or the base (shards and fragments come per query through
 * {@link SiteSearch.search}). Queries are lookup queries; pass `model` (e.g. `'bundled'`) to also
 * load the model, checked against the one the index was built with, for `queryEncoder: 'model'`.
 * A page that only searches should import `loadSite` from `sparrow-search/lite` instead.
 */
export async function loadSite(
  manifestUrl: string | URL,
  options: Omit<SparrowOptions, 'index'> = {},
): Promise<SiteLoad & { sparrow: Sparrow; site: SiteSearch<Sparrow> }> {
  const url = new URL(manifestUrl, typeof location !== 'undefined' ? location.href : undefined);
  let opts: Omit<SparrowOptions, 'index'> = { ...options, model: false };
  let modelSha: string | undefined;
  if (options.model !== undefined && options.model !== false) {
    const { model, tokenizer, config } = resolveModel(options.model);
    const [m, t] = await Promise.all([readBytes(model, 'model'), readBytes(tokenizer, 'tokenizer')]);
    modelSha = await sha256Hex(m);
    opts = { ...options, model: { model: m, tokenizer: t, config } };
  }
  return openSite(fullWasm, { load: Sparrow.load, loadBase: Sparrow.loadBase }, url, opts, modelSha);
}
