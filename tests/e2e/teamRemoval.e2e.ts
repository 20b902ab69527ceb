// Removing someone from a care team, seen by both people. Olive (the Team Owner) lets Wes, a
// care worker, speak for her and wear a hat; Wes writes a visit note, records a dose and says
// hello in the chat. While Wes's device is paused he writes one more note. Olive removes him.
// Olive's team no longer lists him, offers him nothing, and shows what he held as ended; what
// he wrote before is still there. Wes's pages all say at once that he was removed, by whom,
// and that this is his own copy: the forms are switched off, and the sync bar says plainly
// that his last note can't be sent (it is kept on his device), never "sending".
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { acceptInvitation, people, peoplePanel, syncStatus, waitUntilSynced, type Person } from './helpers';

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

async function join(owner: Person, joiner: Person, link: string, teamUrl: string, kind: string): Promise<void> {
	await joiner.page.goto(link);
	await acceptInvitation(joiner);
	const panel = peoplePanel(owner.page);
	await panel.getByRole('button', { name: /^Let them in \(/ }).click();
	await expect(panel.getByRole('status')).toContainText('is in');
	await expect(joiner.page.getByRole('heading', { level: 1 })).toHaveText('You’re in');
	await joiner.page.goto(teamUrl);
	await expect(joiner.page.getByRole('heading', { name: 'Introduce yourself to the team' })).toBeVisible();
	await joiner.page.locator('#intro-name').fill(joiner.name);
	await joiner.page.getByLabel('How you are part of the team').selectOption({ label: kind });
	await joiner.page.getByRole('button', { name: 'Join the team list' }).click();
	await expect(joiner.page.getByRole('list', { name: 'Team members' })).toContainText(`${joiner.name} (you)`);
}

function notice(page: Page) {
	return page.getByTestId('closed-notice');
}

/** What every page of the team says to Wes once he knows he was removed. */
async function saysRemoved(page: Page) {
	await expect(notice(page)).toContainText('You were removed from Olive’s team by Olive on ');
	await expect(notice(page)).toContainText('What you can still see here is your own copy from before then.');
	await expect(notice(page)).toContainText('Nothing new can be added here now');
}

test('removing a care worker: his pages say so and take nothing new; the Owner’s team no longer lists him', async ({ browser }) => {
	const [olive, wes] = await people(browser, 'Olive', 'Wes');
	await olive.page.goto('/');
	await olive.page.getByLabel('Name of the team').fill('Olive’s team');
	await olive.page.locator('#team-me').fill('Olive');
	await olive.page.getByRole('button', { name: 'Start care team' }).click();
	await expect(olive.page).toHaveURL(/\/team\//);
	const teamUrl = olive.page.url();
	await olive.page.getByLabel('What the visit is').fill('Morning visit');
	await olive.page.getByRole('button', { name: 'Add visit' }).click();
	await expect(olive.page.getByRole('list', { name: 'Visits today' })).toContainText('Gap');
	await waitUntilSynced(olive.page);

	const link = await inviteTo(olive, 'Wes', ['Care records']);
	await join(olive, wes, link, teamUrl, 'Care worker (independent)');

	// Olive lets Wes speak for her and asks him to be the Rota Holder; he says yes.
	const oliveMembers = olive.page.getByRole('list', { name: 'Team members' });
	await expect(oliveMembers).toContainText('Wes');
	await olive.page.getByRole('button', { name: 'Let Wes speak for you' }).click();
	await expect(oliveMembers.getByRole('listitem').filter({ hasText: 'Wes' })).toContainText('Speaks for you');
	await olive.page.locator('#hat-nominee').selectOption({ label: 'Wes' });
	await olive.page.getByRole('button', { name: 'Ask', exact: true }).click();
	await wes.page.getByRole('button', { name: 'Accept Rota Holder' }).click();
	await expect(wes.page.getByRole('list', { name: 'Hats' })).toContainText('Worn by you');
	await expect(olive.page.getByRole('list', { name: 'Hats' })).toContainText('Worn by Wes');

	// Wes takes the shift, writes a visit note, records a dose and says hello.
	await wes.page.getByRole('button', { name: /Take this shift/ }).click();
	await expect(wes.page.getByRole('list', { name: 'Visits today' })).toContainText('you');
	await wes.page.goto(teamUrl + '/visits');
	await wes.page.getByLabel('What happened').fill('Breakfast and a walk.');
	await wes.page.getByRole('button', { name: 'Save note' }).click();
	await expect(wes.page.getByRole('list', { name: 'Recent visit notes' })).toContainText('Breakfast and a walk.');
	await wes.page.goto(teamUrl + '/medication');
	await wes.page.getByLabel('Medicine', { exact: true }).fill('Paracetamol');
	await wes.page.getByLabel('Dose', { exact: true }).fill('500 mg');
	await wes.page.getByRole('button', { name: 'Add medicine' }).click();
	await wes.page.getByLabel('Given', { exact: true }).check();
	await wes.page.getByRole('button', { name: 'Record and sign' }).click();
	await expect(wes.page.getByRole('list', { name: 'Record of doses' })).toContainText('Paracetamol 500 mg: Given');
	await wes.page.goto(teamUrl + '/chat');
	await wes.page.getByLabel('Message').fill('Hello from Wes');
	await wes.page.getByRole('button', { name: 'Send' }).click();
	await expect(wes.page.getByRole('list', { name: 'Messages' })).toContainText('Hello from Wes');
	await waitUntilSynced(wes.page);
	await waitUntilSynced(olive.page);

	// Wes's device is paused (as on a bus with no signal) and he adds to his note: it waits.
	await wes.page.goto(teamUrl + '/visits');
	await wes.page.getByRole('button', { name: 'Pause syncing' }).click();
	await expect(syncStatus(wes.page)).toContainText('Syncing paused');
	await wes.page.getByLabel('What happened').fill('Evening: a quiet supper.');
	await wes.page.getByRole('button', { name: 'Save note' }).click();
	await expect(wes.page.getByRole('list', { name: 'Recent visit notes' })).toContainText('Evening: a quiet supper.');
	await expect(syncStatus(wes.page)).toContainText('waiting to sync');
	await expect(syncStatus(wes.page)).not.toHaveAttribute('data-pending', '0');

	// Olive removes Wes from the team.
	const wesRow = peoplePanel(olive.page).getByRole('list', { name: 'People in this space' }).getByRole('listitem').filter({ hasText: 'Wes' });
	await wesRow.getByRole('button', { name: 'Remove from space' }).click();
	await wesRow.getByRole('button', { name: 'Yes, remove Wes' }).click();
	await expect(peoplePanel(olive.page).getByRole('status')).toContainText('Wes has been removed');
	await waitUntilSynced(olive.page);

	// Olive's team no longer lists Wes as a care worker, nor offers him a hat or speaking for her;
	// what he held is shown as ended.
	await expect(oliveMembers.getByRole('listitem')).toHaveCount(1);
	await expect(oliveMembers).not.toContainText('Wes');
	await expect(oliveMembers).not.toContainText('Care worker');
	await expect(olive.page.getByText('Wes was removed from the team by you on ')).toBeVisible();
	await expect(olive.page.getByRole('button', { name: /Wes speak/ })).toHaveCount(0);
	const rotaHat = olive.page.getByRole('list', { name: 'Hats' }).getByRole('listitem').filter({ hasText: 'Rota Holder' });
	await expect(rotaHat).toContainText('Wes was removed from the team. Nobody wears it yet');
	await expect(rotaHat).not.toContainText('Worn by');
	await expect(olive.page.locator('#hat-nominee option')).toHaveText(['Me']);
	// The team's own record says so too (Olive's device wrote it into the team document):
	// her readable copy shows Wes as removed by her, and the hat he wore as ended.
	await waitUntilSynced(olive.page);
	await expect(syncStatus(olive.page)).toHaveAttribute('data-unsaved', '0');
	await olive.page.goto('/your-data');
	const [copy] = await Promise.all([olive.page.waitForEvent('download'), olive.page.getByRole('button', { name: 'Download as JSON' }).click()]);
	type Exported = { documents: Array<{ doc: { kind?: string; owner?: string; members?: Record<string, { name: string; leftAt: number | null; removedBy?: string }>; hats?: Record<string, { title: string; status: string; wearer: string | null; history: Array<{ event: string }> }> } }> };
	const exported = JSON.parse(await readFile((await copy.path())!, 'utf8')) as Exported;
	const teamDoc = exported.documents.map((d) => d.doc).find((d) => d.kind === 'team')!;
	const wesRecord = Object.values(teamDoc.members!).find((m) => m.name === 'Wes')!;
	expect(wesRecord.leftAt).not.toBeNull();
	expect(wesRecord.removedBy).toBe(teamDoc.owner);
	const hat = Object.values(teamDoc.hats!).find((h) => h.title === 'Rota Holder')!;
	expect(hat).toMatchObject({ status: 'handed-over', wearer: null });
	expect(hat.history.at(-1)?.event).toBe('ended');

	// What Wes wrote before is still there for the team, under his name.
	await olive.page.goto(teamUrl + '/visits');
	await expect(olive.page.getByRole('list', { name: 'Recent visit notes' })).toContainText('Breakfast and a walk.');
	await expect(olive.page.getByRole('list', { name: 'Recent visit notes' })).toContainText('Wes');

	// Wes's device comes back. The page he is on says at once that he was removed.
	await wes.page.getByRole('button', { name: 'Resume syncing' }).click();
	await saysRemoved(wes.page);
	const note = wes.page.getByLabel('What happened');
	await expect(note).toBeDisabled();
	await expect(wes.page.getByRole('button', { name: 'Save note' })).toBeDisabled();
	await expect(wes.page.getByText('You can’t add to this team any more.')).toBeVisible();
	// His own copy: his note for the visit, as he last wrote it (one note per visit per person), is there to read.
	await expect(wes.page.getByRole('list', { name: 'Recent visit notes' })).toContainText('Evening: a quiet supper.');
	// The sync bar never says the note is on its way: it says it can't be sent, and is kept here.
	await expect(syncStatus(wes.page)).toHaveAttribute('data-connection', 'online');
	await expect(syncStatus(wes.page)).toHaveAttribute('data-pending', '0');
	await expect(syncStatus(wes.page)).not.toHaveAttribute('data-stranded', '0');
	await expect(syncStatus(wes.page)).toContainText('can’t be sent, because you were removed from the team or space it belongs to. It is kept on this device.');
	await expect(syncStatus(wes.page)).not.toContainText('sending');
	// And it never reached Olive.
	await olive.page.reload();
	await expect(olive.page.getByRole('list', { name: 'Recent visit notes' })).toContainText('Breakfast and a walk.');
	await expect(olive.page.getByRole('list', { name: 'Recent visit notes' })).not.toContainText('Evening: a quiet supper.');

	// Medication: the record is there to read; nothing new can be added or signed.
	await wes.page.goto(teamUrl + '/medication');
	await saysRemoved(wes.page);
	await expect(wes.page.getByRole('list', { name: 'Record of doses' })).toContainText('Paracetamol 500 mg: Given');
	await expect(wes.page.getByRole('button', { name: 'Add medicine' })).toBeDisabled();
	await expect(wes.page.getByRole('button', { name: 'Record and sign' })).toBeDisabled();
	await expect(wes.page.getByRole('textbox', { name: 'Medicine' })).toBeDisabled();

	// Chat: his message is there; he can't send, change or delete anything.
	await wes.page.goto(teamUrl + '/chat');
	await saysRemoved(wes.page);
	await expect(wes.page.getByRole('list', { name: 'Messages' })).toContainText('Hello from Wes');
	await expect(wes.page.getByRole('textbox', { name: 'Message' })).toBeDisabled();
	await expect(wes.page.getByRole('button', { name: 'Send' })).toBeDisabled();
	await expect(wes.page.getByRole('button', { name: /^Edit/ })).toBeDisabled();
	await expect(wes.page.getByRole('button', { name: /^Delete/ })).toBeDisabled();

	// The rota: no taking shifts, and no suggestion that introducing himself would help.
	await wes.page.goto(teamUrl + '/rota');
	await saysRemoved(wes.page);
	await expect(wes.page.getByRole('button', { name: /Take this shift/ })).toHaveCount(0);
	await expect(wes.page.getByText('Once you have introduced yourself')).toHaveCount(0);

	// Every other page of the team says the same at once.
	for (const path of ['/check-ins', '/trust', '/profile', '']) {
		await wes.page.goto(teamUrl + path);
		await saysRemoved(wes.page);
	}
	// The team page: nothing to take, join, wear or leave.
	await expect(wes.page.getByRole('button', { name: /Take this shift|Join the team list|Leave the team|Accept/ })).toHaveCount(0);
	await expect(wes.page.getByRole('list', { name: 'Team members' })).not.toContainText('Wes');
	await expect(syncStatus(wes.page)).toContainText('can’t be sent');

	await olive.context.close();
	await wes.context.close();
});
