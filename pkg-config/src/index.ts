/**
 * Sparrow: hybrid (BM25 + learned-sparse) search in the browser, in WebAssembly.
 *
 * ```ts
 * import { Sparrow } from 'sparrow-search';
 * const sparrow = await Sparrow.create();
 * sparrow.addDocuments([{ id: 'a', text: 'The seasons come from the tilt of the Earth.' }]);
 * console.log(sparrow.search('why is winter cold', { explain: true })[0]);
 * ```
 * @module
 */
export { Sparrow } from './sparrow.js';
export type { AddDocumentsOptions } from './sparrow.js';
export { SparrowWorker } from './client.js';
export type { SparrowWorkerOptions, WorkerLike } from './client.js';
export { SparrowError } from './errors.js';
export { init, isInitialized } from './load.js';
export { checkManifest, loadSite, sha256Hex, SiteSearch, INDEX_FORMAT_VERSION, SITE_MANIFEST_VERSION } from './site.js';
export type { SiteFile, SiteLoad, SiteManifest } from './site.js';
export type * from './types.js';
