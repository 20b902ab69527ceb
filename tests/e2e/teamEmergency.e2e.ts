// A neighbour who is only an emergency contact: the Team Owner shares "Key contacts" with the
// emergency-contact part of the team and invites the neighbour to that part alone. The
// neighbour reads the key contacts and nothing else: not the profile's other sections, not
// the rota, not the chat.
import { expect, test } from '@playwright/test';
import { acceptInvitation, people, peoplePanel, waitUntilSynced } from './helpers';

test('an emergency contact reads the key contacts and nothing else of the team', async ({ browser }) => {
	const [olive, nina] = await people(browser, 'Olive', 'Nina');
	const page = olive.page;
	await page.goto('/');
	await page.getByLabel('Name of the team').fill('Olive’s team');
	await page.locator('#team-me').fill('Olive');
	await page.getByRole('button', { name: 'Start care team' }).click();
	await expect(page).toHaveURL(/\/team\//);
	const teamUrl = page.url();

	// The profile: something for the whole team, and key contacts for emergency contacts only.
	await page.getByRole('link', { name: 'Getting Support Profile' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Getting Support Profile');
	await page.getByRole('textbox', { name: 'A bit about me' }).pressSequentially('I love gardening.');
	await expect(page.getByRole('textbox', { name: 'A bit about me' })).toHaveValue('I love gardening.');
	const keyContacts = page.getByRole('group', { name: 'Who can read “Key contacts”' });
	await keyContacts.getByRole('checkbox', { name: /^Emergency contact only/ }).check();
	await expect(page.getByText('“Key contacts” is now shared with Emergency contact only too.')).toBeVisible();
	await keyContacts.getByRole('checkbox', { name: /^Whole team/ }).uncheck();
	await expect(page.getByText('“Key contacts” is no longer shared with Whole team.')).toBeVisible();
	await page.getByLabel('Name', { exact: true }).fill('Sam Green');
	await page.getByLabel('Who they are to me').fill('Son');
	await page.getByLabel('Phone').fill('07700 900123');
	await page.getByRole('button', { name: 'Add contact' }).click();
	await expect(page.getByRole('list', { name: 'Contacts' })).toContainText('Sam Green · Son');
	await waitUntilSynced(page);

	// Invite Nina to the emergency contact part only.
	await page.goto(teamUrl);
	const panel = peoplePanel(page);
	await panel.getByRole('button', { name: 'Invite someone' }).click();
	await panel.getByLabel('Their name').fill('Nina');
	await panel.getByLabel('Whole team').uncheck();
	await panel.getByLabel('Emergency contact only').check();
	await panel.getByRole('button', { name: 'Make invitation link' }).click();
	await expect(panel.getByText('They will see: Emergency contact only.')).toBeVisible();
	const link = await panel.getByLabel('Invitation link').inputValue();
	await panel.getByRole('button', { name: 'Done' }).click();
	await waitUntilSynced(page);

	await nina.page.goto(link);
	await acceptInvitation(nina);
	await panel.getByRole('button', { name: /^Let them in \(/ }).click();
	await expect(panel.getByRole('status')).toContainText('is in');
	await expect(nina.page.getByRole('heading', { level: 1 })).toHaveText('You’re in');

	// Nina's home page lists the team; its page shows the key contacts and nothing else.
	await nina.page.goto('/');
	await nina.page.getByRole('link', { name: /A care team/ }).click();
	await expect(nina.page.getByRole('heading', { level: 1 })).toHaveText('A care team you help');
	await expect(nina.page.getByRole('heading', { level: 2, name: 'Key contacts' })).toBeVisible();
	await expect(nina.page.getByRole('list', { name: 'Contacts' })).toContainText('Sam Green · Son');
	await expect(nina.page.getByRole('link', { name: '07700 900123' })).toHaveAttribute('href', 'tel:07700900123');
	await expect(nina.page.getByText('I love gardening.')).toHaveCount(0);
	await expect(nina.page.getByRole('heading', { name: 'A bit about me' })).toHaveCount(0);
	await expect(nina.page.getByRole('link', { name: 'Team chat' })).toHaveCount(0);
	await expect(nina.page.getByRole('link', { name: 'Visit notes' })).toHaveCount(0);

	// After a reload it is still there (kept on her device).
	await nina.page.reload();
	await expect(nina.page.getByRole('list', { name: 'Contacts' })).toContainText('Sam Green · Son');
});
