// Where an epoch closes, as the auth log says: a policy opening a new epoch signs the seq the
// old one closed at; policies signed before that field existed still verify; and no one can
// move the point without the admin's key.
import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, newSigningKeyPair, sign, verify } from '$lib/crypto';
import { applyAuthRecord, policySigningBytes, toBase64Url, type DeviceKey, type DocumentId, type PolicyRecord } from '$lib/protocol';

beforeAll(cryptoReady);

const docId = 'AuthClosingTestDocument1' as DocumentId;

function policy(kp: { publicKey: Uint8Array; secretKey: Uint8Array }, epoch: number, writers: DeviceKey[], closesAt?: number): PolicyRecord {
	const me = toBase64Url(kp.publicKey) as DeviceKey;
	const unsigned = { kind: 'policy' as const, docId, epoch, writers, admins: [me], joinKeys: [], signer: me, ...(closesAt === undefined ? {} : { closesAt }) };
	return { ...unsigned, sig: toBase64Url(sign(policySigningBytes(unsigned), kp.secretKey)) };
}

describe('the end of an epoch in the auth log', () => {
	it('records where the old epoch closed, from the policy that opens the next', () => {
		const admin = newSigningKeyPair();
		const me = toBase64Url(admin.publicKey) as DeviceKey;
		const removed = toBase64Url(newSigningKeyPair().publicKey) as DeviceKey;
		const first = applyAuthRecord(undefined, policy(admin, 0, [me, removed]), verify);
		if (!first.ok) throw new Error(first.message);
		// A policy signed before closesAt existed: still valid, says nothing about the point.
		expect(first.state.epochs.get(0)?.closedAfter).toBeUndefined();
		const next = applyAuthRecord(first.state, policy(admin, 1, [me], 41), verify);
		if (!next.ok) throw new Error(next.message);
		expect(next.state.epoch).toBe(1);
		expect(next.state.epochs.get(0)?.closedAfter).toBe(41);
		expect(next.state.epochs.get(1)?.writers.has(removed)).toBe(false);
	});

	it('refuses a closing point someone moved after the admin signed it', () => {
		const admin = newSigningKeyPair();
		const me = toBase64Url(admin.publicKey) as DeviceKey;
		const first = applyAuthRecord(undefined, policy(admin, 0, [me]), verify);
		if (!first.ok) throw new Error(first.message);
		const moved = { ...policy(admin, 1, [me], 41), closesAt: 9000 };
		expect(applyAuthRecord(first.state, moved, verify)).toMatchObject({ ok: false, code: 'bad-signature' });
		const { closesAt: _dropped, ...stripped } = policy(admin, 1, [me], 41);
		expect(applyAuthRecord(first.state, stripped, verify)).toMatchObject({ ok: false, code: 'bad-signature' });
	});
});
