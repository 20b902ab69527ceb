// Your data: Ada backs up everything, a new device with empty storage restores the backup and
// holds identical documents (same Automerge heads); she prints her Getting Support Profile and
// removes a space from a device on request.
import { expect, test, type Page } from '@playwright/test';
import { acceptInvitation, people, peoplePanel, startSpace, waitUntilSynced } from './helpers';

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

test('the readable Markdown copy reads as a care record: names, dates in words, a dose as a sentence, notes under their visit', async ({ browser }) => {
	const [olive, wes] = await people(browser, 'Olive', 'Wes');
	await olive.page.goto('/');
	await olive.page.getByLabel('Name of the team').fill('Olive’s team');
	await olive.page.locator('#team-me').fill('Olive');
	await olive.page.getByRole('button', { name: 'Start care team' }).click();
	await expect(olive.page).toHaveURL(/\/team\//);
	const teamUrl = olive.page.url();
	await olive.page.getByLabel('What the visit is').fill('Morning visit');
	await olive.page.getByRole('button', { name: 'Add visit' }).click();
	await expect(olive.page.getByRole('list', { name: 'Visits today' })).toContainText('Gap');
	await waitUntilSynced(olive.page);

	// Wes joins with care records and says he is a care worker.
	const panel = peoplePanel(olive.page);
	await panel.getByRole('button', { name: 'Invite someone' }).click();
	await panel.getByLabel('Their name').fill('Wes');
	await panel.getByLabel('Care records').check();
	await panel.getByRole('button', { name: 'Make invitation link' }).click();
	const link = await panel.getByLabel('Invitation link').inputValue();
	await panel.getByRole('button', { name: 'Done' }).click();
	await waitUntilSynced(olive.page);
	await wes.page.goto(link);
	await acceptInvitation(wes);
	await panel.getByRole('button', { name: /^Let them in \(/ }).click();
	await expect(panel.getByRole('status')).toContainText('is in');
	await expect(wes.page.getByRole('heading', { level: 1 })).toHaveText('You’re in');
	await wes.page.goto(teamUrl);
	await wes.page.locator('#intro-name').fill('Wes');
	await wes.page.getByLabel('How you are part of the team').selectOption({ label: 'Care worker (employed)' });
	await wes.page.getByRole('button', { name: 'Join the team list' }).click();
	await expect(wes.page.getByRole('list', { name: 'Team members' })).toContainText('Wes (you)');

	// He takes the visit, writes a note and signs for a dose.
	await wes.page.getByRole('button', { name: /Take this shift/ }).click();
	await expect(wes.page.getByRole('list', { name: 'Visits today' })).toContainText('you');
	await wes.page.getByRole('link', { name: 'Visit notes' }).click();
	await wes.page.getByLabel('What happened').fill('Breakfast and a walk to the park.');
	await wes.page.getByLabel('Meal').check();
	await wes.page.getByRole('button', { name: 'Save note' }).click();
	await expect(wes.page.getByRole('list', { name: 'Recent visit notes' })).toContainText('Breakfast and a walk to the park.');
	await wes.page.goto(teamUrl + '/medication');
	await wes.page.getByLabel('Medicine', { exact: true }).fill('Paracetamol');
	await wes.page.getByLabel('Dose', { exact: true }).fill('500 mg');
	await wes.page.getByRole('button', { name: 'Add medicine' }).click();
	await wes.page.getByLabel('Given', { exact: true }).check();
	await wes.page.getByRole('button', { name: 'Record and sign' }).click();
	await expect(wes.page.getByRole('list', { name: 'Record of doses' })).toContainText('Paracetamol 500 mg: Given');
	await waitUntilSynced(wes.page);

	// Olive downloads the Markdown copy of everything.
	await olive.page.goto(teamUrl + '/medication');
	await expect(olive.page.getByRole('list', { name: 'Record of doses' })).toContainText('Paracetamol 500 mg: Given');
	await olive.page.goto(teamUrl + '/visits');
	await expect(olive.page.getByText('Breakfast and a walk to the park.')).toBeVisible();
	await olive.page.goto('/your-data');
	await expect(olive.page.getByRole('group', { name: 'Olive’s team' })).toBeVisible();
	const [download] = await Promise.all([olive.page.waitForEvent('download'), olive.page.getByRole('button', { name: 'Download as Markdown (plain text)' }).click()]);
	expect(download.suggestedFilename()).toMatch(/^hearth-\d{4}-\d{2}-\d{2}\.md$/);
	const md = (await import('node:fs')).readFileSync(await download.path(), 'utf8');

	const day = '(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \\d{4}';
	expect(md).toMatch(/^# Your data from Hearth$/m);
	expect(md).toMatch(/^# Olive’s team$/m);
	expect(md).toMatch(new RegExp(`^- Wes: Care worker \\(employed\\), joined on ${day}, \\d\\d:\\d\\d\\.$`, 'm'));
	// The note under its visit, by name.
	expect(md).toMatch(new RegExp(`^### Morning visit, ${day}, \\d\\d:\\d\\d to \\d\\d:\\d\\d\\n\\n\\*\\*Wes wrote:\\*\\*\\n\\n> Breakfast and a walk to the park\\.\\n\\nTicked: Meal\\.$`, 'm'));
	// The dose as a sentence, under the day it was given, its signature checked.
	expect(md).toMatch(new RegExp(`^#### ${day}\\n\\n- Paracetamol 500 mg: given by Wes at \\d\\d:\\d\\d`, 'm'));
	expect(md).toContain('every signature checked out');
	// Nothing a person can't read: no keys, no JSON, no clock numbers.
	expect(md).not.toMatch(/[{}]/);
	expect(md).not.toMatch(/\b\d{10,}\b/);
	expect(md).not.toMatch(/[A-Za-z0-9_-]{40,}/);
	expect(md).not.toContain('"sig"');

	// The JSON copy stays the faithful one, signature and all.
	const [json] = await Promise.all([olive.page.waitForEvent('download'), olive.page.getByRole('button', { name: 'Download as JSON' }).click()]);
	const exported = JSON.parse((await import('node:fs')).readFileSync(await json.path(), 'utf8')) as { documents: Array<{ doc: { kind?: string; log?: unknown[] } }> };
	expect(exported.documents.some((d) => d.doc.kind === 'mar' && (d.doc.log?.length ?? 0) === 1)).toBe(true);

	await olive.context.close();
	await wes.context.close();
});
