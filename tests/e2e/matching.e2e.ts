// Matching in the browser: Olive (a Team Owner) starts a Local Circle and invites Wes, who
// offers support. Wes writes his Giving Support profile and shares it with the circle. Olive
// finds him in the directory with the reasons he fits, posts a call-out; Wes sees it and says
// he is interested; Olive invites him to a trial, which is a real invitation to her team:
// Wes opens it from the call-out, accepts, and Olive lets him in; then Wes stops sharing and
// leaves the directory. Wes uses a 360px-wide screen.
import { expect, test, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import { acceptInvitation, invite, letIn, people, peoplePanel, waitUntilSynced } from './helpers';

async function fitsOn360(page: Page) {
	// Names the widest elements, so a failure says what to fix.
	const wide = await page.evaluate(() =>
		[...document.querySelectorAll('body *')]
			.filter((e) => e.getBoundingClientRect().right > 360)
			.slice(0, 5)
			.map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} (${Math.round(e.getBoundingClientRect().right)}px)`)
	);
	const width = await page.evaluate(() => document.documentElement.scrollWidth);
	expect(width, `nothing scrolls sideways on a 360px screen; too wide: ${wide.join(', ')}`).toBeLessThanOrEqual(360);
}

/** No WCAG 2.2 A/AA problems axe can find in the page's main content. */
async function accessible(page: Page) {
	const result = await new AxeBuilder({ page }).include('main').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
	expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

test('an Owner posts a call-out, a worker in the circle says they are interested, and the Owner invites them to a trial', async ({ browser }) => {
	const [olive, wes] = await people(browser, 'Olive', 'Wes');
	await wes.page.setViewportSize({ width: 360, height: 800 });

	// Olive's care team.
	await olive.page.goto('/');
	await olive.page.getByLabel('Name of the team').fill('Olive’s team');
	await olive.page.locator('#team-me').fill('Olive');
	await olive.page.getByRole('button', { name: 'Start care team' }).click();
	await expect(olive.page).toHaveURL(/\/team\//);
	const teamUrl = olive.page.url();

	// Olive starts a Local Circle from the home page's link and invites Wes into it.
	await olive.page.goto('/');
	await olive.page.getByRole('link', { name: /Giving Support profile, Local Circles/ }).click();
	await expect(olive.page.getByRole('heading', { level: 1 })).toHaveText('Giving and finding support');
	await accessible(olive.page);
	await olive.page.getByLabel('Name of the circle').fill('Calder Valley circle');
	await olive.page.getByLabel('Roughly where').fill('Calder Valley');
	await olive.page.locator('#circle-me').fill('Olive');
	await olive.page.getByRole('button', { name: 'Start Local Circle' }).click();
	await expect(olive.page).toHaveURL(/\/space\//);
	await expect(peoplePanel(olive.page).getByRole('list', { name: 'People in this space' })).toContainText('Olive (you)');
	const circleLink = await invite(olive, 'Wes');
	await wes.page.goto(circleLink);
	await acceptInvitation(wes);
	await letIn(olive);
	await expect(wes.page.getByRole('heading', { level: 1 })).toHaveText('You’re in');

	// Wes writes his profile and shares it with the circle.
	await wes.page.goto('/support');
	await expect(wes.page.getByRole('list', { name: 'Your Local Circles' })).toContainText('Calder Valley circle');
	await wes.page.getByLabel('Your name').fill('Wes');
	await wes.page.getByRole('button', { name: 'Start your profile' }).click();
	await expect(wes.page.getByRole('heading', { level: 1 })).toHaveText('Your Giving Support profile');
	await wes.page.getByLabel('Where I live').fill('Hebden Bridge');
	await wes.page.getByLabel('Dementia', { exact: true }).check();
	await wes.page.getByLabel('Companionship').check();
	await wes.page.getByLabel('Tuesday morning').check();
	await wes.page.getByLabel('My support approach').fill('Calm and patient; I love being outdoors.');
	await wes.page.getByRole('button', { name: 'Add a qualification' }).click();
	await wes.page.getByLabel('Qualification or course 1').fill('Dementia Care Level 3');
	await wes.page.getByLabel('What it is about').selectOption({ label: 'Dementia' });
	await wes.page.getByLabel('Accredited').check();
	await wes.page.getByLabel('When').fill('2024-05-01');
	await wes.page.getByRole('button', { name: 'Save profile' }).click();
	await expect(wes.page.getByRole('status').filter({ hasText: 'Saved' })).toContainText('Only you can see it');
	await wes.page.getByLabel('Calder Valley circle').check();
	await expect(wes.page.getByRole('status').filter({ hasText: 'can now see' })).toContainText('Calder Valley circle can now see your profile.');
	await fitsOn360(wes.page);
	await accessible(wes.page);
	await waitUntilSynced(wes.page);

	// Olive finds Wes in the circle's directory, with why he fits.
	await olive.page.goto('/support');
	await olive.page.getByRole('link', { name: 'Directory of Calder Valley circle' }).click();
	await olive.page.getByLabel('Dementia', { exact: true }).check();
	await olive.page.getByLabel('Near (town or area)').fill('Hebden Bridge');
	const why = olive.page.getByRole('list', { name: 'Why Wes fits' });
	await expect(why).toContainText('Knows dementia care (accredited training, 2024)');
	await expect(why).toContainText('Lives in Hebden Bridge');
	await accessible(olive.page);
	await olive.page.getByLabel('Autism').check();
	await expect(olive.page.getByText('0 of 1 person.')).toBeVisible();

	// Olive posts a call-out for her team.
	await olive.page.getByRole('link', { name: 'See the circle’s call-outs' }).click();
	await olive.page.getByRole('button', { name: 'Post a call-out' }).click();
	await olive.page.getByLabel('Title').fill('Tuesday mornings in Hebden Bridge');
	await olive.page.getByLabel('About the person and the support').fill('Olive is 84 and loves her garden.');
	await olive.page.getByLabel('Dementia', { exact: true }).check();
	await olive.page.getByLabel('Tuesday morning').check();
	await olive.page.getByLabel('Thursday morning').check();
	await olive.page.getByLabel('Roughly where').fill('Hebden Bridge');
	await olive.page.getByLabel('Qualities we hope for').fill('Patient, calm, happy outdoors');
	await olive.page.getByRole('button', { name: 'Post call-out' }).click();
	await expect(olive.page.getByRole('alert')).toContainText('Team Owner agreed');
	await olive.page.getByLabel('The Team Owner agreed to share what is written here').check();
	await olive.page.getByRole('button', { name: 'Post call-out' }).click();
	await expect(olive.page.getByRole('status').filter({ hasText: 'is posted' })).toContainText('“Tuesday mornings in Hebden Bridge” is posted to Calder Valley circle.');
	await waitUntilSynced(olive.page);

	// Wes sees it and says he is interested.
	await wes.page.goto('/support');
	await wes.page.getByRole('link', { name: 'Call-outs in Calder Valley circle' }).click();
	const callOut = wes.page.getByRole('article', { name: 'Tuesday mornings in Hebden Bridge' });
	await expect(callOut).toContainText('Posted by Olive');
	await expect(callOut).toContainText('Tuesday and Thursday mornings');
	await expect(callOut).toContainText('They will see the profile you shared with this circle.');
	await callOut.getByLabel('A note for Olive').fill('I live nearby and have Tuesday mornings free.');
	await callOut.getByRole('button', { name: 'I’m interested' }).click();
	await expect(callOut).toContainText('You said you are interested.');
	await fitsOn360(wes.page);
	await waitUntilSynced(wes.page);

	// Olive sees Wes ranked with reasons, and invites him to a trial.
	const mine = olive.page.getByRole('article', { name: 'Tuesday mornings in Hebden Bridge' });
	await expect(mine.getByRole('heading', { name: 'Interested (1)' })).toBeVisible();
	const fits = mine.getByRole('list', { name: 'Why Wes fits' });
	await expect(fits).toContainText('Knows dementia care (accredited training, 2024)');
	await expect(fits).toContainText('Free on Tuesday mornings');
	await expect(fits).toContainText('Lives in Hebden Bridge');
	await expect(fits).toContainText('Their approach mentions');
	await expect(mine.getByRole('list', { name: 'Worth knowing about Wes' })).toContainText('Not free on Thursday mornings');
	await expect(mine).toContainText('I live nearby and have Tuesday mornings free.');
	await accessible(olive.page);
	await mine.getByRole('button', { name: 'Invite Wes to a trial' }).click();
	await expect(mine).toContainText('Invited to a trial on');
	await waitUntilSynced(olive.page);

	// Wes opens the invitation from the call-out and accepts it; Olive lets him into the team.
	await wes.page.goto('/support');
	await expect(wes.page.getByRole('list', { name: 'Your Local Circles' })).toContainText('Olive invited you to a trial (“Tuesday mornings in Hebden Bridge”)');
	await wes.page.getByRole('link', { name: 'Call-outs in Calder Valley circle' }).click();
	const invitation = callOut.getByRole('group', { name: 'Your trial invitation' });
	await expect(invitation).toContainText('Olive invited you to a trial with their team.');
	await accessible(wes.page);
	await invitation.getByRole('link', { name: 'Open the invitation' }).click();
	await expect(wes.page).toHaveURL(/\/invite/);
	await expect(wes.page.getByText('Olive’s team').first()).toBeVisible();
	await acceptInvitation(wes);

	await olive.page.goto(teamUrl);
	const panel = peoplePanel(olive.page);
	await expect(panel).toContainText('Wes');
	await panel.getByRole('button', { name: /^Let them in \(/ }).click();
	await expect(panel.getByRole('status')).toContainText('is in');
	await expect(wes.page.getByRole('heading', { level: 1 })).toHaveText('You’re in');
	await wes.page.goto('/support');
	await wes.page.getByRole('link', { name: 'Call-outs in Calder Valley circle' }).click();
	await expect(invitation).toContainText('You are in Olive’s team for a trial.');
	await invitation.getByRole('link', { name: 'Open the team' }).click();
	await expect(wes.page).toHaveURL(teamUrl);
	await expect(wes.page.getByRole('heading', { name: 'Introduce yourself to the team' })).toBeVisible();

	// Wes stops sharing his profile with the circle: it leaves Olive's directory.
	await wes.page.goto('/support/profile');
	await wes.page.getByLabel('Calder Valley circle').uncheck();
	await expect(wes.page.getByRole('status').filter({ hasText: 'no longer sees' })).toContainText('Calder Valley circle no longer sees your profile.');
	await waitUntilSynced(wes.page);
	await olive.page.goto('/support');
	await olive.page.getByRole('link', { name: 'Directory of Calder Valley circle' }).click();
	await expect(olive.page.getByText('Nobody has shared a profile with this circle yet.')).toBeVisible();
});
