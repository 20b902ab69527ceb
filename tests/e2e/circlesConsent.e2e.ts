// A circle decides by consent in the browser: a proposal goes through the playbook's steps;
// with an objection open the decision cannot be recorded; once its author says it is
// resolved, the decision is recorded and appears in the register with its review date. Then
// the circle elects a Facilitator by nomination and consent.
import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { people } from './helpers';

/** No WCAG 2.2 A/AA failures axe can find on the page as it is now. */
async function accessible(page: Page, where: string): Promise<void> {
	const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
	expect(violations.map((v) => `${where}: ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

test('a proposal cannot be decided while an objection is open; an election fills a role by consent', async ({ browser }) => {
	const [ana] = await people(browser, 'Ana');
	const { page } = ana;
	await page.goto('/');
	await page.getByLabel('Name of the circle').fill('Helping Circle');
	await page.getByLabel('What the circle should call you').fill('Ana');
	await page.getByRole('button', { name: 'Start circle' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Helping Circle');
	const nav = page.getByRole('navigation', { name: 'Helping Circle sections' });
	await accessible(page, 'overview');

	await nav.getByRole('link', { name: 'Proposals' }).click();
	await page.getByLabel('A short name').fill('Meeting day');
	await page.getByLabel('The issue, as you see it').fill('Tuesdays clash with school pick-up');
	await page.getByRole('button', { name: 'Raise proposal' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Meeting day');
	await expect(page.getByRole('list', { name: 'Steps' }).locator('[aria-current="step"]')).toHaveText('Forming a picture');

	await page.getByRole('button', { name: 'I will lead this proposal' }).click();
	await page.getByRole('button', { name: 'Let everyone know' }).click();
	await expect(page.getByRole('list', { name: 'Steps' }).locator('[aria-current="step"]')).toHaveText('Letting everyone know');
	await page.getByRole('button', { name: 'Write draft 1' }).click();
	await page.getByLabel('Draft 1').fill('Meet on the first Wednesday at 10:30');
	await page.getByRole('button', { name: 'Save draft 1' }).click();
	await page.getByRole('button', { name: 'Ask for final input' }).click();
	await page.getByRole('button', { name: 'Bring to decision' }).click();
	await expect(page.getByRole('list', { name: 'Steps' }).locator('[aria-current="step"]')).toHaveText('Decision by consent');

	// Ana objects, then tries to record the decision anyway.
	await page.getByLabel('I object').check();
	await page.getByLabel('Your objection: what could go wrong for the aim').fill('Wednesday is my care day');
	await page.getByRole('button', { name: 'Record my objection' }).click();
	await expect(page.getByRole('list', { name: 'Objections' })).toContainText('Wednesday is my care day');
	await page.getByLabel('What was decided').fill('We meet on the first Wednesday at 10:30');
	await page.getByLabel('How we will know it is working').fill('Everyone can come most months');
	await accessible(page, 'proposal at decision');
	await page.getByRole('button', { name: 'Mark as decided' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'objection still open' })).toBeVisible();

	// Amended around, then resolved by its author: now it can be decided.
	await page.getByLabel('Change to the proposal that might meet it').fill('Alternate Wednesday and Thursday');
	await page.getByRole('button', { name: 'Record amendment' }).click();
	await page.getByLabel('Your note').fill('Alternating works for me');
	await page.getByRole('button', { name: 'My objection is resolved' }).click();
	await expect(page.getByRole('list', { name: 'Objections' })).toContainText('Resolved');
	await page.getByRole('button', { name: 'Mark as decided' }).click();
	await expect(page.getByRole('list', { name: 'Steps' }).locator('[aria-current="step"]')).toHaveText('Decided');
	await expect(page.getByRole('heading', { name: 'History' })).toBeVisible();
	await expect(page.locator('ol.history')).toContainText('objection resolved');

	await nav.getByRole('link', { name: 'Decisions' }).click();
	await expect(page.getByRole('list', { name: 'Decisions register' })).toContainText('We meet on the first Wednesday at 10:30');
	await accessible(page, 'decisions');

	// An election: Ana nominates herself, is proposed, consents, and takes the role.
	await nav.getByRole('link', { name: 'Roles' }).click();
	await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Facilitator' });
	await page.getByRole('button', { name: 'Start election' }).click();
	await page.getByLabel('I nominate').selectOption({ label: 'Ana (me)' });
	await page.getByLabel('Because').fill('I have done it before');
	await page.getByRole('button', { name: 'Nominate' }).click();
	await page.getByLabel('Facilitator: propose').selectOption({ label: 'Ana' });
	await page.getByRole('button', { name: 'Propose and ask for consent' }).click();
	await accessible(page, 'election');
	await page.getByRole('button', { name: 'Record my consent' }).click();
	await page.getByRole('button', { name: 'Confirm Ana in the role' }).click();
	await expect(page.getByRole('list', { name: 'Roles' })).toContainText(/Facilitator:\s*Ana, until/);
	await nav.getByRole('link', { name: 'Meetings' }).click();
	await page.getByRole('button', { name: 'Start meeting page' }).click();
	await expect(page.getByRole('textbox', { name: 'Minutes' })).toBeVisible();
	await accessible(page, 'meeting');
	await nav.getByRole('link', { name: 'Our goals' }).click();
	await expect(page.getByLabel('My aims')).toBeVisible();
	await accessible(page, 'goals');
	await ana.context.close();
});
