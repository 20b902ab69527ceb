// Removal means removal: each story plays an attacker against a real relay with the project's
// own code (a thief holding a removed device, a stranger who knows an id, a removed member with
// every old key, a hostile relay) and checks the attack fails.
import * as A from '@automerge/automerge';
import { afterEach, describe, expect, it } from 'vitest';
import { encrypt, sign } from '$lib/crypto';
import { keyForEpoch } from '$lib/keys/access';
import { linkFragment, parseLinkOffer } from '$lib/keys/deviceLink';
import type { DeviceInfo } from '$lib/keys/identity';
import { invitationFragment, parseInvitationLink } from '$lib/keys/spaceOps';
import {
	entryAssociatedData,
	entrySigningBytes,
	opSigningBytes,
	policySigningBytes,
	toBase64Url,
	type DeviceKey,
	type DocumentId,
	type PolicyRecord,
	type SignedOp,
	type SpaceId,
	type WireEntry
} from '$lib/protocol';
import { encodePayload } from '$lib/sync/payload';
import { genesis, randomDocId, signedEntry } from '$tests/helpers/signedFrames';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { RelayGate } from '$tests/helpers/RelayGate';
import { eventually, openDevice, setup, type Device, type Scenario } from '$tests/helpers/scenario';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Another spelling of the same bytes: the last character of a 43-character key carries two
 * bits that decode to nothing, so setting one gives a different string for the same key.
 */
export function aliasOf(key: string): string {
	const last = ALPHABET.indexOf(key[key.length - 1]);
	return key.slice(0, -1) + ALPHABET[last ^ 1];
}

/** Olive's laptop and phone, linked; a space she owns; then the phone is lost and removed. */
async function oliveLosesHerPhone() {
	const s = await setup('laptop', 'phone');
	scenario = s;
	const { laptop, phone } = s;
	const { spaceId } = await laptop.engine.createSpace(2);
	await laptop.engine.whenSynced();
	let request: { sign: string; box: string } | undefined;
	const { offer } = await laptop.engine.offerDeviceLink((r) => (request = r));
	const { linked } = await phone.engine.requestDeviceLink(parseLinkOffer(`https://hearth.example/link#${linkFragment(offer)}`));
	await eventually(() => request !== undefined, 10_000, 'the laptop to see the request');
	await laptop.engine.confirmDeviceLink(offer, request!);
	await linked;
	const person = laptop.engine.personKey()!;
	await eventually(() => phone.engine.spaceState(spaceId)?.members.get(person)?.devices.has(phone.engine.deviceKey) === true, 10_000, 'the phone in the space');
	// Everything a thief could read off the phone, or out of the public log, before it is removed.
	const phoneInfo = phone.engine.spaceState(spaceId)!.members.get(person)!.devices.get(phone.engine.deviceKey)! as DeviceInfo;
	const stolen = phone.engine.device;
	phone.engine.disconnect();
	await laptop.engine.removeDevice(phone.engine.deviceKey);
	await laptop.engine.whenSynced();
	expect(laptop.engine.spaceState(spaceId)!.members.get(person)!.devices.has(phone.engine.deviceKey)).toBe(false);
	return { s, laptop, phone, spaceId, person, phoneInfo, stolen };
}

/**
 * An op signed by a device, naming its author in another spelling: the attacker's own code
 * signs over the key's bytes (what a lenient decoder reads the alias as), not ours.
 */
function forgedOp(spaceId: SpaceId, device: { key: DeviceKey; secretKey: Uint8Array }, spelling: string, body: unknown): SignedOp {
	const unsigned = { spaceId, author: device.key, body: JSON.stringify(body) };
	return { ...unsigned, author: spelling as DeviceKey, sig: toBase64Url(sign(opSigningBytes(unsigned), device.secretKey)) };
}

function devicesOf(device: Device, spaceId: SpaceId, person: string): string[] {
	return [...(device.engine.spaceState(spaceId)?.members.get(person as never)?.devices.keys() ?? [])];
}

