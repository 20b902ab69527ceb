// A removed member's own device, through a real relay: what she wrote while she could not yet
// know she was removed stays on her device and is counted as stranded, never as "sending";
// once her device knows, it sends nothing more to the space and refuses to start anything new
// there; her copy of what was there before stays readable.
import { afterEach, describe, expect, it } from 'vitest';
import { parseInvitationLink, invitationFragment, signOp } from '$lib/keys/spaceOps';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import type { DocumentId, SpaceId } from '$lib/protocol';
import { eventually, setup, type Device, type Scenario } from '$tests/helpers/scenario';

interface Notes {
	items: string[];
}

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

async function bringIn(owner: Device, person: Device, spaceId: SpaceId, circles: string[]) {
	const link = await owner.engine.invite(spaceId, { circles, info: { space: 'Olive’s team', from: 'Olive' } });
	await owner.engine.whenSynced();
	await person.engine.acceptInvitation(parseInvitationLink(`https://hearth.example/invite#${invitationFragment(link)}`));
	await eventually(() => owner.engine.spaceState(spaceId)?.invites.get(link.invite)?.status === 'requested', 10_000, 'the request to reach the owner');
	await owner.engine.admit(spaceId, link.invite);
	await eventually(() => person.engine.spaceState(spaceId)?.members.has(person.engine.personKey()!) === true, 10_000, 'admission');
}

const items = (d: Device, docId: DocumentId) => d.engine.handle<Notes>(docId)?.doc().items;

describe('a removed member’s own device', () => {
	it('keeps what it could not send as stranded, sends nothing more, and starts nothing new in the space', async () => {
		const s = await setup('olive', 'bea');
		scenario = s;
		const { olive, bea } = s;
		const { spaceId, circles } = await olive.engine.createSpace(2);
		const handle = await olive.engine.createInSpace<Notes>(spaceId, circles[1], { items: ['Tuesday: GP at 10'] });
		const docId = handle.documentId as unknown as DocumentId;
		await olive.engine.whenSynced();
		await bringIn(olive, bea, spaceId, circles);
		await eventually(() => items(bea, docId)?.length === 1 && bea.engine.isCaughtUp(docId), 10_000, 'Bea to read the notes');
		await olive.engine.whenSynced();
		await bea.engine.whenSynced();
		expect(bea.engine.isShutOut(spaceId)).toBe(false);

		// Bea is out of signal and writes a note: it waits to be sent, as any offline change does.
		bea.engine.disconnect();
		bea.engine.handle<Notes>(docId)!.change((d) => d.items.push('Bea, on the bus'));
		await eventually(() => bea.engine.status.pendingChanges > 0, 5_000, 'Bea’s change to wait');
		expect(bea.engine.status.strandedChanges).toBe(0);

		// Meanwhile Olive removes her.
		await olive.engine.removeMember(spaceId, bea.engine.personKey()!);
		await eventually(() => olive.engine.epochOf(docId) === 1, 15_000, 'the relay to close the old epoch');
		await olive.engine.whenSynced();

		// Bea's device comes back and learns she was removed: the note is stranded, not sending.
		bea.engine.connect();
		await eventually(() => bea.engine.isShutOut(spaceId), 10_000, 'Bea’s device to learn of the removal');
		await eventually(() => bea.engine.status.strandedChanges > 0 && bea.engine.status.pendingChanges === 0, 10_000, 'the change to count as stranded');
		expect(bea.engine.pendingFor(docId)).toBeGreaterThan(0);
		// Her own copy keeps both what was there and what she wrote; it never reaches Olive.
		expect(items(bea, docId)).toEqual(['Tuesday: GP at 10', 'Bea, on the bus']);
		await olive.engine.whenSynced();
		expect(items(olive, docId)).toEqual(['Tuesday: GP at 10']);
		expect(olive.engine.isShutOut(spaceId)).toBe(false);

		// Nothing new can be started there from her device: no new document, no invitation.
		await expect(bea.engine.createInSpace(spaceId, circles[0], { items: [] })).rejects.toThrow('you were removed from this space');
		await expect(bea.engine.invite(spaceId, { circles: [circles[0]], info: { space: 'Olive’s team', from: 'Bea' } })).rejects.toThrow('you were removed from this space');
		expect(bea.engine.status.pendingChanges).toBe(0);
	});

	it('once it knows, sends nothing more, even while the relay would still take its writes', async () => {
		const s = await setup('olive', 'bea');
		scenario = s;
		const { olive, bea } = s;
		const { spaceId, circles } = await olive.engine.createSpace(2);
		const handle = await olive.engine.createInSpace<Notes>(spaceId, circles[1], { items: ['Tuesday: GP at 10'] });
		const docId = handle.documentId as unknown as DocumentId;
		await olive.engine.whenSynced();
		await bringIn(olive, bea, spaceId, circles);
		await eventually(() => items(bea, docId)?.length === 1 && bea.engine.isCaughtUp(docId), 10_000, 'Bea to read the notes');
		await olive.engine.whenSynced();
		await bea.engine.whenSynced();

		bea.engine.disconnect();
		bea.engine.handle<Notes>(docId)!.change((d) => d.items.push('Bea, on the bus'));
		// Olive's removal reaches the relay, but her device goes quiet before it can rotate the
		// keys: the relay's writer list for the notes still names Bea's device.
		olive.engine.disconnect();
		const raw = await RawRelayClient.connect(s.relay.url);
		await raw.append(1, signOp(spaceId, olive.engine.device, olive.engine.spaceState(spaceId)!.heads, { type: 'remove', person: bea.engine.personKey()! }));
		raw.close();

		bea.engine.connect();
		await eventually(() => bea.engine.isShutOut(spaceId), 10_000, 'Bea’s device to learn of the removal');
		await eventually(() => bea.engine.status.strandedChanges > 0 && bea.engine.status.pendingChanges === 0, 10_000, 'the change to count as stranded');
		// Bea's device never sent the note, though the relay would have taken it.
		const fromBea = await s.relay.query('SELECT * FROM entries WHERE doc_id = ? AND author = ?', [docId, bea.engine.deviceKey]);
		expect(fromBea).toEqual([]);

		// Olive comes back, rotates, and never sees it.
		olive.engine.connect();
		await eventually(() => olive.engine.epochOf(docId) === 1, 15_000, 'the rotation after Olive is back');
		await olive.engine.whenSynced();
		expect(items(olive, docId)).toEqual(['Tuesday: GP at 10']);
		expect(items(bea, docId)).toEqual(['Tuesday: GP at 10', 'Bea, on the bus']);
	});
});
