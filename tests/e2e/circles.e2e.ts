// Circles in the browser: Ana starts a circle and invites Ben; both open the same meeting and
// type in the minutes at the same time. Each sees the other's words arrive as they type, and
// the other's cursor drawn with their name.
import { expect, test } from '@playwright/test';
import { acceptInvitation, invite, people, peoplePanel, waitUntilSynced } from './helpers';

test('two secretaries type in the same minutes at once and see each other’s text and cursors live', async ({ browser }) => {
	const [ana, ben] = await people(browser, 'Ana', 'Ben');
	await ana.page.goto('/');
	await ana.page.getByLabel('Name of the circle').fill('North Local Circle');
	await ana.page.getByLabel('What the circle is for (its aim)').fill('Good care in the north of the town');
	await ana.page.getByLabel('What the circle should call you').fill('Ana');
	await ana.page.getByRole('button', { name: 'Start circle' }).click();
	await expect(ana.page).toHaveURL(/\/circle\//);
	const circleUrl = ana.page.url();
	await expect(ana.page.getByRole('heading', { level: 1 })).toHaveText('North Local Circle');
	await expect(ana.page.getByRole('list', { name: 'Circle members' })).toContainText('Ana (you)');
	await waitUntilSynced(ana.page);

	// Ben is invited with the private-space invitation flow and let in.
	const link = await invite(ana, 'Ben');
	await ben.page.goto(link);
	await acceptInvitation(ben);
	const panel = peoplePanel(ana.page);
	await panel.getByRole('button', { name: /^Let them in \(/ }).click();
	await expect(panel.getByRole('status')).toContainText('is in');
	await expect(ben.page.getByRole('heading', { level: 1 })).toHaveText('You’re in');
	await ben.page.goto(circleUrl);
	await expect(ben.page.getByRole('heading', { name: 'Introduce yourself to the circle' })).toBeVisible();
	await ben.page.getByLabel('Your name').fill('Ben');
	await ben.page.getByRole('button', { name: 'Join the circle list' }).click();
	await expect(ben.page.getByRole('list', { name: 'Circle members' })).toContainText('Ben (you)');

	// Ana starts the meeting page; both open it.
	await ana.page.getByRole('navigation', { name: 'North Local Circle sections' }).getByRole('link', { name: 'Meetings' }).click();
	await ana.page.getByLabel('What the meeting is').fill('March circle meeting');
	await ana.page.getByRole('button', { name: 'Start meeting page' }).click();
	await expect(ana.page.getByRole('heading', { level: 1 })).toHaveText('March circle meeting');
	const meetingUrl = ana.page.url();
	await waitUntilSynced(ana.page);
	await ben.page.goto(meetingUrl);
	await expect(ben.page.getByRole('heading', { level: 1 })).toHaveText('March circle meeting');

	const anaMinutes = ana.page.getByRole('textbox', { name: 'Minutes' });
	const benMinutes = ben.page.getByRole('textbox', { name: 'Minutes' });
	await anaMinutes.click();
	await anaMinutes.pressSequentially('## Check-in\n');
	await expect(benMinutes).toHaveValue('## Check-in\n');

	// Both see each other in the minutes before typing.
	await benMinutes.click();
	await ben.page.keyboard.press('Control+End');
	await expect(ana.page.getByRole('list', { name: 'Writing the minutes now' })).toContainText('Ben');
	await expect(ben.page.getByRole('list', { name: 'Writing the minutes now' })).toContainText('Ana');

	// At the same time: Ana at the end of her line, Ben at the very end.
	const anaWords = 'Ana: the budget is agreed.';
	const benWords = '- Ben: two new workers start in April.';
	await ana.page.keyboard.press('Control+End');
	await Promise.all([anaMinutes.pressSequentially(anaWords, { delay: 40 }), benMinutes.pressSequentially(benWords, { delay: 40 })]);

	for (const box of [anaMinutes, benMinutes]) {
		await expect(box).toHaveValue(/Ana: the budget is agreed\./);
		await expect(box).toHaveValue(/- Ben: two new workers start in April\./);
	}
	expect(await anaMinutes.inputValue()).toBe(await benMinutes.inputValue());

	// Each draws the other's cursor with their name, at the end of what they typed.
	const benCursorOnAna = ana.page.locator('[data-testid="remote-cursor"][data-name="Ben"]');
	const anaCursorOnBen = ben.page.locator('[data-testid="remote-cursor"][data-name="Ana"]');
	await expect(benCursorOnAna).toBeVisible();
	await expect(anaCursorOnBen).toBeVisible();
	await expect(benCursorOnAna).toContainText('Ben');

	// Ben moves his cursor to the start: Ana sees it move to line 1.
	await ben.page.keyboard.press('Control+Home');
	await expect(ana.page.getByRole('list', { name: 'Writing the minutes now' })).toContainText('Ben (line 1)');

	// On a 360 px wide phone the meeting page fits without sideways scrolling.
	await ben.page.setViewportSize({ width: 360, height: 740 });
	await expect.poll(() => ben.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
	if (process.env.HEARTH_E2E_SCREENSHOTS) {
		await ana.page.screenshot({ path: 'test-results/circles-minutes-ana.png', fullPage: true });
		await ben.page.screenshot({ path: 'test-results/circles-minutes-ben-360.png', fullPage: true });
	}

	// Ben leaves the page: he disappears from Ana's screen.
	await ben.page.goto(circleUrl);
	await expect(benCursorOnAna).toHaveCount(0, { timeout: 5000 });
	await expect(ana.page.getByText('Nobody else is here right now.')).toBeVisible();

	await ana.context.close();
	await ben.context.close();
});
