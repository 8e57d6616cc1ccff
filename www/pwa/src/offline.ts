// Registers the service worker (built by pwa/build/plugin.ts) and reports its state.

export interface OfflineEvents {
  /** First visit: the service worker is downloading the app (bytes of totalBytes). */
  progress(done: number, total: number, bytes: number, totalBytes: number): void;
  /** Every file the app needs is cached: it now opens with no network. */
  ready(): void;
  /** Service workers unavailable, or caching failed: the app works, but only online. */
  unavailable(reason: string): void;
  /** A new version has been downloaded; call `apply` to switch to it (reloads the page). */
  updateReady(apply: () => void): void;
}

/**
 * Resolves once the app is cached (or it is known it cannot be): on a first visit it waits for the
 * service worker to finish installing, so that the search worker, started afterwards, loads the
 * wasm module and the model from the cache instead of downloading them a second time.
 */
export async function setupOffline(events: OfflineEvents): Promise<boolean> {
  if (import.meta.env.DEV) {
    events.unavailable('development server: no service worker');
    return false;
  }
  if (!('serviceWorker' in navigator)) {
    events.unavailable('this browser has no service workers');
    return false;
  }
  const container = navigator.serviceWorker;
  // The worker's last progress message can arrive after it has activated (its `postMessage`s are
  // asynchronous): once the outcome is known, progress would only overwrite it.
  let settled = false;
  container.addEventListener('message', (ev: MessageEvent) => {
    const m = ev.data as { type?: string; done: number; total: number; bytes: number; totalBytes: number; message?: string };
    if (m?.type === 'sparrow-notes:precache' && !settled) events.progress(m.done, m.total, m.bytes, m.totalBytes);
  });
  const ready = () => {
    settled = true;
    events.ready();
  };
  const unavailable = (reason: string) => {
    settled = true;
    events.unavailable(reason);
  };

  const base = `${import.meta.env.BASE_URL}pwa/`;
  let registration: ServiceWorkerRegistration;
  try {
    registration = await container.register(`${base}sw.js`, { scope: base });
  } catch (e) {
    unavailable(`the service worker could not be registered (${(e as Error).message})`);
    return false;
  }

  let updating = false;
  container.addEventListener('controllerchange', () => {
    if (updating) location.reload();
  });
  const offerUpdate = (worker: ServiceWorker) =>
    events.updateReady(() => {
      updating = true;
      worker.postMessage({ type: 'sparrow-notes:skip-waiting' });
    });
  const watch = (worker: ServiceWorker) => {
    worker.addEventListener('statechange', () => {
      if (worker.state === 'installed' && container.controller) offerUpdate(worker);
    });
  };
  registration.addEventListener('updatefound', () => {
    if (registration.installing && container.controller) watch(registration.installing);
  });
  if (registration.waiting && container.controller) offerUpdate(registration.waiting);

  if (registration.active) {
    ready();
    return true;
  }
  const worker = registration.installing ?? registration.waiting;
  if (!worker) {
    unavailable('the service worker did not install');
    return false;
  }
  const ok = await new Promise<boolean>((resolve) => {
    const check = () => {
      if (worker.state === 'activated') resolve(true);
      else if (worker.state === 'redundant') resolve(false);
    };
    worker.addEventListener('statechange', check);
    check();
  });
  if (ok) ready();
  else unavailable('the app could not be stored for offline use');
  return ok;
}
