// A hostile (or damaged) relay storage holding one entry the app cannot even parse, here an
// author key in a non-canonical spelling, which an honest relay never takes in. The entry is
// refused and reported, like any bad entry, and the document keeps syncing past it: one bad
// row must not stall a whole catch-up for ever.
import { afterEach, describe, expect, it } from 'vitest';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { DocumentId } from '$lib/protocol';
import { eventually, setup, type Scenario } from '$tests/helpers/scenario';

type Notes = { items: string[] };

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Another spelling of the same key: the last of 43 characters carries two bits that decode to nothing. */
const aliasOf = (key: string) => key.slice(0, -1) + ALPHABET[ALPHABET.indexOf(key[key.length - 1]) ^ 1];

describe('a relay storage holding an entry the app cannot parse', () => {
	it('is reported, and the document syncs past it both ways', async () => {
		const s = await setup('olive', 'cal');
		scenario = s;
		const { olive, cal } = s;
		const handle = await olive.engine.create<Notes>({ items: ['Tuesday: GP at 10'] });
		const docId = handle.documentId as unknown as DocumentId;
		await cal.engine.add(parseShareLink(shareFragment(olive.engine.access(docId)!)));
		await eventually(() => cal.engine.handle<Notes>(docId)?.doc()?.items.length === 1 && cal.engine.isCaughtUp(docId), 15_000, 'Cal to read the notes');
		handle.change((d) => d.items.push('Olive: called the GP'));
		await olive.engine.whenSynced();
		await eventually(() => cal.engine.handle<Notes>(docId)!.doc().items.length === 2, 15_000, 'Olive’s note to reach Cal');

		// The operator copies Olive's last entry with her key in another spelling.
		await s.relay.stop();
		const [{ head }] = await s.relay.query<{ head: number }>('SELECT head FROM docs WHERE doc_id = ?', [docId]);
		const [row] = await s.relay.query<{ author: string; nonce: string; ct: string; sig: string }>('SELECT author, nonce, ct, sig FROM entries WHERE doc_id = ? AND seq = ?', [
			docId,
			Number(head)
		]);
		await s.relay.query('INSERT INTO entries (doc_id, seq, epoch, kind, covers, author, nonce, ct, sig) VALUES (?, ?, 0, ?, NULL, ?, ?, ?, ?)', [
			docId,
			Number(head) + 1,
			'change',
			aliasOf(row.author),
			row.nonce,
			row.ct,
			row.sig
		]);
		await s.relay.query('UPDATE docs SET head = ? WHERE doc_id = ?', [Number(head) + 1, docId]);
		await s.relay.start();

		await eventually(() => olive.engine.isCaughtUp(docId) && cal.engine.isCaughtUp(docId), 20_000, 'both devices to catch up past the bad entry');
		for (const d of [olive, cal]) expect(d.engine.status.problems.some((p) => p.docId === docId && p.kind === 'tampered')).toBe(true);
		cal.engine.handle<Notes>(docId)!.change((d) => d.items.push('Cal: collected the prescription'));
		handle.change((d) => d.items.push('Olive: booked the taxi'));
		await eventually(() => [olive, cal].every((d) => d.engine.handle<Notes>(docId)!.doc().items.length === 4), 20_000, 'the new notes on both devices');
		expect(cal.engine.handle<Notes>(docId)!.doc().items).toEqual(handle.doc().items);
	}, 90_000);
});
