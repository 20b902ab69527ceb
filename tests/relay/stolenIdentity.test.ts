// A thief with a removed device holds everything that device stored, the person's identity
// secret included (linking copies it to every device). Each story plays that thief against a
// real relay with the project's own code, and checks the identity key gives them nothing once
// the device is removed: it names the person, it authorises nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { signedPolicy } from '$lib/keys/access';
import { createDevice, deviceKey } from '$lib/keys/device';
import { decryptBundle, linkFragment, parseLinkOffer, recoveryKeys } from '$lib/keys/deviceLink';
import { certifyDevice, personKey, type PersonSecrets } from '$lib/keys/identity';
import { memberOf, opHash, type MembershipState } from '$lib/keys/membership';
import { hash } from '$lib/crypto';
import { invitationFragment, parseInvitationLink, signOp, writeCap } from '$lib/keys/spaceOps';
import type { DeviceKey, DocumentId, LoggedOp, ServerMessage, SignedOp, SpaceId } from '$lib/protocol';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { eventually, openDevice, setup, type Device, type Scenario } from '$tests/helpers/scenario';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

type Notes = { kind: 'visit-notes'; period: string; items: string[] };
const itemsOf = (d: Device, docId: DocumentId) => d.engine.handle<Notes>(docId)?.doc()?.items ?? [];

async function link(from: Device, to: Device): Promise<void> {
	let request: { sign: string; box: string } | undefined;
	const { offer } = await from.engine.offerDeviceLink((r) => (request = r));
	const { linked } = await to.engine.requestDeviceLink(parseLinkOffer(`https://hearth.example/link#${linkFragment(offer)}`));
	await eventually(() => request !== undefined, 10_000, 'the request to arrive');
	await from.engine.confirmDeviceLink(offer, request!);
	await linked;
}

async function bringIn(owner: Device, person: Device, spaceId: SpaceId, circles: string[]): Promise<void> {
	const invitation = await owner.engine.invite(spaceId, { circles, info: { space: 'Olive’s team', from: 'Olive' } });
	await owner.engine.whenSynced();
	await person.engine.acceptInvitation(parseInvitationLink(`https://hearth.example/invite#${invitationFragment(invitation)}`));
	await eventually(() => owner.engine.spaceState(spaceId)?.invites.get(invitation.invite)?.status === 'requested', 10_000, 'the request to reach Olive');
	await owner.engine.admit(spaceId, invitation.invite);
	await eventually(() => person.engine.spaceState(spaceId)?.members.has(person.engine.personKey()!) === true, 10_000, 'admission');
}

async function append(url: string, op: SignedOp): Promise<ServerMessage> {
	const raw = await RawRelayClient.connect(url);
	raw.send({ type: 'log-append', rid: 1, op });
	const answer = await raw.next((m) => 'rid' in m && m.rid === 1);
	raw.close();
	return answer;
}

/** What the thief makes with the stolen identity: a brand-new device key, certified as Olive's. */
function freshDeviceFor(person: PersonSecrets) {
	const device = createDevice();
	return { device, key: deviceKey(device), info: certifyDevice(person, device) };
}

/** The thief's self-add. The identity secret also gets it past the relay's flood guard (the space admits that key there). */
function selfAdd(spaceId: SpaceId, person: PersonSecrets, fresh: ReturnType<typeof freshDeviceFor>, prev: string[]): SignedOp {
	const cap = writeCap(spaceId, fresh.info.sign, person.signing);
	return signOp(spaceId, fresh.device, prev, { type: 'add-device', person: personKey(person), device: fresh.info, lockboxes: [] }, Date.now(), { cap });
}

/** Whether the device has read the op (whatever it made of it). */
function hasRead(d: Device, spaceId: SpaceId, op: SignedOp): boolean {
	const h = opHash(op, (b) => hash(b));
	const state = d.engine.spaceState(spaceId);
	return !!state && (state.applied.some((a) => a.hash === h) || state.rejected.some((r) => r.hash === h));
}

function holdsNothing(state: MembershipState, device: DeviceKey): boolean {
	const sealedTo = [...state.circles.values()].some((c) => [...c.lockboxes.keys()].some((k) => k.endsWith(`/${device}`)));
	return memberOf(state, device) === undefined && !state.deviceOwners.has(device) && !sealedTo;
}

/**
 * Olive owns a team with a care-notes document, on a laptop and a phone she linked; Bea is a
 * member. The phone is stolen: the thief copies everything it stored, then Olive removes it.
 */
