import { beforeAll, describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import { cryptoReady, sign } from '$lib/crypto';
import { toBase64Url } from '$lib/protocol';
import { createDevice, deviceKey, type DeviceSecrets } from '$lib/keys/device';
import type { PersonKey } from '$lib/model/ids';
import {
	addMedicine,
	appendMarEntry,
	asNeededLeft,
	canCompleteVisit,
	correctionMismatch,
	dueDoses,
	DUE_DOSE_BLOCKS_VISIT,
	effectiveEntries,
	flaggedEntries,
	marDraftProblem,
	marEntryBytes,
	marEntryHash,
	newMarRecord,
	readMarLog,
	storedMarEntry,
	signMarEntry,
	stopMedicine,
	trustedEntries,
	verifyMarLog,
	type LocalDateTime,
	type MarEntry,
	type MarEntryDraft,
	type MarEntryId,
	type MarRecord,
	type MedicineId
} from '$lib/model/mar';

/** Rewrites the first stored entry with some fields changed, as someone editing the document directly could. */
function alterFirst(d: MarRecord, fn: (e: Record<string, unknown>) => unknown): void {
	const e: Record<string, unknown> = { ...readMarLog(d)[0] };
	fn(e);
	d.log[0] = storedMarEntry(e as unknown as MarEntry);
}

const amy = 'amy-person-key' as PersonKey;
const ben = 'ben-person-key' as PersonKey;
const t = (s: string) => s as LocalDateTime;
const MORNING = { from: t('2025-03-14T07:30'), to: t('2025-03-14T09:00') };

let amyPhone: DeviceSecrets;
let benTablet: DeviceSecrets;

beforeAll(async () => {
	await cryptoReady();
	amyPhone = createDevice(0);
	benTablet = createDevice(0);
});

/** A MAR with one regular medicine (08:00 and 20:00) and one as-needed painkiller. */
function freshMar(): A.Doc<MarRecord> {
	let doc = A.from<MarRecord>(newMarRecord('mar-record-1', 0));
	doc = change(doc, (d) => {
		addMedicine(d, 'sertraline' as MedicineId, { name: 'Sertraline', dose: '50 mg', times: ['20:00', '08:00'], from: t('2025-03-01T00:00') });
		addMedicine(d, 'paracetamol' as MedicineId, {
			name: 'Paracetamol',
			dose: '1 g',
			asNeeded: true,
			times: ['08:00'],
			maxPerDay: 4,
			from: t('2025-03-01T00:00')
		});
	});
	return doc;
}

/** Changes a copy, so one version of a document can be branched several ways (as peers do). */
function change<T>(doc: A.Doc<T>, fn: A.ChangeFn<T>): A.Doc<T> {
	return A.change(A.clone(doc), fn);
}

let n = 0;
function draft(over: Partial<MarEntryDraft> = {}): MarEntryDraft {
	return {
		id: `entry-${++n}` as MarEntryId,
		medicine: 'sertraline' as MedicineId,
		medicineName: 'Sertraline',
		dose: '50 mg',
		outcome: 'given',
		reason: null,
		due: t('2025-03-14T08:00'),
		at: t('2025-03-14T08:05'),
		author: amy,
		corrects: null,
		...over
	};
}

function record(doc: A.Doc<MarRecord>, device: DeviceSecrets, d: MarEntryDraft): A.Doc<MarRecord> {
	return change(doc, (m) => appendMarEntry(m, signMarEntry(device, d, m, { now: 1_000 + n })));
}

/**
 * Signs a draft exactly as given, without the checks signMarEntry makes, and appends it: what
 * an earlier version of Hearth (whose form let a correction name another medicine), or a
 * hostile client holding a member's device key, could write.
 */
function recordUnchecked(doc: A.Doc<MarRecord>, device: DeviceSecrets, d: MarEntryDraft): A.Doc<MarRecord> {
	const log = readMarLog(doc);
	const mine = log.filter((e) => e.device === deviceKey(device));
	const last = mine[mine.length - 1];
	const unsigned: Omit<MarEntry, 'sig'> = {
		...d,
		device: deviceKey(device),
		recordedAt: 2_000 + n,
		seq: (last?.seq ?? 0) + 1,
		prev: last ? marEntryHash(doc.id, last) : null,
		seen: log.length ? marEntryHash(doc.id, log[log.length - 1]) : null
	};
	const entry: MarEntry = { ...unsigned, sig: toBase64Url(sign(marEntryBytes(doc.id, unsigned), device.signing.secretKey)) };
	return change(doc, (m) => appendMarEntry(m, entry));
}

/** Amlodipine 5 mg at 08:00, beside the Sertraline of freshMar. */
function withAmlodipine(doc: A.Doc<MarRecord>): A.Doc<MarRecord> {
	return change(doc, (d) => addMedicine(d, 'amlodipine' as MedicineId, { name: 'Amlodipine', dose: '5 mg', times: ['08:00'], from: t('2025-03-01T00:00') }));
}
const amlodipine = { medicine: 'amlodipine' as MedicineId, medicineName: 'Amlodipine', dose: '5 mg' };

describe('MAR entries cannot be altered or deleted by anyone (a tampered entry fails verification and is flagged); corrections show both entries', () => {
	it('a signed entry verifies, and records the dose as done', () => {
		const doc = record(freshMar(), amyPhone, draft());
		const check = verifyMarLog(doc);
		expect(check.intact).toBe(true);
		expect(check.entries.map((c) => c.status)).toEqual(['ok']);
		expect(readMarLog(doc)[0].device).toBe(deviceKey(amyPhone));
		expect(readMarLog(doc)[0].seq).toBe(1);
		expect(dueDoses(doc.medicines, trustedEntries(doc, check), MORNING)).toEqual([]);
	});

	it('someone editing a stored entry in the Automerge document directly is flagged as tampered', () => {
		const doc = record(freshMar(), amyPhone, draft({ outcome: 'refused', reason: 'Said no today' }));
		// Turn "refused" into "given": the kind of edit that could hide a missed dose.
		const edited = change(doc, (d) => alterFirst(d, (e) => (e.outcome = 'given')));
		const check = verifyMarLog(edited);
		expect(check.intact).toBe(false);
		expect(flaggedEntries(check)).toEqual([
			{ index: 0, id: readMarLog(doc)[0].id, status: 'tampered', why: 'This entry has been altered since it was signed' }
		]);
		// The altered entry doesn't count: the dose shows as due again, so nobody trusts it.
		expect(dueDoses(edited.medicines, trustedEntries(edited, check), MORNING)).toHaveLength(1);

		// Every field is covered, including the times, the author and the chain links.
		for (const alter of [
			(d: MarRecord) => alterFirst(d, (e) => (e.at = t('2025-03-14T08:00'))),
			(d: MarRecord) => alterFirst(d, (e) => (e.author = ben)),
			(d: MarRecord) => alterFirst(d, (e) => (e.reason = 'Said no')),
			(d: MarRecord) => alterFirst(d, (e) => (e.seq = 2)),
			(d: MarRecord) => alterFirst(d, (e) => (e.recordedAt = 5)),
			(d: MarRecord) => alterFirst(d, (e) => (e.corrects = 'entry-0' as MarEntryId)),
			(d: MarRecord) => alterFirst(d, (e) => (e.witness = 'ben')),
			(d: MarRecord) => alterFirst(d, (e) => (e.dose = 50)),
			// Stored as a plain object (as a hostile client, or an earlier version, might).
			(d: MarRecord) => void (d.log[0] = { ...readMarLog(d)[0], outcome: 'given' }),
			(d: MarRecord) => void (d.log[0] = new A.ImmutableString('{"id":"not json'))
		]) {
			const bad = change(doc, (d) => void alter(d));
			expect(verifyMarLog(bad).entries[0].status).toBe('tampered');
		}
	});

	it('an entry copied into the log again, or into another person’s MAR, is flagged', () => {
		let doc = record(freshMar(), amyPhone, draft());
		const copy = change(doc, (d) => void d.log.push({ ...JSON.parse(JSON.stringify(readMarLog(doc)[0])) }));
		expect(verifyMarLog(copy).entries.map((c) => c.status)).toEqual(['ok', 'tampered']);

		let other = A.from<MarRecord>(newMarRecord('someone-else', 0));
		other = change(other, (d) => void d.log.push(JSON.parse(JSON.stringify(readMarLog(doc)[0]))));
		expect(verifyMarLog(other).entries[0].status).toBe('tampered');
		doc = record(doc, amyPhone, draft());
		expect(verifyMarLog(doc).intact).toBe(true);
	});

	it('deleting an entry breaks the device’s chain and is detected', () => {
		let doc = freshMar();
		doc = record(doc, amyPhone, draft({ due: t('2025-03-13T08:00'), at: t('2025-03-13T08:00') }));
		doc = record(doc, amyPhone, draft({ due: t('2025-03-13T20:00'), at: t('2025-03-13T20:00') }));
		doc = record(doc, amyPhone, draft());
		expect(readMarLog(doc).map((e) => e.seq)).toEqual([1, 2, 3]);
		expect(readMarLog(doc)[1].prev).toBe(marEntryHash(doc.id, readMarLog(doc)[0]));
		expect(verifyMarLog(doc).intact).toBe(true);

		const removed = change(doc, (d) => void d.log.splice(1, 1));
		const check = verifyMarLog(removed);
		expect(check.intact).toBe(false);
		expect(check.gaps).toContainEqual({ kind: 'missing', device: deviceKey(amyPhone), seq: 2 });
		// The remaining entries are still genuine: they are not the ones flagged.
		expect(check.entries.every((c) => c.status === 'ok')).toBe(true);
	});

	it('deleting a device’s newest entry is detected by a later entry from anyone, or by the device’s own memory', () => {
		let doc = record(freshMar(), amyPhone, draft());
		const amyHead = { seq: readMarLog(doc)[0].seq, hash: marEntryHash(doc.id, readMarLog(doc)[0]) };

		// Ben wrote after Amy's entry; the entry is then removed from the document.
		const withBen = record(doc, benTablet, draft({ author: ben, due: t('2025-03-14T20:00'), at: t('2025-03-14T20:00') }));
		const cut = change(withBen, (d) => void d.log.splice(0, 1));
		expect(verifyMarLog(cut).gaps).toEqual([{ kind: 'unseen', after: amyHead.hash, by: readMarLog(withBen)[1].id }]);

		// Nobody wrote after it: Amy's device remembers it wrote entry 1.
		const tail = change(doc, (d) => void d.log.splice(0, 1));
		expect(verifyMarLog(tail).intact).toBe(true); // the document alone can't tell…
		expect(verifyMarLog(tail, { knownHeads: { [deviceKey(amyPhone)]: 1 } }).gaps).toEqual([
			{ kind: 'missing-tail', device: deviceKey(amyPhone), seq: 1 }
		]);
		// …and its next entry continues from what it remembers, so the gap stays visible to all.
		doc = change(tail, (d) => appendMarEntry(d, signMarEntry(amyPhone, draft({ due: t('2025-03-14T20:00') }), d, { head: amyHead })));
		expect(readMarLog(doc)[0].seq).toBe(2);
		expect(verifyMarLog(doc).gaps).toEqual([{ kind: 'missing', device: deviceKey(amyPhone), seq: 1 }]);
	});

	it('two devices appending offline both survive the merge, and the merged log verifies', () => {
		const base = record(freshMar(), amyPhone, draft({ due: t('2025-03-13T20:00'), at: t('2025-03-13T20:00') }));
		let a = A.clone(base);
		let b = A.clone(base);
		a = record(a, amyPhone, draft());
		b = record(b, benTablet, draft({ author: ben, medicine: 'paracetamol' as MedicineId, medicineName: 'Paracetamol', dose: '1 g', due: null, at: t('2025-03-14T08:30') }));
		b = record(b, benTablet, draft({ author: ben, medicine: 'paracetamol' as MedicineId, medicineName: 'Paracetamol', dose: '1 g', due: null, at: t('2025-03-14T12:30') }));
		const merged = A.merge(a, b);
		expect(readMarLog(merged)).toHaveLength(4);
		expect(readMarLog(A.merge(b, a)).map((e) => e.id)).toEqual(readMarLog(merged).map((e) => e.id));
		const members = new Set([deviceKey(amyPhone), deviceKey(benTablet)]);
		const check = verifyMarLog(merged, { isMemberDevice: (d) => members.has(d) });
		expect(check.intact).toBe(true);
		const entries = trustedEntries(merged, check);
		expect(asNeededLeft(merged.medicines['paracetamol'], entries, '2025-03-14' as never)).toEqual({ given: 2, left: 2 });
		expect(canCompleteVisit(merged.medicines, entries, MORNING)).toEqual({ ok: true });
	});

	it('an entry signed by a device that is not the team’s shows as unknown-device', () => {
		const stranger = createDevice(0);
		const doc = record(freshMar(), stranger, draft());
		const check = verifyMarLog(doc, { isMemberDevice: (d) => d === deviceKey(amyPhone) });
		expect(check.entries[0].status).toBe('unknown-device');
		expect(trustedEntries(doc, check)).toEqual([]);
	});

	it('a correction is a new entry: both show, the correction supersedes, and in-error reopens the dose', () => {
		let doc = record(freshMar(), amyPhone, draft({ outcome: 'given' }));
		const original = readMarLog(doc)[0].id;
		expect(() => signMarEntry(benTablet, draft({ author: ben, corrects: original, outcome: 'refused' }), doc)).toThrow(
			'Say why this corrects the earlier entry'
		);
		doc = record(doc, benTablet, draft({ author: ben, corrects: original, outcome: 'refused', reason: 'Recorded on the wrong line: she refused it' }));
		const check = verifyMarLog(doc);
		expect(check.intact).toBe(true);
		const views = effectiveEntries(trustedEntries(doc, check));
		expect(views).toHaveLength(2);
		const [first, correction] = [views.find((v) => v.entry.id === original)!, views.find((v) => v.entry.id !== original)!];
		expect(first).toMatchObject({ current: false, supersededBy: [correction.entry.id], supersedes: null });
		expect(correction).toMatchObject({ current: true, supersedes: original, supersededBy: [] });
		expect(correction.entry.outcome).toBe('refused');
		// The original is untouched and still verifies.
		expect(readMarLog(doc)[0].outcome).toBe('given');
		// A refusal is an outcome: the visit can be done.
		expect(canCompleteVisit(doc.medicines, trustedEntries(doc, check), MORNING)).toEqual({ ok: true });

		// Marked as recorded in error: the dose has no outcome again.
		doc = record(doc, amyPhone, draft({ corrects: correction.entry.id, outcome: 'in-error', reason: 'Wrong person’s chart' }));
		const after = trustedEntries(doc, verifyMarLog(doc));
		expect(effectiveEntries(after).filter((v) => v.current).map((v) => v.entry.outcome)).toEqual(['in-error']);
		expect(dueDoses(doc.medicines, after, MORNING).map((d) => d.due)).toEqual(['2025-03-14T08:00']);
	});
});

describe('doses due in a visit', () => {
	it('as-needed medicines are never due, regular ones are, and a visit waits for every outcome', () => {
		const doc = freshMar();
		const due = dueDoses(doc.medicines, [], MORNING);
		expect(due).toEqual([{ medicine: 'sertraline', name: 'Sertraline', dose: '50 mg', due: '2025-03-14T08:00' }]);
		expect(canCompleteVisit(doc.medicines, [], MORNING)).toEqual({ ok: false, reason: DUE_DOSE_BLOCKS_VISIT, due });
		expect(DUE_DOSE_BLOCKS_VISIT).toBe("A visit can't be marked done while a due dose has no outcome");
		// An as-needed dose given doesn't answer a regular dose.
		const prn = record(doc, amyPhone, draft({ medicine: 'paracetamol' as MedicineId, due: null }));
		expect(canCompleteVisit(prn.medicines, readMarLog(prn), MORNING).ok).toBe(false);
	});

	it('refused and not-given both count as outcomes; not-given needs a reason', () => {
		const doc = freshMar();
		const refused = record(doc, amyPhone, draft({ outcome: 'refused' }));
		expect(canCompleteVisit(refused.medicines, readMarLog(refused), MORNING)).toEqual({ ok: true });
		expect(() => signMarEntry(amyPhone, draft({ outcome: 'not-given' }), doc)).toThrow('Say why the dose was not given');
		const notGiven = record(doc, amyPhone, draft({ outcome: 'not-given', reason: 'Out of stock' }));
		expect(canCompleteVisit(notGiven.medicines, readMarLog(notGiven), MORNING)).toEqual({ ok: true });
	});

	it('counts window edges, visits over midnight, and when a medicine started or stopped', () => {
		let doc = freshMar();
		const evening = { from: t('2025-03-14T20:00'), to: t('2025-03-15T08:00') };
		expect(dueDoses(doc.medicines, [], evening).map((d) => d.due)).toEqual(['2025-03-14T20:00', '2025-03-15T08:00']);
		expect(dueDoses(doc.medicines, [], { from: t('2025-03-14T08:01'), to: t('2025-03-14T19:59') })).toEqual([]);
		// Before it started: nothing due.
		expect(dueDoses(doc.medicines, [], { from: t('2025-02-27T07:00'), to: t('2025-02-27T21:00') })).toEqual([]);
		doc = change(doc, (d) => stopMedicine(d, 'sertraline' as MedicineId, t('2025-03-14T12:00')));
		expect(dueDoses(doc.medicines, [], evening)).toEqual([]);
		expect(dueDoses(doc.medicines, [], MORNING)).toHaveLength(1);
		// A window backwards is empty rather than an error.
		expect(dueDoses(doc.medicines, [], { from: MORNING.to, to: MORNING.from })).toEqual([]);
	});
});

describe('remembering checked entries', () => {
	beforeAll(cryptoReady);

	it('skips only the signature check of an entry seen byte for byte before; an altered one is still caught', () => {
		let doc = freshMar();
		for (let i = 0; i < 3; i++) doc = record(doc, amyPhone, draft({ outcome: 'given' }));
		const verified = new Set<string>();
		expect(verifyMarLog(doc, { verified }).intact).toBe(true);
		expect(verified.size).toBe(3);
		// Same answer from memory.
		expect(verifyMarLog(doc, { verified }).intact).toBe(true);
		// An entry changed after it was remembered has a different hash, so it is checked, and fails.
		const edited = change(doc, (d) => alterFirst(d, (e) => (e.outcome = 'refused')));
		const check = verifyMarLog(edited, { verified });
		expect(check.entries[0].status).toBe('tampered');
		expect(check.entries.slice(1).map((e) => e.status)).toEqual(['ok', 'ok']);
		expect(verified.size).toBe(3);
	});
});

describe('a correction is about the entry it corrects: the same medicine and the same dose', () => {
	beforeAll(cryptoReady);

	it('a correction naming another medicine, or another dose time, is refused and never signed', () => {
		let doc = record(withAmlodipine(freshMar()), amyPhone, draft({ outcome: 'given' }));
		const original = readMarLog(doc)[0];
		const reason = 'Recorded in error';

		const otherMedicine = draft({ ...amlodipine, corrects: original.id, outcome: 'in-error', reason });
		expect(correctionMismatch(otherMedicine, original)).toBe('other-medicine');
		expect(marDraftProblem(otherMedicine, original)).toBe(
			'A correction is about the medicine of the entry it corrects, and this one names another medicine or dose'
		);
		expect(() => signMarEntry(benTablet, otherMedicine, doc)).toThrow('names another medicine or dose');
		// The same medicine under another name or dose is another medicine too.
		expect(correctionMismatch(draft({ corrects: original.id, dose: '100 mg', reason }), original)).toBe('other-medicine');

		const otherDose = draft({ corrects: original.id, outcome: 'refused', reason, due: t('2025-03-14T20:00') });
		expect(correctionMismatch(otherDose, original)).toBe('other-dose');
		expect(() => signMarEntry(benTablet, otherDose, doc)).toThrow('answers another dose time');

		// A correction of nothing on the record, or checked against nothing, is refused.
		const ofNothing = draft({ corrects: 'not-there' as MarEntryId, outcome: 'in-error', reason });
		expect(() => signMarEntry(benTablet, ofNothing, doc)).toThrow('Choose the entry this corrects');
		expect(marDraftProblem(draft({ corrects: original.id, outcome: 'in-error', reason }))).toBe('Choose the entry this corrects');
		expect(correctionMismatch(draft(), undefined)).toBeUndefined();

		// Nothing was written; the matching correction is.
		expect(readMarLog(doc)).toHaveLength(1);
		doc = record(doc, benTablet, draft({ author: ben, corrects: original.id, outcome: 'in-error', reason }));
		expect(verifyMarLog(doc).intact).toBe(true);
		expect(effectiveEntries(trustedEntries(doc, verifyMarLog(doc))).map((v) => [v.entry.outcome, v.current, v.mismatch])).toEqual([
			['given', false, null],
			['in-error', true, null]
		]);
	});

	it('a mismatching correction already in a log is flagged, supersedes nothing and counts for nothing', () => {
		// Amy gave Sertraline at 08:00; an earlier version let Ben "correct" it as Amlodipine in error.
		let doc = record(withAmlodipine(freshMar()), amyPhone, draft({ outcome: 'given' }));
		const original = readMarLog(doc)[0];
		doc = recordUnchecked(doc, benTablet, draft({ ...amlodipine, author: ben, corrects: original.id, outcome: 'in-error', reason: 'Recorded in error' }));
		const forged = readMarLog(doc)[1];

		const check = verifyMarLog(doc);
		expect(check.intact).toBe(false);
		expect(check.gaps).toEqual([]);
		expect(flaggedEntries(check)).toEqual([
			{
				index: 1,
				id: forged.id,
				status: 'wrong-correction',
				why: 'A correction is about the medicine of the entry it corrects, and this one names another medicine or dose',
				mismatch: 'other-medicine'
			}
		]);
		// Sertraline stays given (the dose is not reopened), and Amlodipine is not answered by it.
		const trusted = trustedEntries(doc, check);
		expect(trusted.map((e) => e.id)).toEqual([original.id]);
		expect(dueDoses(doc.medicines, trusted, MORNING).map((d) => d.name)).toEqual(['Amlodipine']);

		// Even read without verification's verdict, it supersedes nothing and answers no dose.
		const views = effectiveEntries(readMarLog(doc));
		expect(views.map((v) => [v.entry.id, v.current, v.supersededBy, v.mismatch])).toEqual([
			[original.id, true, [], null],
			[forged.id, false, [], 'other-medicine']
		]);
		expect(dueDoses(doc.medicines, readMarLog(doc), MORNING).map((d) => d.name)).toEqual(['Amlodipine']);

		// A correction for another dose time is flagged the same way.
		const morning = record(freshMar(), amyPhone, draft());
		const otherTime = recordUnchecked(
			morning,
			benTablet,
			draft({ author: ben, corrects: readMarLog(morning)[0].id, outcome: 'refused', reason: 'She said no', due: t('2025-03-14T20:00') })
		);
		expect(flaggedEntries(verifyMarLog(otherTime)).map((c) => [c.status, c.mismatch])).toEqual([['wrong-correction', 'other-dose']]);
	});

	it('a correction in a month’s log of an entry in the older log is checked against it, and signed with it', () => {
		// Before months were split, entries lived in the medicines list's own log.
		const older = record(withAmlodipine(freshMar()), amyPhone, draft({ outcome: 'given' }));
		const original = readMarLog(older)[0];
		let month = A.from<MarRecord>(newMarRecord('mar-2025-03', 0, '2025-03' as never));

		// Signing needs the entry it corrects: passed in, since it is in the other log.
		const good = draft({ author: ben, corrects: original.id, outcome: 'refused', reason: 'She refused it; wrong line' });
		expect(() => signMarEntry(benTablet, good, month)).toThrow('Choose the entry this corrects');
		month = change(month, (m) => appendMarEntry(m, signMarEntry(benTablet, good, m, { corrected: original })));
		expect(() => signMarEntry(benTablet, draft({ ...amlodipine, corrects: original.id, reason: 'x' }), month, { corrected: original })).toThrow(
			'names another medicine or dose'
		);

		month = recordUnchecked(month, benTablet, draft({ ...amlodipine, author: ben, corrects: original.id, outcome: 'in-error', reason: 'Recorded in error' }));
		const findEntry = (id: MarEntryId) => readMarLog(older).find((e) => e.id === id);
		// Alone the month's log can't tell; read beside the older log, the wrong one is flagged.
		expect(verifyMarLog(month).intact).toBe(true);
		const check = verifyMarLog(month, { findEntry });
		expect(check.entries.map((c) => c.status)).toEqual(['ok', 'wrong-correction']);

		// Together, the good correction supersedes the entry and the wrong one does nothing.
		const all = [...trustedEntries(older, verifyMarLog(older)), ...readMarLog(month)];
		const views = effectiveEntries(all);
		expect(views.find((v) => v.entry.id === original.id)?.supersededBy).toEqual([readMarLog(month)[0].id]);
		expect(views.filter((v) => v.current).map((v) => v.entry.outcome)).toEqual(['refused']);
	});
});
