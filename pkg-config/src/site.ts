/**
 * Prebuilt static-site indexes (`sparrow index --site DIR --out DIR`): a small `manifest.json`,
 * a vocabulary file, and the index: one file (`mode: "whole"`), or a base, postings shards and
 * document fragments (`mode: "sharded"`). JS does the fetching; the wasm module only sees bytes,
 * and validates the manifest (its shape is defined once, in `sparrow-core`).
 *
 * What a page fetches (the loading rule, also the manifest's `rule`): the manifest, the
 * vocabulary (or, when the site has `vocabParts`, only its first part) and the whole index or the
 * base before the first query; then, for each query, only the vocabulary parts its words start
 * with, the postings shards its terms hash to and the fragments holding the hits it shows, each
 * once (cached). The vocabulary, index and base are checked against the manifest's size and SHA-256
 * (`INDEX_INTEGRITY`); shards and fragments, named by the build, carry their own CRC-32 and the
 * base's index id, checked in wasm (`INDEX_CHECKSUM`, `INDEX_SHARD_MISMATCH`).
 *
 * Queries are lookup queries by default (WordPiece tokens weighted by the index, no model in the
 * page). Passing a `model` also loads the model (and checks the index was built with it:
 * `INDEX_MODEL_MISMATCH`), so `queryEncoder: 'model'` can expand queries.
 *
 * Every fetch has a timeout and a bounded retry (`fetch` option: {@link FetchOptions}), and the
 * option's `signal` cancels the load and any part still to come, so one stalled request cannot
 * hold later searches (or a worker's queue) forever.
 * @module
 */
import type { SparrowBase } from './base.js';
import type { Sparrow } from './sparrow.js';
import { SparrowError } from './errors.js';
import { readBytes, sha256Hex } from './load.js';
import type { BytesSource, EngineRequest, FetchOptions, QueryVectorOptions, SearchHit, SearchOptions, SiteManifest } from './types.js';
import type { WasmModule } from './wasm.js';

/** What {@link openSite} fetched: the manifest, and the index bytes and requests it cost. */
export interface SiteLoad {
  manifest: SiteManifest;
  /** Bytes of index data fetched so far (manifest, vocabulary, whole index or base, shards, fragments); not the wasm module or the model. */
  indexBytes: number;
  /** Requests for index data so far. */
  indexRequests: number;
  /** Postings shards loaded so far and in all (`0` and `0` for a whole index). */
  shardsLoaded: number;
  shardCount: number;
  /** Document fragments loaded so far and in all (`0` and `0` for a whole index). */
  fragmentsLoaded: number;
  fragmentCount: number;
}

/** How {@link openSite} makes its index: a class with `load` / `loadBase` (`Sparrow`, `SparrowLite`). */
export interface SiteOpener<T extends SparrowBase, O> {
  load(bytes: Uint8Array, options: O): Promise<T>;
  loadBase(bytes: Uint8Array, options: O): Promise<T>;
}

/** A loaded site index: searches, fetching first what the query needs, and counts what it fetched. */
export class SiteSearch<T extends SparrowBase = SparrowBase> {
  readonly sparrow: T;
  readonly manifest: SiteManifest;
  #base: URL;
  #bytes: number;
  #requests: number;
  #shards = new Set<number>();
  #fragments = new Set<number>();
  /** Vocabulary parts loaded (indexes into the manifest's `vocabParts`). */
  #vocabParts: Set<number>;
  #inflight = new Map<string, Promise<void>>();
  #fetch: FetchOptions;

  /** @internal */
  constructor(sparrow: T, manifest: SiteManifest, base: URL, bytes: number, requests: number, fetchOptions: FetchOptions = {}, vocabParts: number[] = []) {
    this.#fetch = fetchOptions;
    this.#vocabParts = new Set(vocabParts);
    this.sparrow = sparrow;
    this.manifest = manifest;
    this.#base = base;
    this.#bytes = bytes;
    this.#requests = requests;
  }

