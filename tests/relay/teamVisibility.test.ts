// A care team's visibility is enforced by keys, not by hiding. A team is a space with the
// circles of TEAM_CIRCLES (whole team, care records, money, emergency contact only), built
// with the engine the way TeamState.create builds it. Through a real relay: someone outside
// care records never gets the visit notes or the MAR, and even with a full copy of the relay's
// data and every key their device holds they decrypt none of it; an emergency-only contact
// reads only their section. The MAR's signed entries verify after sync, and an edit is flagged.
import { afterEach, describe, expect, it } from 'vitest';
import { cryptoReady, decrypt } from '$lib/crypto';
import { documentKey, invitationFragment, openCircleKeys, parseInvitationLink } from '$lib/keys/spaceOps';
import { entryAssociatedData, fromBase64Url, type DocumentId, type SpaceId } from '$lib/protocol';
import { TEAM_CIRCLES, teamCircleNames, type TeamDoc } from '$lib/model/teamSpace';
import { newPrivateSpace } from '$lib/model/space';
import { newTeam } from '$lib/model/team';
import { newRota, visitKey, type Rota } from '$lib/model/rota';
import { newTeamChat } from '$lib/model/chat';
import { addNote, newVisitNotes, type VisitNotes } from '$lib/model/visitNotes';
import {
	appendMarEntry,
	localDateTime,
	newMarRecord,
	readMarLog,
	signMarEntry,
	storedMarEntry,
	verifyMarLog,
	type MarEntryId,
	type MarRecord,
	type MedicineId
} from '$lib/model/mar';
import { newMoney, type Money } from '$lib/model/money';
import { attachSectionDoc, editSectionText, newProfileIndex, newProfileSection, type ProfileIndex, type ProfileSection } from '$lib/model/profile';
import { randomId, type PersonKey } from '$lib/model/ids';
import type { IsoDate, TimeOfDay } from '$lib/model/calendar';
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
	const received = parseInvitationLink(`https://hearth.example/invite#${invitationFragment(link)}`);
	await person.engine.acceptInvitation(received);
	await eventually(() => owner.engine.spaceState(spaceId)?.invites.get(link.invite)?.status === 'requested', 10_000, `${person.name}’s request to reach the owner`);
	await owner.engine.admit(spaceId, link.invite);
	await eventually(() => person.engine.spaceState(spaceId)?.members.has(person.engine.personKey()!) === true, 10_000, `${person.name}’s admission`);
}

const idOf = (h: { documentId: unknown }) => h.documentId as unknown as DocumentId;

function read<T>(d: Device, docId: DocumentId): T | undefined {
	return d.engine.handle<T>(docId)?.doc() as T | undefined;
}

/** Every key a device holds: each document's keys, and each circle key it can open (raw and derived). */
function everyKeyHeld(d: Device, spaceId: SpaceId, targets: DocumentId[]): Uint8Array[] {
	const keys: Uint8Array[] = [];
	for (const docId of d.engine.documents()) {
		for (const k of Object.values(d.engine.access(docId)?.keys ?? {})) keys.push(fromBase64Url(k));
	}
	const state = d.engine.spaceState(spaceId);
	if (state) {
		for (const byEpoch of openCircleKeys(state, d.engine.device).values()) {
			for (const circleKey of byEpoch.values()) {
				keys.push(circleKey);
				for (const docId of [...targets, ...d.engine.documents()]) keys.push(documentKey(circleKey, docId));
			}
		}
	}
	return keys;
}

type Row = { doc_id: string; seq: number; epoch: number; kind: string; covers: number | null; author: string; nonce: string; ct: string };

function opens(row: Row, key: Uint8Array): boolean {
	const ad = entryAssociatedData({ docId: row.doc_id, epoch: row.epoch, author: row.author, kind: row.kind, covers: row.covers === null ? undefined : row.covers });
	return decrypt(fromBase64Url(row.ct), fromBase64Url(row.nonce), key, ad) !== undefined;
}

