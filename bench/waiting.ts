// Bounded waits. Every wait in the benchmark has a timeout so a broken system shows up as an
// error in the report instead of a hung run.
import type { DocHandle } from '@automerge/automerge-repo';

export class BenchTimeout extends Error {}

/**
 * Resolves as soon as `check(handle.doc())` holds, looking on every 'change' event (which
 * automerge-repo emits synchronously when a local or remote change lands in the handle).
 */
export function whenDoc<T>(handle: DocHandle<T>, check: (doc: T) => boolean, timeoutMs: number, what: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const test = () => {
			try {
				return check(handle.doc());
			} catch {
				return false;
			}
		};
		if (test()) {
			resolve();
			return;
		}
		const onChange = () => {
			if (!test()) return;
			cleanup();
			resolve();
		};
		const timer = setTimeout(() => {
			cleanup();
			reject(new BenchTimeout(`timed out after ${timeoutMs} ms waiting for ${what}`));
		}, timeoutMs);
		const cleanup = () => {
			clearTimeout(timer);
			handle.off('change', onChange);
		};
		handle.on('change', onChange);
	});
}

/** Polls `check` every `intervalMs` until it holds. For states no event announces. */
export async function until(check: () => boolean, timeoutMs: number, what: string, intervalMs = 5): Promise<void> {
	const start = performance.now();
	while (!check()) {
		if (performance.now() - start > timeoutMs) throw new BenchTimeout(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(intervalMs);
	}
}

export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new BenchTimeout(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}