async function olivesPhoneIsStolen() {
	const s = await setup('laptop', 'phone', 'bea');
	scenario = s;
	const { laptop, phone, bea } = s;
	const { spaceId, circles } = await laptop.engine.createSpace(2);
	const handle = await laptop.engine.createInSpace<Notes>(spaceId, circles[0], { kind: 'visit-notes', period: '2026-12', items: ['Tuesday: GP at 10'] });
	const docId = handle.documentId as unknown as DocumentId;
	await laptop.engine.whenSynced();
	await link(laptop, phone);
	const olive = laptop.engine.personKey()!;
	await eventually(() => phone.engine.spaceState(spaceId)?.members.get(olive)?.devices.has(phone.engine.deviceKey) === true, 10_000, 'the phone in the team');
	await bringIn(laptop, bea, spaceId, circles);
	await eventually(() => itemsOf(bea, docId).length === 1, 15_000, 'Bea to read the notes');
	// Everything the thief takes off the phone: its own keys and Olive's identity secret.
	const stolen = { device: phone.engine.device, person: await phone.engine.person() };
	phone.engine.disconnect();
	return { s, laptop, phone, bea, spaceId, circles, docId, olive, stolen };
}

async function removeThePhone(laptop: Device, phone: Device, spaceId: SpaceId, docId: DocumentId): Promise<void> {
	await laptop.engine.removeDevice(phone.engine.deviceKey);
	await eventually(() => laptop.engine.epochOf(docId) === 1, 20_000, 'the notes to move to a new epoch');
	await laptop.engine.whenSynced();
	expect(laptop.engine.spaceState(spaceId)!.removedDevices.has(phone.engine.deviceKey)).toBe(true);
}

