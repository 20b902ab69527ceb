// Private spaces add membership logs, invitations and lockboxes on the relay. None of it may
// carry a name, a title or a note: scan everything the relay stored and every frame it got.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { DocumentId } from '$lib/protocol';
import { eventually, setup, type Scenario } from '$tests/helpers/scenario';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

describe('private spaces and the relay', () => {
	it('never let names, titles or notes reach the relay, through invitations, admission or edits', async () => {
		const s = await setup('olive', 'bea');
		scenario = s;
		const { olive, bea } = s;
		const secrets = ['Dorothy’s care team', 'Olive Ashworth', 'Warfarin 3mg at 6pm', 'Bea Lindqvist'];
		const { spaceId, circles } = await olive.engine.createSpace(2);
		const notes = await olive.engine.createInSpace<{ items: string[] }>(spaceId, circles[1], { items: [secrets[2]] });
		const docId = notes.documentId as unknown as DocumentId;
		const link = await olive.engine.invite(spaceId, { circles, info: { space: secrets[0], from: secrets[1] } });
		await olive.engine.whenSynced();
		await bea.engine.acceptInvitation(link);
		await eventually(() => olive.engine.spaceState(spaceId)?.invites.get(link.invite)?.status === 'requested');
		await olive.engine.admit(spaceId, link.invite);
		await eventually(() => bea.engine.handle<{ items: string[] }>(docId)?.doc().items[0] === secrets[2], 15_000, 'Bea reads the notes');
		await eventually(() => bea.engine.isCaughtUp(docId));
		await olive.engine.whenSynced();
		bea.engine.handle<{ items: string[] }>(docId)!.change((d) => d.items.push(`signed, ${secrets[3]}`));
		await eventually(() => notes.doc().items.length === 2, 15_000, 'Bea’s note reaches Olive');
		await bea.engine.whenSynced();
		await s.relay.stop();

		expect(readFileSync(s.relay.frameLog).length).toBeGreaterThan(0);
		for (const file of [s.relay.frameLog, ...s.relay.storageFiles()]) {
			const bytes = readFileSync(file);
			for (const secret of secrets) {
				expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
				expect(bytes.includes(Buffer.from(secret, 'utf16le')), `${secret} (utf16) in ${file}`).toBe(false);
			}
		}
	});
});
