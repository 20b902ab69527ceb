// A Team Owner's day-to-day: posts in the team chat, agrees an action at a check-in, sets an
// hourly rate, marks a visit done and sees it on the month's statement (and downloads it).
import { expect, test } from '@playwright/test';
import { people } from './helpers';

test('team chat, check-in actions, and hours and money from a visit marked done', async ({ browser }) => {
	const [olive] = await people(browser, 'Olive');
	const page = olive.page;
	await page.goto('/');
	await page.getByLabel('Name of the team').fill('Olive’s team');
	await page.locator('#team-me').fill('Olive');
	await page.getByRole('button', { name: 'Start care team' }).click();
	await expect(page).toHaveURL(/\/team\//);
	const teamUrl = page.url();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Olive’s team');

	// Chat: Enter sends; the message can be changed and is shown as changed.
	await page.getByRole('link', { name: 'Team chat' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Team chat');
	await page.getByLabel('Message', { exact: true }).fill('Hello team');
	await page.getByLabel('Message', { exact: true }).press('Enter');
	const messages = page.getByRole('list', { name: 'Messages' });
	await expect(messages).toContainText('Hello team');
	await expect(page.getByLabel('Message', { exact: true })).toHaveValue('');
	// The hidden part of the name keeps its space, so a screen reader says "Edit your message from …".
	await messages.getByRole('button', { name: /^Edit your message from / }).click();
	await page.getByLabel('Change your message').fill('Hello everyone');
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(messages).toContainText('Hello everyone');
	await expect(messages).toContainText('changed');

	// Check-in with an agreed action, which shows on the overview until done.
	await page.goto(teamUrl + '/check-ins');
	await page.getByRole('button', { name: 'Add check-in' }).click();
	await expect(page.getByRole('heading', { name: /^Check-in today/ })).toBeVisible();
	await page.getByLabel('What was agreed').fill('Book the annual review');
	await page.getByLabel('Who will do it').selectOption({ label: 'Olive (you)' });
	await page.getByRole('button', { name: 'Add action' }).click();
	await expect(page.getByRole('checkbox', { name: 'Book the annual review' })).not.toBeChecked();
	await page.goto(teamUrl);
	await expect(page.getByRole('list', { name: 'Open actions from check-ins' })).toContainText('Book the annual review');

	// A one-hour visit today, taken and marked done.
	await page.getByLabel('What the visit is').fill('Morning visit');
	await page.getByRole('button', { name: 'Add visit' }).click();
	const today = page.getByRole('list', { name: 'Visits today' });
	await today.getByRole('button', { name: /Take this shift/ }).click();
	await expect(today).toContainText('you');
	await today.getByRole('button', { name: /Mark as done/ }).click();
	await expect(today).toContainText('Done');

	// Rate £12.50 an hour; 25% Commons Contribution: £3.13, net £9.37.
	await page.getByRole('link', { name: 'Hours and money' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Hours and money' })).toBeVisible();
	await page.getByLabel('Who', { exact: true }).selectOption({ label: 'Olive (you)' });
	await page.getByLabel('Rate per hour in pounds').fill('12.50');
	await page.getByRole('button', { name: 'Save rate' }).click();
	await expect(page.getByRole('list', { name: 'Hourly rates today' })).toContainText('£12.50 an hour');
	const row = page.getByRole('table').getByRole('row', { name: /Olive/ });
	await expect(row).toContainText('1.00');
	await expect(row).toContainText('£12.50');
	await expect(row).toContainText('£3.13');
	await expect(row).toContainText('£9.37');
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download as CSV' }).click()]);
	expect(download.suggestedFilename()).toMatch(/^hours-and-money-\d{4}-\d{2}\.csv$/);
	await olive.context.close();
});
