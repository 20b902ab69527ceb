// Taking a writer off the open epoch with the removal: a policy of the same epoch signs where
// they stop (`retiresAt`). What they wrote before stays theirs, anything later is refused,
// and nobody can move or drop the point without the admin's key.
import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, newSigningKeyPair, sign, verify } from '$lib/crypto';
import { applyAuthRecord, entryMark, isPolicyRecord, mayHaveWritten, mayWrite, policySigningBytes, toBase64Url, writtenBy, type DeviceKey, type DocAuthState, type DocumentId, type PolicyRecord } from '$lib/protocol';

beforeAll(cryptoReady);

const docId = 'AuthRetiringTestDocument' as DocumentId;
type Keys = { publicKey: Uint8Array; secretKey: Uint8Array };

function policy(kp: Keys, epoch: number, writers: DeviceKey[], marks: { closesAt?: number; retiresAt?: number; written?: PolicyRecord['written'] } = {}): PolicyRecord {
	const me = toBase64Url(kp.publicKey) as DeviceKey;
	const unsigned = { kind: 'policy' as const, docId, epoch, writers, admins: [me], joinKeys: [], signer: me, ...marks };
	return { ...unsigned, sig: toBase64Url(sign(policySigningBytes(unsigned), kp.secretKey)) };
}

function apply(state: DocAuthState | undefined, record: PolicyRecord): DocAuthState {
	const result = applyAuthRecord(state, record, verify);
	if (!result.ok) throw new Error(result.message);
	return result.state;
}

function story() {
	const olive = newSigningKeyPair();
	const me = toBase64Url(olive.publicKey) as DeviceKey;
	const bea = toBase64Url(newSigningKeyPair().publicKey) as DeviceKey;
	return { olive, me, bea, start: apply(undefined, policy(olive, 0, [me, bea])) };
}

describe('retiring a writer from the open epoch', () => {
	it('keeps what they wrote up to the point, refuses anything after it, and refuses new writes', () => {
		const { olive, me, bea, start } = story();
		const retired = apply(start, policy(olive, 0, [me], { retiresAt: 12 }));
		expect(retired.epoch).toBe(0);
		expect(mayHaveWritten(retired, 0, bea, 12)).toBe(true);
		expect(mayHaveWritten(retired, 0, bea, 13)).toBe(false);
		expect(mayWrite(retired, 0, bea)).toBe(false);
		// A new write has no seq yet: it needs a writer now.
		expect(mayHaveWritten(retired, 0, bea, undefined)).toBe(false);
		expect(mayHaveWritten(retired, 0, me, 99)).toBe(true);
		// Later policies of the epoch keep the point; the next epoch closes as usual.
		const later = apply(retired, policy(olive, 0, [me]));
		expect(mayHaveWritten(later, 0, bea, 12)).toBe(true);
		const next = apply(later, policy(olive, 1, [me], { closesAt: 20 }));
		expect(mayHaveWritten(next, 0, bea, 12)).toBe(true);
		expect(mayHaveWritten(next, 0, bea, 15)).toBe(false);
		expect(next.epochs.get(0)?.closedAfter).toBe(20);
	});

	it('keeps the first point when a writer is retired twice, and lets one put back write again', () => {
		const { olive, me, bea, start } = story();
		const once = apply(start, policy(olive, 0, [me], { retiresAt: 5 }));
		const again = apply(once, policy(olive, 0, [me], { retiresAt: 50 }));
		expect(mayHaveWritten(again, 0, bea, 6)).toBe(false);
		const back = apply(again, policy(olive, 0, [me, bea]));
		expect(mayWrite(back, 0, bea)).toBe(true);
	});

	it('drops a writer outright, as before, for a policy of the same epoch without the point', () => {
		const { olive, me, bea, start } = story();
		const dropped = apply(start, policy(olive, 0, [me]));
		expect(mayHaveWritten(dropped, 0, bea, 1)).toBe(false);
	});

	it('refuses a point someone moved or stripped after the admin signed it', () => {
		const { olive, me, start } = story();
		const signed = policy(olive, 0, [me], { retiresAt: 12 });
		expect(applyAuthRecord(start, { ...signed, retiresAt: 9000 }, verify)).toMatchObject({ ok: false, code: 'bad-signature' });
		const { retiresAt: _dropped, ...stripped } = signed;
		expect(applyAuthRecord(start, stripped, verify)).toMatchObject({ ok: false, code: 'bad-signature' });
		// Nor can a retiring point pass for a closing one.
		const { retiresAt, ...rest } = signed;
		expect(applyAuthRecord(start, { ...rest, closesAt: retiresAt }, verify)).toMatchObject({ ok: false, code: 'bad-signature' });
	});

	it('lists what a retired or closed-out writer wrote, so the relay’s numbering decides nothing for them', () => {
		const { olive, me, bea, start } = story();
		const marks = [entryMark({ sig: toBase64Url(new Uint8Array(64).fill(1)) }), entryMark({ sig: toBase64Url(new Uint8Array(64).fill(2)) })].sort();
		const retired = apply(start, policy(olive, 0, [me], { retiresAt: 12, written: [[bea, marks]] }));
		expect([...(writtenBy(retired, 0, bea) ?? [])]).toEqual(marks);
		expect(writtenBy(retired, 0, me)).toBeUndefined();
		// Kept through later policies of the epoch and the close.
		const next = apply(apply(retired, policy(olive, 0, [me])), policy(olive, 1, [me], { closesAt: 20 }));
		expect([...(writtenBy(next, 0, bea) ?? [])]).toEqual(marks);
		// A writer left out when the next epoch opens gets a list from the closing policy.
		const cal = toBase64Url(newSigningKeyPair().publicKey) as DeviceKey;
		const three = apply(undefined, policy(olive, 0, [me, cal].sort() as DeviceKey[]));
		const closed = apply(three, policy(olive, 1, [me], { closesAt: 5, written: [[cal, marks]] }));
		expect([...(writtenBy(closed, 0, cal) ?? [])]).toEqual(marks);
	});

	it('refuses a list someone changed after signing, and one not in its single form', () => {
		const { olive, me, bea, start } = story();
		const mark = entryMark({ sig: toBase64Url(new Uint8Array(64).fill(3)) });
		const signed = policy(olive, 0, [me], { retiresAt: 12, written: [[bea, [mark]]] });
		const forged = entryMark({ sig: toBase64Url(new Uint8Array(64).fill(4)) });
		expect(applyAuthRecord(start, { ...signed, written: [[bea, [mark, forged]]] }, verify)).toMatchObject({ ok: false, code: 'bad-signature' });
		const { written: _w, ...stripped } = signed;
		expect(applyAuthRecord(start, stripped, verify)).toMatchObject({ ok: false, code: 'bad-signature' });
		expect(isPolicyRecord(signed)).toBe(true);
		expect(isPolicyRecord({ ...signed, written: [[bea, [mark]], [bea, [mark]]] })).toBe(false);
		expect(isPolicyRecord({ ...signed, written: [[bea, ['short']]] })).toBe(false);
	});
});
