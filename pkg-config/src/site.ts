/**
 * Prebuilt static-site indexes (`sparrow index --site DIR --out DIR`): a small `manifest.json`
 * plus content-hashed shard files. JS does the fetching; the wasm module only sees bytes.
 *
 * The manifest is checked before any shard is fetched: a manifest shape or index format this
 * package does not read fails with `INDEX_VERSION`, an index built with another model (sha256 of
 * the model file) fails with `INDEX_MODEL_MISMATCH`.
 *
 * Loading rule (the manifest's `rule`): an index of at most `wholeIndexThreshold` bytes is
 * `mode: "whole"`, one file fetched before the first query. A larger one is `mode: "sharded"`: a
 * base (documents, statistics) fetched at load time, plus postings shards keyed by a hash of the
 * term; {@link SiteSearch.search} fetches (once, then cached) only the shards the query's terms
 * need that are not loaded yet, then searches.
 * @module
 */
import { SparrowError } from './errors.js';
import { bundledModelUrls, readBytes } from './load.js';
import { Sparrow } from './sparrow.js';
import type { BytesSource, EncoderConfig, SearchHit, SearchOptions, SparrowOptions } from './types.js';

/** The `manifest.json` shape this package reads. */
export const SITE_MANIFEST_VERSION = 1;
/** The binary index format this package's wasm module reads. */
export const INDEX_FORMAT_VERSION = 1;

/** One file of a site index. */
export interface SiteFile {
  file: string;
  bytes: number;
  sha256: string;
}

/** `manifest.json`, as written by `sparrow index`. */
export interface SiteManifest {
  version: number;
  indexFormat: number;
  model: { id: string; sha256: string; tokenizerSha256: string };
  counts: { pages: number; sections: number; semanticSections: number; bytes: number };
  /** `whole`: `shards` holds one file, the whole index. `sharded`: `base` + postings shards (`shards[i]` is shard `i`). */
  mode: 'whole' | 'sharded';
  /** The loading rule in words. */
  rule?: string;
  wholeIndexThreshold: number;
  shardBytes?: number;
  base?: SiteFile;
  shards: SiteFile[];
}

/** What {@link loadSite} fetched: the manifest, and the index bytes and requests it cost. */
export interface SiteLoad {
  manifest: SiteManifest;
  /** Bytes of index data fetched so far (manifest + whole index or base + shards), excluding the wasm module and the model. */
  indexBytes: number;
  /** Requests for index data so far (manifest + files). */
  indexRequests: number;
  /** Postings shards loaded so far and in all (`0` and `0` for a whole index). */
  shardsLoaded: number;
  shardCount: number;
}

/**
 * Validates a parsed manifest. `modelSha256` is the hex SHA-256 of the model that will encode
 * queries (omit it to skip the model check).
 */
export function checkManifest(value: unknown, modelSha256?: string): SiteManifest {
  const m = value as SiteManifest;
  if (!m || typeof m !== 'object' || typeof m.version !== 'number') {
    throw new SparrowError('INVALID_MANIFEST', 'the site manifest is not an object with a numeric "version"');
  }
  if (m.version !== SITE_MANIFEST_VERSION || (m.mode !== 'whole' && m.mode !== 'sharded')) {
    throw new SparrowError('INDEX_VERSION', `the site manifest has version ${m.version} (mode ${JSON.stringify(m.mode)}); this package reads version ${SITE_MANIFEST_VERSION} (mode "whole" or "sharded"): rebuild the index with the matching sparrow CLI`);
  }
  if (m.indexFormat !== INDEX_FORMAT_VERSION) {
    throw new SparrowError('INDEX_VERSION', `the index has format version ${m.indexFormat}; this package reads version ${INDEX_FORMAT_VERSION}: rebuild it with the matching sparrow CLI`);
  }
  const file = (f: unknown) => !!f && typeof (f as SiteFile).file === 'string' && !(f as SiteFile).file.includes('/');
  if (!m.model || typeof m.model.sha256 !== 'string' || !Array.isArray(m.shards) || !m.shards.every(file)) {
    throw new SparrowError('INVALID_MANIFEST', 'the site manifest lacks model.sha256 or a valid shard list');
  }
  if (m.mode === 'whole' ? m.shards.length !== 1 : !file(m.base) || m.shards.length === 0) {
    throw new SparrowError('INVALID_MANIFEST', m.mode === 'whole' ? 'a "whole" site manifest must list exactly one shard' : 'a "sharded" site manifest needs a base and at least one shard');
  }
  if (modelSha256 !== undefined && m.model.sha256 !== modelSha256) {
    throw new SparrowError('INDEX_MODEL_MISMATCH', `the index was built with model ${m.model.id} (sha256 ${m.model.sha256.slice(0, 12)}…) but queries would be encoded with a model whose sha256 is ${modelSha256.slice(0, 12)}…: rebuild the index with this model`);
  }
  return m;
}

