// A Getting Support Profile section shared with several parts of a care team, through a real
// relay. Rose shares "Essentials" (her DNR wording) with the whole team *and* her emergency
// contacts: the main document sits in the whole-team circle and a copy in the emergency-contact
// circle, as TeamProfile makes them. Wes (whole team and care records) reads the main
// document; Nina (emergency contact only) reads the copy; Sue (money only) is in neither and,
// even with a full copy of the relay's data and every key her device holds, opens no entry of
// either. When Rose unticks emergency contacts, Nina's copy is emptied and what Rose writes
// next never reaches Nina's device in any form she can open.
import { afterEach, describe, expect, it } from 'vitest';
import { cryptoReady, decrypt } from '$lib/crypto';
import { documentKey, invitationFragment, openCircleKeys, parseInvitationLink } from '$lib/keys/spaceOps';
import { entryAssociatedData, fromBase64Url, type DocumentId, type SpaceId } from '$lib/protocol';
import { TEAM_CIRCLES, teamCircleNames, type TeamDoc } from '$lib/model/teamSpace';
import { newTeam } from '$lib/model/team';
import {
	attachSectionDoc,
	copySection,
	docToRead,
	editSectionField,
	editSectionText,
	latestSections,
	mirrorSection,
	newProfileIndex,
	newProfileSection,
	retireSection,
	sectionIsEmpty,
	shareSection,
	unshareSection,
	type ProfileIndex,
	type ProfileSection
} from '$lib/model/profile';
import type { PersonKey } from '$lib/model/ids';
import { eventually, setup, type Device, type Scenario } from '$tests/helpers/scenario';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

async function bringIn(owner: Device, person: Device, spaceId: SpaceId, circles: string[]) {
	const link = await owner.engine.invite(spaceId, { circles, info: { space: 'Rose’s team', from: 'Rose' } });
	await owner.engine.whenSynced();
	await person.engine.acceptInvitation(parseInvitationLink(`https://hearth.example/invite#${invitationFragment(link)}`));
	await eventually(() => owner.engine.spaceState(spaceId)?.invites.get(link.invite)?.status === 'requested', 10_000, `${person.name}’s request`);
	await owner.engine.admit(spaceId, link.invite);
	await eventually(() => person.engine.spaceState(spaceId)?.members.has(person.engine.personKey()!) === true, 10_000, `${person.name}’s admission`);
}

const idOf = (h: { documentId: unknown }) => h.documentId as unknown as DocumentId;

function read<T>(d: Device, docId: DocumentId): T | undefined {
	return d.engine.handle<T>(docId)?.doc() as T | undefined;
}

