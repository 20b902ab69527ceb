// What the app says is saved is on the device. Each story kills the app (nothing more reaches
// its storage; nothing is closed or flushed) at the moment that used to lose a care worker's
// words, starts it again from what was on disk, and checks the change is there, is counted as
// waiting, and still reaches the others.
import * as A from '@automerge/automerge';
import { afterEach, describe, expect, it } from 'vitest';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { DocumentId } from '$lib/protocol';
import { StorageWriteError } from '$lib/sync/StorageWriteError';
import { TabChannel } from '$lib/sync/TabChannel';
import { eventually, openDevice, setup, type Device, type Scenario } from '$tests/helpers/scenario';

// Like a month of visit notes or MAR entries: a kind and a period, so that a start with
// nothing waiting leaves it on disk.
type Log = { kind: 'visit-notes'; period: string; entries: string[] };

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

/** Alice starts a shared log that Bob has too, and both are in step with the relay. */
async function sharedLog(names: ['alice', 'bob'] = ['alice', 'bob']) {
	const s = await setup(...names);
	scenario = s;
	const handle = await s.alice.engine.create<Log>({ kind: 'visit-notes', period: '2026-12', entries: [] });
	const docId = handle.documentId as unknown as DocumentId;
	await s.bob.engine.add(parseShareLink(shareFragment(s.alice.engine.access(docId)!)));
	await eventually(() => s.bob.engine.handle(docId) !== undefined && s.bob.engine.isCaughtUp(docId), 15_000, 'Bob to have the log');
	await s.alice.engine.whenSynced();
	return { s, docId };
}

const entriesOf = (device: Device, docId: DocumentId) => device.engine.handle<Log>(docId)?.doc()?.entries ?? [];
const write = (device: Device, docId: DocumentId, entry: string) => device.engine.handle<Log>(docId)!.change((d) => d.entries.push(entry));

describe('a change is on the device before the app says so', () => {
	it('offline: killed the moment the change is durable, the app starts with it, counts it as waiting, and sends it', async () => {
		const { s, docId } = await sharedLog();
		s.alice.engine.disconnect();
		write(s.alice, docId, 'Paracetamol 500 mg given at 09:00');
		await s.alice.engine.whenDurable(docId);
		// What the sync bar counts is only what is on disk.
		expect(s.alice.engine.status.unsavedChanges).toBe(0);
		expect(s.alice.engine.status.pendingChanges).toBe(1);

		const alice = (s.devices.alice = await s.alice.crashAndRestart());
		// Loaded at start (it has unsent changes), not left on disk where nothing would send it.
		expect(alice.engine.handle(docId)).toBeDefined();
		expect(entriesOf(alice, docId)).toEqual(['Paracetamol 500 mg given at 09:00']);
		await eventually(() => alice.engine.status.pendingChanges === 1, 5_000, 'the waiting change to be counted after the restart');

		alice.engine.connect();
		await eventually(() => entriesOf(s.bob, docId).length === 1, 15_000, 'the change to reach Bob');
		await alice.engine.whenSynced();
		expect(alice.engine.status.pendingChanges).toBe(0);
	});

	it('a document with nothing waiting is marked as having unsent changes before its first new change reaches the disk', async () => {
		const { s, docId } = await sharedLog();
		s.alice.engine.disconnect();
		// The app is killed straight after the change itself was handed to storage: the mark
		// that makes the next start load this document went first, so it is loaded and sent.
		let crashed: Promise<Device> | undefined;
		s.alice.storage.onWrite = (key) => {
			if (key[0] === docId && !crashed) crashed = s.alice.crashAndRestart();
		};
		write(s.alice, docId, 'Visit note: ate well, walked to the shop');
		await eventually(() => crashed !== undefined, 5_000, 'the change to be handed to storage');
		const alice = (s.devices.alice = await crashed!);
		expect(alice.engine.handle(docId)).toBeDefined();
		expect(entriesOf(alice, docId)).toEqual(['Visit note: ate well, walked to the shop']);
		alice.engine.connect();
		await eventually(() => entriesOf(s.bob, docId).length === 1, 15_000, 'the change to reach Bob');
	});

	it('killed at any moment in a run of edits, it keeps every edit that was durable, in order, none twice, and still syncs', async () => {
		const { s, docId } = await sharedLog();
		let alice = s.alice;
		alice.engine.disconnect();
		let seed = 20261207;
		const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		const all: string[] = [];
		let durable: string[] = [];
		for (let round = 0; round < 12; round++) {
			const edits = 1 + Math.floor(random() * 5);
			for (let i = 0; i < edits; i++) {
				const entry = `round ${round} edit ${i}`;
				write(alice, docId, entry);
				all.push(entry);
				const soFar = [...entriesOf(alice, docId)];
				void alice.engine.whenDurable(docId).then(
					() => {
						if (soFar.length > durable.length) durable = soFar;
					},
					() => {}
				);
				await new Promise((r) => setTimeout(r, random() * 3));
			}
			await new Promise((r) => setTimeout(r, random() * 6));
			const shownAsSaved = durable;
			alice = s.devices.alice = await alice.crashAndRestart();
			const survived = entriesOf(alice, docId);
			expect(survived.slice(0, shownAsSaved.length)).toEqual(shownAsSaved);
			expect(new Set(survived).size).toBe(survived.length);
			// What did not survive was never shown as saved; the person types it again.
			all.splice(0, all.length, ...survived);
			durable = [...survived];
		}
		alice.engine.connect();
		await alice.engine.whenSynced(20_000);
		await eventually(() => entriesOf(s.bob, docId).length === all.length, 15_000, 'every kept edit to reach Bob');
		expect(entriesOf(s.bob, docId)).toEqual(entriesOf(alice, docId));
	});
});

