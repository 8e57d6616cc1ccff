/// <reference types="vite/client" />

/** Package version + hash of the bundled model (set by pwa/build/plugin.ts). */
declare const __SPARROW_NOTES_MODEL_ID__: string;
