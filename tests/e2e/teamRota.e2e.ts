// The rota as a care team uses it: the Team Owner puts a visit on the rota every day of the
// week; a worker on a one-session trial joins, takes shifts (one next week, on a 360 px phone
// screen), asks the Owner to swap one and the Owner accepts. The worker can't mark today's
// visit done until the dose due in it has an outcome, records it, and then can. The Owner
// records the trial session and that the worker stays on; the worker accepts a hat that is
// due for review, then leaves the team handing the hat to the Owner, who is asked to wear it.
// A second story: the Owner names someone to speak for her; two people take the last place on a
// visit while one of them is offline, and the rota shows the over-booking for the team to sort
// out; a day is cancelled and put back; someone is put on a weekly visit that is then stopped.
import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { acceptInvitation, people, peoplePanel, waitUntilSynced, type Person } from './helpers';

async function inviteTo(person: Person, who: string, circles: string[]): Promise<string> {
	const panel = peoplePanel(person.page);
	await panel.getByRole('button', { name: 'Invite someone' }).click();
	await panel.getByLabel('Their name').fill(who);
	for (const c of circles) await panel.getByLabel(c).check();
	await panel.getByRole('button', { name: 'Make invitation link' }).click();
	await expect(panel.getByRole('heading', { name: `Invitation for ${who} is ready` })).toBeVisible();
	const link = await panel.getByLabel('Invitation link').inputValue();
	await panel.getByRole('button', { name: 'Done' }).click();
	await waitUntilSynced(person.page);
	return link;
}