describe('a thief holding a removed device and the identity secret it stored', () => {
	it('cannot certify a fresh device key and add it to the team', async () => {
		const { s, laptop, phone, bea, spaceId, docId, olive, stolen } = await olivesPhoneIsStolen();
		await removeThePhone(laptop, phone, spaceId, docId);
		await eventually(() => bea.engine.spaceState(spaceId)!.removedDevices.has(phone.engine.deviceKey), 10_000, 'Bea to see the removal');

		// The thief's new device adds itself, certified by Olive's real identity key, after the removal.
		const fresh = freshDeviceFor(stolen.person);
		const op = selfAdd(spaceId, stolen.person, fresh, laptop.engine.spaceState(spaceId)!.heads);
		expect((await append(s.relay.url, op)).type).toBe('log-ok'); // the relay orders; it cannot judge
		await eventually(() => hasRead(laptop, spaceId, op) && hasRead(bea, spaceId, op), 10_000, 'both devices to read the thief’s op');

		// Refused by every honest device: no device, no role, no keys sealed to it.
		const later = await openDevice('later', s.relay);
		s.devices.later = later;
		later.engine.connect();
		await link(laptop, later);
		await eventually(() => hasRead(later, spaceId, op), 15_000, 'a newly linked laptop to replay the log');
		for (const d of [laptop, bea, later]) {
			const state = d.engine.spaceState(spaceId)!;
			expect(holdsNothing(state, fresh.key)).toBe(true);
			expect([...state.members.get(olive)!.devices.keys()]).not.toContain(fresh.key);
			expect(state.rejected.some((r) => r.hash === opHash(op, (b) => hash(b)))).toBe(true);
		}
		// Olive had no recovery kit that the team knows; now that she removed a device she is asked
		// to make one, and making it puts its recovery key (never its secret) in the team.
		expect(laptop.engine.needsNewRecoveryKit()).toBe(true);
		await laptop.engine.createRecoveryKit();
		await laptop.engine.whenSynced();
		expect(laptop.engine.needsNewRecoveryKit()).toBe(false);
		await eventually(() => bea.engine.spaceState(spaceId)!.recoveryKeys.get(olive)?.holders[0] === laptop.engine.deviceKey, 10_000, 'Bea to see Olive’s recovery key');
	});

	it('cannot slip a fresh device in alongside the removal, ordered before it or after it', async () => {
		const { s, laptop, phone, bea, spaceId, olive, stolen } = await olivesPhoneIsStolen();
		// Olive removes the phone from her laptop while offline: her removal has not seen what comes next.
		laptop.engine.disconnect();
		await laptop.engine.removeDevice(phone.engine.deviceKey);
		// Meanwhile the thief adds two fresh devices, neither knowing of the removal: one reaches
		// the relay before it, one (signed against the same old heads) after it.
		const early = freshDeviceFor(stolen.person);
		const late = freshDeviceFor(stolen.person);
		const oldHeads = bea.engine.spaceState(spaceId)!.heads;
		const earlyOp = selfAdd(spaceId, stolen.person, early, oldHeads);
		expect((await append(s.relay.url, earlyOp)).type).toBe('log-ok');
		laptop.engine.connect();
		await laptop.engine.whenSynced();
		await eventually(() => bea.engine.spaceState(spaceId)!.removedDevices.has(phone.engine.deviceKey), 10_000, 'Bea to see the removal');
		const lateOp = selfAdd(spaceId, stolen.person, late, oldHeads);
		expect((await append(s.relay.url, lateOp)).type).toBe('log-ok');
		await eventually(() => [laptop, bea].every((d) => hasRead(d, spaceId, earlyOp) && hasRead(d, spaceId, lateOp)), 10_000, 'both devices to read the thief’s ops');

		for (const d of [laptop, bea]) {
			const state = d.engine.spaceState(spaceId)!;
			expect([...state.members.get(olive)!.devices.keys()]).toEqual([laptop.engine.deviceKey]);
			expect(holdsNothing(state, early.key)).toBe(true);
			expect(holdsNothing(state, late.key)).toBe(true);
		}
	});

	it('cannot sign a new policy for a document with the identity key; Olive’s own policy stands', async () => {
		const { s, laptop, phone, bea, spaceId, docId, stolen } = await olivesPhoneIsStolen();
		await removeThePhone(laptop, phone, spaceId, docId);
		await eventually(() => bea.engine.epochOf(docId) === 1, 15_000, 'Bea to follow the new epoch');

		// The thief opens a new epoch of the notes with themself as its only writer and admin.
		const fresh = freshDeviceFor(stolen.person);
		const policy = signedPolicy(docId, 2, [fresh.key], [personKey(stolen.person) as string as DeviceKey, fresh.key], stolen.person.signing);
		const raw = await RawRelayClient.connect(s.relay.url);
		raw.send({ type: 'auth', rid: 1, record: policy });
		const answer = await raw.next((m) => 'rid' in m && m.rid === 1);
		raw.close();
		expect(answer).toMatchObject({ type: 'error', code: 'not-an-admin' });

		// Olive's policy stands: the notes stay in her epoch and Bea still reads what she writes.
		laptop.engine.handle<Notes>(docId)!.change((d) => d.items.push('Wednesday: pharmacy'));
		await eventually(() => itemsOf(bea, docId).includes('Wednesday: pharmacy'), 15_000, 'Bea to read Olive’s note');
		expect(laptop.engine.epochOf(docId)).toBe(1);
		expect(bea.engine.epochOf(docId)).toBe(1);
	});
});

