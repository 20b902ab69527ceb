// A catch-up frame with one entry that does not parse is still read: that entry is taken out
// and its seq kept, so the client refuses it on its own and the rest of the frame syncs.
import { describe, expect, it } from 'vitest';
import { isServerMessage, setAsideMalformedEntries, toBase64Url } from '$lib/protocol';
import { randomDocId } from '$tests/helpers/signedFrames';

const docId = randomDocId();
const key = toBase64Url(new Uint8Array(32).fill(7));
const entry = (seq: number, author = key) => ({
	docId,
	seq,
	epoch: 0,
	kind: 'change',
	author,
	nonce: toBase64Url(new Uint8Array(24)),
	ct: 'AAAA',
	sig: toBase64Url(new Uint8Array(64))
});
const frame = (entries: unknown[]) => ({ type: 'catchup', rid: 1, done: true, unknown: [], logs: [], docs: [{ docId, head: 3, auth: [], entries }] });

describe('a catch-up frame holding an entry that does not parse', () => {
	it('keeps the good entries and names the bad one by its seq', () => {
		const alias = key.slice(0, -1) + 'd'; // the last character's spare bit set: another spelling of the key
		const raw = frame([entry(1), entry(2, alias), { seq: 3 }]);
		expect(isServerMessage(raw)).toBe(false);
		const read = setAsideMalformedEntries(raw);
		expect(isServerMessage(read)).toBe(true);
		const [doc] = (read as { docs: Array<{ entries: Array<{ seq: number }>; malformed: number[] }> }).docs;
		expect(doc.entries.map((e) => e.seq)).toEqual([1]);
		expect(doc.malformed).toEqual([2, 3]);
	});

	it('drops an entry without a seq, leaving a hole to be asked for again', () => {
		const [doc] = (setAsideMalformedEntries(frame([entry(1), { nonsense: true }])) as { docs: Array<{ entries: unknown[]; malformed: number[] }> }).docs;
		expect(doc.entries).toHaveLength(1);
		expect(doc.malformed).toEqual([]);
	});

	it('leaves a frame with nothing wrong as it is', () => {
		const raw = frame([entry(1), entry(2)]);
		expect(setAsideMalformedEntries(raw)).toEqual(raw);
	});
});
