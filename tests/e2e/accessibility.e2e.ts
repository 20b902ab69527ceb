// WCAG 2.2 AA: axe-core on every page (including a team's pages and a private space), a
// keyboard-only walk through starting a team, inviting someone and writing a visit note,
// and every page readable without sideways scrolling at 360 px wide and at 200% zoom.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { people, startPrivateSpace, startSpace, waitUntilSynced } from './helpers';

const TEAM_PAGES = ['', '/visits', '/chat', '/check-ins', '/money', '/profile', '/medication', '/trust'];

async function startTeam(page: Page, name: string, me: string): Promise<string> {
	await page.goto('/');
	await page.getByLabel('Name of the team').fill(name);
	await page.locator('#team-me').fill(me);
	await page.getByRole('button', { name: 'Start care team' }).click();
	await expect(page).toHaveURL(/\/team\//);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
	await waitUntilSynced(page);
	return new URL(page.url()).pathname;
}

/** Every route of the app, with real content behind it. */
async function everyRoute(page: Page): Promise<string[]> {
	const person = { name: 'ada', context: page.context(), page };
	await startSpace(person, 'Lunch club');
	const linkSpace = new URL(page.url()).pathname;
	await startPrivateSpace(person, 'Family', 'Ada');
	const privateSpace = new URL(page.url()).pathname;
	const team = await startTeam(page, 'Ada’s team', 'Ada');
	const spaceId = team.split('/')[2];
	return ['/', '/devices', '/your-data', `/your-data/profile/${spaceId}`, '/recover', '/link', '/invite', '/open', linkSpace, privateSpace, ...TEAM_PAGES.map((p) => team + p)];
}

async function seriousViolations(page: Page) {
	const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
	return results.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
}

test('axe finds no serious or critical WCAG 2.2 AA problems on any page, light or dark', async ({ browser }) => {
	test.setTimeout(180_000);
	const [ada] = await people(browser, 'ada');
	const routes = await everyRoute(ada.page);
	const found: Record<string, unknown> = {};
	for (const scheme of ['light', 'dark'] as const) {
		await ada.page.emulateMedia({ colorScheme: scheme });
		for (const route of routes) {
			await ada.page.goto(route);
			await expect(ada.page.getByRole('heading', { level: 1 }).first()).toBeVisible();
			// Every page shows the sync status.
			await expect(ada.page.getByTestId('sync-status')).toBeVisible();
			const v = await seriousViolations(ada.page);
			if (v.length > 0) found[`${scheme} ${route}`] = v;
		}
	}
	expect(found).toEqual({});
	await ada.context.close();
});

/**
 * Pages that do not fit: sideways scrolling (more than a pixel of rounding), or main content
 * that is off screen to the side or covered (by a sticky bar, say) where its heading is.
 */
async function unreadable(page: Page, routes: string[]): Promise<string[]> {
	const problems: string[] = [];
	for (const route of routes) {
		await page.goto(route);
		const heading = page.getByRole('heading', { level: 1 }).first();
		await expect(heading).toBeVisible();
		const found = await page.evaluate(() => {
			const root = document.documentElement;
			const out: string[] = [];
			const overflow = root.scrollWidth - root.clientWidth;
			if (overflow > 1) out.push(`${overflow}px too wide`);
			const main = document.querySelector('main');
			const box = main?.getBoundingClientRect();
			if (!main || !box || box.width === 0 || box.height === 0) out.push('no main content');
			else if (box.left < -1 || box.right > root.clientWidth + 1) out.push('main content off screen');
			// The page's heading is on the first screen, where it opens, and nothing covers it.
			const h1 = main?.querySelector('h1')?.getBoundingClientRect();
			if (!h1) out.push('no heading in main');
			else if (h1.top < 0 || h1.bottom > innerHeight) out.push(`heading not on the first screen (${Math.round(h1.top)}px down)`);
			else if (!main!.contains(document.elementFromPoint(Math.min(h1.left + 8, root.clientWidth - 1), (h1.top + h1.bottom) / 2))) out.push('heading covered');
			console.log(location.pathname, Math.round(h1?.top ?? -1), Math.round(h1?.bottom ?? -1));
			return out;
		});
		if (found.length > 0) problems.push(`${route}: ${found.join(', ')}`);
	}
	return problems;
}

test('readable on a 360 px wide screen: no sideways scrolling on the main pages', async ({ browser }) => {
	test.setTimeout(120_000);
	const [ada] = await people(browser, 'ada');
	await ada.page.setViewportSize({ width: 360, height: 740 });
	const routes = await everyRoute(ada.page);
	expect(await unreadable(ada.page, routes)).toEqual([]);
	await ada.context.close();
});

test('readable at 200% zoom: no sideways scrolling, main content in view on every page', async ({ browser }) => {
	test.setTimeout(120_000);
	const [ada] = await people(browser, 'ada');
	// A 1280×900 window at 200% zoom lays pages out in 640×450 CSS pixels.
	await ada.page.setViewportSize({ width: 640, height: 450 });
	const routes = await everyRoute(ada.page);
	expect(await unreadable(ada.page, routes)).toEqual([]);
	await ada.context.close();
});

/**
 * Presses Tab (only Tab) until `target` has focus, as a keyboard user would, then checks the
 * focus is visible: an outline is drawn and the control is on screen, not hidden under anything.
 */
async function tabTo(page: Page, target: ReturnType<Page['getByRole']>, maxPresses = 80): Promise<void> {
	for (let i = 0; i < maxPresses; i++) {
		await page.keyboard.press('Tab');
		if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) {
			const seen = await target.evaluate((el) => {
				const style = getComputedStyle(el);
				const r = el.getBoundingClientRect();
				// WCAG 2.2 "focus not obscured (minimum)": at least part of it is on screen and
				// uncovered. The browser only scrolls a focused control that is out of view, so one
				// at the bottom edge may be partly below it.
				const top = Math.max(r.top, 0), bottom = Math.min(r.bottom, innerHeight);
				const left = Math.max(r.left, 0), right = Math.min(r.right, innerWidth);
				const onScreen = bottom - top >= Math.min(r.height, 12) && right - left >= Math.min(r.width, 12);
				const atCentre = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
				const notCovered = atCentre === el || el.contains(atCentre) || (el as HTMLInputElement).labels?.[0]?.contains(atCentre) === true;
				return { outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2, onScreen, notCovered };
			});
			expect(seen, 'focus is visible and not obscured').toEqual({ outline: true, onScreen: true, notCovered: true });
			return;
		}
	}
	throw new Error(`Tab never reached ${target}`);
}