describe('a relay that took the thief’s policy before the owner’s next one', () => {
	it('is not followed: every device refuses a policy signed with the identity key of a person who removed a device, and says so', async () => {
		const { s, laptop, phone, bea, spaceId, circles, docId, olive, stolen } = await olivesPhoneIsStolen();
		// The notes' policy is one written before this fix: it lists Olive's identity key as an admin.
		laptop.engine.disconnect();
		const writers = [...laptop.engine.spaceState(spaceId)!.members.values()].flatMap((m) => (m.circles.has(circles[0]) ? [...m.devices.keys()] : [])).sort();
		const oldStyle = signedPolicy(docId, 0, writers, [laptop.engine.deviceKey, olive as string as DeviceKey].sort(), laptop.engine.device.signing);
		const raw = await RawRelayClient.connect(s.relay.url);
		raw.send({ type: 'auth', rid: 1, record: oldStyle });
		expect(await raw.next((m) => 'rid' in m && m.rid === 1)).toMatchObject({ type: 'auth-ok' });
		// Olive removes the phone; before any device of hers writes a new policy, the thief signs one.
		const removal = signOp(spaceId, laptop.engine.device, laptop.engine.spaceState(spaceId)!.heads, { type: 'remove-device', person: olive, device: phone.engine.deviceKey });
		expect((await append(s.relay.url, removal)).type).toBe('log-ok');
		await eventually(() => bea.engine.spaceState(spaceId)!.removedDevices.has(phone.engine.deviceKey), 10_000, 'Bea to see the removal');
		const fresh = freshDeviceFor(stolen.person);
		const thiefs = signedPolicy(docId, 1, [fresh.key], [olive as string as DeviceKey, fresh.key].sort(), stolen.person.signing);
		raw.send({ type: 'auth', rid: 2, record: thiefs });
		expect(await raw.next((m) => 'rid' in m && m.rid === 2)).toMatchObject({ type: 'auth-ok' }); // the relay cannot know
		// And builds on it with the fresh device key it made itself an admin.
		raw.send({ type: 'auth', rid: 3, record: signedPolicy(docId, 1, [fresh.key], [fresh.key], fresh.device.signing) });
		expect(await raw.next((m) => 'rid' in m && m.rid === 3)).toMatchObject({ type: 'auth-ok' });
		raw.close();

		// Bea's device refuses it, says so, and keeps to the policy before it; so does a restart.
		await eventually(() => bea.engine.status.problems.some((p) => p.docId === docId && p.kind === 'tampered'), 10_000, 'Bea’s device to report the policy');
		expect(bea.engine.epochOf(docId)).toBe(0);
		const beaAgain = (s.devices.bea = await bea.restart());
		beaAgain.engine.connect();
		await eventually(() => beaAgain.engine.isCaughtUp(docId), 10_000, 'Bea’s restarted device to catch up');
		expect(beaAgain.engine.epochOf(docId)).toBe(0);
		await beaAgain.engine.load(docId);
		expect(itemsOf(beaAgain, docId)).toEqual(['Tuesday: GP at 10']);
		expect(beaAgain.engine.status.problems.some((p) => p.docId === docId && p.kind === 'tampered')).toBe(true);
	});
});

describe('a person who lost every device, with a recovery kit', () => {
	it('comes back with the kit’s recovery key: their role, their documents, and the power to change keys', async () => {
		const s = await setup('old', 'bea');
		scenario = s;
		const { old, bea } = s;
		const { spaceId, circles } = await old.engine.createSpace(2);
		const handle = await old.engine.createInSpace<Notes>(spaceId, circles[0], { kind: 'visit-notes', period: '2026-12', items: ['Tuesday: GP at 10'] });
		const docId = handle.documentId as unknown as DocumentId;
		await old.engine.whenSynced();
		await bringIn(old, bea, spaceId, circles);
		await eventually(() => itemsOf(bea, docId).length === 1, 15_000, 'Bea to read the notes');
		const kit = await old.engine.createRecoveryKit();
		await old.engine.whenSynced();
		const olive = old.engine.personKey()!;
		expect(old.engine.spaceState(spaceId)!.recoveryKeys.get(olive)?.holders).toEqual([old.engine.deviceKey]);
		const oldKey = old.engine.deviceKey;
		await old.engine.close(); // the only device is gone

		const fresh = await openDevice('fresh', s.relay);
		s.devices.fresh = fresh;
		fresh.engine.connect();
		await fresh.engine.recover(kit);
		await eventually(() => fresh.engine.spaceState(spaceId)?.members.get(olive)?.devices.has(fresh.engine.deviceKey) === true, 15_000, 'the restored device in the team');
		const state = fresh.engine.spaceState(spaceId)!;
		expect(state.members.get(olive)!.role).toBe('owner');
		// It came in on the recovery key's word, not the identity key's.
		const selfAdd = state.applied.find((a) => a.action.type === 'add-device' && a.author === fresh.engine.deviceKey)!;
		expect(selfAdd.action.type === 'add-device' && typeof selfAdd.action.recovery).toBe('string');

		// Olive removes the lost device from the restored one: the keys change, and the notes
		// move to a new epoch under a policy the restored device signs.
		await fresh.engine.removeDevice(oldKey);
		await eventually(() => fresh.engine.epochOf(docId) === 1 && bea.engine.epochOf(docId) === 1, 20_000, 'the notes’ new epoch');
		await eventually(() => fresh.engine.isCaughtUp(docId), 10_000);
		fresh.engine.handle<Notes>(docId)!.change((d) => d.items.push('Back on a new phone'));
		await eventually(() => itemsOf(bea, docId).includes('Back on a new phone'), 15_000, 'Bea to read Olive’s note');
		// The lost device held the kit's backup keys, so the kit is spent: Olive is asked for a
		// new one, and a new kit works like the first.
		await fresh.engine.whenSynced();
		expect(fresh.engine.spaceState(spaceId)!.recoveryKeys.has(olive)).toBe(false);
		expect(fresh.engine.needsNewRecoveryKit()).toBe(true);
		const second = await fresh.engine.createRecoveryKit();
		await fresh.engine.whenSynced();
		expect(fresh.engine.needsNewRecoveryKit()).toBe(false);
		await eventually(() => bea.engine.spaceState(spaceId)!.recoveryKeys.get(olive)?.holders[0] === fresh.engine.deviceKey, 10_000, 'Bea to see the new kit’s key');
		await fresh.engine.close(); // lost again

		const third = await openDevice('third', s.relay);
		s.devices.third = third;
		third.engine.connect();
		await expect(third.engine.recover(kit)).resolves.toBeUndefined(); // the spent kit still opens its old copy…
		await eventually(() => third.engine.spaceState(spaceId)?.rejected.some((r) => r.reason === 'The recovery signature does not verify' || r.reason === 'A device added itself without the person’s recovery key') === true, 15_000, 'the spent kit’s self-add to be refused');
		expect(third.engine.spaceState(spaceId)!.members.get(olive)!.devices.has(third.engine.deviceKey)).toBe(false); // …but lets no device in
		const fourth = await openDevice('fourth', s.relay);
		s.devices.fourth = fourth;
		fourth.engine.connect();
		await fourth.engine.recover(second);
		await eventually(() => bea.engine.spaceState(spaceId)!.members.get(olive)!.devices.has(fourth.engine.deviceKey), 15_000, 'the new kit to bring a device in');
	});
});