describe('every change is written, even one that shows nothing', () => {
	it('a merge that moves the heads with no visible difference (a word and its deletion) is written, counted and sent', async () => {
		const { s, docId } = await sharedLog();
		s.alice.engine.disconnect();
		const handle = s.alice.engine.handle<Log>(docId)!;
		// Another copy adds a word and takes it away again; merged, the document looks the same.
		let other = A.clone(handle.doc());
		other = A.change(other, (d) => d.entries.push('typed by mistake'));
		other = A.change(other, (d) => d.entries.splice(0, 1));
		const before = A.getHeads(handle.doc());
		handle.update((d) => A.merge(d, other));
		expect(A.getHeads(handle.doc())).not.toEqual(before);
		await s.alice.engine.whenDurable(docId);
		expect(s.alice.engine.status.unsavedChanges).toBe(0);
		const alice = (s.devices.alice = await s.alice.crashAndRestart());
		expect(A.getHeads(alice.engine.handle<Log>(docId)!.doc()).sort()).toEqual(A.getHeads(handle.doc()).sort());
		alice.engine.connect();
		await alice.engine.whenSynced(10_000);
		await eventually(() => A.getHeads(s.bob.engine.handle<Log>(docId)!.doc()).sort().join() === A.getHeads(handle.doc()).sort().join(), 15_000, 'Bob to have the same heads');
	});
});

