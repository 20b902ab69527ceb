// Care records as new people first use them (issue 18). Wes, a care worker with care records,
// and Olive, the Team Owner whose team it is:
// - Wes writes a morning note and, later, an evening note about the same visit (the evening
//   one offline): both are kept, for him and for Olive.
// - A dose is only recorded once someone has chosen what happened: on the medication page and
//   on the rota, pressing Record with nothing chosen records nothing and says so.
// - A correction follows the medicine of the entry it corrects, whatever the Medicine list
//   was left on, and Olive reads "Corrected: Paracetamol …" under the Paracetamol entry.
// - When the device's storage refuses, neither page says "saved" or "recorded": they say so
//   plainly, keep what was typed, and saving again keeps one note and one entry, not two.
import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { acceptInvitation, people, peoplePanel, waitUntilSynced, type Person } from './helpers';

async function startTeam(owner: Person): Promise<string> {
	await owner.page.goto('/');
	await owner.page.getByLabel('Name of the team').fill('Olive’s team');
	await owner.page.locator('#team-me').fill(owner.name);
	await owner.page.getByRole('button', { name: 'Start care team' }).click();
	await expect(owner.page).toHaveURL(/\/team\//);
	return owner.page.url();
}

/** A visit all day today, so every dose due today falls in it. */
async function addDayVisit(page: Page, teamUrl: string): Promise<void> {
	await page.goto(teamUrl + '/rota');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rota');
	await page.getByLabel('What the visit is').fill('Day visit');
	await page.getByLabel('Starts').fill('00:00');
	await page.getByLabel('Ends').fill('23:59');
	await page.getByRole('button', { name: 'Add visit' }).click();
	await expect(page.getByRole('listitem', { name: 'Day visit, today 00:00' })).toBeVisible();
}

async function addMedicine(page: Page, teamUrl: string, name: string, dose: string, times: string): Promise<void> {
	await page.goto(teamUrl + '/medication');
	await page.locator('#med-name').fill(name);
	await page.getByLabel('Dose', { exact: true }).fill(dose);
	await page.getByLabel('Times of day').fill(times);
	await page.getByRole('button', { name: 'Add medicine' }).click();
	await expect(page.getByRole('status').filter({ hasText: `${name} is on the medicines list.` })).toBeVisible();
}

async function bringInWorker(owner: Person, worker: Person, teamUrl: string): Promise<void> {
	await owner.page.goto(teamUrl);
	const panel = peoplePanel(owner.page);
	await panel.getByRole('button', { name: 'Invite someone' }).click();
	await panel.getByLabel('Their name').fill(worker.name);
	await panel.getByLabel('Care records').check();
	await panel.getByRole('button', { name: 'Make invitation link' }).click();
	await expect(panel.getByRole('heading', { name: `Invitation for ${worker.name} is ready` })).toBeVisible();
	const link = await panel.getByLabel('Invitation link').inputValue();
	await panel.getByRole('button', { name: 'Done' }).click();
	await waitUntilSynced(owner.page);

	await worker.page.goto(link);
	await acceptInvitation(worker);
	await panel.getByRole('button', { name: /^Let them in \(/ }).click();
	await expect(panel.getByRole('status')).toContainText('is in');
	await expect(worker.page.getByRole('heading', { level: 1 })).toHaveText('You’re in');
	await worker.page.goto(teamUrl);
	await expect(worker.page.getByRole('heading', { name: 'Introduce yourself to the team' })).toBeVisible();
	await worker.page.locator('#intro-name').fill(worker.name);
	await worker.page.getByLabel('How you are part of the team').selectOption({ label: 'Care worker (independent)' });
	await worker.page.getByRole('button', { name: 'Join the team list' }).click();
	await expect(worker.page.getByRole('list', { name: 'Team members' })).toContainText(`${worker.name} (you)`);
	await waitUntilSynced(worker.page);
}

/**
 * From now on this browser context's IndexedDB refuses writes when `__refuseWrites` is set, as
 * a full disk does (QuotaExceededError), so the app's own storage path meets a real refusal.
 */
async function storageThatCanFill(person: Person): Promise<void> {
	await person.context.addInitScript(() => {
		const put = IDBObjectStore.prototype.put;
		IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
			if ((globalThis as { __refuseWrites?: boolean }).__refuseWrites) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
			return put.apply(this, args);
		};
	});
}

const refuseWrites = (page: Page, on: boolean) => page.evaluate((v) => ((globalThis as { __refuseWrites?: boolean }).__refuseWrites = v), on);

/** WCAG 2.2 AA problems axe finds in the page's main content, and whether it scrolls sideways at its width. */
async function checkAccessible(page: Page): Promise<void> {
	const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).include('main').analyze();
	expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(page.viewportSize()!.width);
}

