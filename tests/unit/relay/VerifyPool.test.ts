// Entry signatures checked on a worker thread answer exactly as the inline check does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, newSigningKeyPair, sign } from '$lib/crypto';
import { VerifyPool } from '../../../sync-server/VerifyPool';

const pools: VerifyPool[] = [];
beforeAll(cryptoReady);
afterAll(async () => {
	for (const p of pools) await p.close();
});

describe('VerifyPool', () => {
	for (const threads of [1, 0]) {
		it(`${threads ? 'on a worker thread' : 'inline'}: good signatures pass, altered ones and wrong lengths fail, in order`, async () => {
			const pool = new VerifyPool({ threads });
			pools.push(pool);
			const kp = newSigningKeyPair();
			const other = newSigningKeyPair();
			const cases = Array.from({ length: 300 }, (_, i) => {
				const message = new TextEncoder().encode(`entry ${i}`);
				const signature = sign(message, kp.secretKey);
				switch (i % 5) {
					case 0:
						return { args: [signature, message, kp.publicKey] as const, ok: true };
					case 1: {
						const bad = signature.slice();
						bad[7] ^= 1;
						return { args: [bad, message, kp.publicKey] as const, ok: false };
					}
					case 2:
						return { args: [signature, message, other.publicKey] as const, ok: false };
					case 3:
						return { args: [signature.slice(0, 63), message, kp.publicKey] as const, ok: false };
					default:
						return { args: [signature, new TextEncoder().encode(`entry ${i}!`), kp.publicKey] as const, ok: false };
				}
			});
			const answers = await Promise.all(cases.map((c) => pool.verify(...c.args)));
			expect(answers).toEqual(cases.map((c) => c.ok));
		});
	}
});
