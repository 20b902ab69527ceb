// One profile section, several parts of the team. Olive shares "Essentials" (where her DNR
// form is) with the whole team and her emergency contacts. Wes, a care worker in the whole
// team, and Nina, her neighbour who is only an emergency contact, both read it and see her
// later edit; Sue, who only does the books (money), never sees a word of it. When Olive
// unticks emergency contacts, Nina's copy is gone and Olive's next words reach Wes alone.
import { expect, test, type Page } from '@playwright/test';
import { acceptInvitation, people, peoplePanel, waitUntilSynced, type Person } from './helpers';

const DNR = 'Do not resuscitate: the ReSPECT form is in the blue folder by the door.';
const LATER = 'Do not resuscitate: the ReSPECT form is in the blue folder on the fridge.';
const LAST = 'Ring my son Tom before the GP.';

async function inviteTo(owner: Person, who: string, untick: string[], tick: string[]): Promise<string> {
	const panel = peoplePanel(owner.page);
	await panel.getByRole('button', { name: 'Invite someone' }).click();
	await panel.getByLabel('Their name').fill(who);
	for (const c of untick) await panel.getByLabel(c).uncheck();
	for (const c of tick) await panel.getByLabel(c).check();
	await panel.getByRole('button', { name: 'Make invitation link' }).click();
	await expect(panel.getByRole('heading', { name: `Invitation for ${who} is ready` })).toBeVisible();
	const link = await panel.getByLabel('Invitation link').inputValue();
	await panel.getByRole('button', { name: 'Done' }).click();
	await waitUntilSynced(owner.page);
	return link;
}

