// A dose recorded on the medication page answers the dose it is for: the Owner picks "today's
// 08:00 dose", and the visit that was waiting on it can then be marked done.
import { expect, test } from '@playwright/test';
import { people } from './helpers';

test('a dose recorded on the medication page lets the visit it was due in be marked done', async ({ browser }) => {
	const [olive] = await people(browser, 'Olive');
	const page = olive.page;
	await page.goto('/');
	await page.getByLabel('Name of the team').fill('Olive’s team');
	await page.locator('#team-me').fill('Olive');
	await page.getByRole('button', { name: 'Start care team' }).click();
	await expect(page).toHaveURL(/\/team\//);
	const teamUrl = page.url();

	await page.goto(teamUrl + '/medication');
	await page.getByLabel('Medicine', { exact: true }).fill('Paracetamol');
	await page.getByLabel('Dose', { exact: true }).fill('500 mg');
	await page.getByLabel('Times of day').fill('08:00');
	await page.getByRole('button', { name: 'Add medicine' }).click();
	await expect(page.getByRole('list', { name: 'Medicines' })).toContainText('Paracetamol');

	await page.goto(teamUrl + '/rota');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rota');
	await page.getByLabel('What the visit is').fill('Day visit');
	await page.getByLabel('Starts').fill('00:00');
	await page.getByLabel('Ends').fill('23:59');
	await page.getByRole('button', { name: 'Add visit' }).click();
	const today = page.getByRole('listitem', { name: 'Day visit, today 00:00' });
	await today.getByRole('button', { name: /^Take this shift/ }).click();
	await expect(today).toContainText('Paracetamol 500 mg, due at 08:00');
	await expect(today.getByRole('button', { name: /^Mark as done/ })).toBeDisabled();

	await today.getByRole('link', { name: 'Open the medication record' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Medication');
	await page.getByLabel('Which dose is this?').selectOption({ label: 'Today’s 08:00 dose' });
	await page.getByLabel('Given', { exact: true }).check();
	await page.getByRole('button', { name: 'Record and sign' }).click();
	await expect(page.getByRole('list', { name: 'Record of doses' })).toContainText('Paracetamol 500 mg: Given');

	await page.goto(teamUrl + '/rota');
	await expect(today.getByRole('button', { name: /^Mark as done/ })).toBeEnabled();
	await today.getByRole('button', { name: /^Mark as done/ }).click();
	await expect(today).toContainText('Done');
});