  /** Index bytes and requests so far, and the shards and fragments loaded. */
  load(): SiteLoad {
    return {
      manifest: this.manifest,
      indexBytes: this.#bytes,
      indexRequests: this.#requests,
      shardsLoaded: this.#shards.size,
      shardCount: this.manifest.shards,
      fragmentsLoaded: this.#fragments.size,
      fragmentCount: this.manifest.fragments,
    };
  }

  /**
   * Fetches and loads what `search(query, options)` needs: the vocabulary parts its words start
   * with (when the site's vocabulary comes in parts), then the postings shards its terms hash to
   * (none for a whole index).
   */
  async prepare(query: string, options: SearchOptions = {}): Promise<void> {
    // Twice at most: the first part (loaded with the site) names the added tokens a query may
    // contain; without it, the second round asks again with them known.
    for (let round = 0; round < 2; round++) {
      const leads = this.sparrow.missingVocabLeads(query, options);
      if (!leads.length) break;
      const parts = new Set(leads.map((lead) => this.manifest.vocabParts?.findIndex((p) => p.first <= lead && lead <= p.last) ?? -1));
      if (parts.has(-1)) throw new SparrowError('INVALID_MANIFEST', `the query needs vocabulary parts of first bytes ${leads.join(', ')}, which the manifest does not list`);
      await Promise.all([...parts].map((i) => this.#part('vocab', i)));
    }
    const missing = this.sparrow.missingShards(query, options);
    await Promise.all(missing.map((n) => this.#part('shard', n)));
  }

  /**
   * {@link prepare}, then {@link SparrowBase.search}; when the hits' documents are in fragments
   * not loaded yet, fetches those and searches again (the postings are all there by then).
   */
  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    await this.prepare(query, options);
    for (;;) {
      try {
        return this.sparrow.search(query, options);
      } catch (e) {
        const err = e as SparrowError & { fragments?: number[] };
        if (err.code !== 'FRAGMENTS_NOT_LOADED' || !err.fragments?.length) throw e;
        await Promise.all(err.fragments.map((n) => this.#part('fragment', n)));
      }
    }
  }

  /**
   * {@link prepare} (the shards holding the query's terms, so their weights are known), then
   * {@link SparrowBase.queryVector}.
   */
  async queryVector(query: string, options: QueryVectorOptions): Promise<EngineRequest> {
    const full = this.sparrow as unknown as Partial<Pick<Sparrow, 'queryVector'>>;
    if (typeof full.queryVector !== 'function') {
      throw new SparrowError('FULL_MODULE_NEEDED', 'queryVector needs the full module: open the site with loadSite from "sparrow-search" (the search-only module leaves the export code out)');
    }
    const { format: _format, scale: _scale, ...search } = options;
    await this.prepare(query, { ...search, mode: search.mode ?? 'sparse' });
    return full.queryVector(query, options);
  }

  #part(kind: 'shard' | 'fragment' | 'vocab', n: number): Promise<void> {
    const loaded = kind === 'shard' ? this.#shards : kind === 'fragment' ? this.#fragments : this.#vocabParts;
    if (loaded.has(n)) return Promise.resolve();
    const key = `${kind}${n}`;
    let p = this.#inflight.get(key);
    if (!p) {
      // What the file must say it is: its number (shards, fragments; checked with the index id
      // in wasm), or the first byte it covers (vocabulary parts, which carry the vocabulary's
      // identity, checked in wasm). A file holding another part is refused.
      let file: string, label: string, what: string, expect: number, load: (bytes: Uint8Array) => number;
      if (kind === 'vocab') {
        const part = this.manifest.vocabParts![n];
        [file, label, what, expect] = [part.file, `vocabulary part ${n}`, 'the vocabulary part of first byte', part.first];
        load = (bytes) => this.sparrow.loadVocabPart(bytes);
      } else {
        const count = kind === 'shard' ? this.manifest.shards : this.manifest.fragments;
        if (!(n < count)) return Promise.reject(new SparrowError('INVALID_MANIFEST', `the index needs ${kind} ${n}, but the manifest has ${count}`));
        file = kind === 'shard' ? `shard-${this.manifest.build}-${n}.sps` : `frag-${this.manifest.build}-${n}.spf`;
        [label, what, expect] = [`index ${kind} ${n}`, kind, n];
        load = (bytes) => (kind === 'shard' ? this.sparrow.loadShard(bytes) : this.sparrow.loadFragment(bytes));
      }
      p = readBytes(new URL(file, this.#base), label, undefined, this.#fetch)
        .then((bytes) => {
          this.#bytes += bytes.byteLength;
          this.#requests += 1;
          const got = load(bytes);
          if (got !== expect) throw new SparrowError('INDEX_SHARD_MISMATCH', `${file} holds ${what} ${got} of this index, not ${what} ${expect}`);
          loaded.add(n);
        })
        .finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, p);
    }
    return p;
  }
}

/**
 * Loads a prebuilt site index with `opener` (see the module docs): the manifest, checked in wasm;
 * then the vocabulary and the whole index or the base, checked against the manifest.
 * `manifestUrl` must be absolute (or a `file:` URL in node). `modelSha256`: the SHA-256 of a model
 * that will encode queries, checked against the index's.
 */
export async function openSite<T extends SparrowBase, O extends { wasm?: BytesSource; fetch?: FetchOptions }>(
  wasm: WasmModule,
  opener: SiteOpener<T, O>,
  manifestUrl: string | URL,
  options: O,
  modelSha256?: string,
): Promise<SiteLoad & { sparrow: T; site: SiteSearch<T> }> {
  const base = new URL(manifestUrl);
  const fetchOptions = options.fetch ?? {};
  const [manifestBytes] = await Promise.all([readBytes(base, 'site manifest', undefined, fetchOptions), wasm.init(options.wasm)]);
  let manifest: SiteManifest;
  try {
    manifest = wasm.checkManifest(manifestBytes, modelSha256);
  } catch (e) {
    throw SparrowError.from(e);
  }
  const sharded = manifest.mode === 'sharded';
  const main = sharded ? manifest.base! : manifest.index!;
  const fetch = (f: { file: string; bytes: number; sha256: string }, what: string) =>
    readBytes(new URL(f.file, base), what, { bytes: f.bytes, sha256: f.sha256 }, fetchOptions);
  // The vocabulary in parts, when the site has them and no model will expand queries (whose
  // terms start with any byte): the first part now, the others as queries need them.
  const parts = modelSha256 === undefined && manifest.vocabParts?.length ? manifest.vocabParts : undefined;
  const [vocab, bytes] = await Promise.all([
    parts ? readBytes(new URL(parts[0].file, base), 'vocabulary part 0', undefined, fetchOptions) : fetch(manifest.vocab, 'vocabulary'),
    fetch(main, sharded ? 'index base' : 'index'),
  ]);
  const sparrow = sharded ? await opener.loadBase(bytes, options) : await opener.load(bytes, options);
  try {
    if (sharded && (sparrow.shardCount !== manifest.shards || sparrow.fragmentCount !== manifest.fragments)) {
      throw new SparrowError('INVALID_MANIFEST', `the manifest has ${manifest.shards} shards and ${manifest.fragments} fragments but the base expects ${sparrow.shardCount} and ${sparrow.fragmentCount}`);
    }
    if (parts && sparrow.loadVocabPart(vocab) !== parts[0].first) throw new SparrowError('INDEX_SHARD_MISMATCH', `${parts[0].file} is not the first vocabulary part`);
    if (!parts) sparrow.loadVocab(vocab);
  } catch (e) {
    sparrow.dispose();
    throw e;
  }
  const site = new SiteSearch(sparrow, manifest, base, manifestBytes.byteLength + vocab.byteLength + bytes.byteLength, 3, fetchOptions, parts ? [0] : []);
  return { sparrow, site, ...site.load() };
}

export { sha256Hex };
