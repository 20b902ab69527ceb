// Your data: Ada backs up everything, a new device with empty storage restores the backup and
// holds identical documents (same Automerge heads); she prints her Getting Support Profile and
// removes a space from a device on request.
import { expect, test, type Page } from '@playwright/test';
import { people, startSpace, waitUntilSynced } from './helpers';

async function headsByDoc(page: Page): Promise<Record<string, string>> {
	await expect(page.locator('[data-doc]').first()).toBeVisible();
	return page.locator('[data-doc]').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-doc'), e.getAttribute('data-heads')])));
}

test('export an encrypted backup, restore it on a device with empty storage: identical documents', async ({ browser }) => {
	const [ada, fresh] = await people(browser, 'ada', 'fresh');
	await startSpace(ada, 'Lunch club');
	const spaceUrl = ada.page.url();
	await ada.page.getByLabel('Notes').fill('Soup on Tuesdays.');
	await ada.page.goto('/');
	await ada.page.getByLabel('Name of the team').fill('Ada’s team');
	await ada.page.locator('#team-me').fill('Ada');
	await ada.page.getByRole('button', { name: 'Start care team' }).click();
	await expect(ada.page).toHaveURL(/\/team\//);
	await waitUntilSynced(ada.page);

	await ada.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Your data' }).click();
	await expect(ada.page.getByRole('heading', { level: 1 })).toHaveText('Your data');
	await expect(ada.page.getByRole('group', { name: 'Lunch club' })).toBeVisible();
	await expect(ada.page.getByRole('group', { name: 'Ada’s team' })).toBeVisible();
	const original = await headsByDoc(ada.page);
	expect(Object.keys(original).length).toBeGreaterThan(3);

	// Too short a passphrase is refused plainly; then a good one makes the file.
	await ada.page.getByLabel('Choose a passphrase').fill('short');
	await ada.page.getByLabel('Type the passphrase again').fill('short');
	await ada.page.getByRole('button', { name: 'Download encrypted backup' }).click();
	await expect(ada.page.getByRole('alert')).toContainText('at least 10 characters');
	await ada.page.getByLabel('Choose a passphrase').fill('kettle on the landing');
	await ada.page.getByLabel('Type the passphrase again').fill('kettle on the landing');
	const [backup] = await Promise.all([ada.page.waitForEvent('download'), ada.page.getByRole('button', { name: 'Download encrypted backup' }).click()]);
	const file = await backup.path();
	await expect(ada.page.getByRole('status').filter({ hasText: 'Backup saved' })).toBeVisible();
	// The file names nothing it holds.
	const text = (await import('node:fs')).readFileSync(file, 'utf8');
	expect(text).not.toContain('Lunch club');
	expect(text).not.toContain('Soup');
	expect(text).not.toContain('Ada');

	// Restoring onto the device that made it merges: the edit made since is kept.
	await ada.page.goto(spaceUrl);
	await ada.page.getByLabel('Notes').fill('Soup on Tuesdays and Fridays.');
	await ada.page.goto('/your-data');
	await ada.page.getByLabel('Backup file').setInputFiles(file);
	await ada.page.getByLabel('The backup’s passphrase').fill('kettle on the landing');
	await ada.page.getByRole('button', { name: 'Restore' }).click();
	await expect(ada.page.getByRole('list', { name: 'Restore a backup' })).toContainText('Lunch club: merged with the copy here', { timeout: 20_000 });
	await ada.page.goto(spaceUrl);
	await expect(ada.page.getByLabel('Notes')).toHaveValue('Soup on Tuesdays and Fridays.');

	// A device with empty storage (a new browser profile) restores it.
	await fresh.page.goto('/your-data');
	await expect(fresh.page.getByLabel('Backup file')).toBeVisible();
	// The first visit's service worker has stored the app, so it keeps working offline.
	await expect.poll(() => fresh.page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 20_000 }).toBe(true);
	// Offline, so what it holds afterwards is exactly the backup, not what the relay has since.
	await fresh.context.setOffline(true);
	await fresh.page.getByLabel('Backup file').setInputFiles(file);
	await fresh.page.getByLabel('The backup’s passphrase').fill('not the passphrase');
	await fresh.page.getByRole('button', { name: 'Restore' }).click();
	await expect(fresh.page.getByRole('alert')).toContainText('does not open this backup', { timeout: 20_000 });
	await fresh.page.getByLabel('The backup’s passphrase').fill('kettle on the landing');
	await fresh.page.getByRole('button', { name: 'Restore' }).click();
	await expect(fresh.page.getByRole('status').filter({ hasText: /Restored \d+ documents/ })).toBeVisible({ timeout: 20_000 });
	expect(await headsByDoc(fresh.page)).toEqual(original);

	// The space shared by link is back in full, with its keys: it opens and reads the same,
	// and once online it catches up with what was written after the backup.
	await fresh.page.getByRole('link', { name: 'Your spaces' }).click();
	await fresh.page.getByRole('list', { name: 'Your spaces' }).getByRole('link', { name: /Lunch club/ }).click();
	await expect(fresh.page.getByLabel('Notes')).toHaveValue('Soup on Tuesdays.');
	await fresh.context.setOffline(false);
	await expect(fresh.page.getByLabel('Notes')).toHaveValue('Soup on Tuesdays and Fridays.');
	// The team's documents are kept to read (this device is not a member): the words are there.
	await fresh.page.goto('/your-data');
	await expect(fresh.page.getByRole('heading', { level: 1 })).toHaveText('Your data');
	const copies = fresh.page.getByRole('list', { name: 'Copies from a backup, to read' });
	await copies.getByRole('button', { name: /^Show what it says\W+Ada’s team \(care team\)$/ }).click();
	await expect(copies.locator('pre')).toContainText('Ada’s team');

	await ada.context.close();
	await fresh.context.close();
});

