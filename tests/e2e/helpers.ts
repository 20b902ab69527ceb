// Story helpers for browser tests: each person is a separate browser context, which means a
// separate profile with its own IndexedDB and its own device keys.
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

export interface Person {
	name: string;
	context: BrowserContext;
	page: Page;
}

export async function people(browser: Browser, ...names: string[]): Promise<Person[]> {
	return Promise.all(
		names.map(async (name) => {
			const context = await browser.newContext();
			const page = await context.newPage();
			page.on('pageerror', (e) => console.error(`[${name}] page error:`, e.message));
			return { name, context, page };
		})
	);
}

export async function startSpace(person: Person, title: string): Promise<string> {
	const { page } = person;
	await page.goto('/');
	await page.getByLabel('Name of the space').fill(title);
	await page.getByRole('button', { name: 'Start space' }).click();
	await expect(page).toHaveURL(/\/space\//);
	await expect(page.getByLabel('Name', { exact: true })).toHaveValue(title);
	await page.getByRole('button', { name: 'Show the link to share' }).click();
	return page.getByLabel('Link to this space').inputValue();
}

export async function openLink(person: Person, link: string, title: string): Promise<void> {
	await person.page.goto(link);
	await expect(person.page).toHaveURL(/\/space\//);
	await expect(person.page.getByLabel('Name', { exact: true })).toHaveValue(title);
}

export function syncStatus(page: Page) {
	return page.getByTestId('sync-status');
}

export async function waitUntilSynced(page: Page): Promise<void> {
	await expect(syncStatus(page)).toHaveAttribute('data-connection', 'online');
	await expect(syncStatus(page)).toHaveAttribute('data-pending', '0');
}

// ── private spaces (membership by invitation) ───────────────────────────────────────────

export async function startPrivateSpace(person: Person, title: string, myName: string): Promise<void> {
	const { page } = person;
	await page.goto('/');
	await page.getByLabel('Name of your private space').fill(title);
	await page.getByLabel('Your name').fill(myName);
	await page.getByRole('button', { name: 'Start private space' }).click();
	await expect(page).toHaveURL(/\/space\//);
	await expect(page.getByLabel('Name', { exact: true })).toHaveValue(title);
	await expect(peoplePanel(page).getByRole('list', { name: 'People in this space' })).toContainText(`${myName} (you)`);
}

export function peoplePanel(page: Page) {
	return page.getByRole('region', { name: 'People' });
}

/** Makes an invitation link for `who` from the People panel and returns it. */
export async function invite(person: Person, who: string): Promise<string> {
	const panel = peoplePanel(person.page);
	await panel.getByRole('button', { name: 'Invite someone' }).click();
	await panel.getByLabel('Their name').fill(who);
	await panel.getByRole('button', { name: 'Make invitation link' }).click();
	await expect(panel.getByRole('heading', { name: `Invitation for ${who} is ready` })).toBeVisible();
	const link = await panel.getByLabel('Invitation link').inputValue();
	await panel.getByRole('button', { name: 'Done' }).click();
	await waitUntilSynced(person.page);
	return link;
}

export async function acceptInvitation(person: Person): Promise<void> {
	await person.page.getByRole('button', { name: 'Accept' }).click();
	await expect(person.page.getByRole('heading', { level: 1 })).toContainText('will let you in soon');
}

export async function letIn(person: Person): Promise<void> {
	const panel = peoplePanel(person.page);
	await panel.getByRole('button', { name: 'Let them in' }).click();
	await expect(panel.getByRole('status')).toContainText('is in');
}
