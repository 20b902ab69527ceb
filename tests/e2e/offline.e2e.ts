// Works in a hall with no signal: after one visit the app opens from the service worker with
// no network at all, shows the last data, takes edits and counts them as waiting; back online
// they reach someone else. A repeat visit fetches no app files from the network.
import { expect, test, type Page } from '@playwright/test';
import { openLink, people, startSpace, syncStatus, waitUntilSynced } from './helpers';

async function controlledByServiceWorker(page: Page): Promise<void> {
	await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 20_000 }).toBe(true);
}

test('the app opens offline from the service worker, keeps edits waiting, and syncs them when back', async ({ browser }) => {
	const [ada, bea] = await people(browser, 'ada', 'bea');
	const link = await startSpace(ada, 'Hall lunch');
	await ada.page.getByLabel('Notes').fill('Soup for six.');
	await waitUntilSynced(ada.page);
	await controlledByServiceWorker(ada.page);
	const spaceUrl = ada.page.url();
	await openLink(bea, link, 'Hall lunch');
	await expect(bea.page.getByLabel('Notes')).toHaveValue('Soup for six.');

	// A repeat visit: every app file comes from the service worker's cache, none from the network.
	const fromNetwork: string[] = [];
	const watch = (response: import('@playwright/test').Response) => {
		const url = new URL(response.url());
		if ((url.pathname.startsWith('/_app/') || response.request().isNavigationRequest()) && !response.fromServiceWorker()) fromNetwork.push(url.pathname);
	};
	ada.page.on('response', watch);
	await ada.page.reload();
	await expect(ada.page.getByLabel('Notes')).toHaveValue('Soup for six.');
	ada.page.off('response', watch);
	expect(fromNetwork).toEqual([]);

	// No signal at all: the app still opens, from this device alone.
	await ada.context.setOffline(true);
	await ada.page.reload();
	await expect(ada.page).toHaveURL(spaceUrl);
	await expect(syncStatus(ada.page)).toContainText('Offline');
	await expect(ada.page.getByLabel('Notes')).toHaveValue('Soup for six.');
	await ada.page.getByLabel('Add to the checklist').fill('Bring the big pot');
	await ada.page.getByRole('button', { name: 'Add', exact: true }).click();
	await ada.page.getByLabel('Notes').fill('Soup for six. Hall opens at 11.');
	await expect(syncStatus(ada.page)).toContainText(/\d+ changes? waiting to sync/);
	expect(Number(await syncStatus(ada.page).getAttribute('data-pending'))).toBeGreaterThan(0);
	// Other pages open offline too (client-side routes fall back to the cached shell).
	await ada.page.goto('/devices');
	await expect(ada.page.getByRole('heading', { level: 1 })).toBeVisible();
	await ada.page.goto(spaceUrl);
	await expect(ada.page.getByLabel('Notes')).toHaveValue('Soup for six. Hall opens at 11.');

	// Back online: the waiting changes reach Bea.
	await ada.context.setOffline(false);
	await waitUntilSynced(ada.page);
	await expect(bea.page.getByLabel('Notes')).toHaveValue('Soup for six. Hall opens at 11.');
	await expect(bea.page.getByRole('checkbox', { name: 'Bring the big pot' })).toBeVisible();

	await ada.context.close();
	await bea.context.close();
});

test('the app is installable: a manifest with real icons, and the relay caches safely', async ({ page, request }) => {
	await page.goto('/');
	const href = await page.locator('link[rel="manifest"]').getAttribute('href');
	const manifest = await (await request.get(href!)).json();
	expect(manifest).toMatchObject({ name: 'Hearth', short_name: 'Hearth', start_url: '/', display: 'standalone' });
	for (const size of ['192x192', '512x512']) {
		const icon = manifest.icons.find((i: { sizes: string }) => i.sizes === size);
		const png = await request.get(icon.src);
		expect(png.headers()['content-type']).toBe('image/png');
		expect([...(await png.body()).subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]); // "PNG"
	}
	const sw = await request.get('/service-worker.js');
	expect(sw.headers()['cache-control']).toBe('no-cache');
	const script = await page.locator('link[rel="modulepreload"]').first().getAttribute('href');
	const chunk = await request.get(script!, { headers: { 'accept-encoding': 'gzip' } });
	expect(chunk.headers()['cache-control']).toContain('immutable');
	expect(chunk.headers()['content-encoding']).toBe('gzip');
	// A missing build file is a 404, never the app shell passed off as a script.
	expect((await request.get('/_app/immutable/chunks/missing.js')).status()).toBe(404);
});