test('keyboard only: start a team, invite someone, write a visit note', async ({ browser }) => {
	test.setTimeout(120_000);
	const [ada] = await people(browser, 'ada');
	const { page } = ada;
	const type = (text: string) => page.keyboard.type(text);
	await page.goto('/');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your spaces');

	// The skip link comes first and jumps to the content.
	await page.keyboard.press('Tab');
	await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();

	await tabTo(page, page.getByLabel('Name of the team'));
	await type('Ada’s team');
	await tabTo(page, page.getByLabel('What the team should call you'));
	await type('Ada');
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/team\//);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ada’s team');
	await waitUntilSynced(page);

	// A visit today, so there is something to write a note about.
	await tabTo(page, page.getByLabel('What the visit is'));
	await type('Morning visit');
	await tabTo(page, page.getByRole('button', { name: 'Add visit' }));
	await page.keyboard.press('Enter');
	await expect(page.getByRole('list', { name: 'Visits today' })).toContainText('Morning visit');

	// Invite Wes with care records.
	const panel = page.getByRole('region', { name: 'People' });
	await tabTo(page, panel.getByRole('button', { name: 'Invite someone' }));
	await page.keyboard.press('Enter');
	await tabTo(page, panel.getByLabel('Their name'));
	await type('Wes');
	await tabTo(page, panel.getByLabel('Care records'));
	await page.keyboard.press('Space');
	await expect(panel.getByLabel('Care records')).toBeChecked();
	await tabTo(page, panel.getByRole('button', { name: 'Make invitation link' }));
	await page.keyboard.press('Enter');
	await expect(panel.getByRole('heading', { name: 'Invitation for Wes is ready' })).toBeVisible();
	expect(await panel.getByLabel('Invitation link').inputValue()).toContain('/invite');
	await tabTo(page, panel.getByRole('button', { name: 'Done' }));
	await page.keyboard.press('Enter');

	// Write a visit note.
	await tabTo(page, page.getByRole('link', { name: 'Visit notes' }));
	await page.keyboard.press('Enter');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Visit notes');
	await tabTo(page, page.getByLabel('What happened'));
	await type('Porridge, then a walk to the shop.');
	await tabTo(page, page.getByLabel('Meal'));
	await page.keyboard.press('Space');
	await tabTo(page, page.getByRole('button', { name: 'Save note' }));
	await page.keyboard.press('Enter');
	await expect(page.getByRole('list', { name: 'Recent visit notes' })).toContainText('Porridge, then a walk to the shop.');
	await expect(page.getByRole('status').filter({ hasText: 'Your note for Morning visit is saved.' })).toBeVisible();
	await ada.context.close();
});
