// The optional app lock: once on, everything in Hearth's IndexedDB store is ciphertext; a reload
// asks for the passphrase; it locks itself after the chosen idle time; it can be turned off.
import { expect, test, type Page } from '@playwright/test';
import { people, startSpace, syncStatus, waitUntilSynced } from './helpers';

/** Every value in Hearth's IndexedDB store, as text (what someone with the device's disk sees). */
async function storedText(page: Page): Promise<{ count: number; text: string; sealed: number }> {
	return page.evaluate(
		() =>
			new Promise((resolve, reject) => {
				const open = indexedDB.open('hearth');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					const request = db.transaction('documents').objectStore('documents').getAll();
					request.onsuccess = () => {
						const values = (request.result as Array<{ key: string[]; binary: Uint8Array }>).filter((v) => v.key[0] !== 'hearth-lock');
						const latin = new TextDecoder('latin1');
						resolve({
							count: values.length,
							text: values.map((v) => latin.decode(v.binary)).join('\n'),
							sealed: values.filter((v) => latin.decode(v.binary.subarray(0, 4)) === 'HLK1').length
						});
					};
				};
			})
	);
}

test('app lock: encrypted at rest, asks for the passphrase, locks when idle, and turns off', async ({ browser }) => {
	test.setTimeout(120_000);
	const [ada] = await people(browser, 'ada');
	const { page } = ada;
	await page.clock.install();
	await startSpace(ada, 'Lunch club');
	await page.getByLabel('Notes').fill('Keys under the blue pot.');
	await waitUntilSynced(page);
	const spaceUrl = page.url();
	expect((await storedText(page)).text).toContain('Keys under the blue pot');

	await page.goto('/your-data');
	await page.getByLabel('Choose an app lock passphrase').fill('marmalade sky');
	await page.getByLabel('Type the app lock passphrase again').fill('marmalade sky');
	await page.getByLabel('Lock after').selectOption({ label: '5 minutes without use' });
	await page.getByRole('button', { name: 'Turn on app lock' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'The app lock is on' })).toBeVisible({ timeout: 20_000 });
	const stored = await storedText(page);
	expect(stored.count).toBeGreaterThan(3);
	expect(stored.sealed).toBe(stored.count);
	expect(stored.text).not.toContain('Keys under the blue pot');
	expect(stored.text).not.toContain('Lunch club');

	// A reload asks for the passphrase; a wrong one is refused plainly.
	await page.goto(spaceUrl);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hearth is locked');
	await page.getByLabel('Your app lock passphrase').fill('marmalade');
	await page.getByRole('button', { name: 'Unlock' }).click();
	await expect(page.getByRole('alert')).toContainText('does not unlock Hearth', { timeout: 20_000 });
	await page.getByLabel('Your app lock passphrase').fill('marmalade sky');
	await page.getByRole('button', { name: 'Unlock' }).click();
	await expect(page.getByLabel('Notes')).toHaveValue('Keys under the blue pot.', { timeout: 20_000 });
	// Edits while unlocked are stored encrypted too, and still sync.
	await page.getByLabel('Notes').fill('Keys under the green pot.');
	await waitUntilSynced(page);
	await expect.poll(async () => (await storedText(page)).text.includes('green pot')).toBe(false);

	// Left alone for five minutes: locked, and the page no longer shows the space.
	await page.clock.fastForward('05:01');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hearth is locked');
	await expect(page.getByLabel('Notes')).toHaveCount(0);
	await expect(syncStatus(page)).toHaveCount(0);
	await page.getByLabel('Your app lock passphrase').fill('marmalade sky');
	await page.getByRole('button', { name: 'Unlock' }).click();
	await expect(page.getByLabel('Notes')).toHaveValue('Keys under the green pot.', { timeout: 20_000 });

	// "Lock Hearth", then turn it off again: everything readable by Hearth without a passphrase.
	await page.getByRole('button', { name: 'Lock Hearth' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hearth is locked');
	await page.getByLabel('Your app lock passphrase').fill('marmalade sky');
	await page.getByRole('button', { name: 'Unlock' }).click();
	await page.getByRole('link', { name: 'Your data' }).click();
	await page.getByLabel('App lock passphrase (to turn it off)').fill('marmalade sky');
	await page.getByRole('button', { name: 'Turn off app lock' }).click();
	await expect(page.getByRole('button', { name: 'Turn on app lock' })).toBeVisible({ timeout: 20_000 });
	await page.goto(spaceUrl);
	await expect(page.getByLabel('Notes')).toHaveValue('Keys under the green pot.');
	expect((await storedText(page)).sealed).toBe(0);
	await ada.context.close();
});
