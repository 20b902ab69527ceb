// Care teams in the browser: an owner starts a team, invites a worker with care records and a
// family member with only the whole team; the worker writes a visit note and records a dose;
// the family member sees the rota but is told plainly they don't have access to care records.
import { expect, test, type Page } from '@playwright/test';
import { acceptInvitation, people, peoplePanel, waitUntilSynced, type Person } from './helpers';

async function inviteTo(person: Person, who: string, circles: string[]): Promise<string> {
	const panel = peoplePanel(person.page);
	await panel.getByRole('button', { name: 'Invite someone' }).click();
	await panel.getByLabel('Their name').fill(who);
	for (const c of circles) await panel.getByLabel(c).check();
	await panel.getByRole('button', { name: 'Make invitation link' }).click();
	await expect(panel.getByRole('heading', { name: `Invitation for ${who} is ready` })).toBeVisible();
	const link = await panel.getByLabel('Invitation link').inputValue();
	await panel.getByRole('button', { name: 'Done' }).click();
	await waitUntilSynced(person.page);
	return link;
}

async function join(owner: Person, joiner: Person, link: string, teamUrl: string, kind: string): Promise<Page> {
	await joiner.page.goto(link);
	await acceptInvitation(joiner);
	// The helper's letIn also matches "Let them invite and remove people" once someone is in.
	const panel = peoplePanel(owner.page);
	await panel.getByRole('button', { name: /^Let them in \(/ }).click();
	await expect(panel.getByRole('status')).toContainText('is in');
	await expect(joiner.page.getByRole('heading', { level: 1 })).toHaveText('You’re in');
	await joiner.page.goto(teamUrl);
	await expect(joiner.page.getByRole('heading', { name: 'Introduce yourself to the team' })).toBeVisible();
	await joiner.page.locator('#intro-name').fill(joiner.name);
	await joiner.page.getByLabel('How you are part of the team').selectOption({ label: kind });
	await joiner.page.getByRole('button', { name: 'Join the team list' }).click();
	await expect(joiner.page.getByRole('list', { name: 'Team members' })).toContainText(`${joiner.name} (you)`);
	return joiner.page;
}

test('a care team: invitations by circle, visit notes, a signed dose, and no care records for family', async ({ browser }) => {
	const [olive, wes, fay] = await people(browser, 'Olive', 'Wes', 'Fay');
	await olive.page.goto('/');
	await olive.page.getByLabel('Name of the team').fill('Olive’s team');
	await olive.page.locator('#team-me').fill('Olive');
	await olive.page.getByRole('button', { name: 'Start care team' }).click();
	await expect(olive.page).toHaveURL(/\/team\//);
	const teamUrl = olive.page.url();
	await expect(olive.page.getByRole('heading', { level: 1 })).toHaveText('Olive’s team');
	await expect(olive.page.getByRole('list', { name: 'Team members' })).toContainText('Team Owner');

	// A visit today with one open place: a gap.
	await olive.page.getByLabel('What the visit is').fill('Morning visit');
	await olive.page.getByRole('button', { name: 'Add visit' }).click();
	await expect(olive.page.getByRole('list', { name: 'Visits today' })).toContainText('Gap');
	await waitUntilSynced(olive.page);

	const wesLink = await inviteTo(olive, 'Wes', ['Care records']);
	await join(olive, wes, wesLink, teamUrl, 'Care worker (independent)');
	const fayLink = await inviteTo(olive, 'Fay', []);
	await join(olive, fay, fayLink, teamUrl, 'Family or friend');

	// Wes takes the shift, writes a visit note, and records a dose.
	await wes.page.getByRole('button', { name: /Take this shift/ }).click();
	await expect(wes.page.getByRole('list', { name: 'Visits today' })).toContainText('you');
	await wes.page.getByRole('link', { name: 'Visit notes' }).click();
	await wes.page.getByLabel('What happened').fill('Breakfast and a walk.');
	await wes.page.getByLabel('Meal').check();
	await wes.page.getByRole('button', { name: 'Save note' }).click();
	await expect(wes.page.getByRole('list', { name: 'Recent visit notes' })).toContainText('Breakfast and a walk.');

	await wes.page.goto(teamUrl + '/medication');
	await wes.page.getByLabel('Medicine', { exact: true }).fill('Paracetamol');
	await wes.page.getByLabel('Dose', { exact: true }).fill('500 mg');
	await wes.page.getByRole('button', { name: 'Add medicine' }).click();
	await wes.page.getByLabel('Given', { exact: true }).check();
	await wes.page.getByRole('button', { name: 'Record and sign' }).click();
	await expect(wes.page.getByRole('list', { name: 'Record of doses' })).toContainText('Paracetamol 500 mg: Given');
	await expect(wes.page.getByText('Altered after it was signed')).toHaveCount(0);
	await waitUntilSynced(wes.page);

	// Olive reads it; Fay sees the rota but not care records.
	await olive.page.goto(teamUrl + '/medication');
	await expect(olive.page.getByRole('list', { name: 'Record of doses' })).toContainText('Paracetamol 500 mg: Given');
	await expect(fay.page.getByRole('list', { name: 'Visits today' })).toContainText('Wes');
	await expect(fay.page.getByText('You don\'t have access to care records')).toBeVisible();
	await expect(fay.page.getByRole('link', { name: 'Medication' })).toHaveCount(0);
});
