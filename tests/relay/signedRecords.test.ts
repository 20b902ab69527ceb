// Authorship inside a shared document, through a real relay. Bea and Cat both write Rose's care
// records: the relay and the circle key let either of them change any field of the visit notes
// document. Cat's device rewrites the note Bea wrote (and, to cover her tracks, signs it with
// her own device). The relay carries the change as it carries any other, and Bea's device, and
// Rose's, show Bea's note as altered, checked against the devices the space's membership log
// admitted for Bea.
import { afterEach, describe, expect, it } from 'vitest';
import { cryptoReady } from '$lib/crypto';
import { invitationFragment, parseInvitationLink } from '$lib/keys/spaceOps';
import { authorDevices } from '$lib/keys/authorDevices';
import type { DocumentId, SpaceId } from '$lib/protocol';
import { TEAM_CIRCLES } from '$lib/model/teamSpace';
import { visitKey } from '$lib/model/rota';
import { setText } from '$lib/model/text';
import { signFields } from '$lib/model/authorship';
import { addNote, newVisitNotes, noteAuthorship, notesForVisit, type VisitNotes } from '$lib/model/visitNotes';
import { randomId, type PersonKey } from '$lib/model/ids';
import type { IsoDate } from '$lib/model/calendar';
import { eventually, setup, type Device, type Scenario } from '$tests/helpers/scenario';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

/** Owner invites, the person accepts, the owner admits: consent on both sides. */
async function bringIn(owner: Device, person: Device, spaceId: SpaceId, circles: string[]) {
	const link = await owner.engine.invite(spaceId, { circles, info: { space: 'Rose’s team', from: 'Rose' } });
	await owner.engine.whenSynced();
	await person.engine.acceptInvitation(parseInvitationLink(`https://hearth.example/invite#${invitationFragment(link)}`));
	await eventually(() => owner.engine.spaceState(spaceId)?.invites.get(link.invite)?.status === 'requested', 10_000, `${person.name}’s request`);
	await owner.engine.admit(spaceId, link.invite);
	await eventually(() => person.engine.spaceState(spaceId)?.members.has(person.engine.personKey()!) === true, 10_000, `${person.name}’s admission`);
}

const read = (d: Device, docId: DocumentId) => d.engine.handle<VisitNotes>(docId)?.doc() as VisitNotes | undefined;

describe('authorship of a visit note, through the relay', () => {
	it('a colleague rewriting Bea’s visit note shows it as altered on Bea’s device and the Owner’s', async () => {
		await cryptoReady();
		const s = await setup('rose', 'bea', 'cat');
		scenario = s;
		const { rose, bea, cat } = s;
		await rose.engine.person();
		const roseKey = rose.engine.personKey() as unknown as PersonKey;
		const { spaceId, circles } = await rose.engine.createSpace(TEAM_CIRCLES.length);
		const [whole, care] = circles;
		const notes = (await rose.engine.createInSpace<VisitNotes>(spaceId, care, newVisitNotes(roseKey))).documentId as unknown as DocumentId;
		await rose.engine.whenSynced();
		await bringIn(rose, bea, spaceId, [whole, care]);
		await bringIn(rose, cat, spaceId, [whole, care]);
		await eventually(() => read(bea, notes)?.kind === 'visit-notes' && read(cat, notes)?.kind === 'visit-notes', 15_000, 'both workers to read the notes');

		// Bea writes her note, signed by her device as the visits page does.
		const beaKey = bea.engine.personKey() as unknown as PersonKey;
		const visit = visitKey(randomId(), '2025-03-04' as IsoDate);
		bea.engine.handle<VisitNotes>(notes)!.change((d) => {
			expect(addNote(d, beaKey, 'bea-note', visit, 'Rose ate well and we walked to the post office.', ['meal', 'outing'], Date.now(), bea.engine.device).ok).toBe(true);
		});
		await eventually(() => !!read(cat, notes)?.notes['bea-note'], 15_000, 'Bea’s note to reach Cat');
		await eventually(() => !!read(rose, notes)?.notes['bea-note'], 15_000, 'Bea’s note to reach Rose');
		const standing = (d: Device) => {
			const note = notesForVisit(read(d, notes)!, visit)[0];
			return { text: note.text, status: noteAuthorship(note, authorDevices(d.engine.spaceState(spaceId))) };
		};
		const honest = { text: 'Rose ate well and we walked to the post office.', status: 'signed' };
		expect(standing(cat)).toEqual(honest);
		expect(standing(rose)).toEqual(honest);

		// Cat's device rewrites Bea's words and signs the result with its own key.
		const rewritten = 'Rose refused lunch and would not go out.';
		cat.engine.handle<VisitNotes>(notes)!.change((d) => {
			setText(d, ['notes', 'bea-note', 'text'], rewritten);
			const v = notesForVisit(d, visit)[0];
			d.notes['bea-note'].signed = signFields(cat.engine.device, 'hearth/visit-note/v1', [v.id, v.visit, v.author, v.createdAt, v.text, ...v.activities]);
		});
		await cat.engine.whenSynced();

		// The relay delivers it like any change; Bea's device and Rose's say it is not as Bea wrote it.
		await eventually(() => read(bea, notes)?.notes['bea-note']?.text === rewritten, 15_000, 'Cat’s rewrite to reach Bea');
		await eventually(() => read(rose, notes)?.notes['bea-note']?.text === rewritten, 15_000, 'Cat’s rewrite to reach Rose');
		expect(standing(bea)).toEqual({ text: rewritten, status: 'altered' });
		expect(standing(rose)).toEqual({ text: rewritten, status: 'altered' });
	}, 60_000);
});
