import { expect, test } from '@playwright/test';
import { openLink, people, startSpace, syncStatus, waitUntilSynced } from './helpers';

test('two people edit one space live, one goes offline and comes back, both end identical', async ({ browser }) => {
	const [ada, bea] = await people(browser, 'ada', 'bea');
	const link = await startSpace(ada, 'Tuesday lunch club');
	expect(link).toContain('/open#');
	await openLink(bea, link, 'Tuesday lunch club');

	const adaNotes = ada.page.getByLabel('Notes');
	const beaNotes = bea.page.getByLabel('Notes');

	// Live: each sees the other's typing.
	await adaNotes.click();
	await adaNotes.pressSequentially('Soup for six. ');
	await expect(beaNotes).toHaveValue('Soup for six. ');
	await beaNotes.click();
	await bea.page.keyboard.press('End');
	await beaNotes.pressSequentially('Bread from Joy.');
	await expect(adaNotes).toHaveValue('Soup for six. Bread from Joy.');

	// Bea loses her connection and keeps working.
	await bea.context.setOffline(true);
	await expect(syncStatus(bea.page)).toContainText('Offline');
	await bea.page.getByLabel('Add to the checklist').fill('Bring the big pot');
	await bea.page.getByRole('button', { name: 'Add', exact: true }).click();
	await beaNotes.click();
	await bea.page.keyboard.press('End');
	await beaNotes.pressSequentially(' Hall opens at 11.');
	await expect(syncStatus(bea.page)).toContainText('waiting to sync');
	expect(Number(await syncStatus(bea.page).getAttribute('data-pending'))).toBeGreaterThan(0);

	// Meanwhile Ada edits the same notes.
	await adaNotes.click();
	await ada.page.keyboard.press('Home');
	await adaNotes.pressSequentially('Menu: ');
	await expect(ada.page.getByRole('checkbox', { name: 'Bring the big pot' })).toHaveCount(0);

	// Back online: everything merges, nobody's words are lost.
	await bea.context.setOffline(false);
	await waitUntilSynced(bea.page);
	await waitUntilSynced(ada.page);
	await expect(ada.page.getByRole('checkbox', { name: 'Bring the big pot' })).toBeVisible();
	const expected = 'Menu: Soup for six. Bread from Joy. Hall opens at 11.';
	await expect(adaNotes).toHaveValue(expected);
	await expect(beaNotes).toHaveValue(expected);

	// A reload shows the same thing: it was all stored on the device.
	await bea.page.reload();
	await expect(bea.page.getByLabel('Notes')).toHaveValue(expected);
	await expect(bea.page.getByRole('checkbox', { name: 'Bring the big pot' })).toBeVisible();

	await ada.context.close();
	await bea.context.close();
});

test('a damaged link is refused with a clear message', async ({ browser }) => {
	const [cal] = await people(browser, 'cal');
	await cal.page.goto('/open#d=abc&k=zz&r=nope');
	await expect(cal.page.getByRole('alert')).toContainText('changed or damaged');
	await cal.context.close();
});