const recordOfDoses = (page: Page) => page.getByRole('list', { name: 'Record of doses' });

test('a morning and an evening note about the same visit are both kept, for the worker and for the Owner', async ({ browser }) => {
	test.setTimeout(120_000);
	const [olive, wes] = await people(browser, 'Olive', 'Wes');
	await wes.page.setViewportSize({ width: 360, height: 740 });
	const teamUrl = await startTeam(olive);
	await addDayVisit(olive.page, teamUrl);
	await bringInWorker(olive, wes, teamUrl);

	// Morning, on Wes's phone.
	await wes.page.goto(teamUrl + '/visits');
	await expect(wes.page.getByLabel('Visit', { exact: true })).toHaveValue(/.+/);
	await expect(wes.page.getByText('You have already written a note for this visit')).toHaveCount(0);
	await wes.page.getByLabel('What happened').fill('Morning: breakfast, and she took her tablets with tea.');
	await wes.page.getByLabel('Meal').check();
	await wes.page.getByRole('button', { name: 'Save note' }).click();
	await expect(wes.page.getByRole('status').filter({ hasText: 'Your note for Day visit is saved.' })).toBeVisible();
	const list = wes.page.getByRole('list', { name: 'Recent visit notes' });
	await expect(list.getByRole('listitem')).toHaveCount(1);
	await waitUntilSynced(wes.page);

	// Evening, with no signal: the form is empty, and says a save adds another note.
	await wes.context.setOffline(true);
	await expect(wes.page.getByLabel('What happened')).toHaveValue('');
	await expect(wes.page.getByText('You have already written a note for this visit. Saving adds a new note; the first one stays as it is.')).toBeVisible();
	await checkAccessible(wes.page);
	await wes.page.getByLabel('What happened').fill('Evening: soup, a bath, then bed at nine.');
	await wes.page.getByRole('button', { name: 'Save note' }).click();
	await expect(wes.page.getByRole('status').filter({ hasText: 'Your note for Day visit is saved.' })).toBeVisible();
	await expect(list.getByRole('listitem')).toHaveCount(2);
	await expect(list.getByRole('listitem').nth(0)).toContainText('Evening: soup, a bath, then bed at nine.');
	await expect(list.getByRole('listitem').nth(1)).toContainText('Morning: breakfast, and she took her tablets with tea.');
	await expect(list.getByRole('listitem').nth(1)).toContainText('🍽️ Meal');
	await expect(list.getByRole('listitem').first()).toContainText(/Written at \d\d:\d\d/);

	// Back online, both are still there after a reload (on disk), and reach Olive.
	await wes.context.setOffline(false);
	await wes.page.reload();
	await expect(list.getByRole('listitem')).toHaveCount(2);
	await waitUntilSynced(wes.page);

	await olive.page.goto(teamUrl + '/visits');
	const oliveList = olive.page.getByRole('list', { name: 'Recent visit notes' });
	await expect(oliveList.getByRole('listitem')).toHaveCount(2);
	await expect(oliveList.getByRole('listitem').nth(0)).toContainText('Day visit · Wes');
	await expect(oliveList.getByRole('listitem').nth(0)).toContainText('Evening: soup, a bath, then bed at nine.');
	await expect(oliveList.getByRole('listitem').nth(1)).toContainText('Day visit · Wes');
	await expect(oliveList.getByRole('listitem').nth(1)).toContainText('Morning: breakfast, and she took her tablets with tea.');
	// Both are signed by Wes's phone, which the team's membership log lists as his: nothing is flagged.
	await expect(oliveList.getByRole('alert')).toHaveCount(0);
	await expect(oliveList.getByText('Written before records were signed')).toHaveCount(0);
	// Olive has written nothing herself, so her form doesn't say she has.
	await expect(olive.page.getByText('You have already written')).toHaveCount(0);
});

