// The search worker of the notes app: the package's own worker entry, bundled as this app's file
// so that it is served from under pwa/ — inside the service worker's scope, which is what lets
// the service worker control it (and answer its .wasm/model requests) when offline.
import 'sparrow-search/worker';
