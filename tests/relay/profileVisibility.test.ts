// A Giving Support profile is seen only by the Local Circles its person chose, and that is
// enforced by keys. Wes keeps his profile in a space of his own and is in two Local Circles,
// A and B; he shares with A only. Through a real relay: Amy (in A) reads the copy; Bea (in B
// only) never gets it, and even with a full copy of the relay's data and every key her
// device holds she decrypts none of it. The relay's data holds no word of the profile. A
// trial invitation sealed to Wes inside A's call-out opens on his device and not on Amy's.
import { afterEach, describe, expect, it } from 'vitest';
import { cryptoReady, decrypt } from '$lib/crypto';
import { documentKey, invitationFragment, openCircleKeys, parseInvitationLink } from '$lib/keys/spaceOps';
import { openSealedForDevice, sealForPerson } from '$lib/keys/personSeal';
import { entryAssociatedData, fromBase64Url, type DocumentId, type SpaceId } from '$lib/protocol';
import { newPrivateSpace } from '$lib/model/space';
import { newLocalCircle } from '$lib/model/localCircle';
import {
	emptyProfileContent,
	newGivingProfile,
	newSharedCopy,
	recordShare,
	recordUnshare,
	updateGivingProfile,
	visibleProfile,
	withdrawCopy,
	type GivingProfile,
	type SharedGivingProfile
} from '$lib/model/givingProfile';
import { expressInterest, newCallOut, recordTrialInvitation, type CallOut } from '$lib/model/callOut';
import type { PersonKey } from '$lib/model/ids';
import type { IsoDate } from '$lib/model/calendar';
import { eventually, setup, type Device, type Scenario } from '$tests/helpers/scenario';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

const SECRET_WORDS = ['Wesley Okafor', 'Dementia Care Level 3', 'Hebden Bridge', 'cared for my grandmother', 'Mytholmroyd', 'Tuesday mornings', 'invite-fragment-secret'];

async function bringIn(owner: Device, person: Device, spaceId: SpaceId, circles: string[]) {
	const link = await owner.engine.invite(spaceId, { circles, info: { space: 'A Local Circle', from: owner.name } });
	await owner.engine.whenSynced();
	await person.engine.acceptInvitation(parseInvitationLink(`https://hearth.example/invite#${invitationFragment(link)}`));
	await eventually(() => owner.engine.spaceState(spaceId)?.invites.get(link.invite)?.status === 'requested', 10_000, `${person.name}’s request`);
	await owner.engine.admit(spaceId, link.invite);
	await eventually(() => person.engine.spaceState(spaceId)?.members.has(person.engine.personKey()!) === true, 10_000, `${person.name}’s admission`);
}

/** A Local Circle as SupportState.startLocalCircle makes it: one circle, its notes and its marker. */
async function startCircle(owner: Device, name: string) {
	await owner.engine.person();
	const { spaceId, circles } = await owner.engine.createSpace(1);
	await owner.engine.createInSpace(spaceId, circles[0], newPrivateSpace(name, owner.engine.personKey()!, owner.name, circles));
	await owner.engine.createInSpace(spaceId, circles[0], newLocalCircle(name, 'Calder Valley'));
	return { spaceId, circle: circles[0] };
}

const idOf = (h: { documentId: unknown }) => h.documentId as unknown as DocumentId;

type Row = { doc_id: string; seq: number; epoch: number; kind: string; covers: number | null; author: string; nonce: string; ct: string };

function opens(row: Row, key: Uint8Array): boolean {
	const ad = entryAssociatedData({ docId: row.doc_id, epoch: row.epoch, author: row.author, kind: row.kind, covers: row.covers === null ? undefined : row.covers });
	return decrypt(fromBase64Url(row.ct), fromBase64Url(row.nonce), key, ad) !== undefined;
}

