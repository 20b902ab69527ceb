// The relay accepts exactly the signatures the app's devices accept. Node's crypto (OpenSSL)
// checks only the Ed25519 equation; libsodium also refuses small-order keys and R values and
// a non-canonical S, and without those checks anyone could "sign" any message for the
// identity key, which the relay would store and every device refuse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify as nodeVerify, createPublicKey } from 'node:crypto';
import { cryptoReady, newSigningKeyPair, sign, verify as sodiumVerify } from '$lib/crypto';
import { Ed25519Verifier } from '../../../sync-server/Ed25519Verifier';
import { VerifyPool } from '../../../sync-server/VerifyPool';

const pools: VerifyPool[] = [];
beforeAll(cryptoReady);
afterAll(async () => {
	for (const p of pools) await p.close();
});

const message = new TextEncoder().encode('hearth/op/v1 add-device, by anyone at all');
const identity = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0));
const L = Uint8Array.from([0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, ...new Array(15).fill(0), 0x10]);

/** OpenSSL alone, as the relay verified before. */
function opensslAlone(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
	try {
		const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pk]), format: 'der', type: 'spki' });
		return nodeVerify(null, msg, key, sig);
	} catch {
		return false;
	}
}

/** S + L: the same equation holds (S is taken mod L), so only a range check refuses it. */
function addOrder(sig: Uint8Array): Uint8Array {
	const out = sig.slice();
	let carry = 0;
	for (let i = 0; i < 32; i++) {
		const v = out[32 + i] + L[i] + carry;
		out[32 + i] = v & 0xff;
		carry = v >> 8;
	}
	return out;
}

function cases() {
	const kp = newSigningKeyPair();
	const good = sign(message, kp.secretKey);
	// R = identity, S = 0, key = identity: [0]B = R + [k]A holds for any message.
	const forged = new Uint8Array(64);
	forged.set(identity, 0);
	return [
		{ name: 'a good signature', sig: good, pk: kp.publicKey },
		{ name: 'a forgery for the small-order identity key', sig: forged, pk: identity },
		{ name: 'S raised by the group order', sig: addOrder(good), pk: kp.publicKey },
		{ name: 'R of small order', sig: (() => { const s = good.slice(); s.set(identity, 0); return s; })(), pk: kp.publicKey },
		{ name: 'a non-canonical key encoding (y = p + 1)', sig: forged, pk: Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 0xee : i === 31 ? 0x7f : 0xff)) }
	];
}

describe('the relay verifies Ed25519 as libsodium does', () => {
	it('OpenSSL alone accepts the small-order forgery (why the rules are needed)', () => {
		const forgery = cases()[1];
		expect(opensslAlone(forgery.sig, message, forgery.pk)).toBe(true);
		expect(sodiumVerify(forgery.sig, message, forgery.pk)).toBe(false);
	});

	for (const threads of [0, 1]) {
		it(`${threads ? 'on a worker thread' : 'inline'}: agrees with libsodium on every case`, async () => {
			const inline = new Ed25519Verifier();
			const pool = new VerifyPool({ threads, inline });
			pools.push(pool);
			for (const c of cases()) {
				const sodium = sodiumVerify(c.sig, message, c.pk);
				expect(inline.verify(c.sig, message, c.pk), c.name).toBe(sodium);
				expect(await pool.verify(c.sig, message, c.pk), c.name).toBe(sodium);
			}
		});
	}
});
