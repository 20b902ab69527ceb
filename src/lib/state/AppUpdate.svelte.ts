// Registers the service worker and tells the page when a new version has been downloaded.
// The new version only takes over when the person presses Reload (see src/service-worker.ts),
// so nobody loses what they were typing and no page runs a mix of old and new code.
import { dev } from '$app/environment';

const CHECK_EVERY_MS = 60 * 60 * 1000;

export class AppUpdate {
	/** A new version is installed and waiting. */
	ready = $state(false);
	/** The person pressed Reload; waiting for the new version to take over. */
	applying = $state(false);
	#waiting?: ServiceWorker;
	#beforeReload: () => Promise<void> = async () => {};
	readonly #cleanups: Array<() => void> = [];

	/** Saves what must be saved (e.g. closes the sync engine) before the page reloads. */
	beforeReload(save: () => Promise<void>): void {
		this.#beforeReload = save;
	}

	async start(): Promise<void> {
		// In development Vite serves changing modules; a caching worker would only get in the way.
		if (dev || !('serviceWorker' in navigator)) return;
		const sw = navigator.serviceWorker;
		let controlled = sw.controller !== null;
		let reloading = false;
		const onControllerChange = () => {
			// The very first worker taking control is not an update: nothing to reload.
			if (!controlled) {
				controlled = true;
				return;
			}
			if (reloading) return;
			reloading = true;
			// Another tab (or this one) pressed Reload: the new worker is in charge, so reload
			// before this page asks it for chunks of the old version.
			void this.#beforeReload().finally(() => location.reload());
		};
		sw.addEventListener('controllerchange', onControllerChange);
		this.#cleanups.push(() => sw.removeEventListener('controllerchange', onControllerChange));

		const registration = await sw.register('/service-worker.js');
		if (registration.waiting && sw.controller) this.#offer(registration.waiting);
		registration.addEventListener('updatefound', () => {
			const installing = registration.installing;
			installing?.addEventListener('statechange', () => {
				if (installing.state === 'installed' && sw.controller) this.#offer(installing);
			});
		});
		// A single-page app rarely navigates, so ask for updates now and then as well.
		const check = () => void registration.update().catch(() => {});
		const timer = setInterval(check, CHECK_EVERY_MS);
		const onVisible = () => document.visibilityState === 'visible' && check();
		document.addEventListener('visibilitychange', onVisible);
		this.#cleanups.push(() => clearInterval(timer));
		this.#cleanups.push(() => document.removeEventListener('visibilitychange', onVisible));
	}

	#offer(worker: ServiceWorker): void {
		this.#waiting = worker;
		this.ready = true;
	}

	/** Hands over to the waiting version; the page reloads once it has taken control. */
	applyNow(): void {
		if (!this.#waiting) return;
		this.applying = true;
		this.#waiting.postMessage('hearth:update-now');
	}

	destroy(): void {
		for (const c of this.#cleanups.splice(0)) c();
	}
}