test('print a Getting Support Profile, and remove a space from this device', async ({ browser }) => {
	const [ada] = await people(browser, 'ada');
	await startSpace(ada, 'Old rota');
	await ada.page.goto('/');
	await ada.page.getByLabel('Name of the team').fill('Ada’s team');
	await ada.page.locator('#team-me').fill('Ada');
	await ada.page.getByRole('button', { name: 'Start care team' }).click();
	await expect(ada.page).toHaveURL(/\/team\//);
	await waitUntilSynced(ada.page);

	await ada.page.goto('/your-data');
	await ada.page.getByRole('link', { name: 'Print or save as PDF: the profile in Ada’s team' }).click();
	await expect(ada.page.getByRole('heading', { level: 1 })).toHaveText('Getting Support Profile: Ada');
	await expect(ada.page.getByRole('heading', { name: 'Essentials' })).toBeVisible();
	await expect(ada.page.getByRole('button', { name: 'Print or save as PDF' })).toBeVisible();
	await ada.page.emulateMedia({ media: 'print' });
	await expect(ada.page.getByRole('button', { name: 'Print or save as PDF' })).toBeHidden();
	await expect(ada.page.getByTestId('sync-status')).toBeHidden();
	await ada.page.emulateMedia({ media: 'screen' });

	await ada.page.goto('/your-data');
	await ada.page.getByRole('button', { name: 'Remove Old rota from this device' }).click();
	await expect(ada.page.getByText('Remove Old rota from this device?')).toBeVisible();
	await ada.page.getByRole('button', { name: 'Yes, remove it' }).click();
	await expect(ada.page.getByRole('status').filter({ hasText: 'Old rota was removed from this device.' })).toBeVisible();
	await expect(ada.page.getByRole('group', { name: 'Old rota' })).toHaveCount(0);
	await ada.page.reload();
	await expect(ada.page.getByRole('group', { name: 'Ada’s team' })).toBeVisible();
	await expect(ada.page.getByRole('group', { name: 'Old rota' })).toHaveCount(0);

	// A whole team, too.
	await ada.page.getByRole('button', { name: 'Remove Ada’s team from this device' }).click();
	await ada.page.getByRole('button', { name: 'Yes, remove it' }).click();
	await expect(ada.page.getByRole('group', { name: 'Ada’s team' })).toHaveCount(0);
	await ada.page.goto('/');
	await expect(ada.page.getByRole('heading', { name: 'Care teams' })).toHaveCount(0);
	await ada.context.close();
});
