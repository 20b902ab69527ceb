// A device with years of documents opens without loading them: copies stay on disk until a page
// asks for one, or until new changes arrive for it. Nothing is lost either way: changes for a
// copy still on disk are merged once it is loaded, and offline edits are sent after a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { DocumentId } from '$lib/protocol';
import { eventually, setup, type Device, type Scenario } from '$tests/helpers/scenario';

type Month = { kind: 'visit-notes'; period: string; notes: string[] };

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

const notesOf = (device: Device, docId: DocumentId) => device.engine.handle<Month>(docId)?.doc()?.notes;

describe('documents load when they are needed', () => {
	it('a restarted device leaves old months on disk, loads one when changes arrive for it, and keeps offline edits', async () => {
		const s = await setup('alice', 'bob');
		scenario = s;
		const { alice } = s;
		let bob = s.bob;
		const share = async (initial: Month) => {
			const handle = await alice.engine.create(initial);
			const docId = handle.documentId as unknown as DocumentId;
			await bob.engine.add(parseShareLink(shareFragment(alice.engine.access(docId)!)));
			return { handle, docId };
		};
		const march = await share({ kind: 'visit-notes', period: '2026-03', notes: ['Walk to the park'] });
		const april = await share({ kind: 'visit-notes', period: '2026-04', notes: ['Bath and hair wash'] });
		await eventually(() => notesOf(bob, march.docId)?.length === 1 && notesOf(bob, april.docId)?.length === 1, 20_000, 'both months on Bob’s device');
		await bob.engine.whenSynced();
		await alice.engine.whenSynced();

		// Bob restarts: both copies stay on disk, but he still knows what they are.
		bob = s.devices.bob = await bob.restart();
		expect(bob.engine.handle(march.docId)).toBeUndefined();
		expect(bob.engine.handle(april.docId)).toBeUndefined();
		expect(bob.engine.isOnDisk(april.docId)).toBe(true);
		expect(bob.engine.describe(april.docId)).toEqual({ kind: 'visit-notes', period: '2026-04' });

		// Alice adds to April while Bob is online: his copy is loaded to merge it; March is not touched.
		bob.engine.connect();
		april.handle.change((d) => d.notes.push('Lunch: soup and a sandwich'));
		await eventually(() => notesOf(bob, april.docId)?.length === 2, 20_000, 'April’s new note on Bob’s device');
		expect(notesOf(bob, april.docId)).toEqual(['Bath and hair wash', 'Lunch: soup and a sandwich']);
		expect(bob.engine.handle(march.docId)).toBeUndefined();

		// Opening March on request shows everything it had.
		const loaded = await bob.engine.load<Month>(march.docId);
		expect(loaded?.doc().notes).toEqual(['Walk to the park']);

		// Bob edits April offline and restarts before reconnecting: the copy with unsent changes is
		// loaded at start and the edit reaches Alice once he is back.
		bob.engine.disconnect();
		bob.engine.handle<Month>(april.docId)!.change((d) => d.notes.push('Written offline'));
		await eventually(() => bob.engine.status.pendingChanges > 0, 5_000, 'the offline edit to be counted');
		bob = s.devices.bob = await bob.restart();
		expect(bob.engine.handle(april.docId)).toBeDefined();
		expect(bob.engine.status.pendingChanges).toBeGreaterThan(0);
		expect(bob.engine.handle(march.docId)).toBeUndefined();
		bob.engine.connect();
		await eventually(() => april.handle.doc().notes.includes('Written offline'), 20_000, 'Bob’s offline edit on Alice’s device');
		await bob.engine.whenSynced();
		expect(bob.engine.status.pendingChanges).toBe(0);
	}, 60_000);
});
