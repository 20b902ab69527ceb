// Consent-based membership through a real relay: invitations need both sides, removal
// rotates keys, and a removed person sees nothing written afterwards.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decrypt, encrypt, sign } from '$lib/crypto';
import { parseInvitationLink, invitationFragment } from '$lib/keys/spaceOps';
import { entryAssociatedData, entrySigningBytes, fromBase64Url, toBase64Url, type DocumentId, type SpaceId } from '$lib/protocol';
import { eventually, setup, type Device, type Scenario } from '$tests/helpers/scenario';

interface Notes {
	items: string[];
}

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

/** Owner invites, the person accepts, the owner admits: consent on both sides. */
async function bringIn(owner: Device, person: Device, spaceId: SpaceId, circles: string[]) {
	const link = await owner.engine.invite(spaceId, { circles, info: { space: 'Olive’s team', from: 'Olive' } });
	await owner.engine.whenSynced();
	const received = parseInvitationLink(`https://hearth.example/invite#${invitationFragment(link)}`);
	await person.engine.acceptInvitation(received);
	await eventually(() => owner.engine.spaceState(spaceId)?.invites.get(link.invite)?.status === 'requested', 10_000, 'the request to reach the owner');
	await owner.engine.admit(spaceId, link.invite);
	await eventually(() => person.engine.spaceState(spaceId)?.members.has(person.engine.personKey()!) === true, 10_000, 'admission');
}

function items(d: Device, docId: DocumentId): string[] | undefined {
	return d.engine.handle<Notes>(docId)?.doc().items;
}