describe('a thief holding a removed device', () => {
	it('cannot re-enrol it under another spelling of its own key, with its old certificate', async () => {
		const { laptop, spaceId, person, phoneInfo, stolen, phone } = await oliveLosesHerPhone();
		const alias = aliasOf(phone.engine.deviceKey);
		expect(alias).not.toBe(phone.engine.deviceKey);
		const heads = laptop.engine.spaceState(spaceId)!.heads;
		const op = forgedOp(spaceId, { key: phone.engine.deviceKey, secretKey: stolen.signing.secretKey }, alias, {
			v: 1,
			prev: heads,
			at: Date.now(),
			action: { type: 'add-device', person, device: { ...phoneInfo, sign: alias }, lockboxes: [] }
		});
		const thief = await RawRelayClient.connect(scenario!.relay.url);
		thief.send({ type: 'log-append', rid: 1, op });
		const answer = await thief.next((m) => 'rid' in m && m.rid === 1);
		thief.close();
		// The relay refuses a key that is not in its one canonical spelling.
		expect(answer.type).toBe('error');
		// And whatever a relay passes on, Olive's own device never lets the alias in.
		await new Promise((r) => setTimeout(r, 500));
		expect(devicesOf(laptop, spaceId, person)).toEqual([laptop.engine.deviceKey]);
		expect(devicesOf(laptop, spaceId, person)).not.toContain(alias);
	});
});

type Notes = { kind: 'visit-notes'; period: string; items: string[] };

async function bringIn(owner: Device, person: Device, spaceId: SpaceId, circles: string[]) {
	const link = await owner.engine.invite(spaceId, { circles, info: { space: 'Olive’s team', from: 'Olive' } });
	await owner.engine.whenSynced();
	await person.engine.acceptInvitation(parseInvitationLink(`https://hearth.example/invite#${invitationFragment(link)}`));
	await eventually(() => owner.engine.spaceState(spaceId)?.invites.get(link.invite)?.status === 'requested', 10_000, 'the request to reach the owner');
	await owner.engine.admit(spaceId, link.invite);
	await eventually(() => person.engine.spaceState(spaceId)?.members.has(person.engine.personKey()!) === true, 10_000, 'admission');
}

const itemsOf = (d: Device, docId: DocumentId) => d.engine.handle<Notes>(docId)?.doc()?.items ?? [];

/** A change by `device` in `epoch`, encrypted and signed as the app would, made outside the app. */
function forgedChange(device: Device, docId: DocumentId, epoch: number, edit: (d: Notes) => void): WireEntry {
	const doc = device.engine.handle<Notes>(docId)!.doc();
	const changed = A.change(A.clone(doc), edit);
	const body = A.saveSince(changed, A.getHeads(doc));
	const plaintext = encodePayload({ c: Number.MAX_SAFE_INTEGER - 7, h: A.getHeads(changed) }, body);
	const base = { docId, epoch, kind: 'change' as const, author: device.engine.deviceKey };
	const { nonce, ciphertext } = encrypt(plaintext, keyForEpoch(device.engine.access(docId)!, epoch)!, entryAssociatedData(base));
	const unsigned = { ...base, nonce: toBase64Url(nonce), ct: toBase64Url(ciphertext) };
	return { ...unsigned, sig: toBase64Url(sign(entrySigningBytes(unsigned), device.engine.device.signing.secretKey)) };
}

