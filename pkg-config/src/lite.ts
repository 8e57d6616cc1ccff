/**
 * `sparrow-search/lite`: search without the model. The search-only wasm module (no encoder, no
 * tract: a fraction of the full module's bytes) loads a prebuilt index and answers lexical and
 * lookup-hybrid queries: each query is its WordPiece tokens, weighted by the index, matched
 * against the documents' learned-sparse expansions that `sparrow index` computed. This entry
 * never fetches the full module or the model.
 *
 * ```ts
 * import { loadSite } from 'sparrow-search/lite';
 * const { site } = await loadSite(new URL('/search/manifest.json', location.href));
 * const hits = await site.search('wait some seconds before calling my function');
 * ```
 * @module
 */
import { SparrowBase } from './base.js';
import { guard } from './errors.js';
import { readBytes } from './load.js';
import { liteWasm } from './lite-wasm.js';
import { openSite, SiteSearch, type SiteLoad } from './site.js';
import type { BytesSource, FetchOptions, FormatVersions, SearchOptions } from './types.js';

/** Options of {@link SparrowLite}'s constructors and {@link loadSite}. */
export interface LiteOptions {
  /** Defaults merged under every `search` call's options. */
  searchOptions?: SearchOptions;
  /** Where to load the search-only `.wasm` from (default: next to the package's JS). */
  wasm?: BytesSource;
  /** A vocabulary file to load, for lookup queries (site indexes bring their own). */
  vocab?: BytesSource;
  /** `loadSite`: timeouts, retries and an abort signal for its fetches. */
  fetch?: FetchOptions;
}

/**
 * An index in the search-only wasm module: everything {@link SparrowBase} does (load, search,
 * explain, filter, fetch parts), with no model and no writer code. Indexes are built by
 * `sparrow index` or by {@link Sparrow} (`toBytes`).
 */
export class SparrowLite extends SparrowBase {
  /** Loads an index written by `toBytes` or `sparrow index`. */
  static async load(bytes: BytesSource, options: LiteOptions = {}): Promise<SparrowLite> {
    await liteWasm.init(options.wasm);
    const data = await readBytes(bytes, 'index');
    return SparrowLite.#with(guard(() => liteWasm.SparrowIndex.fromBytes(data), liteWasm), options);
  }

  /** Loads a sharded index's base (see `Sparrow.loadBase`). */
  static async loadBase(bytes: BytesSource, options: LiteOptions = {}): Promise<SparrowLite> {
    await liteWasm.init(options.wasm);
    const data = await readBytes(bytes, 'index base');
    return SparrowLite.#with(guard(() => liteWasm.SparrowIndex.fromBaseBytes(data), liteWasm), options);
  }

  static async #with(index: SparrowLite['index'], options: LiteOptions): Promise<SparrowLite> {
    const sparrow = new SparrowLite(index, options.searchOptions ?? {}, liteWasm);
    if (options.vocab !== undefined) sparrow.loadVocab(await readBytes(options.vocab, 'vocabulary'));
    return sparrow;
  }
}

/**
 * Loads a prebuilt site index (`sparrow index --site`) into the search-only module: the manifest,
 * the vocabulary, and the whole index or the base (shards and fragments come per query through
 * {@link SiteSearch.search}). `manifestUrl` may be relative to the page.
 */
export async function loadSite(
  manifestUrl: string | URL,
  options: LiteOptions = {},
): Promise<SiteLoad & { sparrow: SparrowLite; site: SiteSearch<SparrowLite> }> {
  const url = new URL(manifestUrl, typeof location !== 'undefined' ? location.href : undefined);
  return openSite(liteWasm, SparrowLite, url, options);
}

/** The versions the search-only module reads: `{ indexFormat, manifest }` (after `init`). */
export const formatVersions = (): FormatVersions => liteWasm.formatVersions();
/** Instantiates the search-only module (idempotent; the constructors call it). */
export const init = (wasm?: BytesSource): Promise<void> => liteWasm.init(wasm);

export { SparrowBase, SiteSearch };
export type { SiteLoad };
export { SparrowError } from './errors.js';
export { escapeHtml, highlightTerms, renderHit, safeHref, snippet, snippetHtml } from './render.js';
export type { Highlight, RenderedHit, SnippetPart } from './render.js';
export type * from './types.js';