describe('a thief holding the device a recovery kit was made on', () => {
	it('cannot read the kit’s backup copy once that device is removed: it is no longer refreshed', async () => {
		const s = await setup('phone', 'bea');
		scenario = s;
		const { phone, bea } = s;
		const { spaceId, circles } = await phone.engine.createSpace(2);
		const handle = await phone.engine.createInSpace<Notes>(spaceId, circles[0], { kind: 'visit-notes', period: '2026-12', items: ['Tuesday: GP at 10'] });
		const docId = handle.documentId as unknown as DocumentId;
		await bringIn(phone, bea, spaceId, circles);
		const kit = await phone.engine.createRecoveryKit();
		await phone.engine.whenSynced();
		// The phone is stolen. It stored the kit's backup keys (to refresh the copy), never the kit.
		phone.engine.disconnect();
		const stolen = recoveryKeys(kit); // what the phone stored: the copy's log and key

		// Olive restores from the kit on a new device and removes the phone: new keys for everything.
		const fresh = await openDevice('fresh', s.relay);
		s.devices.fresh = fresh;
		fresh.engine.connect();
		await fresh.engine.recover(kit);
		await eventually(() => fresh.engine.spaceState(spaceId)?.members.get(phone.engine.personKey()!)?.devices.has(fresh.engine.deviceKey) === true, 15_000, 'the restored device in the team');
		await fresh.engine.removeDevice(phone.engine.deviceKey);
		await eventually(() => fresh.engine.epochOf(docId) === 1, 20_000, 'the notes’ new epoch');
		fresh.engine.handle<Notes>(docId)!.change((d) => d.items.push('after the phone was stolen'));
		await fresh.engine.whenSynced();

		// The thief reads the copy's log with the phone's keys: no new key is in it.
		const raw = await RawRelayClient.connect(s.relay.url);
		raw.send({ type: 'sync', rid: 1, docs: [], logs: [{ spaceId: stolen.logId, since: 0 }] });
		const answer = await raw.next((m) => m.type === 'catchup' && m.rid === 1 && m.done);
		raw.close();
		const entries: LoggedOp[] = answer.type === 'catchup' ? answer.logs.flatMap((l) => l.entries) : [];
		const bundles = entries.flatMap(({ op }) => {
			const b = decryptBundle((JSON.parse(op.body) as { backup: string }).backup, stolen);
			return b ? [b] : [];
		});
		expect(bundles.length).toBeGreaterThan(0);
		const epochs = bundles.flatMap((b) => b.spaces.filter((sp) => sp.spaceId === spaceId).flatMap((sp) => Object.values(sp.circleKeys).flatMap((byEpoch) => Object.keys(byEpoch).map(Number))));
		expect(Math.max(...epochs)).toBe(0);
		expect(fresh.engine.needsNewRecoveryKit()).toBe(true);
	});
});
