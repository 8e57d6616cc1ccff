/**
 * Prebuilt static-site indexes (`sparrow index --site DIR --out DIR`): a small `manifest.json`
 * plus content-hashed shard files. JS does the fetching; the wasm module only sees bytes.
 *
 * The manifest is checked before any shard is fetched: a manifest shape or index format this
 * package does not read fails with `INDEX_VERSION`, an index built with another model (sha256 of
 * the model file) fails with `INDEX_MODEL_MISMATCH`.
 *
 * Loading rule: `mode: "whole"` manifests list one shard, the whole index, fetched before the
 * first query (the CLI writes this mode; it is the right one below `wholeIndexThreshold` bytes).
 * @module
 */
import { SparrowError } from './errors.js';
import { bundledModelUrls, readBytes } from './load.js';
import { Sparrow } from './sparrow.js';
import type { BytesSource, EncoderConfig, SparrowOptions } from './types.js';

/** The `manifest.json` shape this package reads. */
export const SITE_MANIFEST_VERSION = 1;
/** The binary index format this package's wasm module reads. */
export const INDEX_FORMAT_VERSION = 1;

/** `manifest.json`, as written by `sparrow index`. */
export interface SiteManifest {
  version: number;
  indexFormat: number;
  model: { id: string; sha256: string; tokenizerSha256: string };
  counts: { pages: number; sections: number; semanticSections: number; bytes: number };
  /** `whole`: one shard holding the whole index. */
  mode: 'whole';
  wholeIndexThreshold: number;
  shards: { file: string; bytes: number; sha256: string }[];
}

/** What {@link loadSite} fetched: the manifest, and the index bytes and requests it cost. */
export interface SiteLoad {
  manifest: SiteManifest;
  /** Bytes of index data fetched (manifest + shards), excluding the wasm module and the model. */
  indexBytes: number;
  /** Requests for index data (manifest + shards). */
  indexRequests: number;
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
  if (m.version !== SITE_MANIFEST_VERSION || m.mode !== 'whole') {
    throw new SparrowError('INDEX_VERSION', `the site manifest has version ${m.version} (mode ${JSON.stringify(m.mode)}); this package reads version ${SITE_MANIFEST_VERSION} (mode "whole"): rebuild the index with the matching sparrow CLI`);
  }
  if (m.indexFormat !== INDEX_FORMAT_VERSION) {
    throw new SparrowError('INDEX_VERSION', `the index has format version ${m.indexFormat}; this package reads version ${INDEX_FORMAT_VERSION}: rebuild it with the matching sparrow CLI`);
  }
  if (!m.model || typeof m.model.sha256 !== 'string' || !Array.isArray(m.shards) || m.shards.length !== 1) {
    throw new SparrowError('INVALID_MANIFEST', 'the site manifest lacks model.sha256 or has no single shard');
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
 * Loads a prebuilt site index: the manifest, the model (unless `model: false`, which also skips
 * the model check), then the shard. `manifestUrl` must be absolute (or a `file:` URL in node).
 */
export async function loadSite(
  manifestUrl: string | URL,
  options: Omit<SparrowOptions, 'index'> = {},
): Promise<SiteLoad & { sparrow: Sparrow }> {
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
  const shard = await readBytes(new URL(manifest.shards[0]!.file, base), 'index shard');
  const sparrow = await Sparrow.load(shard, { ...options, model });
  return { sparrow, manifest, indexBytes: manifestBytes.byteLength + shard.byteLength, indexRequests: 2 };
}