describe('care team visibility by keys', () => {
	it('only care records members read notes and the MAR, even with the relay’s data; emergency contacts read only their section; the MAR verifies and flags an edit', async () => {
		await cryptoReady();
		const s = await setup('owner', 'worker', 'sister', 'neighbour');
		scenario = s;
		const { owner, worker, sister, neighbour } = s;

		// The team, laid out as TeamState.create lays it out.
		await owner.engine.person();
		const me = owner.engine.personKey() as unknown as PersonKey;
		const { spaceId, circles } = await owner.engine.createSpace(TEAM_CIRCLES.length);
		expect(circles).toHaveLength(4);
		const [whole, care, money, emergency] = circles;
		const names = teamCircleNames(circles);
		const space = newPrivateSpace('Rose’s team', me, 'Rose', circles);
		space.circles = { ...names };
		await owner.engine.createInSpace(spaceId, whole, space);
		const team: TeamDoc = { ...newTeam('Rose’s team', me, 'Rose'), circles: { ...names } };
		await owner.engine.createInSpace(spaceId, whole, team);
		const rota = idOf(await owner.engine.createInSpace<Rota>(spaceId, whole, newRota()));
		await owner.engine.createInSpace(spaceId, whole, newTeamChat(spaceId));
		const notes = idOf(await owner.engine.createInSpace<VisitNotes>(spaceId, care, newVisitNotes(me)));
		const mar = idOf(await owner.engine.createInSpace<MarRecord>(spaceId, care, newMarRecord(randomId())));
		const moneyId = idOf(await owner.engine.createInSpace<Money>(spaceId, money, newMoney()));

		// The profile: the index in the whole team, key contacts for emergency contacts only.
		const indexHandle = await owner.engine.createInSpace<ProfileIndex>(spaceId, whole, newProfileIndex(me, whole, { circles: { keyContacts: emergency } }));
		const contactsHandle = await owner.engine.createInSpace<ProfileSection>(spaceId, emergency, newProfileSection('keyContacts'));
		const aboutHandle = await owner.engine.createInSpace<ProfileSection>(spaceId, whole, newProfileSection('aboutMe'));
		const contacts = idOf(contactsHandle);
		const about = idOf(aboutHandle);
		contactsHandle.change((d) => editSectionText(d, me, 'Call my son Tom first: 07700 900123'));
		aboutHandle.change((d) => editSectionText(d, me, 'I love gardening and the radio in the morning'));
		indexHandle.change((d) => {
			expect(attachSectionDoc(d, me, 'keyContacts', contacts).ok).toBe(true);
			expect(attachSectionDoc(d, me, 'aboutMe', about).ok).toBe(true);
		});
		const index = idOf(indexHandle);
		expect(indexHandle.doc().sections.keyContacts.circle).toBe(emergency);
		await owner.engine.whenSynced();

		await bringIn(owner, worker, spaceId, [whole, care]);
		await bringIn(owner, sister, spaceId, [whole, money]);
		await bringIn(owner, neighbour, spaceId, [emergency]);

		// The worker reads care records and writes a visit note and a signed MAR entry.
		await eventually(() => read<VisitNotes>(worker, notes)?.kind === 'visit-notes' && read<MarRecord>(worker, mar)?.kind === 'mar', 15_000, 'the worker to read care records');
		const workerMe = worker.engine.personKey() as unknown as PersonKey;
		const today = '2025-03-04' as IsoDate;
		const visit = visitKey(randomId(), today);
		worker.engine.handle<VisitNotes>(notes)!.change((d) => {
			expect(addNote(d, workerMe, randomId(), visit, 'Rose had porridge and took her tablets with tea. Bit breathless on the stairs.', ['meal', 'medication']).ok).toBe(true);
		});
		const marHandle = worker.engine.handle<MarRecord>(mar)!;
		const entry = signMarEntry(
			worker.engine.device,
			{
				id: randomId() as MarEntryId,
				medicine: randomId() as MedicineId,
				medicineName: 'Furosemide',
				dose: '40mg',
				outcome: 'given',
				reason: null,
				due: localDateTime(today, '08:00' as TimeOfDay),
				at: localDateTime(today, '08:10' as TimeOfDay),
				author: workerMe,
				corrects: null
			},
			marHandle.doc()
		);
		marHandle.change((d) => appendMarEntry(d, entry));

		// The owner receives both.
		await eventually(() => Object.keys(read<VisitNotes>(owner, notes)?.notes ?? {}).length === 1, 15_000, 'the visit note to reach the owner');
		await eventually(() => read<MarRecord>(owner, mar)?.log.length === 1, 15_000, 'the MAR entry to reach the owner');
		await worker.engine.whenSynced();
		await owner.engine.whenSynced();

		// The sister reads money and the rota (and the whole-team profile section); the neighbour reads only key contacts.
		await eventually(() => read<Money>(sister, moneyId)?.kind === 'money' && read<Rota>(sister, rota)?.kind === 'rota', 15_000, 'the sister to read money and the rota');
		await eventually(() => read<ProfileSection>(sister, about)?.text === 'I love gardening and the radio in the morning', 15_000, 'the sister to read “a bit about me”');
		await eventually(() => read<ProfileSection>(neighbour, contacts)?.text === 'Call my son Tom first: 07700 900123', 15_000, 'the neighbour to read key contacts');
		await sister.engine.whenSynced();
		await neighbour.engine.whenSynced();

		// Both know the care records documents exist (the space log names them), and hold nothing to read them with.
		await eventually(() => sister.engine.spaceState(spaceId)?.docs.has(notes) === true && neighbour.engine.spaceState(spaceId)?.docs.has(mar) === true, 10_000);
		for (const outsider of [sister, neighbour]) {
			for (const docId of [notes, mar]) {
				expect(outsider.engine.handle(docId), `${outsider.name} has no handle for ${docId}`).toBeUndefined();
				expect(outsider.engine.access(docId)).toBeUndefined();
			}
		}
		expect(sister.engine.handle(contacts)).toBeUndefined();
		for (const docId of [rota, moneyId, index, about]) {
			expect(neighbour.engine.handle(docId), `neighbour has no handle for ${docId}`).toBeUndefined();
			expect(neighbour.engine.access(docId)).toBeUndefined();
		}
		// What the neighbour's device holds at all: the emergency-contact section and nothing else.
		expect(neighbour.engine.documents().filter((d) => neighbour.engine.handle(d) !== undefined)).toEqual([contacts]);

		// A full copy of the relay's data, and every key each device holds.
		const rows = await s.relay.query<Row>('SELECT * FROM entries WHERE doc_id IN (?, ?)', [notes, mar]);
		expect(rows.some((r) => r.doc_id === notes && r.author === worker.engine.deviceKey)).toBe(true);
		expect(rows.some((r) => r.doc_id === mar && r.author === worker.engine.deviceKey)).toBe(true);

		// Positive control: the worker's keys open every entry, so a failure below means something.
		const workerKeys = [notes, mar].flatMap((id) => Object.values(worker.engine.access(id)!.keys).map((k) => fromBase64Url(k)));
		for (const row of rows) expect(workerKeys.some((k) => opens(row, k)), `worker opens ${row.doc_id}#${row.seq}`).toBe(true);

		for (const outsider of [sister, neighbour]) {
			const keys = everyKeyHeld(outsider, spaceId, [notes, mar]);
			expect(keys.length).toBeGreaterThan(0);
			for (const row of rows) {
				for (const key of keys) expect(opens(row, key), `${outsider.name} opens ${row.doc_id}#${row.seq}`).toBe(false);
			}
		}
		// The outsiders' circle keys are real: they derive the keys of what they do read.
		const sisterCircles = openCircleKeys(sister.engine.spaceState(spaceId)!, sister.engine.device);
		expect([...sisterCircles.keys()].sort()).toEqual([whole, money].sort());
		expect([...openCircleKeys(neighbour.engine.spaceState(spaceId)!, neighbour.engine.device).keys()]).toEqual([emergency]);

		// The MAR verifies on the owner's device; an edit to the stored entry is flagged.
		const ownerMar = owner.engine.handle<MarRecord>(mar)!;
		const check = verifyMarLog(ownerMar.doc());
		expect(check.intact).toBe(true);
		expect(check.entries.map((e) => e.status)).toEqual(['ok']);
		ownerMar.change((d) => {
			d.log[0] = storedMarEntry({ ...readMarLog(d)[0], dose: '400mg' });
		});
		const tampered = verifyMarLog(ownerMar.doc());
		expect(tampered.intact).toBe(false);
		expect(tampered.entries[0].status).toBe('tampered');
	}, 40_000);
});
