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

test('a new version waits for the person: "new version ready", Reload, and the old cache is gone', async ({ browser }) => {
	// A new build is simulated faithfully: the same service worker with a new version number
	// (what `vite build` changes), written over the served file for this test only.
	const { readFileSync, writeFileSync, rmSync, existsSync } = await import('node:fs');
	const { resolve } = await import('node:path');
	const file = resolve(import.meta.dirname, '../../build/service-worker.js');
	const original = readFileSync(file, 'utf8');
	const compressed = ['.br', '.gz'].filter((ext) => existsSync(file + ext)).map((ext) => ({ path: file + ext, bytes: readFileSync(file + ext) }));
	const [ada] = await people(browser, 'ada');
	const { page } = ada;
	try {
		await startSpace(ada, 'Lunch club');
		await page.getByLabel('Notes').fill('Before the update.');
		await waitUntilSynced(page);
		await controlledByServiceWorker(page);
		const caches0 = await page.evaluate(() => caches.keys());
		expect(caches0).toHaveLength(1);

		// The minified worker names its cache `hearth-${v}` where v = `<build version>`.
		const name = /`hearth-\$\{(\w+)\}`/.exec(original)?.[1];
		const version = name && new RegExp(`\\b${name}=\`([^\`]+)\``).exec(original);
		expect(version, 'the built service worker names its cache after the version').toBeTruthy();
		writeFileSync(file, original.replace(version![0], version![0].replace(version![1], 'next-version')));
		for (const c of compressed) rmSync(c.path);

		await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
		const prompt = page.getByTestId('update-prompt');
		await expect(prompt).toContainText('A new version of Hearth is ready.');
		// It waits: the old version still runs this page and its cache is still there.
		expect(await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())!.waiting)).toBe(true);
		expect(await page.evaluate(() => caches.keys())).toEqual(expect.arrayContaining([...caches0, 'hearth-next-version']));
		await expect(page.getByLabel('Notes')).toHaveValue('Before the update.');

		const reloaded = page.waitForEvent('framenavigated');
		await prompt.getByRole('button', { name: /Reload/ }).click();
		await reloaded;
		await expect(page.getByLabel('Notes')).toHaveValue('Before the update.');
		await expect(page.getByTestId('update-prompt')).toHaveCount(0);
		await expect.poll(() => page.evaluate(() => caches.keys())).toEqual(['hearth-next-version']);
	} finally {
		writeFileSync(file, original);
		for (const c of compressed) writeFileSync(c.path, c.bytes);
		await ada.context.close();
	}
});

test('something that cannot be unlocked is explained calmly, with what to do', async ({ browser }) => {
	const [ada, bea] = await people(browser, 'ada', 'bea');
	const link = await startSpace(ada, 'Lunch club');
	await ada.page.getByLabel('Notes').fill('Soup.');
	await waitUntilSynced(ada.page);
	// Bea was sent the link with its key garbled in a way that still looks like a key.
	const url = new URL(link);
	const params = new URLSearchParams(url.hash.slice(1));
	const k = params.get('k')!;
	params.set('k', (k[0] === 'A' ? 'B' : 'A') + k.slice(1));
	await bea.page.goto(`${url.pathname}#${params.toString()}`);
	const problems = bea.page.getByRole('status').filter({ hasText: 'Something needs your attention.' });
	await expect(problems).toContainText('Your own copy is safe.');
	await expect(problems).toContainText('could not be unlocked');
	await expect(problems).toContainText('Nothing was changed. If it keeps happening, tell the person who runs your relay.');
	await problems.getByRole('button', { name: /Dismiss/ }).click();
	await expect(problems).toHaveCount(0);
	await ada.context.close();
	await bea.context.close();
});