async function joinOnTrial(owner: Person, joiner: Person, link: string, teamUrl: string): Promise<void> {
	await joiner.page.goto(link);
	await acceptInvitation(joiner);
	const panel = peoplePanel(owner.page);
	await panel.getByRole('button', { name: /^Let them in \(/ }).click();
	await expect(panel.getByRole('status')).toContainText('is in');
	await expect(joiner.page.getByRole('heading', { level: 1 })).toHaveText('You’re in');
	await joiner.page.goto(teamUrl);
	await expect(joiner.page.getByRole('heading', { name: 'Introduce yourself to the team' })).toBeVisible();
	await joiner.page.locator('#intro-name').fill(joiner.name);
	await joiner.page.getByLabel('How you are part of the team').selectOption({ label: 'Care worker (independent)' });
	await joiner.page.getByLabel('Trial').selectOption({ label: 'A trial of 1 session' });
	await joiner.page.getByRole('button', { name: 'Join the team list' }).click();
	await expect(joiner.page.getByRole('list', { name: 'Team members' })).toContainText(`${joiner.name} (you) Care worker (independent) · On trial: 0 of 1 sessions`);
}

const localToday = (page: Page) =>
	page.evaluate(() => {
		const n = new Date();
		return `${n.getFullYear()}-${String(n.getMonth() + 1).padStart(2, '0')}-${String(n.getDate()).padStart(2, '0')}`;
	});

test('a weekly visit, shifts taken and swapped, a due dose before done, a trial decided, and leaving with a hat handed over', async ({ browser }) => {
	test.setTimeout(120_000);
	const [olive, wes] = await people(browser, 'Olive', 'Wes');
	await wes.page.setViewportSize({ width: 360, height: 740 });
	await olive.page.goto('/');
	await olive.page.getByLabel('Name of the team').fill('Olive’s team');
	await olive.page.locator('#team-me').fill('Olive');
	await olive.page.getByRole('button', { name: 'Start care team' }).click();
	await expect(olive.page).toHaveURL(/\/team\//);
	const teamUrl = olive.page.url();

	// Olive puts a visit on the rota every day of the week, all day, from today.
	await olive.page.getByRole('link', { name: /The full rota/ }).click();
	await expect(olive.page.getByRole('heading', { level: 1 })).toHaveText('Rota');
	await olive.page.getByLabel('What the visit is').fill('Morning visit');
	await olive.page.getByLabel('Every week').check();
	for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) await olive.page.getByLabel(day, { exact: true }).check();
	await olive.page.getByLabel('Starts').fill('00:00');
	await olive.page.getByLabel('Ends').fill('23:59');
	await olive.page.getByRole('button', { name: 'Add visit' }).click();
	await expect(olive.page.getByRole('status').filter({ hasText: 'Morning visit is on the rota every Monday, Tuesday' })).toBeVisible();
	await olive.page.getByRole('button', { name: 'Next week →' }).click();
	await expect(olive.page.getByRole('heading', { name: 'Next week' })).toBeVisible();
	await expect(olive.page.getByRole('listitem', { name: /^Morning visit, / })).toHaveCount(7);
	await expect(olive.page.getByText('7 visits have gaps')).toBeVisible();
	await olive.page.getByRole('button', { name: 'This week' }).click();
	await expect(olive.page.getByRole('listitem', { name: 'Morning visit, today 00:00' })).toContainText('Gap: 1 place nobody has taken');

	// A medicine due at 08:00 every day (the Owner holds the care records key).
	await olive.page.goto(teamUrl + '/medication');
	await olive.page.getByLabel('Medicine', { exact: true }).fill('Paracetamol');
	await olive.page.getByLabel('Dose', { exact: true }).fill('500 mg');
	await olive.page.getByLabel('Times of day').fill('08:00');
	await olive.page.getByRole('button', { name: 'Add medicine' }).click();
	await expect(olive.page.getByRole('list', { name: 'Medicines' })).toContainText('Paracetamol');
	await olive.page.goto(teamUrl);

	const wesLink = await inviteTo(olive, 'Wes', ['Care records']);
	await joinOnTrial(olive, wes, wesLink, teamUrl);

	// Wes, on a phone, takes today's visit and one next week.
	await wes.page.goto(teamUrl + '/rota');
	const todays = wes.page.getByRole('listitem', { name: 'Morning visit, today 00:00' });
	await todays.getByRole('button', { name: /^Take this shift/ }).click();
	await expect(todays).toContainText('On this visit: you');
	await wes.page.getByRole('button', { name: 'Next week →' }).click();
	await expect(wes.page).toHaveURL(/week=/);
	const nextWeeks = wes.page.getByRole('listitem', { name: /^Morning visit, / }).first();
	const nextLabel = await nextWeeks.getAttribute('aria-label');
	await nextWeeks.getByRole('button', { name: /^Take this shift/ }).click();
	await expect(nextWeeks).toContainText('On this visit: you');
	expect(await wes.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

	// He asks Olive to swap it; she accepts, and it is hers.
	await nextWeeks.getByRole('button', { name: /^Ask someone to swap/ }).click();
	await nextWeeks.getByLabel('Who to ask').selectOption({ label: 'Olive' });
	await nextWeeks.getByRole('button', { name: 'Ask to swap' }).click();
	await expect(wes.page.getByRole('status').filter({ hasText: 'Olive has been asked to take' })).toBeVisible();
	await expect(wes.page.getByRole('list', { name: 'Swaps you asked for' })).toContainText('Waiting for their answer');
	const accessibility = await new AxeBuilder({ page: wes.page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).include('main').analyze();
	expect(accessibility.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
	await waitUntilSynced(wes.page);

	await expect(olive.page.getByText('A colleague has asked you to swap a visit.')).toBeVisible();
	await olive.page.getByRole('link', { name: 'Answer on the rota' }).click();
	const toAnswer = olive.page.getByRole('list', { name: 'Swaps to answer' });
	await expect(toAnswer).toContainText('Wes asks if you can take Morning visit');
	await toAnswer.getByRole('button', { name: /^Accept/ }).click();
	await expect(olive.page.getByRole('status').filter({ hasText: 'You are now on Morning visit' })).toBeVisible();
	await waitUntilSynced(olive.page);
	await expect(wes.page.getByRole('list', { name: 'Swaps you asked for' })).toContainText('They said yes: it is theirs now.');
	await expect(wes.page.getByRole('listitem', { name: nextLabel! })).toContainText('On this visit: Olive');

	// Today's visit can't be marked done while the 08:00 dose has no outcome.
	await wes.page.getByRole('button', { name: 'This week' }).click();
	await expect(todays).toContainText("This visit can't be marked done yet");
	await expect(todays).toContainText('Paracetamol 500 mg, due at 08:00');
	await expect(todays.getByRole('link', { name: 'Open the medication record' })).toBeVisible();
	await expect(todays.getByRole('button', { name: /^Mark as done/ })).toBeDisabled();
	await todays.getByLabel(/^What happened/).selectOption('Given');
	await todays.getByRole('button', { name: /^Record and sign/ }).click();
	await expect(wes.page.getByRole('status').filter({ hasText: 'Recorded and signed: Paracetamol 500 mg (due 08:00) given.' })).toBeVisible();
	await expect(todays.getByRole('button', { name: /^Mark as done/ })).toBeEnabled();
	await todays.getByRole('button', { name: /^Mark as done/ }).click();
	await expect(todays).toContainText('Done');
	await waitUntilSynced(wes.page);
	await olive.page.goto(teamUrl + '/medication');
	await expect(olive.page.getByRole('list', { name: 'Record of doses' })).toContainText('Paracetamol 500 mg: Given');
	await expect(olive.page.getByText('Altered after it was signed')).toHaveCount(0);

	// Olive records Wes's trial session (today's visit) and that he stays on.
	await olive.page.goto(teamUrl);
	const members = olive.page.getByRole('list', { name: 'Team members' });
	await members.getByLabel('Record a trial session for Wes').selectOption({ label: `Morning visit, today 00:00` });
	await members.getByRole('button', { name: 'Record session for Wes' }).click();
	await expect(members).toContainText('On trial: 1 of 1 sessions, ready for the team to decide');
	await members.getByRole('button', { name: 'Wes stays on after the trial' }).click();
	await expect(members).toContainText('Trial done: staying on');
	await expect(wes.page.getByRole('listitem', { name: /^Morning visit/ }).first()).toBeVisible();
	await wes.page.goto(teamUrl);
	await expect(wes.page.getByRole('list', { name: 'Team members' })).toContainText('Wes (you) Care worker (independent) · Trial done: staying on');

	// Olive asks Wes to be Rota Holder, to be reviewed today; he accepts, and it shows as due.
	await olive.page.getByLabel('Hat', { exact: true }).selectOption({ label: 'Rota Holder' });
	await olive.page.getByLabel('Who to ask').selectOption({ label: 'Wes' });
	await olive.page.locator('#hat-review').fill(await localToday(olive.page));
	await olive.page.getByRole('button', { name: 'Ask', exact: true }).click();
	await wes.page.getByRole('button', { name: 'Accept Rota Holder' }).click();
	const wesHats = wes.page.getByRole('list', { name: 'Hats' });
	await expect(wesHats).toContainText('Worn by you');
	await expect(wesHats).toContainText('Review due');
	await expect(wes.page.getByText('1 hat is due for review')).toBeVisible();
	await wes.page.getByText('Review date or hand over').click();
	const overview = await new AxeBuilder({ page: wes.page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).include('main').analyze();
	expect(overview.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
	expect(await wes.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

	// Wes leaves, handing Rota Holder to Olive, who is asked to wear it.
	await wes.page.getByRole('button', { name: 'Leave the team…' }).click();
	await wes.page.getByLabel('Rota Holder goes to').selectOption({ label: 'Olive' });
	await wes.page.getByRole('button', { name: 'Yes, leave the team' }).click();
	await expect(wes.page.getByRole('status').filter({ hasText: 'You have left Olive’s team. Your hats have been offered to Olive.' })).toBeVisible();
	await expect(wes.page.getByText('You have left this team.')).toBeVisible();
	await waitUntilSynced(wes.page);
	await expect(olive.page.getByText('Wes has left the team.')).toBeVisible();
	await expect(olive.page.getByRole('list', { name: 'Team members' })).not.toContainText('Wes');
	await olive.page.getByRole('button', { name: 'Accept Rota Holder' }).click();
	await expect(olive.page.getByRole('list', { name: 'Hats' })).toContainText('Worn by you');

	// Later she hands it back to the team without leaving, and offers it to herself again.
	const hats = olive.page.getByRole('list', { name: 'Hats' });
	await hats.getByText('Review date or hand over').click();
	await hats.getByLabel('Hand Rota Holder to').selectOption({ label: 'Nobody yet: give it back to the team' });
	await hats.getByRole('button', { name: 'Hand over Rota Holder' }).click();
	await expect(hats).toContainText('Handed back to the team; nobody wears it yet');
	// The panel stays open, now offering the hat rather than handing it over.
	await expect(hats.getByText('Review date or offer it to someone')).toBeVisible();
	await hats.getByLabel('Offer Rota Holder to').selectOption({ label: 'Me' });
	await hats.getByRole('button', { name: 'Offer Rota Holder' }).click();
	await olive.page.getByRole('button', { name: 'Accept Rota Holder' }).click();
	await expect(hats).toContainText('Worn by you');
});

test('someone speaks for the Owner; two people take the last place offline and the rota shows the over-booking to sort out; a day cancelled and put back; a repeating visit stopped', async ({ browser }) => {
	test.setTimeout(120_000);
	const [olive, wes] = await people(browser, 'Olive', 'Wes');
	await olive.page.goto('/');
	await olive.page.getByLabel('Name of the team').fill('Olive’s team');
	await olive.page.locator('#team-me').fill('Olive');
	await olive.page.getByRole('button', { name: 'Start care team' }).click();
	await expect(olive.page).toHaveURL(/\/team\//);
	const teamUrl = olive.page.url();
	const wesLink = await inviteTo(olive, 'Wes', []);
	await joinOnTrial(olive, wes, wesLink, teamUrl);

	// Olive lets Wes speak for her in team decisions; he sees it too.
	await olive.page.getByRole('button', { name: 'Let Wes speak for you' }).click();
	await expect(olive.page.getByRole('list', { name: 'Team members' })).toContainText('Speaks for you');
	await expect(wes.page.getByRole('list', { name: 'Team members' })).toContainText('Speaks for Olive');
	await expect(wes.page.getByRole('button', { name: 'Stop speaking for Olive' })).toBeVisible();

	await olive.page.goto(teamUrl + '/rota');
	await olive.page.getByLabel('What the visit is').fill('Lunch visit');
	await olive.page.getByLabel('Starts').fill('12:00');
	await olive.page.getByLabel('Ends').fill('13:00');
	await olive.page.getByRole('button', { name: 'Add visit' }).click();
	const lunch = (p: Page) => p.getByRole('listitem', { name: 'Lunch visit, today 12:00' });
	await expect(lunch(olive.page)).toContainText('Gap: 1 place nobody has taken');
	await waitUntilSynced(olive.page);
	await wes.page.goto(teamUrl + '/rota');
	await expect(lunch(wes.page)).toContainText('Gap');

	// Wes is offline when he takes the place Olive has just taken.
	await wes.context.setOffline(true);
	await lunch(olive.page).getByRole('button', { name: /^Take this shift/ }).click();
	await expect(lunch(olive.page)).toContainText('On this visit: you');
	await waitUntilSynced(olive.page);
	await lunch(wes.page).getByRole('button', { name: /^Take this shift/ }).click();
	await expect(lunch(wes.page)).toContainText('On this visit: you');
	await wes.context.setOffline(false);
	await waitUntilSynced(wes.page);
	await expect(lunch(olive.page)).toContainText('Over-booked: Wes also took a place after it was full');
	await expect(lunch(wes.page)).toContainText('On this visit: Olive');
	await expect(olive.page.getByText('1 visit is over-booked')).toBeVisible();
	await lunch(olive.page).getByRole('button', { name: /^Take Wes off/ }).first().click();
	await expect(lunch(olive.page)).not.toContainText('Over-booked');
	await expect(lunch(olive.page)).toContainText('On this visit: you');

	// Cancelled for today, then put back.
	await lunch(olive.page).getByText('Change this visit').click();
	await lunch(olive.page).getByRole('button', { name: 'Cancel this visit on today' }).click();
	await expect(lunch(olive.page)).toContainText('This visit is cancelled for today.');
	await expect(lunch(wes.page)).toContainText('Cancelled');
	await lunch(olive.page).getByRole('button', { name: /^Put this visit back/ }).click();
	await expect(lunch(olive.page)).toContainText('On this visit: you');

	// A visit every week on today's weekday: Olive puts Wes on today's, then stops it repeating.
	await olive.page.getByLabel('What the visit is').fill('Shopping');
	await olive.page.getByLabel('Every week').check();
	await olive.page.getByLabel('Starts').fill('15:00');
	await olive.page.getByLabel('Ends').fill('16:00');
	await olive.page.getByRole('button', { name: 'Add visit' }).click();
	const shopping = olive.page.getByRole('listitem', { name: 'Shopping, today 15:00' });
	await shopping.getByText('Change this visit').click();
	await shopping.getByLabel('Put someone on it').selectOption({ label: 'Wes' });
	await shopping.getByRole('button', { name: /^Put on/ }).click();
	await expect(shopping).toContainText('On this visit: Wes');
	await olive.page.getByRole('button', { name: 'Next week →' }).click();
	await expect(olive.page.getByRole('listitem', { name: /^Shopping, / })).toHaveCount(1);
	await olive.page.getByRole('button', { name: 'This week' }).click();
	await shopping.getByText('Change this visit').click();
	await shopping.getByRole('button', { name: 'Stop repeating after today' }).click();
	await shopping.getByRole('button', { name: 'Yes, stop repeating' }).click();
	await expect(olive.page.getByRole('status').filter({ hasText: 'Shopping no longer repeats after today.' })).toBeVisible();
	await olive.page.getByRole('button', { name: 'Next week →' }).click();
	await expect(olive.page.getByRole('listitem', { name: /^Shopping, / })).toHaveCount(0);
});