test('a dose is recorded only once someone chooses what happened, on the medication page and on the rota', async ({ browser }) => {
	test.setTimeout(120_000);
	const [olive, wes] = await people(browser, 'Olive', 'Wes');
	const teamUrl = await startTeam(olive);
	await addMedicine(olive.page, teamUrl, 'Paracetamol', '500 mg', '08:00');
	await addMedicine(olive.page, teamUrl, 'Sertraline', '50 mg', '20:00');
	await addDayVisit(olive.page, teamUrl);
	await bringInWorker(olive, wes, teamUrl);
	await wes.page.goto(teamUrl + '/rota');
	await wes.page.getByRole('listitem', { name: 'Day visit, today 00:00' }).getByRole('button', { name: /^Take this shift/ }).click();
	await expect(wes.page.getByRole('listitem', { name: 'Day visit, today 00:00' })).toContainText('On this visit: you');

	// The medication page: nothing is chosen, and Record with nothing chosen records nothing.
	await wes.page.goto(teamUrl + '/medication');
	const outcome = wes.page.getByRole('group', { name: 'What happened' });
	for (const o of ['Given', 'Refused', 'Not given']) await expect(outcome.getByLabel(o, { exact: true })).not.toBeChecked();
	await wes.page.locator('#dose-medicine').selectOption({ label: 'Paracetamol (500 mg)' });
	await wes.page.getByLabel('Which dose is this?').selectOption({ label: 'Today’s 08:00 dose' });
	await wes.page.getByRole('button', { name: 'Record and sign' }).click();
	await expect(wes.page.getByRole('alert').filter({ hasText: 'Choose what happened with this dose (given, refused or not given) before recording it. Nothing was recorded.' })).toBeVisible();
	await expect(outcome.getByLabel('Given', { exact: true })).toBeFocused();
	await expect(wes.page.getByText('Nothing recorded yet.')).toBeVisible();
	await outcome.getByLabel('Refused', { exact: true }).check();
	await wes.page.getByRole('button', { name: 'Record and sign' }).click();
	await expect(wes.page.getByRole('status').filter({ hasText: /^Recorded: Paracetamol, refused at \d\d:\d\d\. Signed by this device\.$/ })).toBeVisible();
	await expect(recordOfDoses(wes.page).getByRole('listitem')).toHaveCount(1);
	// The next dose starts with nothing chosen again.
	for (const o of ['Given', 'Refused', 'Not given']) await expect(outcome.getByLabel(o, { exact: true })).not.toBeChecked();

	// The rota: the 20:00 Sertraline dose holds the visit back, and its outcome starts unchosen.
	await wes.page.goto(teamUrl + '/rota');
	const today = wes.page.getByRole('listitem', { name: 'Day visit, today 00:00' });
	await expect(today).toContainText('Sertraline 50 mg, due at 20:00');
	await checkAccessible(wes.page);
	await expect(today).not.toContainText('Paracetamol 500 mg, due at 08:00');
	const select = today.getByLabel(/^What happened/);
	await expect(select).toHaveValue('');
	await today.getByRole('button', { name: /^Record and sign/ }).click();
	await expect(wes.page.getByRole('alert').filter({ hasText: 'Choose what happened with Sertraline due at 20:00 (given, refused or not given) before recording it. Nothing was recorded.' })).toBeVisible();
	await expect(select).toBeFocused();
	await expect(today.getByRole('button', { name: /^Mark as done/ })).toBeDisabled();
	await select.selectOption('Given');
	await today.getByRole('button', { name: /^Record and sign/ }).click();
	await expect(wes.page.getByRole('status').filter({ hasText: 'Recorded and signed: Sertraline 50 mg (due 20:00) given.' })).toBeVisible();
	await expect(today.getByRole('button', { name: /^Mark as done/ })).toBeEnabled();
	await waitUntilSynced(wes.page);

	// Olive reads exactly the two outcomes Wes chose, and nothing else.
	await olive.page.goto(teamUrl + '/medication');
	await expect(recordOfDoses(olive.page).getByRole('listitem')).toHaveCount(2);
	await expect(recordOfDoses(olive.page)).toContainText('Paracetamol 500 mg: Refused');
	await expect(recordOfDoses(olive.page)).toContainText('Sertraline 50 mg: Given');
	await expect(olive.page.getByText('Altered after it was signed')).toHaveCount(0);
});

