// A removed member and a hostile relay working together: the relay places a change the removed
// member signed after the removal at a seq from before it, in an honest row's place. Devices
// that were there at the time never look back that far; a device reading the history later
// must not take it either.
//
// The relay numbers entries, and a signature does not cover the number, so the points where
// an epoch closes or a writer is retired cannot tell a backdated entry from a genuine one. The
// policy that takes a writer off therefore lists what they wrote (each entry's `entryMark`), and
// a device reading the history later takes from them only what is on that list.
import * as A from '@automerge/automerge';
import { afterEach, describe, expect, it } from 'vitest';
import { encrypt, sign } from '$lib/crypto';
import { keyForEpoch } from '$lib/keys/access';
import { entryAssociatedData, entrySigningBytes, toBase64Url, type DocumentId, type WireEntry } from '$lib/protocol';
import { encodePayload } from '$lib/sync/payload';
import { eventually, openDevice, setup, type Device, type Scenario } from '$tests/helpers/scenario';
import { bringIn, itemsOf, type Notes } from '$tests/helpers/teamStory';


let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});


function forgedChange(device: Device, docId: DocumentId, epoch: number, edit: (d: Notes) => void): WireEntry {
	const doc = device.engine.handle<Notes>(docId)!.doc();
	const changed = A.change(A.clone(doc), edit);
	const plaintext = encodePayload({ c: Number.MAX_SAFE_INTEGER - 7, h: A.getHeads(changed) }, A.saveSince(changed, A.getHeads(doc)));
	const base = { docId, epoch, kind: 'change' as const, author: device.engine.deviceKey };
	const { nonce, ciphertext } = encrypt(plaintext, keyForEpoch(device.engine.access(docId)!, epoch)!, entryAssociatedData(base));
	const unsigned = { ...base, nonce: toBase64Url(nonce), ct: toBase64Url(ciphertext) };
	return { ...unsigned, sig: toBase64Url(sign(entrySigningBytes(unsigned), device.engine.device.signing.secretKey)) };
}

describe('a removed member with a hostile relay, backdating a change', () => {
	it('a change signed after the removal, placed early, is refused by a later member and reported', async () => {
		const s = await setup('olive', 'bea');
		scenario = s;
		const { olive, bea } = s;
		const { spaceId, circles } = await olive.engine.createSpace(2);
		const handle = await olive.engine.createInSpace<Notes>(spaceId, circles[1], { kind: 'visit-notes', period: '2026-12', items: ['Tuesday: GP at 10'] });
		const docId = handle.documentId as unknown as DocumentId;
		await olive.engine.whenSynced();
		await bringIn(olive, bea, spaceId, circles);
		await eventually(() => itemsOf(bea, docId).length === 1 && bea.engine.isCaughtUp(docId), 15_000, 'Bea to read the notes');
		bea.engine.handle<Notes>(docId)!.change((d) => d.items.push('Bea: shopping done'));
		await eventually(() => itemsOf(olive, docId).length === 2, 15_000, 'Bea’s note to reach Olive');
		await olive.engine.whenSynced();
		handle.change((d) => d.items.push('Olive: called the GP'));
		await eventually(() => itemsOf(bea, docId).length === 3, 15_000, 'Olive’s note to reach Bea');
		await olive.engine.whenSynced();

		bea.engine.disconnect();
		await olive.engine.removeMember(spaceId, bea.engine.personKey()!);
		await eventually(() => olive.engine.epochOf(docId) === 1, 20_000, 'the new epoch');
		await olive.engine.whenSynced();
		const honest = [...itemsOf(olive, docId)];

		// After the removal Bea signs a change in the old epoch; the relay puts it in the place of
		// Olive's last change from before the removal, and moves that one to the end.
		const forged = forgedChange(bea, docId, 0, (d) => {
			d.items[0] = 'GP cancelled: no need to go';
		});
		await s.relay.stop();
		const rows = await s.relay.query<{ seq: number; author: string }>('SELECT seq, author FROM entries WHERE doc_id = ? ORDER BY seq', [docId]);
		const [{ head }] = await s.relay.query<{ head: number }>('SELECT head FROM docs WHERE doc_id = ?', [docId]);
		const olives = rows.filter((r) => r.author === olive.engine.deviceKey);
		const displaced = Number(olives[olives.length - 1].seq);
		await s.relay.query('UPDATE entries SET seq = ? WHERE doc_id = ? AND seq = ?', [Number(head) + 1, docId, displaced]);
		await s.relay.query('INSERT INTO entries (doc_id, seq, epoch, kind, covers, author, nonce, ct, sig) VALUES (?, ?, 0, ?, NULL, ?, ?, ?, ?)', [
			docId,
			displaced,
			'change',
			forged.author,
			forged.nonce,
			forged.ct,
			forged.sig
		]);
		await s.relay.query('UPDATE docs SET head = ? WHERE doc_id = ?', [Number(head) + 1, docId]);
		await s.relay.start();

		// Dan joins the team afterwards and reads the whole history.
		const dan = (s.devices.dan = await openDevice('dan', s.relay));
		dan.engine.connect();
		await bringIn(olive, dan, spaceId, circles);
		await eventually(() => dan.engine.isCaughtUp(docId) && itemsOf(dan, docId).length >= 3, 20_000, 'Dan to read the notes');
		await olive.engine.whenSynced();
		expect(itemsOf(olive, docId)).toEqual(honest);
		await eventually(() => dan.engine.status.problems.some((p) => p.docId === docId && p.kind === 'foreign'), 20_000, 'Dan’s device to report the change');
		expect(itemsOf(dan, docId)).toEqual(honest);
	}, 90_000);
});
