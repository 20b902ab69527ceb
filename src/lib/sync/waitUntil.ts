/** Polls `check` until it holds (true) or `timeoutMs` passes (false). */
export async function waitUntil(check: () => boolean, timeoutMs: number, intervalMs = 20): Promise<boolean> {
	const start = Date.now();
	while (!check()) {
		if (Date.now() - start > timeoutMs) return false;
		await new Promise((r) => setTimeout(r, intervalMs));
	}
	return true;
}
