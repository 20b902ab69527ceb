// The app lock record with passkeys: one storage key, wrapped for the passphrase and again for
// each passkey. A passkey's answer is its PRF output; here an authenticator is played by
// HMAC-SHA256 over the PRF salt with a per-credential secret, which is what CTAP's hmac-secret
// does underneath, so the same passkey gives the same answer to the same salt and nothing else does.
import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, keyFromSecret, randomBytes } from '$lib/crypto';
import {
	changePassphrase,
	isLockRecord,
	newLock,
	newPrfSalt,
	unwrapStorageKey,
	unwrapWithPasskey,
	withPasskey,
	withoutPasskey,
	wrapForPasskey,
	type LockRecord,
	type PasskeyAnswer
} from '$lib/keys/appLock';
import { fromBase64Url, toBase64Url } from '$lib/protocol';

const ITERATIONS = { name: 'PBKDF2-SHA256', iterations: 100_000 } as const;
const PASS = 'marmalade sky';

class Authenticator {
	readonly credentialId = randomBytes(16);
	readonly #secret = randomBytes(32);
	async answer(prfSalt: Uint8Array): Promise<PasskeyAnswer> {
		const key = await crypto.subtle.importKey('raw', new Uint8Array(this.#secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
		return { credentialId: this.credentialId, prfOutput: new Uint8Array(await crypto.subtle.sign('HMAC', key, new Uint8Array(prfSalt))) };
	}
}

/** What the device stores and reads back: JSON text. */
function roundTrip(record: LockRecord): LockRecord {
	const back: unknown = JSON.parse(JSON.stringify(record));
	if (!isLockRecord(back)) throw new Error('not a lock record after a round trip');
	return back;
}

async function lockWithPasskey(phone = new Authenticator()) {
	const { record, storageKey } = await newLock(PASS, 5, ITERATIONS);
	const salt = newPrfSalt();
	const wrapping = await wrapForPasskey(storageKey, await phone.answer(salt), salt, new Date('2025-05-03T10:00:00Z'));
	return { record: roundTrip(withPasskey({ ...record, state: 'on' }, wrapping)), storageKey, phone, salt };
}

beforeAll(() => cryptoReady());

describe('app lock record with passkeys', () => {
	it('a record from before passkeys (no passkeys field) still reads and unlocks with the passphrase', async () => {
		const { record, storageKey } = await newLock(PASS, 15, ITERATIONS);
		expect('passkeys' in record).toBe(false);
		const stored = roundTrip(record);
		expect(await unwrapStorageKey(stored, PASS)).toEqual(storageKey);
		// Nothing to unlock with a passkey: refused, not thrown.
		expect(await unwrapWithPasskey(stored, await new Authenticator().answer(newPrfSalt()))).toBeUndefined();
	});

	it('the passkey unlocks the same storage key, after a round trip; so does the passphrase', async () => {
		const { record, storageKey, phone, salt } = await lockWithPasskey();
		expect(record.passkeys).toHaveLength(1);
		expect(record.passkeys![0].credentialId).toBe(toBase64Url(phone.credentialId));
		expect(record.passkeys![0].prfSalt).toBe(toBase64Url(salt));
		expect(record.passkeys![0].added).toBe('2025-05-03T10:00:00.000Z');
		// The record holds no plaintext copy of the key.
		expect(JSON.stringify(record)).not.toContain(toBase64Url(storageKey));
		expect(await unwrapWithPasskey(record, await phone.answer(salt))).toEqual(storageKey);
		expect(await unwrapStorageKey(record, PASS)).toEqual(storageKey);
		expect(await unwrapStorageKey(record, 'marmalade skies')).toBeUndefined();
	});

	it('a wrong PRF output, or another passkey, does not unlock', async () => {
		const { record, phone, salt } = await lockWithPasskey();
		// The right credential, but its answer to another salt, or bytes that are not its answer.
		expect(await unwrapWithPasskey(record, await phone.answer(newPrfSalt()))).toBeUndefined();
		expect(await unwrapWithPasskey(record, { credentialId: phone.credentialId, prfOutput: randomBytes(32) })).toBeUndefined();
		// Another passkey answering the same salt, with its own id or claiming the registered one.
		const other = await new Authenticator().answer(salt);
		expect(await unwrapWithPasskey(record, other)).toBeUndefined();
		expect(await unwrapWithPasskey(record, { credentialId: phone.credentialId, prfOutput: other.prfOutput })).toBeUndefined();
		// A PRF output too short to be one is refused outright.
		await expect(unwrapWithPasskey(record, { credentialId: phone.credentialId, prfOutput: new Uint8Array(16) })).rejects.toThrow('too short');
	});

	it('a tampered or moved wrapping is refused', async () => {
		const { record, phone, salt } = await lockWithPasskey();
		const answer = await phone.answer(salt);
		const wrapping = record.passkeys![0];
		const flipped = fromBase64Url(wrapping.wrappedKey);
		flipped[3] ^= 1;
		const variants: LockRecord[] = [
			{ ...record, passkeys: [{ ...wrapping, wrappedKey: toBase64Url(flipped) }] },
			{ ...record, passkeys: [{ ...wrapping, nonce: toBase64Url(randomBytes(24)) }] },
			{ ...record, passkeys: [{ ...wrapping, prfSalt: toBase64Url(newPrfSalt()) }] }
		];
		for (const v of variants) expect(await unwrapWithPasskey(roundTrip(v), answer)).toBeUndefined();

		// The wrapping is bound to its credential id: filed under another passkey's id, even an
		// attacker who knows that other passkey's PRF output cannot open it.
		const thief = new Authenticator();
		const moved = { ...record, passkeys: [{ ...wrapping, credentialId: toBase64Url(thief.credentialId) }] };
		expect(await unwrapWithPasskey(moved, await thief.answer(salt))).toBeUndefined();
		expect(await unwrapWithPasskey(moved, { credentialId: thief.credentialId, prfOutput: answer.prfOutput })).toBeUndefined();

		// Malformed passkey entries make the record unreadable as a lock record.
		expect(isLockRecord({ ...record, passkeys: {} })).toBe(false);
		expect(isLockRecord({ ...record, passkeys: [{ ...wrapping, prfSalt: 'short' }] })).toBe(false);
		expect(isLockRecord({ ...record, passkeys: [{ ...wrapping, credentialId: 'not base64url!' }] })).toBe(false);
	});

	it('two passkeys each unlock; removing one leaves the other and the passphrase working', async () => {
		const { record: one, storageKey, phone, salt } = await lockWithPasskey();
		const laptop = new Authenticator();
		const salt2 = newPrfSalt();
		const both = roundTrip(withPasskey(one, await wrapForPasskey(storageKey, await laptop.answer(salt2), salt2, new Date())));
		expect(both.passkeys).toHaveLength(2);
		expect(await unwrapWithPasskey(both, await laptop.answer(salt2))).toEqual(storageKey);
		expect(await unwrapWithPasskey(both, await phone.answer(salt))).toEqual(storageKey);
		// Adding the same passkey again replaces its wrapping rather than doubling it.
		const again = withPasskey(both, await wrapForPasskey(storageKey, await phone.answer(salt), salt, new Date()));
		expect(again.passkeys).toHaveLength(2);

		const withoutPhone = roundTrip(withoutPasskey(both, toBase64Url(phone.credentialId)));
		expect(await unwrapWithPasskey(withoutPhone, await phone.answer(salt))).toBeUndefined();
		expect(await unwrapWithPasskey(withoutPhone, await laptop.answer(salt2))).toEqual(storageKey);
		const none = roundTrip(withoutPasskey(withoutPhone, toBase64Url(laptop.credentialId)));
		// Back to the shape of a record from before passkeys.
		expect('passkeys' in none).toBe(false);
		expect(await unwrapStorageKey(none, PASS)).toEqual(storageKey);
	});

	it('changing the passphrase keeps the storage key, so passkeys still unlock', async () => {
		const { record, storageKey, phone, salt } = await lockWithPasskey();
		expect(await changePassphrase(record, 'not the passphrase', 'kettle on the landing', ITERATIONS)).toBeUndefined();
		await expect(changePassphrase(record, PASS, 'short', ITERATIONS)).rejects.toThrow('at least 8');
		const changed = roundTrip((await changePassphrase(record, PASS, 'kettle on the landing', ITERATIONS))!);
		expect(await unwrapStorageKey(changed, PASS)).toBeUndefined();
		expect(await unwrapStorageKey(changed, 'kettle on the landing')).toEqual(storageKey);
		expect(await unwrapWithPasskey(changed, await phone.answer(salt))).toEqual(storageKey);
		expect(changed.passkeys).toEqual(record.passkeys);
		expect(changed.kdf.salt).not.toBe(record.kdf.salt);
	});
});

describe('keys from strong secrets (HKDF)', () => {
	it('is deterministic, and differs by salt and purpose', async () => {
		const secret = randomBytes(32);
		const salt = randomBytes(32);
		const a = await keyFromSecret(secret, salt, new TextEncoder().encode('one'));
		expect(a).toHaveLength(32);
		expect(await keyFromSecret(secret, salt, new TextEncoder().encode('one'))).toEqual(a);
		expect(await keyFromSecret(secret, salt, new TextEncoder().encode('two'))).not.toEqual(a);
		expect(await keyFromSecret(secret, randomBytes(32), new TextEncoder().encode('one'))).not.toEqual(a);
		await expect(keyFromSecret(randomBytes(31), salt, new Uint8Array())).rejects.toThrow('too short');
	});
});