/** Every key a device holds: each document's keys, and each circle key it can open (raw and derived for these documents). */
function everyKeyHeld(d: Device, spaceId: SpaceId, targets: DocumentId[]): Uint8Array[] {
	const keys: Uint8Array[] = [];
	for (const docId of d.engine.documents()) for (const k of Object.values(d.engine.access(docId)?.keys ?? {})) keys.push(fromBase64Url(k));
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

/** Which of these rows a device can open with everything it holds. */
function openedBy(d: Device, spaceId: SpaceId, rows: Row[]): Set<string> {
	const keys = everyKeyHeld(d, spaceId, [...new Set(rows.map((r) => r.doc_id as DocumentId))]);
	return new Set(rows.filter((row) => keys.some((k) => opens(row, k))).map((r) => `${r.doc_id}#${r.seq}`));
}

const DNR = 'DNR: do not attempt CPR. The ReSPECT form is in the blue folder by the door.';
const LATER = 'Ring Tom before the GP, please.';

describe('a profile section shared with several circles', () => {
	it('is read through each chosen circle’s own copy, by nobody else even with the relay’s data, and unticking a circle takes it away', async () => {
		await cryptoReady();
		const s = await setup('rose', 'wes', 'nina', 'sue');
		scenario = s;
		const { rose, wes, nina, sue } = s;

		await rose.engine.person();
		const me = rose.engine.personKey() as unknown as PersonKey;
		const { spaceId, circles } = await rose.engine.createSpace(TEAM_CIRCLES.length);
		const [whole, care, money, emergency] = circles;
		const team: TeamDoc = { ...newTeam('Rose’s team', me, 'Rose'), circles: { ...teamCircleNames(circles) } };
		await rose.engine.createInSpace(spaceId, whole, team);
		const indexHandle = await rose.engine.createInSpace<ProfileIndex>(spaceId, whole, newProfileIndex(me, whole));

		// Essentials, written in its main document (whole team)…
		const mainHandle = await rose.engine.createInSpace<ProfileSection>(spaceId, whole, newProfileSection('essentials'));
		const main = idOf(mainHandle);
		mainHandle.change((d) => editSectionField(d, me, 'advanceDecisions', DNR));
		indexHandle.change((d) => expect(attachSectionDoc(d, me, 'essentials', main)).toEqual({ ok: true }));
		// …and shared with emergency contacts too: their copy first, then the index says so.
		const copyHandle = await rose.engine.createInSpace<ProfileSection>(spaceId, emergency, copySection(mainHandle.doc()));
		const copy = idOf(copyHandle);
		indexHandle.change((d) => expect(shareSection(d, me, 'essentials', emergency, copy)).toEqual({ ok: true }));
		expect(rose.engine.spaceState(spaceId)?.docs.get(main)).toBe(whole);
		expect(rose.engine.spaceState(spaceId)?.docs.get(copy)).toBe(emergency);
		await rose.engine.whenSynced();

		await bringIn(rose, wes, spaceId, [whole, care]);
		await bringIn(rose, nina, spaceId, [emergency]);
		await bringIn(rose, sue, spaceId, [money]);

		// Wes reads the main document through the index; Nina, who can't read the index, her copy.
		await eventually(() => read<ProfileSection>(wes, main)?.fields.advanceDecisions === DNR, 15_000, 'Wes to read Essentials');
		const wesIndex = read<ProfileIndex>(wes, idOf(indexHandle))!;
		expect(docToRead(wesIndex.sections.essentials, [whole, care])).toBe(main);
		await eventually(() => read<ProfileSection>(nina, copy)?.fields.advanceDecisions === DNR, 15_000, 'Nina to read Essentials');
		expect(nina.engine.handle(idOf(indexHandle))).toBeUndefined();
		expect(latestSections([{ id: copy, doc: read<ProfileSection>(nina, copy)! }]).map((x) => x.section)).toEqual(['essentials']);
		await Promise.all([wes, nina, sue].map((d) => d.engine.whenSynced()));

		// Each holds only its own circle's document; Sue holds neither.
		expect(wes.engine.access(copy)).toBeUndefined();
		expect(nina.engine.access(main)).toBeUndefined();
		for (const docId of [main, copy]) {
			expect(sue.engine.handle(docId)).toBeUndefined();
			expect(sue.engine.access(docId)).toBeUndefined();
		}

		// With a full copy of the relay's data: Wes opens the main document's entries and not the
		// copy's, Nina the copy's and not the main one's, Sue none at all.
		const rows = await s.relay.query<Row>('SELECT * FROM entries WHERE doc_id IN (?, ?)', [main, copy]);
		expect(rows.some((r) => r.doc_id === main) && rows.some((r) => r.doc_id === copy)).toBe(true);
		const all = (doc: DocumentId) => new Set(rows.filter((r) => r.doc_id === doc).map((r) => `${r.doc_id}#${r.seq}`));
		expect(openedBy(wes, spaceId, rows)).toEqual(all(main));
		expect(openedBy(nina, spaceId, rows)).toEqual(all(copy));
		expect(openedBy(sue, spaceId, rows).size).toBe(0);
		expect(everyKeyHeld(sue, spaceId, [main, copy]).length).toBeGreaterThan(0);

		// An edit reaches both, the copy kept in step with the main document.
		mainHandle.change((d) => editSectionText(d, me, 'Please read this first.'));
		copyHandle.change((d) => mirrorSection(d, mainHandle.doc()));
		await eventually(() => read<ProfileSection>(nina, copy)?.text === 'Please read this first.', 15_000, 'the edit to reach Nina');
		await eventually(() => read<ProfileSection>(wes, main)?.text === 'Please read this first.', 15_000, 'the edit to reach Wes');

		// Rose unticks emergency contacts: their copy is emptied and retired, and the index forgets it.
		indexHandle.change((d) => expect(unshareSection(d, me, 'essentials', emergency)).toEqual({ ok: true }));
		copyHandle.change((d) => retireSection(d, me));
		expect(docToRead(indexHandle.doc().sections.essentials, [emergency])).toBeNull();
		await eventually(() => read<ProfileSection>(nina, copy)?.retired === true, 15_000, 'Nina’s copy to be emptied');
		expect(sectionIsEmpty(read<ProfileSection>(nina, copy)!)).toBe(true);
		expect(latestSections([{ id: copy, doc: read<ProfileSection>(nina, copy)! }])).toEqual([]);

		// What Rose writes next goes to the whole team only.
		mainHandle.change((d) => editSectionText(d, me, LATER));
		copyHandle.change((d) => mirrorSection(d, mainHandle.doc()));
		await eventually(() => read<ProfileSection>(wes, main)?.text === LATER, 15_000, 'the later edit to reach Wes');
		await rose.engine.whenSynced();
		await nina.engine.whenSynced();
		for (const docId of nina.engine.documents()) expect(JSON.stringify(read(nina, docId) ?? {})).not.toContain('Ring Tom');
		const after = await s.relay.query<Row>('SELECT * FROM entries WHERE doc_id IN (?, ?)', [main, copy]);
		const ninaOpens = openedBy(nina, spaceId, after);
		expect([...ninaOpens].every((r) => r.startsWith(`${copy}#`))).toBe(true);
		expect(read<ProfileSection>(nina, copy)?.text).toBe('');
	}, 60_000);
});
