import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { shareFragment, parseShareLink } from '$lib/keys/access';
import type { DocumentId } from '$lib/protocol';
import { startRelay } from '$tests/helpers/relayProcess';
import { eventually, openDevice, setup, type Device, type Scenario } from '$tests/helpers/scenario';

interface Notes {
	title: string;
	items: string[];
}

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

function textOf(d: Device, docId: DocumentId): Notes | undefined {
	return d.engine.handle<Notes>(docId)?.doc();
}

describe('two devices through a real relay', () => {
	it('converge, and a third device that was offline catches up', async () => {
		const s = await setup('alice', 'bob');
		scenario = s;
		const { alice, bob } = s;
		const handle = await alice.engine.create<Notes>({ title: 'Mum’s medication', items: [] });
		const docId = handle.documentId as unknown as DocumentId;
		await bob.engine.add(parseShareLink(`http://x/open#${shareFragment(alice.engine.access(docId)!)}`));
		await eventually(() => textOf(bob, docId)?.title === 'Mum’s medication', 10_000, 'bob to receive the doc');

		// Bob joins as a writer via the link's capability, then both edit.
		await eventually(() => bob.engine.isCaughtUp(docId));
		bob.engine.handle<Notes>(docId)!.change((d) => d.items.push('from bob'));
		handle.change((d) => d.items.push('from alice'));
		await eventually(
			() => textOf(alice, docId)!.items.length === 2 && textOf(bob, docId)!.items.length === 2,
			10_000,
			'both edits on both devices'
		);
		expect(textOf(alice, docId)).toEqual(textOf(bob, docId));

		// Carol was never online while this happened; she catches up in one go.
		const carol = await openDevice('carol', s.relay);
		s.devices.carol = carol;
		await carol.engine.add(parseShareLink(shareFragment(alice.engine.access(docId)!)));
		carol.engine.connect();
		await eventually(() => textOf(carol, docId)?.items.length === 2, 10_000, 'carol to catch up');
		expect(textOf(carol, docId)).toEqual(textOf(alice, docId));
	});

	it('keeps edits made offline and sends them on reconnect', async () => {
		const s = await setup('alice', 'bob');
		scenario = s;
		const { alice, bob } = s;
		const handle = await alice.engine.create<Notes>({ title: 'Rota', items: [] });
		const docId = handle.documentId as unknown as DocumentId;
		await bob.engine.add(parseShareLink(shareFragment(alice.engine.access(docId)!)));
		await eventually(() => textOf(bob, docId)?.title === 'Rota');

		alice.engine.disconnect();
		for (let i = 0; i < 5; i++) handle.change((d) => d.items.push(`offline ${i}`));
		await eventually(() => alice.engine.status.pendingChanges === 5, 5_000, 'pending count of 5');
		expect(alice.engine.status.connection).toBe('offline');

		// Restart the app while offline: the edits are on disk, not in a memory queue.
		s.devices.alice = await alice.restart();
		expect(s.devices.alice.engine.status.pendingChanges).toBe(5);
		s.devices.alice.engine.connect();
		await eventually(() => textOf(bob, docId)?.items.length === 5, 10_000, 'offline edits to arrive');
		await s.devices.alice.engine.whenSynced();
		expect(s.devices.alice.engine.status.pendingChanges).toBe(0);
	});

	it('survives a relay restart and reconnects by itself', async () => {
		const s = await setup('alice', 'bob');
		scenario = s;
		const { alice, bob } = s;
		const handle = await alice.engine.create<Notes>({ title: 'Circle log', items: [] });
		const docId = handle.documentId as unknown as DocumentId;
		await bob.engine.add(parseShareLink(shareFragment(alice.engine.access(docId)!)));
		await eventually(() => textOf(bob, docId)?.title === 'Circle log');
		await s.relay.restart();
		handle.change((d) => d.items.push('after restart'));
		await eventually(() => textOf(bob, docId)?.items[0] === 'after restart', 15_000, 'edit after relay restart');
	});

	it('never lets plaintext reach the relay: not in its data folder, not in any frame', async () => {
		const s = await setup('alice', 'bob');
		scenario = s;
		const { alice, bob } = s;
		const secrets = ['Ellen Ripley', 'Warfarin 3mg at 6pm', 'DNACPR in the blue folder'];
		const handle = await alice.engine.create<Notes>({ title: secrets[0], items: [] });
		const docId = handle.documentId as unknown as DocumentId;
		await bob.engine.add(parseShareLink(shareFragment(alice.engine.access(docId)!)));
		await eventually(() => textOf(bob, docId)?.title === secrets[0]);
		bob.engine.handle<Notes>(docId)!.change((d) => d.items.push(secrets[1]));
		handle.change((d) => d.items.push(secrets[2]));
		await eventually(() => textOf(alice, docId)!.items.length === 2 && textOf(bob, docId)!.items.length === 2);
		await alice.engine.whenSynced();
		await s.relay.stop();

		const files = [s.relay.frameLog, ...s.relay.storageFiles()];
		const frames = readFileSync(s.relay.frameLog);
		expect(frames.length).toBeGreaterThan(0);
		for (const file of files) {
			const bytes = readFileSync(file);
			for (const secret of secrets) {
				expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
				expect(bytes.includes(Buffer.from(secret, 'utf16le')), `${secret} (utf16) in ${file}`).toBe(false);
			}
		}
	});
});

describe('a busy relay', () => {
	it('refusing a catch-up only delays it: the device asks again and catches up', async () => {
		// One frame a second with no burst to spare: the catch-up a device asks for straight
		// after saying hello is refused as too many requests.
		const relay = await startRelay({ env: { HEARTH_RATE_FRAMES_PER_SEC: '2', HEARTH_RATE_FRAME_BURST: '1', HEARTH_MAX_STRIKES: '50' } });
		const alice = await openDevice('alice', relay);
		const bob = await openDevice('bob', relay);
		scenario = {
			relay,
			devices: { alice, bob },
			teardown: async () => {
				await alice.engine.close();
				await bob.engine.close();
				await relay.stop();
			}
		};
		const handle = await alice.engine.create<Notes>({ title: 'Rota for March', items: [] });
		const docId = handle.documentId as unknown as DocumentId;
		await bob.engine.add(parseShareLink(`http://x/open#${shareFragment(alice.engine.access(docId)!)}`));
		alice.engine.connect();
		bob.engine.connect();
		await eventually(() => bob.engine.status.problems.some((p) => /busy/.test(p.message)), 10_000, 'bob to be told the relay is busy');
		await eventually(() => textOf(bob, docId)?.title === 'Rota for March', 25_000, 'bob to catch up after all');
	}, 40_000);
});
