// Hearth's service worker: after the first visit the whole app (pages, code, styles, icons and
// the Automerge WASM) comes from this device, so Hearth opens in a hall with no signal and a
// phone on a metered connection downloads each file once.
//
// Safe updates: every build has its own cache. A new worker installs its files beside the old
// ones and then WAITS; the page shows "A new version is ready" and only when the person
// presses Reload does the new worker take over (and every open tab reloads). A page therefore
// never runs old code against new chunks. The old cache is deleted when the new worker
// activates. Documents are not here: they live in IndexedDB and sync through the relay.
import { build, files, version } from '$service-worker';

// The DOM library has Cache and Request but not the worker-only event types; declaring the
// few parts used here keeps the rest of the program on the DOM library.
interface ExtendableEvent extends Event {
	waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
	readonly request: Request;
	respondWith(response: Promise<Response> | Response): void;
}
interface WorkerScope {
	addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
	addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
	addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
	skipWaiting(): Promise<void>;
	readonly clients: { claim(): Promise<void> };
	readonly location: Location;
}
const worker = self as unknown as WorkerScope;

const CACHE = `hearth-${version}`;
/** The app shell: every client-side route is answered with this one page. */
const SHELL = '/';
const ASSETS = new Set([SHELL, ...build, ...files]);

worker.addEventListener('install', (event) => {
	// All or nothing: a half-filled cache would open offline and then fail on a missing chunk.
	event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...ASSETS])));
});

worker.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
			await worker.clients.claim();
		})()
	);
});

worker.addEventListener('message', (event) => {
	// Sent by the page when the person presses Reload on the update prompt.
	if (event.data === 'hearth:update-now') void worker.skipWaiting();
});

worker.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== worker.location.origin) return;
	if (request.mode === 'navigate') {
		// A single-page app: any page address opens the cached shell, which routes itself.
		event.respondWith(fromCache(SHELL, request));
		return;
	}
	if (ASSETS.has(url.pathname)) event.respondWith(fromCache(url.pathname, request));
	// Anything else (the relay's /healthz, /sync) goes to the network untouched.
});

async function fromCache(key: string, request: Request): Promise<Response> {
	const cache = await caches.open(CACHE);
	const cached = await cache.match(key);
	if (cached) return cached;
	// Not cached (the install was interrupted): fetch it, and keep it for next time.
	const response = await fetch(key === SHELL ? SHELL : request);
	if (response.ok) await cache.put(key, response.clone());
	return response;
}