test('a correction follows the medicine of the entry it corrects, and the Owner reads the right wording', async ({ browser }) => {
	test.setTimeout(120_000);
	const [olive, wes] = await people(browser, 'Olive', 'Wes');
	await wes.page.setViewportSize({ width: 360, height: 740 });
	const teamUrl = await startTeam(olive);
	await addMedicine(olive.page, teamUrl, 'Paracetamol', '500 mg', '08:00');
	await addMedicine(olive.page, teamUrl, 'Amlodipine', '5 mg', '08:00');
	await bringInWorker(olive, wes, teamUrl);

	await wes.page.goto(teamUrl + '/medication');
	const medicine = wes.page.locator('#dose-medicine');
	await medicine.selectOption({ label: 'Paracetamol (500 mg)' });
	await wes.page.getByLabel('Given', { exact: true }).check();
	await wes.page.getByRole('button', { name: 'Record and sign' }).click();
	await expect(recordOfDoses(wes.page)).toContainText('Paracetamol 500 mg: Given');

	// The Medicine list is left on Amlodipine, then Wes corrects the Paracetamol entry.
	await medicine.selectOption({ label: 'Amlodipine (5 mg)' });
	const corrects = wes.page.getByLabel('This corrects an earlier entry (optional)');
	await corrects.selectOption({ label: (await corrects.locator('option', { hasText: 'Paracetamol 500 mg: Given' }).textContent())! });
	await expect(medicine).toHaveValue('Paracetamol (500 mg)');
	await expect(medicine).not.toBeEditable();
	await expect(wes.page.getByText('A correction is about the medicine of the entry it corrects.')).toBeVisible();
	await checkAccessible(wes.page);
	await wes.page.getByLabel('Recorded in error', { exact: true }).check();
	await wes.page.getByLabel(/^Reason/).fill('Written on the wrong line');
	await wes.page.getByRole('button', { name: 'Record and sign' }).click();
	await expect(wes.page.getByRole('status').filter({ hasText: /^Recorded: Paracetamol, / })).toBeVisible();
	const corrections = recordOfDoses(wes.page).getByRole('list', { name: 'Corrections' });
	await expect(corrections).toContainText('Corrected: Paracetamol 500 mg: Recorded in error');
	await expect(recordOfDoses(wes.page)).not.toContainText('Amlodipine');
	// A new entry again: the Medicine list is back, and "recorded in error" has gone.
	await expect(corrects).toHaveValue('');
	await expect(medicine).toBeEditable();
	await expect(wes.page.getByLabel('Recorded in error', { exact: true })).toHaveCount(0);
	await waitUntilSynced(wes.page);

	await olive.page.goto(teamUrl + '/medication');
	const oliveCorrections = recordOfDoses(olive.page).getByRole('list', { name: 'Corrections' });
	await expect(oliveCorrections).toContainText('Corrected: Paracetamol 500 mg: Recorded in error');
	await expect(oliveCorrections).toContainText('By Wes');
	await expect(recordOfDoses(olive.page)).not.toContainText('Amlodipine');
	await expect(olive.page.getByText('does not match the entry it corrects')).toHaveCount(0);
	await expect(olive.page.getByText('Altered after it was signed')).toHaveCount(0);
});

