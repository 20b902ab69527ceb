// A relay that turns hostile (or a disk that flips a bit) must never change a client's
// document: each bad entry is refused and reported, and the document stays as it was.
import { afterEach, describe, expect, it } from 'vitest';
import { encrypt, newSigningKeyPair, sign } from '$lib/crypto';
import { keyForEpoch, parseShareLink, shareFragment } from '$lib/keys/access';
import { encodePayload } from '$lib/sync/payload';
import { entryAssociatedData, entrySigningBytes, fromBase64Url, toBase64Url, type DeviceKey, type DocumentId } from '$lib/protocol';
import { eventually, setup, type Device, type Scenario } from '$tests/helpers/scenario';
import * as A from '@automerge/automerge';
import type { EntryRow as Row } from '../../sync-server/storedRows';

interface Notes {
	items: string[];
}

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

type Db = Scenario['relay'];

/** Edits the relay's database while it is stopped, as a hostile operator could. */
async function tamperWithRelay(s: Scenario, docId: DocumentId, edit: (db: Db, rows: Row[], head: number) => Promise<void>) {
	await s.relay.stop();
	const rows = await s.relay.query<Row>('SELECT seq, epoch, kind, covers, author, nonce, ct, sig FROM entries WHERE doc_id = ? ORDER BY seq', [docId]);
	const [{ head }] = await s.relay.query<{ head: number }>('SELECT head FROM docs WHERE doc_id = ?', [docId]);
	await edit(s.relay, rows, head);
	await s.relay.restart();
}

async function insert(db: Db, docId: DocumentId, seq: number, row: Omit<Row, 'seq'>) {
	await db.query('INSERT INTO entries (doc_id, seq, epoch, kind, covers, author, nonce, ct, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
		docId, seq, row.epoch, row.kind, row.covers, row.author, row.nonce, row.ct, row.sig
	]);
	await db.query('UPDATE docs SET head = ? WHERE doc_id = ?', [seq, docId]);
}

async function sharedDoc(s: Scenario & Record<string, Device>) {
	const { alice, bob } = s;
	const handle = await alice.engine.create<Notes>({ items: ['first'] });
	const docId = handle.documentId as unknown as DocumentId;
	await bob.engine.add(parseShareLink(shareFragment(alice.engine.access(docId)!)));
	await eventually(() => bob.engine.handle<Notes>(docId)?.doc().items.length === 1);
	await eventually(() => bob.engine.isCaughtUp(docId));
	handle.change((d) => d.items.push('second'));
	await eventually(() => bob.engine.handle<Notes>(docId)?.doc().items.length === 2);
	await alice.engine.whenSynced();
	return { docId, handle };
}

function problemsOf(d: Device, kind: string) {
	return d.engine.status.problems.filter((p) => p.kind === kind);
}

describe('a client refuses what it cannot trust', () => {
	it('refuses an entry with a flipped byte and keeps its document unchanged', async () => {
		const s = await setup('alice', 'bob');
		scenario = s;
		const { docId } = await sharedDoc(s);
		const before = A.save(s.bob.engine.handle<Notes>(docId)!.doc());
		await tamperWithRelay(s, docId, async (db, rows, head) => {
			const last = rows[rows.length - 1];
			const ct = Buffer.from(last.ct, 'base64url');
			ct[Math.floor(ct.length / 2)] ^= 0x01;
			await insert(db, docId, head + 1, { ...last, ct: ct.toString('base64url') });
		});
		await eventually(() => problemsOf(s.bob, 'tampered').length > 0, 10_000, 'a tampered report');
		expect(A.save(s.bob.engine.handle<Notes>(docId)!.doc())).toEqual(before);
	});

	it('refuses a replayed old entry', async () => {
		const s = await setup('alice', 'bob');
		scenario = s;
		const { docId } = await sharedDoc(s);
		const before = A.getHeads(s.bob.engine.handle<Notes>(docId)!.doc());
		await tamperWithRelay(s, docId, (db, rows, head) => insert(db, docId, head + 1, rows[rows.length - 1]));
		await eventually(() => problemsOf(s.bob, 'replayed').length > 0, 10_000, 'a replay report');
		expect(A.getHeads(s.bob.engine.handle<Notes>(docId)!.doc())).toEqual(before);
	});

	it('refuses an entry signed by a key outside the writer set, even with the right document key', async () => {
		const s = await setup('alice', 'bob');
		scenario = s;
		const { docId } = await sharedDoc(s);
		const doc = s.bob.engine.handle<Notes>(docId)!.doc();
		const before = A.getHeads(doc);
		// An outsider who somehow has the document key writes a plausible change.
		const intruder = newSigningKeyPair();
		const author = toBase64Url(intruder.publicKey) as DeviceKey;
		const forged = A.change(A.clone(doc), (d) => d.items.push('forged'));
		const body = A.saveSince(forged, before);
		const base = { docId, epoch: 0, kind: 'change' as const, author };
		const key = keyForEpoch(s.alice.engine.access(docId)!, 0)!;
		const { nonce, ciphertext } = encrypt(encodePayload({ c: 1, h: A.getHeads(forged) }, body), key, entryAssociatedData(base));
		const unsigned = { ...base, nonce: toBase64Url(nonce), ct: toBase64Url(ciphertext) };
		const sig = toBase64Url(sign(entrySigningBytes(unsigned), intruder.secretKey));
		await tamperWithRelay(s, docId, (db, _rows, head) =>
			insert(db, docId, head + 1, { epoch: 0, kind: 'change', covers: null, author, nonce: unsigned.nonce, ct: unsigned.ct, sig })
		);
		await eventually(() => problemsOf(s.bob, 'foreign').length > 0, 10_000, 'a foreign-writer report');
		expect(A.getHeads(s.bob.engine.handle<Notes>(docId)!.doc())).toEqual(before);
		expect(s.bob.engine.handle<Notes>(docId)!.doc().items).not.toContain('forged');
		expect(fromBase64Url(sig).length).toBe(64);
	});
});
