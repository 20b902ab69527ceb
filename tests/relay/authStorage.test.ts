// A document's auth log is stored one record per key, written once, so saving the document's
// sync record (which happens often) does not rewrite every policy. Records written before that,
// with the log inline, still open, and move to the new form at their next save.
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentId } from '$lib/protocol';
import { eventually, setup, type Device, type Scenario } from '$tests/helpers/scenario';
import { bringIn, itemsOf, type Notes } from '$tests/helpers/teamStory';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

const decoder = new TextDecoder();
const encoder = new TextEncoder();

async function stored(device: Device, docId: DocumentId) {
	const bytes = await device.storage.load(['hearth', 'sync', docId]);
	const record = JSON.parse(decoder.decode(bytes!)) as { auth: unknown[]; authCount?: number };
	const apart = await device.storage.loadRange(['hearth', 'auth', docId]);
	return { record, apart: apart.map((c) => JSON.parse(decoder.decode(c.data!)) as { index: number; record: unknown }) };
}

/** Olive's team with Bea in it, and a document both read: its auth log has several policies. */
async function oliveAndBeaShareNotes() {
	const s = await setup('olive', 'bea');
	scenario = s;
	const { olive, bea } = s;
	const { spaceId, circles } = await olive.engine.createSpace(2);
	const handle = await olive.engine.createInSpace<Notes>(spaceId, circles[0], { items: ['Tuesday: GP at 10'] });
	const docId = handle.documentId as unknown as DocumentId;
	await bringIn(olive, bea, spaceId, circles);
	await eventually(() => itemsOf(bea, docId).length === 1, 15_000, 'Bea to read the notes');
	await olive.engine.whenSynced();
	return { s, olive, bea, docId };
}

describe('a document’s auth log on the device', () => {
	it('is stored apart, one record per key, and read back whole after a restart', async () => {
		const { s, olive, bea, docId } = await oliveAndBeaShareNotes();

		const { record, apart } = await stored(olive, docId);
		expect(record.auth).toEqual([]);
		expect(record.authCount).toBeGreaterThanOrEqual(2);
		expect(apart.map((a) => a.index)).toEqual([...Array(record.authCount).keys()]);

		// After a restart Olive's device still knows Bea may write: Bea's change is taken.
		const oliveAgain = (s.devices.olive = await olive.restart());
		oliveAgain.engine.connect();
		bea.engine.handle<Notes>(docId)!.change((d) => d.items.push('Bea: shopping done'));
		await eventually(() => itemsOf(oliveAgain, docId).includes('Bea: shopping done'), 15_000, 'Bea’s change after the restart');
		expect(oliveAgain.engine.status.problems.filter((p) => p.docId === docId)).toEqual([]);
	});

	it('opens a record written with the log inline, and moves it apart at the next save', async () => {
		const { s, olive, bea, docId } = await oliveAndBeaShareNotes();
		await olive.engine.close();

		// What a device that saved before this change holds: the log inside the record.
		const { record, apart } = await stored(olive, docId);
		const { authCount: _count, ...rest } = record;
		const inline = { ...rest, auth: apart.sort((a, b) => a.index - b.index).map((a) => a.record) };
		await olive.storage.save(['hearth', 'sync', docId], encoder.encode(JSON.stringify(inline)));
		await olive.storage.removeRange(['hearth', 'auth', docId]);

		const oliveAgain = (s.devices.olive = await olive.restart());
		oliveAgain.engine.connect();
		bea.engine.handle<Notes>(docId)!.change((d) => d.items.push('Bea: shopping done'));
		await eventually(() => itemsOf(oliveAgain, docId).includes('Bea: shopping done'), 15_000, 'Bea’s change after the restart');
		expect(oliveAgain.engine.status.problems.filter((p) => p.docId === docId)).toEqual([]);
		await oliveAgain.engine.whenSynced();
		const after = await stored(oliveAgain, docId);
		expect(after.record.auth).toEqual([]);
		expect(after.apart).toHaveLength(inline.auth.length);
	});
});