describe('a removed member with every old key and a copy of the relay', () => {
	it('cannot slip a change into the old epoch of a document nobody has written since the removal', async () => {
		const s = await setup('olive', 'bea', 'cal');
		scenario = s;
		const { olive, bea, cal } = s;
		const { spaceId, circles } = await olive.engine.createSpace(2);
		const handle = await olive.engine.createInSpace<Notes>(spaceId, circles[1], { kind: 'visit-notes', period: '2026-12', items: ['Tuesday: GP at 10'] });
		const docId = handle.documentId as unknown as DocumentId;
		await olive.engine.whenSynced();
		await bringIn(olive, bea, spaceId, circles);
		await bringIn(olive, cal, spaceId, circles);
		await eventually(() => itemsOf(bea, docId).length === 1 && itemsOf(cal, docId).length === 1, 15_000, 'members to read the notes');
		await eventually(() => bea.engine.isCaughtUp(docId), 10_000);
		// Bea writes while she is in the team: her history stays, for everyone.
		await olive.engine.whenSynced();
		bea.engine.handle<Notes>(docId)!.change((d) => d.items.push('Bea: shopping done'));
		await eventually(() => itemsOf(olive, docId).includes('Bea: shopping done') && itemsOf(cal, docId).includes('Bea: shopping done'), 15_000, 'Bea’s note to arrive');

		// Bea is removed; the notes move to a new epoch. Nobody writes to them afterwards.
		bea.engine.disconnect();
		await olive.engine.removeMember(spaceId, bea.engine.personKey()!);
		await eventually(() => olive.engine.epochOf(docId) === 1 && cal.engine.epochOf(docId) === 1, 20_000, 'the new epoch on Olive’s and Cal’s devices');
		await olive.engine.whenSynced();
		await cal.engine.whenSynced();

		// The attack: Bea's device signs an old-epoch change. The relay refuses it…
		const forged = forgedChange(bea, docId, 0, (d) => {
			d.items[0] = 'GP cancelled: no need to go';
		});
		const raw = await RawRelayClient.connect(s.relay.url);
		raw.send({ type: 'push', rid: 1, entry: forged });
		const refused = await raw.next((m) => 'rid' in m && m.rid === 1);
		raw.close();
		expect(refused).toMatchObject({ type: 'error', code: 'epoch-closed' });
		// …so she writes it into a copy of the relay's storage, which the relay then serves.
		await s.relay.stop();
		const [{ head }] = await s.relay.query<{ head: number }>('SELECT head FROM docs WHERE doc_id = ?', [docId]);
		await s.relay.query('INSERT INTO entries (doc_id, seq, epoch, kind, covers, author, nonce, ct, sig) VALUES (?, ?, 0, ?, NULL, ?, ?, ?, ?)', [
			docId,
			head + 1,
			'change',
			forged.author,
			forged.nonce,
			forged.ct,
			forged.sig
		]);
		await s.relay.query('UPDATE docs SET head = ? WHERE doc_id = ?', [head + 1, docId]);
		await s.relay.start();

		// Olive (online when the epoch closed) and a device of Cal's catching up from the start
		// both refuse it, and say so; Bea's real history stays.
		const calAgain = (s.devices.cal = await cal.restart());
		calAgain.engine.connect();
		await eventually(() => olive.engine.status.problems.some((p) => p.docId === docId && p.kind === 'foreign'), 20_000, 'Olive’s device to report the change');
		await eventually(() => calAgain.engine.isCaughtUp(docId) && calAgain.engine.status.problems.some((p) => p.docId === docId && p.kind === 'foreign'), 20_000, 'Cal’s device to report it');
		for (const d of [olive, calAgain]) {
			expect(itemsOf(d, docId)).toEqual(['Tuesday: GP at 10', 'Bea: shopping done']);
		}
	});
});