/** Hex SHA-256 (Web Crypto: browsers on secure origins, workers, node 20). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A loaded site index: searches, fetching the postings shards a query needs first (sharded
 * mode), and counts what it fetched.
 */
export class SiteSearch {
  readonly sparrow: Sparrow;
  readonly manifest: SiteManifest;
  #base: URL;
  #bytes: number;
  #requests: number;
  #loaded = new Set<number>();
  #inflight = new Map<number, Promise<void>>();

  constructor(sparrow: Sparrow, manifest: SiteManifest, base: URL, bytes: number, requests: number) {
    this.sparrow = sparrow;
    this.manifest = manifest;
    this.#base = base;
    this.#bytes = bytes;
    this.#requests = requests;
  }

  /** Index bytes and requests so far, and the shards loaded. */
  load(): SiteLoad {
    return {
      manifest: this.manifest,
      indexBytes: this.#bytes,
      indexRequests: this.#requests,
      shardsLoaded: this.#loaded.size,
      shardCount: this.manifest.mode === 'sharded' ? this.manifest.shards.length : 0,
    };
  }

  /** Fetches and loads the shards `search(query, options)` needs (none for a whole index). */
  async prepare(query: string, options: SearchOptions = {}): Promise<void> {
    const missing = this.sparrow.missingShards(query, options);
    await Promise.all(missing.map((n) => this.#shard(n)));
  }

  /** {@link prepare}, then {@link Sparrow.search}. */
  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    await this.prepare(query, options);
    return this.sparrow.search(query, options);
  }

  #shard(n: number): Promise<void> {
    if (this.#loaded.has(n)) return Promise.resolve();
    let p = this.#inflight.get(n);
    if (!p) {
      const file = this.manifest.shards[n];
      if (!file) return Promise.reject(new SparrowError('INVALID_MANIFEST', `the index needs shard ${n}, but the manifest lists ${this.manifest.shards.length}`));
      p = readBytes(new URL(file.file, this.#base), `index shard ${n}`)
        .then((bytes) => {
          this.#bytes += bytes.byteLength;
          this.#requests += 1;
          this.sparrow.loadShard(bytes);
          this.#loaded.add(n);
        })
        .finally(() => this.#inflight.delete(n));
      this.#inflight.set(n, p);
    }
    return p;
  }
}

/**
 * Loads a prebuilt site index: the manifest, the model (unless `model: false`, which also skips
 * the model check), then the whole index or, for a sharded one, the base (postings shards come
 * per query through {@link SiteSearch.search}). `manifestUrl` must be absolute (or a `file:` URL
 * in node).
 */
export async function loadSite(
  manifestUrl: string | URL,
  options: Omit<SparrowOptions, 'index'> = {},
): Promise<SiteLoad & { sparrow: Sparrow; site: SiteSearch }> {
  const base = new URL(manifestUrl);
  const manifestBytes = await readBytes(base, 'site manifest');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(manifestBytes));
  } catch (e) {
    throw new SparrowError('INVALID_MANIFEST', `${base.href} is not JSON: ${(e as Error).message}`);
  }
  let model: { model: Uint8Array; tokenizer: Uint8Array; config?: EncoderConfig } | false = false;
  let modelSha: string | undefined;
  if (options.model !== false) {
    const source = options.model === undefined || options.model === 'bundled' ? bundledModelUrls() : options.model;
    const [m, t] = await Promise.all([readBytes(source.model as BytesSource, 'model'), readBytes(source.tokenizer as BytesSource, 'tokenizer')]);
    model = { model: m, tokenizer: t, config: 'config' in source ? source.config : undefined };
    modelSha = await sha256Hex(m);
  }
  const manifest = checkManifest(parsed, modelSha);
  const sharded = manifest.mode === 'sharded';
  const first = sharded ? manifest.base! : manifest.shards[0]!;
  const bytes = await readBytes(new URL(first.file, base), sharded ? 'index base' : 'index shard');
  const sparrow = sharded ? await Sparrow.loadBase(bytes, { ...options, model }) : await Sparrow.load(bytes, { ...options, model });
  if (sharded && sparrow.shardCount !== manifest.shards.length) {
    sparrow.dispose();
    throw new SparrowError('INVALID_MANIFEST', `the manifest lists ${manifest.shards.length} shards but the base expects ${sparrow.shardCount}`);
  }
  const site = new SiteSearch(sparrow, manifest, base, manifestBytes.byteLength + bytes.byteLength, 2);
  return { sparrow, site, ...site.load() };
}