async function letIn(owner: Person, joiner: Person, link: string): Promise<void> {
	await joiner.page.goto(link);
	await acceptInvitation(joiner);
	const panel = peoplePanel(owner.page);
	await panel.getByRole('button', { name: /^Let them in \(/ }).click();
	await expect(panel.getByRole('status')).toContainText('is in');
	await expect(joiner.page.getByRole('heading', { level: 1 })).toHaveText('You’re in');
}

function essentials(page: Page) {
	return page.getByRole('region', { name: 'Essentials' });
}

test('a section shared with the whole team and emergency contacts: both read it, nobody else does, and unticking takes it away', async ({ browser }) => {
	const [olive, wes, nina, sue] = await people(browser, 'Olive', 'Wes', 'Nina', 'Sue');
	await olive.page.goto('/');
	await olive.page.getByLabel('Name of the team').fill('Olive’s team');
	await olive.page.locator('#team-me').fill('Olive');
	await olive.page.getByRole('button', { name: 'Start care team' }).click();
	await expect(olive.page).toHaveURL(/\/team\//);
	const teamUrl = olive.page.url();

	// Wes joins the whole team and care records, and says he is a care worker.
	await letIn(olive, wes, await inviteTo(olive, 'Wes', [], ['Care records']));
	await wes.page.goto(teamUrl);
	await wes.page.locator('#intro-name').fill('Wes');
	await wes.page.getByLabel('How you are part of the team').selectOption({ label: 'Care worker (employed)' });
	await wes.page.getByRole('button', { name: 'Join the team list' }).click();
	await expect(wes.page.getByRole('list', { name: 'Team members' })).toContainText('Wes (you)');
	// Nina is an emergency contact only; Sue does the books only.
	await olive.page.goto(teamUrl);
	await letIn(olive, nina, await inviteTo(olive, 'Nina', ['Whole team'], ['Emergency contact only']));
	await letIn(olive, sue, await inviteTo(olive, 'Sue', ['Whole team'], ['Money']));

	// Olive writes where her DNR form is, and shares Essentials with emergency contacts too.
	const page = olive.page;
	await page.goto(teamUrl + '/profile');
	await page.getByRole('textbox', { name: 'Advance decisions / DNR' }).pressSequentially(DNR);
	await expect(page.getByRole('textbox', { name: 'Advance decisions / DNR' })).toHaveValue(DNR);
	const who = essentials(page).getByRole('group', { name: 'Who can read “Essentials”' });
	// Each choice says who is in that part of the team.
	await expect(who.getByRole('checkbox', { name: 'Whole team (everyone in the team: care workers, family and friends)' })).toBeChecked();
	await expect(who.getByRole('checkbox', { name: 'Emergency contact only (your emergency contacts, such as a neighbour)' })).not.toBeChecked();
	await expect(who).toContainText('Who reads it: you and a care worker in the whole team.');
	await who.getByRole('checkbox', { name: /^Emergency contact only/ }).check();
	await expect(page.getByText('“Essentials” is now shared with Emergency contact only too.')).toBeVisible();
	await expect(who).toContainText('Who reads it: you, a care worker in the whole team, and your emergency contact.');
	await waitUntilSynced(page);

	// Wes, the care worker, reads it on the profile page.
	await wes.page.goto(teamUrl + '/profile');
	await expect(essentials(wes.page)).toContainText('Shared with: Whole team and Emergency contact only');
	await expect(essentials(wes.page)).toContainText(DNR);
	// Nina, the neighbour, reads it on the team's page.
	await nina.page.goto(teamUrl);
	await expect(nina.page.getByRole('heading', { level: 1 })).toHaveText('A care team you help');
	await expect(nina.page.getByRole('heading', { level: 2, name: 'Essentials' })).toBeVisible();
	await expect(nina.page.getByText(DNR)).toBeVisible();
	// Each section once, on her printable profile too.
	await nina.page.goto(`/your-data/profile/${teamUrl.split('/team/')[1]}`);
	await expect(nina.page.getByRole('heading', { level: 2, name: 'Essentials' })).toHaveCount(1);
	await expect(nina.page.getByText(DNR)).toHaveCount(1);

	// Olive changes it: both see the change.
	await page.getByRole('textbox', { name: 'Advance decisions / DNR' }).fill(LATER);
	await waitUntilSynced(page);
	await expect(essentials(wes.page)).toContainText(LATER);
	await nina.page.goto(teamUrl);
	await expect(nina.page.getByText(LATER)).toBeVisible();

	// Sue, in neither part, sees no word of it anywhere.
	await sue.page.goto(teamUrl);
	await expect(sue.page.getByRole('heading', { level: 1 })).toBeVisible();
	await expect(sue.page.getByText(/ReSPECT/)).toHaveCount(0);
	await sue.page.goto(`/your-data/profile/${teamUrl.split('/team/')[1]}`);
	await expect(sue.page.getByRole('heading', { level: 1 })).toHaveText('Getting Support Profile');
	await expect(sue.page.getByText(/ReSPECT/)).toHaveCount(0);
	await expect(sue.page.getByRole('heading', { level: 2, name: 'Essentials' })).toHaveCount(0);

	// Olive unticks emergency contacts: Nina's copy is emptied.
	await who.getByRole('checkbox', { name: /^Emergency contact only/ }).uncheck();
	await expect(
		page.getByText('“Essentials” is no longer shared with Emergency contact only. Anyone there keeps what they already read, but won’t see anything new.')
	).toBeVisible();
	await expect(who).toContainText('Who reads it: you and a care worker in the whole team.');
	await waitUntilSynced(page);
	await expect(nina.page.getByText('The team shares nothing with you just now.')).toBeVisible();
	await expect(nina.page.getByText(LATER)).toHaveCount(0);
	await nina.page.reload();
	await expect(nina.page.getByText('The team shares nothing with you just now.')).toBeVisible();

	// What Olive writes next reaches Wes, and not Nina.
	await page.getByRole('textbox', { name: 'Essentials' }).pressSequentially(LAST);
	await waitUntilSynced(page);
	await expect(essentials(wes.page)).toContainText(LAST);
	await waitUntilSynced(nina.page);
	await expect(nina.page.getByText(LAST)).toHaveCount(0);
	await expect(nina.page.getByRole('heading', { level: 2, name: 'Essentials' })).toHaveCount(0);

	for (const p of [olive, wes, nina, sue]) await p.context.close();
});