describe('a full disk loses nothing silently', () => {
	it('says so at once, keeps the change in memory, and writes it when there is room', async () => {
		const { s, docId } = await sharedLog();
		s.alice.engine.disconnect();
		s.alice.storage.refuse('full');
		write(s.alice, docId, 'Amlodipine 5 mg refused by the person');
		const refused = await s.alice.engine.whenDurable(docId).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(StorageWriteError);
		expect((refused as StorageWriteError).kind).toBe('full');
		expect(s.alice.engine.status.storage?.kind).toBe('full');
		// Still there to read, and counted as not saved (not as "waiting to sync").
		expect(entriesOf(s.alice, docId)).toEqual(['Amlodipine 5 mg refused by the person']);
		await eventually(() => s.alice.engine.status.unsavedChanges === 1, 5_000, 'the change to count as not saved');
		expect(s.alice.engine.status.pendingChanges).toBe(0);

		// More typing while full is kept too.
		write(s.alice, docId, 'Fluids offered at 11:00');
		s.alice.storage.refuse(undefined);
		s.alice.engine.retryStorage();
		await eventually(() => s.alice.engine.status.storage === undefined && s.alice.engine.status.unsavedChanges === 0, 10_000, 'storage to recover');
		await s.alice.engine.whenDurable(docId);
		expect(s.alice.engine.status.pendingChanges).toBe(2);

		const alice = (s.devices.alice = await s.alice.crashAndRestart());
		expect(entriesOf(alice, docId)).toEqual(['Amlodipine 5 mg refused by the person', 'Fluids offered at 11:00']);
		alice.engine.connect();
		await eventually(() => entriesOf(s.bob, docId).length === 2, 15_000, 'both changes to reach Bob');
	});

	it('tries again by itself once storage takes writes again', async () => {
		const { s, docId } = await sharedLog();
		s.alice.storage.refuse('failed');
		write(s.alice, docId, 'Written while storage was broken');
		await eventually(() => s.alice.engine.status.storage?.kind === 'failed', 5_000, 'the failure to show');
		s.alice.storage.refuse(undefined);
		// No one presses anything: the backoff's first retry comes within about a second.
		await eventually(() => s.alice.engine.status.storage === undefined && s.alice.engine.status.unsavedChanges === 0, 10_000, 'the retry to write it');
		await eventually(() => entriesOf(s.bob, docId).length === 1, 15_000, 'the change to reach Bob');
		const alice = (s.devices.alice = await s.alice.crashAndRestart());
		// Sent and confirmed, so it may wait on disk until opened; opened, it is all there.
		await alice.engine.load(docId);
		expect(entriesOf(alice, docId)).toEqual(['Written while storage was broken']);
	});
});

describe('other tabs of the app on the same device', () => {
	it('two tabs editing one document offline end identical, and one closed mid-edit loses nothing', async () => {
		const { s, docId } = await sharedLog();
		const channel = `hearth-tabs-test-${process.pid}-${Date.now()}`;
		// Alice's browser has two tabs of Hearth open: one storage, one device, two engines.
		await s.alice.engine.close();
		await s.alice.repo.shutdown();
		const tab = () => openDevice('alice', s.relay, s.alice.dbName, { tabs: new TabChannel(channel) });
		const first = (s.devices.alice = await tab());
		let second = (s.devices.aliceTab = await tab());
		await first.engine.load(docId);
		await second.engine.load(docId);
		for (let i = 0; i < 6; i++) {
			write(first, docId, `first tab ${i}`);
			write(second, docId, `second tab ${i}`);
			await new Promise((r) => setTimeout(r, 5));
		}
		await eventually(() => entriesOf(first, docId).length === 12 && entriesOf(second, docId).length === 12, 5_000, 'both tabs to have all twelve');
		expect(entriesOf(second, docId)).toEqual(entriesOf(first, docId));

		// The second tab is closed mid-edit; what it had saved is already with the first.
		write(second, docId, 'second tab, last words');
		await second.engine.whenDurable(docId);
		write(second, docId, 'typed as the tab closed');
		second = await second.crashAndRestart();
		await eventually(() => entriesOf(first, docId).includes('second tab, last words'), 5_000, 'the saved edit to reach the first tab');
		write(first, docId, 'first tab, after');
		await first.engine.whenDurable(docId);
		await second.engine.load(docId);
		await eventually(() => entriesOf(second, docId).includes('first tab, after'), 5_000, 'the reopened tab to hear the first');
		expect(new Set(entriesOf(first, docId))).toEqual(new Set(entriesOf(second, docId)));
		await second.engine.close();
		delete s.devices.aliceTab;

		first.engine.connect();
		await first.engine.whenSynced(20_000);
		await eventually(() => entriesOf(s.bob, docId).length === entriesOf(first, docId).length, 15_000, 'every edit to reach Bob');
		expect(entriesOf(s.bob, docId)).toEqual(entriesOf(first, docId));
	});
});
