/**
 * The messages between {@link SparrowWorker} and its worker: one typed method map, read by both
 * sides, so the client cannot ask for a method the worker does not run, with arguments of another
 * shape (internal).
 * @module
 */
import type { SiteLoad } from './site.js';
import type { Sparrow } from './sparrow.js';
import type { BytesSource, SparrowOptions } from './types.js';

/** `Sparrow` methods the worker forwards as they are (name → the same signature, async). */
export const FORWARDED = [
  'addDocument',
  'checkDocuments',
  'encodeDocuments',
  'addEncoded',
  'updateDocument',
  'removeDocument',
  'has',
  'getDocument',
  'search',
  'queryVector',
  'missingShards',
  'loadShard',
  'loadFragment',
  'loadVocab',
  'loadVocabPart',
  'missingVocabLeads',
  'encodeQuery',
  'encodeDocument',
  'tokenIds',
  'stats',
  'vacuum',
  'toBytes',
  'toShardedBytes',
  'loadBytes',
  'loadModel',
  'loadModelBytes',
] as const satisfies readonly (keyof Sparrow)[];
export type Forwarded = (typeof FORWARDED)[number];

/** `Sparrow` getters the worker answers (each becomes an async method of the client). */
export const GETTERS = ['size', 'hasModel', 'hasVocab', 'shardCount', 'fragmentCount', 'module'] as const satisfies readonly (keyof Sparrow)[];
export type Getter = (typeof GETTERS)[number];

/** What the worker does besides forwarding: make, replace or drop its index. */
export interface Lifecycle {
  create(options: SparrowOptions): { size: number; hasModel: boolean };
  load(bytes: BytesSource, options: Omit<SparrowOptions, 'index'>): { size: number; hasModel: boolean };
  loadBase(bytes: BytesSource, options: Omit<SparrowOptions, 'index'>): { size: number; hasModel: boolean };
  loadSite(manifestUrl: string, options: Omit<SparrowOptions, 'index'>): SiteLoad;
  siteLoad(): SiteLoad;
  /** `addDocuments` with progress messages instead of a callback. */
  addDocuments(docs: Parameters<Sparrow['addDocuments']>[0], batchSize?: number): ReturnType<Sparrow['addDocuments']>;
  dispose(): void;
}

/** Every method the worker runs: name → `(...args) => result`. */
export type Methods = { [K in Forwarded]: Sparrow[K] } & { [K in Getter]: () => Sparrow[K] } & Lifecycle;
export type Method = keyof Methods;

/** A call into the worker. */
export interface Request<M extends Method = Method> {
  id: number;
  method: M;
  args: Parameters<Methods[M]>;
}

/** A reply: a result, an error, or a progress report for a pending call. */
export interface Response {
  id: number;
  result?: unknown;
  error?: { code: string; message: string; shards?: number[]; fragments?: number[] };
  progress?: [number, number];
}
