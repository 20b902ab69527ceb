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
