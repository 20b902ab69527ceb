import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, decrypt, encrypt, newBoxKeyPair, newSigningKeyPair, newSymmetricKey, openSealed, seal, sign, verify } from '$lib/crypto';
import { entryAssociatedData, toBase64Url } from '$lib/protocol';

beforeAll(cryptoReady);

const author = () => toBase64Url(newSigningKeyPair().publicKey);

describe('entry encryption binds document, epoch and author', () => {
	it('opens only with exactly the same associated data', () => {
		const key = newSymmetricKey();
		const ad = { docId: '4NMNnkMhL8jXrdJ9jamS7Z7me7Ms', epoch: 0, author: author(), kind: 'change' };
		const { nonce, ciphertext } = encrypt(new TextEncoder().encode('Paracetamol 500mg'), key, entryAssociatedData(ad));
		expect(new TextDecoder().decode(decrypt(ciphertext, nonce, key, entryAssociatedData(ad))!)).toBe('Paracetamol 500mg');
		// Moved to another document, epoch or author: refused.
		expect(decrypt(ciphertext, nonce, key, entryAssociatedData({ ...ad, docId: '4NMNnkMhL8jXrdJ9jamS7Z7me7Mt' }))).toBeUndefined();
		expect(decrypt(ciphertext, nonce, key, entryAssociatedData({ ...ad, epoch: 1 }))).toBeUndefined();
		expect(decrypt(ciphertext, nonce, key, entryAssociatedData({ ...ad, author: author() }))).toBeUndefined();
		expect(decrypt(ciphertext, nonce, newSymmetricKey(), entryAssociatedData(ad))).toBeUndefined();
		const flipped = ciphertext.slice();
		flipped[0] ^= 1;
		expect(decrypt(flipped, nonce, key, entryAssociatedData(ad))).toBeUndefined();
	});

	it('signs and verifies; seals to one recipient only', () => {
		const kp = newSigningKeyPair();
		const msg = new Uint8Array([1, 2, 3]);
		const sig = sign(msg, kp.secretKey);
		expect(verify(sig, msg, kp.publicKey)).toBe(true);
		expect(verify(sig, new Uint8Array([1, 2, 4]), kp.publicKey)).toBe(false);
		expect(verify(sig, msg, newSigningKeyPair().publicKey)).toBe(false);
		const bob = newBoxKeyPair();
		const sealed = seal(msg, bob.publicKey);
		expect(openSealed(sealed, bob)).toEqual(msg);
		expect(openSealed(sealed, newBoxKeyPair())).toBeUndefined();
	});
});