/** Every key a device holds: each document's keys, and every circle key it can open in these spaces (raw and derived). */
function everyKeyHeld(d: Device, spaces: SpaceId[], targets: DocumentId[]): Uint8Array[] {
	const keys: Uint8Array[] = [];
	for (const docId of d.engine.documents()) for (const k of Object.values(d.engine.access(docId)?.keys ?? {})) keys.push(fromBase64Url(k));
	for (const spaceId of spaces) {
		const state = d.engine.spaceState(spaceId);
		if (!state) continue;
		for (const byEpoch of openCircleKeys(state, d.engine.device).values()) {
			for (const circleKey of byEpoch.values()) {
				keys.push(circleKey);
				for (const docId of [...targets, ...d.engine.documents()]) keys.push(documentKey(circleKey, docId));
			}
		}
	}
	return keys;
}

describe('Giving Support profile visibility by keys', () => {
	it('a profile shared with circle A is read by A’s members and undecryptable by a member of circle B only', async () => {
		await cryptoReady();
		const s = await setup('alice', 'amy', 'bea', 'wes');
		scenario = s;
		const { alice, amy, bea, wes } = s;

		const a = await startCircle(alice, 'Circle A');
		const b = await startCircle(bea, 'Circle B');
		await bringIn(alice, amy, a.spaceId, [a.circle]);
		await bringIn(alice, wes, a.spaceId, [a.circle]);
		await bringIn(bea, wes, b.spaceId, [b.circle]);

		// Wes's own space holds the master profile.
		const wesKey = wes.engine.personKey()! as unknown as PersonKey;
		const own = await wes.engine.createSpace(1);
		const masterHandle = await wes.engine.createInSpace<GivingProfile>(own.spaceId, own.circles[0], newGivingProfile(wesKey, 'Wes'));
		masterHandle.change((d) => {
			const r = updateGivingProfile(d, wesKey, {
				...emptyProfileContent('Wesley Okafor'),
				area: 'Hebden Bridge',
				aboutMe: 'I cared for my grandmother for six years.',
				skills: { dementia: true },
				qualifications: { q: { title: 'Dementia Care Level 3', skill: 'dementia', accredited: true, date: '2024-05-01' as IsoDate } },
				availability: { '2-morning': true }
			});
			expect(r).toEqual({ ok: true });
		});

		// Shared with circle A only: a copy in A's space.
		const copyHandle = await wes.engine.createInSpace<SharedGivingProfile>(a.spaceId, a.circle, newSharedCopy(masterHandle.doc()));
		const copy = idOf(copyHandle);
		masterHandle.change((d) => expect(recordShare(d, wesKey, a.spaceId, copy)).toEqual({ ok: true }));
		const master = idOf(masterHandle);
		await wes.engine.whenSynced();

		// Positive control: Amy, in A, reads it.
		await eventually(() => visibleProfile(amy.engine.handle<SharedGivingProfile>(copy)?.doc() ?? ({} as SharedGivingProfile))?.name === 'Wesley Okafor', 15_000, 'Amy to read the profile');
		await amy.engine.whenSynced();
		await bea.engine.whenSynced();

		// Bea, in B only, knows of no such document and holds nothing to read it with.
		expect(bea.engine.spaceState(a.spaceId)).toBeUndefined();
		for (const docId of [copy, master]) {
			expect(bea.engine.handle(docId)).toBeUndefined();
			expect(bea.engine.access(docId)).toBeUndefined();
			expect(amy.engine.access(master), 'nobody but Wes reads the master').toBeUndefined();
		}

		// A full copy of the relay's data.
		const rows = await s.relay.query<Row>('SELECT * FROM entries WHERE doc_id IN (?, ?)', [copy, master]);
		expect(rows.some((r) => r.doc_id === copy)).toBe(true);
		expect(rows.some((r) => r.doc_id === master)).toBe(true);

		// Amy's keys open every entry of the copy (so the check below can fail), and none of the master.
		const amyKeys = everyKeyHeld(amy, [a.spaceId], [copy, master]);
		for (const row of rows) expect(amyKeys.some((k) => opens(row, k)), `Amy opens ${row.doc_id}#${row.seq}`).toBe(row.doc_id === copy);

		// Bea, with every key she holds (including circle B's, which Wes is also in), opens nothing.
		const beaKeys = everyKeyHeld(bea, [a.spaceId, b.spaceId], [copy, master]);
		expect(beaKeys.length).toBeGreaterThan(0);
		for (const row of rows) for (const key of beaKeys) expect(opens(row, key), `Bea opens ${row.doc_id}#${row.seq}`).toBe(false);

		// A trial invitation sealed to Wes in A's call-out: Wes opens it, Amy cannot.
		const aliceKey = alice.engine.personKey()! as unknown as PersonKey;
		const made = newCallOut(
			{
				title: 'Tuesday mornings', about: '', skills: ['dementia'], supportKinds: [], surroundings: [], slots: ['2-morning'], timesNote: '',
				area: 'Mytholmroyd', location: null, budgetPence: null, languages: [], driverWanted: false,
				home: { pets: false, heavyLifting: false, smoking: false, overnight: false }, qualities: '', relationship: 'regular'
			},
			aliceKey, 'Alice', 'team-space-id'
		);
		if (!made.ok) throw new Error(made.error);
		const callOutHandle = await alice.engine.createInSpace<CallOut>(a.spaceId, a.circle, made.callOut);
		const callOut = idOf(callOutHandle);
		await eventually(() => wes.engine.handle<CallOut>(callOut)?.doc()?.kind === 'call-out', 15_000, 'Wes to see the call-out');
		wes.engine.handle<CallOut>(callOut)!.change((d) => expect(expressInterest(d, wesKey, { name: 'Wes', note: '', profileDoc: copy })).toEqual({ ok: true }));
		await eventually(() => !!alice.engine.handle<CallOut>(callOut)?.doc()?.interests[wesKey], 15_000, 'Wes’s interest to reach Alice');
		const sealed = sealForPerson(alice.engine.spaceState(a.spaceId)!, wesKey, 'invite-fragment-secret');
		expect(Object.keys(sealed)).toEqual([wes.engine.deviceKey]);
		callOutHandle.change((d) => expect(recordTrialInvitation(d, aliceKey, wesKey, { inviteId: 'inv', at: 1, sealed })).toEqual({ ok: true }));
		await eventually(() => !!wes.engine.handle<CallOut>(callOut)?.doc()?.invitations[wesKey] && !!amy.engine.handle<CallOut>(callOut)?.doc()?.invitations[wesKey], 15_000, 'the invitation to sync');
		expect(openSealedForDevice(wes.engine.handle<CallOut>(callOut)!.doc().invitations[wesKey].sealed, wes.engine.device)).toBe('invite-fragment-secret');
		expect(openSealedForDevice(amy.engine.handle<CallOut>(callOut)!.doc().invitations[wesKey].sealed, amy.engine.device)).toBeUndefined();

		// Un-sharing empties the copy on Amy's device too.
		copyHandle.change((d) => withdrawCopy(d));
		masterHandle.change((d) => expect(recordUnshare(d, wesKey, a.spaceId)).toEqual({ ok: true }));
		await eventually(() => amy.engine.handle<SharedGivingProfile>(copy)?.doc()?.withdrawn === true, 15_000, 'the withdrawal to reach Amy');
		expect(amy.engine.handle<SharedGivingProfile>(copy)!.doc().profile).toBeNull();

		// After all of it, the relay's data holds no word of the profile, the call-out or the invitation.
		await alice.engine.whenSynced();
		await wes.engine.whenSynced();
		const everything = JSON.stringify([
			await s.relay.query('SELECT * FROM entries'),
			await s.relay.query('SELECT * FROM space_ops'),
			await s.relay.query('SELECT * FROM auth')
		]);
		expect(everything.length).toBeGreaterThan(10_000);
		for (const words of SECRET_WORDS) expect(everything.includes(words), `relay data mentions “${words}”`).toBe(false);
	}, 60_000);
});