describe('a removed member between the removal and the new keys', () => {
	it('cannot write once the removal is logged, even while the new keys are held up; what they wrote before stays', async () => {
		const s = await setup('bea');
		scenario = s;
		// Olive's device reaches the relay through a gate that can lose chosen frames.
		const gate = await RelayGate.start(s.relay.url);
		const olive = (s.devices.olive = await openDevice('olive', { ...s.relay, url: gate.url }));
		olive.engine.connect();
		const stop = s.teardown;
		s.teardown = async () => {
			await stop();
			await gate.close();
		};
		const { bea } = s;
		const { spaceId, circles } = await olive.engine.createSpace(2);
		const handle = await olive.engine.createInSpace<Notes>(spaceId, circles[1], { kind: 'visit-notes', period: '2026-12', items: ['Tuesday: GP at 10'] });
		const docId = handle.documentId as unknown as DocumentId;
		await olive.engine.whenSynced();
		await bringIn(olive, bea, spaceId, circles);
		await eventually(() => itemsOf(bea, docId).length === 1 && bea.engine.isCaughtUp(docId), 15_000, 'Bea to read the notes');
		await olive.engine.whenSynced();
		bea.engine.handle<Notes>(docId)!.change((d) => d.items.push('Bea: shopping done'));
		await eventually(() => itemsOf(olive, docId).includes('Bea: shopping done'), 15_000, 'Bea’s note to reach Olive');
		await olive.engine.whenSynced();

		// Olive removes Bea, and the new keys get lost on the way: her rotations never arrive.
		gate.withhold = (frame) => frame.type === 'log-append' && (JSON.parse((frame.op as SignedOp).body) as { action?: { type?: string } }).action?.type === 'rotate';
		bea.engine.disconnect();
		await olive.engine.removeMember(spaceId, bea.engine.personKey()!);
		await eventually(() => gate.withheld > 0, 15_000, 'Olive to send the rotation (so the removal is logged)');
		expect(olive.engine.epochOf(docId)).toBe(0);

		// The attack: Bea's device writes in the epoch it still holds the key for.
		const forged = forgedChange(bea, docId, 0, (d) => {
			d.items[0] = 'GP cancelled: no need to go';
		});
		const raw = await RawRelayClient.connect(s.relay.url);
		raw.send({ type: 'push', rid: 1, entry: forged });
		const answer = await raw.next((m) => 'rid' in m && m.rid === 1);
		raw.close();
		expect(answer).toMatchObject({ type: 'error', code: 'not-a-writer' });

		// A hostile relay stores it anyway. Olive's device refuses it and says so, and keeps
		// what Bea wrote while she was in.
		await s.relay.stop();
		const [{ head }] = await s.relay.query<{ head: number }>('SELECT head FROM docs WHERE doc_id = ?', [docId]);
		await s.relay.query('INSERT INTO entries (doc_id, seq, epoch, kind, covers, author, nonce, ct, sig) VALUES (?, ?, 0, ?, NULL, ?, ?, ?, ?)', [
			docId,
			head + 1,
			'change',
			forged.author,
			forged.nonce,
			forged.ct,
			forged.sig
		]);
		await s.relay.query('UPDATE docs SET head = ? WHERE doc_id = ?', [head + 1, docId]);
		await s.relay.start();
		await eventually(() => olive.engine.status.problems.some((p) => p.docId === docId && p.kind === 'foreign'), 20_000, 'Olive’s device to report the change');
		expect(itemsOf(olive, docId)).toEqual(['Tuesday: GP at 10', 'Bea: shopping done']);

		// Once the new keys get through, the removal completes as usual.
		gate.withhold = () => false;
		gate.cutAll();
		await eventually(() => olive.engine.epochOf(docId) === 1, 20_000, 'the new epoch');
		expect(itemsOf(olive, docId)).toEqual(['Tuesday: GP at 10', 'Bea: shopping done']);
	});
});

describe('the relay and the end of an epoch', () => {
	it('refuses a policy that closes an epoch behind what it stored, and takes one that closes it where it stands', async () => {
		const s = await setup();
		scenario = s;
		const docId = randomDocId();
		const { kp, me, record } = genesis(docId);
		const client = await RawRelayClient.connect(s.relay.url);
		client.send({ type: 'auth', rid: 1, record });
		await client.reply(1, 'auth-ok');
		client.send({ type: 'push', rid: 2, entry: signedEntry(docId, kp) });
		await client.reply(2, 'ack');
		const closing = (closesAt: number): PolicyRecord => {
			const unsigned = { kind: 'policy' as const, docId, epoch: 1, writers: [me], admins: [me], joinKeys: [], signer: me, closesAt };
			return { ...unsigned, sig: toBase64Url(sign(policySigningBytes(unsigned), kp.secretKey)) };
		};
		client.send({ type: 'auth', rid: 3, record: closing(0) });
		expect(await client.next((m) => 'rid' in m && m.rid === 3)).toMatchObject({ type: 'error', code: 'stale-close' });
		client.send({ type: 'auth', rid: 4, record: closing(1) });
		expect(await client.reply(4, 'auth-ok')).toMatchObject({ type: 'auth-ok' });
		// And the closed epoch takes nothing more.
		client.send({ type: 'push', rid: 5, entry: signedEntry(docId, kp) });
		expect(await client.next((m) => 'rid' in m && m.rid === 5)).toMatchObject({ type: 'error', code: 'epoch-closed' });
		client.close();
	});
});
