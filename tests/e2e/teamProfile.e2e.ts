// The Getting Support Profile and the Promise: the owner writes "A bit about me", shares key
// contacts with emergency contacts only, writes the Promise and agrees to it with a signature.
import { expect, test } from '@playwright/test';
import { people } from './helpers';

test('the owner writes the profile, chooses who reads a section, and agrees to the Promise', async ({ browser }) => {
	const [olive] = await people(browser, 'Olive');
	const page = olive.page;
	await page.goto('/');
	await page.getByLabel('Name of the team').fill('Olive’s team');
	await page.locator('#team-me').fill('Olive');
	await page.getByRole('button', { name: 'Start care team' }).click();
	await expect(page).toHaveURL(/\/team\//);
	const teamUrl = page.url();

	await page.getByRole('link', { name: 'Getting Support Profile' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Getting Support Profile');
	await page.getByRole('textbox', { name: 'A bit about me' }).pressSequentially('I love gardening.');
	await expect(page.getByRole('textbox', { name: 'A bit about me' })).toHaveValue('I love gardening.');

	// Key contacts go to emergency contacts only: tick them, untick the whole team.
	const keyContacts = page.getByRole('group', { name: 'Who can read “Key contacts”' });
	await keyContacts.getByRole('checkbox', { name: /^Emergency contact only/ }).check();
	await expect(page.getByText('“Key contacts” is now shared with Emergency contact only too.')).toBeVisible();
	await keyContacts.getByRole('checkbox', { name: /^Whole team/ }).uncheck();
	await expect(page.getByText('“Key contacts” is no longer shared with Whole team.')).toBeVisible();
	// A section keeps at least one part of the team: unticking the last is refused, and it stays ticked.
	await keyContacts.getByRole('checkbox', { name: /^Emergency contact only/ }).click();
	await expect(page.getByRole('alert')).toContainText('shared with at least one part of the team');
	await expect(keyContacts.getByRole('checkbox', { name: /^Emergency contact only/ })).toBeChecked();

	// What was written stays after a reload.
	await page.reload();
	await expect(page.getByRole('textbox', { name: 'A bit about me' })).toHaveValue('I love gardening.');
	await expect(keyContacts.getByRole('checkbox', { name: /^Emergency contact only/ })).toBeChecked();
	await expect(keyContacts.getByRole('checkbox', { name: /^Whole team/ })).not.toBeChecked();

	await page.goto(teamUrl + '/trust');
	await page.getByRole('textbox', { name: 'The Promise' }).fill('We will listen to Olive and turn up on time.');
	await page.getByRole('button', { name: 'Agree' }).click();
	await expect(page.getByRole('list', { name: 'Who has agreed' })).toContainText('Agreed on');
	await expect(page.getByText('You have agreed to the Promise as it reads now.')).toBeVisible();

	// Changing the words: the agreement is to an earlier version.
	await page.getByRole('textbox', { name: 'The Promise' }).fill('We will listen to Olive and always turn up on time.');
	await expect(page.getByRole('list', { name: 'Who has agreed' })).toContainText('Agreed to an earlier version');
	await expect(page.getByRole('button', { name: 'Agree' })).toBeVisible();
});
