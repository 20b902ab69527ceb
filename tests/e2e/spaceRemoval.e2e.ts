// Being removed from a private space or a circle reads the same as from a care team: the page
// says at once who removed you and when, that what is there is your own copy, and nothing new
// can be added (the text boxes are read-only and the forms switched off).
import { expect, test } from '@playwright/test';
import { acceptInvitation, invite, letIn, people, peoplePanel, startPrivateSpace, waitUntilSynced } from './helpers';

test('a private space: Bea, removed, reads her copy and can add nothing', async ({ browser }) => {
	const [olive, bea] = await people(browser, 'Olive', 'Bea');
	await startPrivateSpace(olive, 'Tuesday lunch club', 'Olive');
	const link = await invite(olive, 'Bea');
	await bea.page.goto(link);
	await acceptInvitation(bea);
	await letIn(olive);
	await bea.page.getByRole('link', { name: /Tuesday lunch club/ }).click();
	await expect(bea.page).toHaveURL(/\/space\//);
	const notes = bea.page.getByLabel('Notes');
	await notes.click();
	await notes.pressSequentially('Bread from Bea.');
	await expect(olive.page.getByLabel('Notes')).toHaveValue('Bread from Bea.');
	await waitUntilSynced(bea.page);
	await expect(bea.page.getByTestId('closed-notice')).toHaveText('');

	const beaRow = peoplePanel(olive.page).getByRole('list', { name: 'People in this space' }).getByRole('listitem').filter({ hasText: 'Bea' });
	await beaRow.getByRole('button', { name: 'Remove from space' }).click();
	await beaRow.getByRole('button', { name: 'Yes, remove Bea' }).click();
	await expect(peoplePanel(olive.page).getByRole('status')).toContainText('Bea has been removed');

	const notice = bea.page.getByTestId('closed-notice');
	await expect(notice).toContainText('You were removed from Tuesday lunch club by Olive on ');
	await expect(notice).toContainText('What you can still see here is your own copy from before then.');
	await expect(notes).toHaveValue('Bread from Bea.');
	await expect(notes).not.toBeEditable();
	await expect(bea.page.getByLabel('Name', { exact: true })).not.toBeEditable();
	await expect(bea.page.getByLabel('Add to the checklist')).toBeDisabled();
	await expect(bea.page.getByText('You can’t add to this space any more.')).toBeVisible();

	await olive.context.close();
	await bea.context.close();
});

test('a circle: Ben, removed, is told on every page and can start nothing', async ({ browser }) => {
	const [ana, ben] = await people(browser, 'Ana', 'Ben');
	await ana.page.goto('/');
	await ana.page.getByLabel('Name of the circle').fill('North Local Circle');
	await ana.page.getByLabel('What the circle is for (its aim)').fill('Good care in the north of the town');
	await ana.page.getByLabel('What the circle should call you').fill('Ana');
	await ana.page.getByRole('button', { name: 'Start circle' }).click();
	await expect(ana.page).toHaveURL(/\/circle\//);
	const circleUrl = ana.page.url();
	await waitUntilSynced(ana.page);
	const link = await invite(ana, 'Ben');
	await ben.page.goto(link);
	await acceptInvitation(ben);
	await peoplePanel(ana.page).getByRole('button', { name: /^Let them in \(/ }).click();
	await expect(peoplePanel(ana.page).getByRole('status')).toContainText('is in');
	await ben.page.goto(circleUrl);
	await ben.page.getByLabel('Your name').fill('Ben');
	await ben.page.getByRole('button', { name: 'Join the circle list' }).click();
	await expect(ben.page.getByRole('list', { name: 'Circle members' })).toContainText('Ben (you)');
	await waitUntilSynced(ben.page);

	const benRow = peoplePanel(ana.page).getByRole('list', { name: 'People in this space' }).getByRole('listitem').filter({ hasText: 'Ben' });
	await benRow.getByRole('button', { name: 'Remove from space' }).click();
	await benRow.getByRole('button', { name: 'Yes, remove Ben' }).click();
	await expect(peoplePanel(ana.page).getByRole('status')).toContainText('Ben has been removed');

	const notice = ben.page.getByTestId('closed-notice');
	await expect(notice).toContainText('You were removed from North Local Circle by Ana on ');
	await expect(ben.page.getByText('You can’t add to this circle any more.')).toBeVisible();
	await ben.page.getByRole('navigation', { name: 'North Local Circle sections' }).getByRole('link', { name: 'Meetings' }).click();
	await expect(notice).toContainText('You were removed from North Local Circle by Ana on ');
	await expect(ben.page.getByRole('button', { name: 'Start meeting page' })).toBeDisabled();
	await expect(ben.page.getByLabel('What the meeting is')).toBeDisabled();

	await ana.context.close();
	await ben.context.close();
});