test('when the device refuses to save, the pages say so, keep what was typed, and saving again keeps one note and one entry', async ({ browser }) => {
	test.setTimeout(120_000);
	const [olive] = await people(browser, 'Olive');
	await storageThatCanFill(olive);
	const teamUrl = await startTeam(olive);
	await addMedicine(olive.page, teamUrl, 'Paracetamol', '500 mg', '08:00');
	await addDayVisit(olive.page, teamUrl);
	const page = olive.page;

	// A first note and a first dose, saved as usual (so this month's documents exist).
	await page.goto(teamUrl + '/visits');
	await page.getByLabel('What happened').fill('Breakfast in the garden.');
	await page.getByRole('button', { name: 'Save note' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Your note for Day visit is saved.' })).toBeVisible();
	await page.goto(teamUrl + '/medication');
	await page.getByLabel('Refused', { exact: true }).check();
	await page.getByRole('button', { name: 'Record and sign' }).click();
	await expect(page.getByRole('status').filter({ hasText: /^Recorded: Paracetamol, refused at/ })).toBeVisible();

	// A visit note while storage is full.
	await page.goto(teamUrl + '/visits');
	await page.getByLabel('What happened').fill('A quiet morning; we read the paper.');
	await refuseWrites(page, true);
	await page.getByRole('button', { name: 'Save note' }).click();
	await expect(page.getByRole('alert').filter({ hasText: 'Your note is not saved on this device yet: this device’s storage is full. Your words are still in the box' })).toBeVisible();
	await expect(page.getByLabel('What happened')).toHaveValue('A quiet morning; we read the paper.');
	await expect(page.getByRole('status').filter({ hasText: 'is saved' })).toHaveCount(0);
	await refuseWrites(page, false);
	await page.getByRole('button', { name: 'Save note' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Your note for Day visit is saved.' })).toBeVisible();
	await expect(page.getByLabel('What happened')).toHaveValue('');
	await page.reload();
	const notes = page.getByRole('list', { name: 'Recent visit notes' });
	await expect(notes.getByRole('listitem')).toHaveCount(2);
	await expect(notes.getByRole('listitem').filter({ hasText: 'A quiet morning; we read the paper.' })).toHaveCount(1);

	// A dose while storage is full (the earlier one was refused; this one is a second dose, given).
	await page.goto(teamUrl + '/medication');
	await page.getByLabel('Which dose is this?').selectOption({ label: 'Not one of the set times' });
	await page.getByLabel('Given', { exact: true }).check();
	await page.getByLabel(/^Reason/).fill('With breakfast');
	await refuseWrites(page, true);
	await page.getByRole('button', { name: 'Record and sign' }).click();
	await expect(page.getByRole('alert').filter({ hasText: 'This entry is signed but not saved on this device yet: this device’s storage is full.' })).toBeVisible();
	await expect(page.getByRole('status').filter({ hasText: 'Signed by this device' })).toHaveCount(0);
	await expect(page.getByLabel('Given', { exact: true })).toBeChecked();
	await expect(page.getByLabel(/^Reason/)).toHaveValue('With breakfast');
	await refuseWrites(page, false);
	await page.getByRole('button', { name: 'Record and sign' }).click();
	await expect(page.getByRole('status').filter({ hasText: /^Recorded: Paracetamol, given at \d\d:\d\d\. Signed by this device\.$/ })).toBeVisible();
	await page.reload();
	await expect(recordOfDoses(page).getByRole('listitem')).toHaveCount(2);
	await expect(recordOfDoses(page).getByRole('listitem').filter({ hasText: 'Paracetamol 500 mg: Given' })).toHaveCount(1);
	await expect(page.getByText('Altered after it was signed')).toHaveCount(0);
});
