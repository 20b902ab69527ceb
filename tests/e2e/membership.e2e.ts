// Private spaces in the browser: an owner invites one person by link, the person accepts,
// the owner lets them in, they write together, and after removal the person sees nothing new.
import { expect, test } from '@playwright/test';
import { acceptInvitation, invite, letIn, people, peoplePanel, startPrivateSpace, waitUntilSynced } from './helpers';

test('invite, accept, let in, write together, remove: the removed person sees nothing new', async ({ browser }) => {
	const [olive, bea] = await people(browser, 'olive', 'bea');
	await startPrivateSpace(olive, 'Tuesday lunch club', 'Olive');

	const oliveNotes = olive.page.getByLabel('Notes');
	await oliveNotes.click();
	await oliveNotes.pressSequentially('Soup for six.');
	await waitUntilSynced(olive.page);

	// Olive sees herself as the owner, and makes an invitation for Bea.
	const oliveMembers = peoplePanel(olive.page).getByRole('list', { name: 'People in this space' });
	await expect(oliveMembers.getByRole('listitem').filter({ hasText: 'Olive (you)' })).toContainText('Owner');
	const link = await invite(olive, 'Bea');
	expect(link).toContain('/invite#');
	await expect(peoplePanel(olive.page).getByRole('list', { name: 'Invitations not used yet' })).toContainText('Invitation for Bea');

	// Bea opens the link: she sees who invited her to what, and accepts.
	await bea.page.goto(link);
	await expect(bea.page.getByRole('heading', { level: 1 })).toHaveText('Olive invited you to join Tuesday lunch club');
	expect(bea.page.url()).not.toContain('#'); // the secret is dropped from the address bar
	await acceptInvitation(bea);
	await expect(bea.page.getByRole('heading', { level: 1 })).toHaveText('Thanks — Olive will let you in soon');

	// Olive lets her in; Bea's page follows along by itself.
	await letIn(olive);
	await expect(bea.page.getByRole('heading', { level: 1 })).toHaveText('You’re in');
	await bea.page.getByRole('link', { name: /Tuesday lunch club/ }).click();
	await expect(bea.page).toHaveURL(/\/space\//);
	const beaNotes = bea.page.getByLabel('Notes');
	await expect(beaNotes).toHaveValue('Soup for six.');

	// Bea names herself once; Olive sees the name.
	await bea.page.getByLabel('Your name').fill('Bea');
	await bea.page.getByRole('button', { name: 'Save name' }).click();
	await expect(oliveMembers.getByRole('listitem').filter({ hasText: 'Bea' })).toContainText('Member');
	await expect(peoplePanel(bea.page).getByRole('list', { name: 'People in this space' })).toContainText('Olive');

	// What Bea writes reaches Olive.
	await beaNotes.click();
	await bea.page.keyboard.press('End');
	await beaNotes.pressSequentially(' Bread from Bea.');
	await expect(oliveNotes).toHaveValue('Soup for six. Bread from Bea.');
	await waitUntilSynced(bea.page);

	// Both can check their safety number; it is the same on both sides.
	const beaRow = oliveMembers.getByRole('listitem').filter({ hasText: 'Bea' });
	await beaRow.getByRole('button', { name: 'Check safety number' }).click();
	const oliveSees = await beaRow.getByTestId('safety-number').innerText();
	const oliveRow = peoplePanel(bea.page).getByRole('list', { name: 'People in this space' }).getByRole('listitem').filter({ hasText: 'Olive' });
	await oliveRow.getByRole('button', { name: 'Check safety number' }).click();
	expect(await oliveRow.getByTestId('safety-number').innerText()).toBe(oliveSees);
	expect(oliveSees.replace(/\s+/g, '')).toMatch(/^\d{30}$/);
	await beaRow.getByRole('button', { name: 'Hide safety number' }).click();

	// Olive removes Bea, after a plain-words confirmation.
	await beaRow.getByRole('button', { name: 'Remove from space' }).click();
	await expect(beaRow).toContainText('Remove Bea? They will keep what they have already seen, but won’t see anything new.');
	await beaRow.getByRole('button', { name: 'Yes, remove Bea' }).click();
	await expect(peoplePanel(olive.page).getByRole('status')).toContainText('Bea has been removed');
	await expect(oliveMembers.getByRole('listitem')).toHaveCount(1);
	await expect(peoplePanel(bea.page)).toContainText('You are no longer in this space');

	// Olive keeps writing. Bea's page keeps the old text: nothing new reaches her.
	await waitUntilSynced(olive.page);
	await oliveNotes.click();
	await olive.page.keyboard.press('End');
	await oliveNotes.pressSequentially(' New key safe code is 4471.');
	await waitUntilSynced(olive.page);
	await bea.page.waitForTimeout(2500);
	await expect(beaNotes).toHaveValue('Soup for six. Bread from Bea.');
	await expect(oliveNotes).toHaveValue('Soup for six. Bread from Bea. New key safe code is 4471.');

	await olive.context.close();
	await bea.context.close();
});

test('a cancelled invitation link says so clearly', async ({ browser }) => {
	const [olive, cal] = await people(browser, 'olive', 'cal');
	await startPrivateSpace(olive, 'Rota', 'Olive');
	const link = await invite(olive, 'Cal');
	await peoplePanel(olive.page).getByRole('button', { name: 'Cancel invitation' }).click();
	await expect(peoplePanel(olive.page).getByRole('status')).toContainText('The invitation for Cal is cancelled');
	await waitUntilSynced(olive.page);

	await cal.page.goto(link);
	await expect(cal.page.getByRole('heading', { level: 1 })).toHaveText('This invitation cannot be used');
	await expect(cal.page.getByRole('alert')).toContainText('This invitation was cancelled by the person who sent it.');
	await expect(cal.page.getByRole('button', { name: 'Accept' })).toHaveCount(0);

	await olive.context.close();
	await cal.context.close();
});

test('someone waiting sees it on their home page, and is told when they are not let in', async ({ browser }) => {
	const [olive, dee] = await people(browser, 'olive', 'dee');
	await startPrivateSpace(olive, 'Garden group', 'Olive');
	const link = await invite(olive, 'Dee');

	await dee.page.goto(link);
	await acceptInvitation(dee);
	await dee.page.getByRole('link', { name: 'Go to your spaces' }).click();
	await expect(dee.page.getByText('Waiting for Olive to let you in')).toBeVisible();
	await expect(dee.page.getByText('Garden group')).toBeVisible();

	await peoplePanel(olive.page).getByRole('button', { name: 'Decline' }).click();
	await expect(dee.page.getByText('Olive did not let you in to Garden group')).toBeVisible();
	await expect(dee.page.getByText('Waiting for Olive to let you in')).toHaveCount(0);

	await olive.context.close();
	await dee.context.close();
});

test('after you check someone’s safety number, a device they add later is pointed out loudly', async ({ browser }) => {
	const [olive, bea, beaPhone] = await people(browser, 'olive', 'bea', 'bea-phone');
	await startPrivateSpace(olive, 'Allotment', 'Olive');
	const link = await invite(olive, 'Bea');
	await bea.page.goto(link);
	await acceptInvitation(bea);
	await letIn(olive);
	await expect(bea.page.getByRole('heading', { level: 1 })).toHaveText('You’re in');

	const beaRow = peoplePanel(olive.page).getByRole('list', { name: 'People in this space' }).getByRole('listitem').filter({ hasText: /Someone new|Bea/ });
	await beaRow.getByRole('button', { name: 'Check safety number' }).click();
	await beaRow.getByLabel(/I have checked this with/).check();
	await expect(olive.page.getByRole('alert').filter({ hasText: 'new device' })).toHaveCount(0);

	// Bea links her phone; Olive is told loudly, without opening anything.
	await bea.page.goto('/devices');
	await bea.page.getByRole('button', { name: 'Link a new device' }).click();
	const deviceLink = await bea.page.getByLabel('Link for your new device').inputValue();
	await beaPhone.page.goto(deviceLink);
	const code = await beaPhone.page.getByTestId('link-code').textContent();
	await bea.page.getByRole('button', { name: `Yes, it shows ${code}` }).click();
	await expect(beaPhone.page.getByText('This device is linked')).toBeVisible();
	await expect(olive.page.getByRole('alert').filter({ hasText: 'has a new device since you checked' })).toBeVisible({ timeout: 20_000 });
	for (const p of [olive, bea, beaPhone]) await p.context.close();
});
