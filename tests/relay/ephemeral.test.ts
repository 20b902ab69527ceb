// Presence and cursors travel as encrypted, signed, unstored messages.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { DocumentId } from '$lib/protocol';
import type { EphemeralMessage } from '$lib/sync/SyncEngine';
import { eventually, setup, type Scenario } from '$tests/helpers/scenario';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

describe('ephemeral messages', () => {
	it('reach other viewers decrypted, and the relay sees only ciphertext', async () => {
		const s = await setup('alice', 'bob');
		scenario = s;
		const { alice, bob } = s;
		const handle = await alice.engine.create({ n: 1 });
		const docId = handle.documentId as unknown as DocumentId;
		await bob.engine.add(parseShareLink(shareFragment(alice.engine.access(docId)!)));
		await eventually(() => bob.engine.handle(docId) !== undefined && bob.engine.isCaughtUp(docId));
		await bob.engine.whenSynced();
		const received: EphemeralMessage[] = [];
		alice.engine.onEphemeral((m) => received.push(m));
		const secret = 'Bob is editing the medication list';
		await eventually(() => {
			bob.engine.sendEphemeral(docId, new TextEncoder().encode(secret));
			return received.length > 0;
		}, 15_000, 'presence to arrive');
		expect(new TextDecoder().decode(received[0].data)).toBe(secret);
		expect(received[0].author).toBe(bob.engine.deviceKey);
		await s.relay.stop();
		expect(readFileSync(s.relay.frameLog).includes(Buffer.from(secret))).toBe(false);
	});
});