describe('membership and rotation', () => {
	it('a removed member cannot read new writes, and their writes are refused; an offline member catches up', async () => {
		const s = await setup('olive', 'bea', 'cal');
		scenario = s;
		const { olive, bea, cal } = s;
		const { spaceId, circles } = await olive.engine.createSpace(2);
		const care = circles[1];
		const handle = await olive.engine.createInSpace<Notes>(spaceId, care, { items: ['Tuesday: GP at 10'] });
		const docId = handle.documentId as unknown as DocumentId;
		await olive.engine.whenSynced();

		await bringIn(olive, bea, spaceId, circles);
		await bringIn(olive, cal, spaceId, circles);
		await eventually(() => items(bea, docId)?.length === 1 && items(cal, docId)?.length === 1, 10_000, 'members to read the care notes');
		await eventually(() => bea.engine.isCaughtUp(docId) && (bea.engine.access(docId) !== undefined), 10_000);
		await eventually(() => olive.engine.handle(docId) !== undefined);

		// Bea can write while she is a member (once the owner's device has added her as a writer).
		await eventually(async () => {
			await olive.engine.whenSynced();
			return true;
		});
		bea.engine.handle<Notes>(docId)!.change((d) => d.items.push('from Bea'));
		await eventually(() => items(olive, docId)?.includes('from Bea') === true, 10_000, 'Bea’s write to arrive');

		// Cal goes offline before the removal.
		cal.engine.disconnect();
		await olive.engine.removeMember(spaceId, bea.engine.personKey()!);
		await eventually(() => olive.engine.spaceState(spaceId)?.circles.get(care)?.epoch === 1, 15_000, 'rotation');
		await eventually(() => olive.engine.epochOf(docId) === 1, 15_000, 'the relay to close the old epoch');
		await olive.engine.whenSynced();
		handle.change((d) => d.items.push('After Bea left: new key safe is 4471'));
		await olive.engine.whenSynced();

		// Bea still holds every old key, and cannot read the new write.
		await eventually(() => bea.engine.status.problems.some((p) => p.kind === 'unreadable'), 15_000, 'Bea to see something she cannot read');
		expect(items(bea, docId)).not.toContain('After Bea left: new key safe is 4471');

		// Bea's writes are kept on her device but never reach anyone.
		bea.engine.handle<Notes>(docId)!.change((d) => d.items.push('Bea after removal'));
		await new Promise((r) => setTimeout(r, 500));
		expect(items(olive, docId)).not.toContain('Bea after removal');
		expect(bea.engine.pendingFor(docId)).toBeGreaterThan(0);

		// Cal comes back and reads the new content with the new key sealed to his device.
		cal.engine.connect();
		await eventually(() => items(cal, docId)?.includes('After Bea left: new key safe is 4471') === true, 10_000, 'Cal to catch up');
		expect(items(cal, docId)).not.toContain('Bea after removal');

		// With a full copy of the relay's data and every key she ever had, Bea decrypts nothing new.
		const rows = await s.relay.query<Record<string, string | number>>('SELECT * FROM entries WHERE doc_id = ? AND epoch >= 1', [docId]);
		expect(rows.length).toBeGreaterThan(0);
		const beaKeys = Object.values(bea.engine.access(docId)!.keys).map((k) => fromBase64Url(k));
		for (const row of rows) {
			for (const key of beaKeys) {
				const ad = entryAssociatedData({ docId, epoch: Number(row.epoch), author: String(row.author), kind: String(row.kind), covers: row.covers === null ? undefined : Number(row.covers) });
				expect(decrypt(fromBase64Url(String(row.ct)), fromBase64Url(String(row.nonce)), key, ad)).toBeUndefined();
			}
		}

		// And the relay itself refuses Bea's device, whatever epoch she tries.
		const ws = new WebSocket(s.relay.url);
		const replies: Array<{ type: string; code?: string }> = [];
		ws.on('message', (d) => replies.push(JSON.parse(String(d))));
		await new Promise((r) => ws.once('open', r));
		for (const epoch of [0, 1]) {
			const base = { docId, epoch, kind: 'change' as const, author: bea.engine.deviceKey };
			const { nonce, ciphertext } = encrypt(new Uint8Array([1, 2, 3]), beaKeys[0], entryAssociatedData(base));
			const unsigned = { ...base, nonce: toBase64Url(nonce), ct: toBase64Url(ciphertext) };
			ws.send(JSON.stringify({ type: 'push', rid: 10 + epoch, entry: { ...unsigned, sig: toBase64Url(sign(entrySigningBytes(unsigned), bea.engine.device.signing.secretKey)) } }));
		}
		await eventually(() => replies.filter((r) => r.type === 'error').length === 2, 5_000, 'two refusals');
		expect(replies.filter((r) => r.type === 'error').map((r) => r.code).sort()).toEqual(['epoch-closed', 'not-a-writer']);
		ws.close();
	});

	it('refuses expired, used, cancelled and altered invitations with clear messages', async () => {
		const s = await setup('olive', 'dee', 'eve');
		scenario = s;
		const { olive, dee, eve } = s;
		const { spaceId, circles } = await olive.engine.createSpace(1);
		const info = { space: 'Olive’s team', from: 'Olive' };
		const expired = await olive.engine.invite(spaceId, { circles, expiresInMs: 1, info });
		const used = await olive.engine.invite(spaceId, { circles, info });
		const cancelled = await olive.engine.invite(spaceId, { circles, info });
		await olive.engine.revokeInvitation(spaceId, cancelled.invite);
		await olive.engine.whenSynced();
		await new Promise((r) => setTimeout(r, 5));

		await expect(dee.engine.lookUpInvitation(expired)).rejects.toThrow(/expired/);
		await expect(dee.engine.lookUpInvitation(cancelled)).rejects.toThrow(/cancelled/);
		await expect(dee.engine.lookUpInvitation({ ...used, info: { ...info, from: 'Your bank' } })).rejects.toThrow(/changed/);
		await dee.engine.acceptInvitation(used);
		await eventually(() => olive.engine.spaceState(spaceId)?.invites.get(used.invite)?.status === 'requested');
		await expect(eve.engine.lookUpInvitation(used)).rejects.toThrow(/already been used/);
	});
	it('granting access shares the history; taking it away rotates the key for that circle only', async () => {
		const s = await setup('olive', 'cal');
		scenario = s;
		const { olive, cal } = s;
		const { spaceId, circles } = await olive.engine.createSpace(2);
		const [everyone, care] = circles;
		const notes = await olive.engine.createInSpace<Notes>(spaceId, everyone, { items: ['rota'] });
		const records = await olive.engine.createInSpace<Notes>(spaceId, care, { items: ['MAR: paracetamol 500mg'] });
		const notesId = notes.documentId as unknown as DocumentId;
		const careId = records.documentId as unknown as DocumentId;
		await olive.engine.whenSynced();
		await bringIn(olive, cal, spaceId, [everyone]);
		await eventually(() => items(cal, notesId)?.[0] === 'rota', 15_000, 'Cal reads the whole-team notes');
		expect(cal.engine.handle(careId)).toBeUndefined();

		await olive.engine.grant(spaceId, cal.engine.personKey()!, care);
		await eventually(() => items(cal, careId)?.[0] === 'MAR: paracetamol 500mg', 15_000, 'Cal reads care records history');

		await olive.engine.revoke(spaceId, cal.engine.personKey()!, care);
		await eventually(() => olive.engine.epochOf(careId) === 1, 15_000, 'care records rotated');
		expect(olive.engine.epochOf(notesId)).toBe(0); // the whole-team circle is untouched
		await olive.engine.whenSynced();
		records.change((d) => d.items.push('MAR: new dose after Cal lost access'));
		notes.change((d) => d.items.push('rota for next week'));
		await eventually(() => items(cal, notesId)?.includes('rota for next week') === true, 15_000, 'Cal still reads whole-team notes');
		await eventually(() => cal.engine.status.problems.some((p) => p.kind === 'unreadable'), 15_000);
		expect(items(cal, careId)).not.toContain('MAR: new dose after Cal lost access');
	});
	it('a member offline during a removal reads the new writes of every document in the circle', async () => {
		const s = await setup('olive', 'bea', 'cal');
		scenario = s;
		const { olive, bea, cal } = s;
		const { spaceId, circles } = await olive.engine.createSpace(2);
		const care = circles[1];
		const handles = [];
		for (let i = 0; i < 3; i++) handles.push(await olive.engine.createInSpace<Notes>(spaceId, care, { items: [`doc ${i}`] }));
		const ids = handles.map((h) => h.documentId as unknown as DocumentId);
		await olive.engine.whenSynced();
		await bringIn(olive, bea, spaceId, circles);
		await bringIn(olive, cal, spaceId, circles);
		await eventually(() => ids.every((id) => items(cal, id)?.length === 1), 15_000, 'Cal reads all three');

		cal.engine.disconnect();
		await olive.engine.removeMember(spaceId, bea.engine.personKey()!);
		await eventually(() => ids.every((id) => olive.engine.epochOf(id) === 1), 15_000, 'all three rotated');
		await olive.engine.whenSynced();
		handles.forEach((h, i) => h.change((d) => d.items.push(`after removal ${i}`)));
		await olive.engine.whenSynced();

		cal.engine.connect();
		await eventually(() => ids.every((id, i) => items(cal, id)?.includes(`after removal ${i}`) === true), 15_000, 'Cal reads every post-removal write');
		expect(cal.engine.status.problems.filter((p) => p.kind === 'unreadable')).toEqual([]);
	});
});

