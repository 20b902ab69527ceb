// The device's own storage, seen by the person: when it is full, Hearth says so at once, keeps
// what was typed on screen and in memory, and writes it as soon as there is room; two tabs of
// the same browser editing the same space offline end identical and lose nothing when one is
// closed mid-edit.
import { expect, test, type Page } from '@playwright/test';
import { openLink, people, startSpace, syncStatus, waitUntilSynced } from './helpers';

/**
 * A device with little room: Chromium's own quota for the origin (set before the first visit,
 * as Chromium applies it to storage opened afterwards), so IndexedDB refuses writes with a real
 * QuotaExceededError, not a mock.
 */
async function smallDevice(page: Page, origin: string, bytes: number): Promise<void> {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: bytes });
	await cdp.detach();
}

/** Something else on the device takes up the rest of the room (the person's photos, say). */
async function fillTheRest(page: Page): Promise<void> {
	const refused = await page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const r = indexedDB.open('photos', 1);
			r.onupgradeneeded = () => r.result.createObjectStore('s');
			r.onsuccess = () => resolve(r.result);
			r.onerror = () => reject(r.error);
		});
		// Random bytes, so that no compression underneath makes them smaller than they are.
		const noise = (size: number) => {
			const bytes = new Uint8Array(size);
			for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
			return bytes;
		};
		const put = (size: number) =>
			new Promise<'stored' | 'full' | string>((resolve) => {
				const tx = db.transaction('s', 'readwrite');
				tx.objectStore('s').put(noise(size), String(Math.random()));
				tx.oncomplete = () => resolve('stored');
				tx.onabort = () => resolve(tx.error?.name === 'QuotaExceededError' ? 'full' : String(tx.error?.name));
			});
		// Big pieces first, then smaller ones, until not even 4 KB more fits.
		let last = '';
		for (const size of [1 << 20, 1 << 16, 1 << 12]) while ((last = await put(size)) === 'stored');
		db.close();
		return last === 'full' ? 1 : last;
	});
	expect(refused).toBe(1);
}

async function freeTheRoom(page: Page): Promise<void> {
	await page.evaluate(
		() =>
			new Promise<void>((resolve, reject) => {
				const r = indexedDB.deleteDatabase('photos');
				r.onsuccess = () => resolve();
				r.onerror = () => reject(r.error);
			})
	);
}

test('a full disk: Hearth says so at once, keeps what was typed, and saves it once there is room', async ({ browser, baseURL }) => {
	const [ada, bea] = await people(browser, 'Ada', 'Bea');
	await smallDevice(ada.page, new URL(baseURL!).origin, 6 * 1024 * 1024);
	const link = await startSpace(ada, 'Lunch club');
	const notes = ada.page.getByLabel('Notes');
	await notes.fill('Soup for six.');
	await waitUntilSynced(ada.page);
	await openLink(bea, link, 'Lunch club');

	// The device fills up; Ada, offline in the hall, pastes in the week's long shopping list.
	await fillTheRest(ada.page);
	await ada.context.setOffline(true);
	const list = 'Soup for six. ' + 'Bread from the bakery, milk, leeks and potatoes. '.repeat(200);
	await notes.fill(list);
	const alert = ada.page.getByTestId('storage-alert');
	await expect(alert).toContainText('Hearth can’t save on this device: its storage is full.', { timeout: 5_000 });
	await expect(alert).toContainText('What you have typed is kept in this window');
	await expect(syncStatus(ada.page)).toContainText('Not saved on this device');
	await expect(syncStatus(ada.page)).toHaveAttribute('data-storage', 'full');
	// Nothing is taken off the screen, and nothing claims to be saved or waiting to sync.
	await expect(notes).toHaveValue(list);
	expect(Number(await syncStatus(ada.page).getAttribute('data-unsaved'))).toBeGreaterThan(0);
	await notes.click();
	await ada.page.keyboard.press('ControlOrMeta+End');
	await ada.page.keyboard.type('And cake.');
	await expect(notes).toHaveValue(list + 'And cake.');
	await expect(alert).toBeVisible();

	// Ada frees some room; Try again writes everything, and the alert goes.
	await freeTheRoom(ada.page);
	await alert.getByRole('button', { name: 'Try again' }).click();
	await expect(alert).toHaveCount(0);
	await expect(syncStatus(ada.page)).toHaveAttribute('data-unsaved', '0');
	await expect(syncStatus(ada.page)).toContainText('waiting to sync');

	// It really is on the device: it survives a reload with no network at all.
	await ada.page.reload();
	await expect(notes).toHaveValue(list + 'And cake.');
	await ada.context.setOffline(false);
	await waitUntilSynced(ada.page);
	await expect(bea.page.getByLabel('Notes')).toHaveValue(list + 'And cake.');
	await ada.context.close();
	await bea.context.close();
});

test('two tabs of one browser editing a space offline end identical, and closing one mid-edit loses nothing', async ({ browser }) => {
	const [ada, bea] = await people(browser, 'Ada', 'Bea');
	const link = await startSpace(ada, 'Hall lunch');
	await waitUntilSynced(ada.page);
	await openLink(bea, link, 'Hall lunch');
	const url = ada.page.url();
	const first = ada.page;
	const second = await ada.context.newPage();
	await second.goto(url);
	await expect(second.getByLabel('Notes')).toBeVisible();
	await ada.context.setOffline(true);
	await expect(syncStatus(first)).toContainText('Offline');

	// Each tab adds a line in turn; each sees the other's, with no network at all.
	let expected = '';
	for (let i = 0; i < 3; i++) {
		for (const [tab, name] of [
			[first, 'first'],
			[second, 'second']
		] as const) {
			const notes = tab.getByLabel('Notes');
			await expect(notes).toHaveValue(expected);
			await notes.click();
			await tab.keyboard.press('ControlOrMeta+End');
			const line = `${name} tab, line ${i}\n`;
			await tab.keyboard.type(line);
			expected += line;
		}
	}
	await expect(first.getByLabel('Notes')).toHaveValue(expected);
	await expect(second.getByLabel('Notes')).toHaveValue(expected);

	// The second tab is closed while its last words are being typed.
	const notes = second.getByLabel('Notes');
	await notes.click();
	await second.keyboard.press('ControlOrMeta+End');
	await second.keyboard.type('closing now');
	await second.close();
	// The first tab has whatever the second had saved (up to all of it), and carries on.
	await expect.poll(() => first.getByLabel('Notes').inputValue(), { timeout: 5_000 }).toMatch(new RegExp(`^${expected}`));
	const kept = await first.getByLabel('Notes').inputValue();
	expect(`${expected}closing now`.startsWith(kept)).toBe(true);

	// Both tabs' words are on the device: a reload with no network shows them all.
	await first.reload();
	await expect(first.getByLabel('Notes')).toHaveValue(kept);
	await ada.context.setOffline(false);
	await waitUntilSynced(first);
	await expect(bea.page.getByLabel('Notes')).toHaveValue(kept);
	await ada.context.close();
	await bea.context.close();
});
