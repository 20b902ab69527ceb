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

	it('keys warmed ahead of their entries, even with junk among them, leave every answer unchanged', async () => {
		const pool = new VerifyPool({ threads: 1 });
		pools.push(pool);
		const writers = Array.from({ length: 20 }, () => newSigningKeyPair());
		pool.warm([...writers.map((w) => w.publicKey), new Uint8Array(32).fill(255), new Uint8Array(7)]);
		const checks = writers.flatMap((w, i) => {
			const message = new TextEncoder().encode(`entry from writer ${i}`);
			const signature = sign(message, w.secretKey);
			return [
				{ args: [signature, message, w.publicKey] as const, ok: true },
				{ args: [signature, message, writers[(i + 1) % writers.length].publicKey] as const, ok: false }
			];
		});
		expect(await Promise.all(checks.map((c) => pool.verify(...c.args)))).toEqual(checks.map((c) => c.ok));
	});
});
