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

	await page.getByLabel('Who can read “Key contacts”').selectOption({ label: 'Emergency contact only' });
	await expect(page.getByText('“Key contacts” is now shared with Emergency contact only.')).toBeVisible();

	// What was written stays after a reload.
	await page.reload();
	await expect(page.getByRole('textbox', { name: 'A bit about me' })).toHaveValue('I love gardening.');
	await expect(page.getByLabel('Who can read “Key contacts”').locator('option:checked')).toHaveText('Emergency contact only');

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
