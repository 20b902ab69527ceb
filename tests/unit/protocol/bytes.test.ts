import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { framed, fromBase64Url, isBase64Url, isPublicKey, toBase64Url } from '$lib/protocol';

describe('base64url', () => {
	it('round-trips any bytes and matches Node’s encoder', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
				const text = toBase64Url(bytes);
				expect(text).toBe(Buffer.from(bytes).toString('base64url'));
				expect(fromBase64Url(text)).toEqual(bytes);
				expect(isBase64Url(text, bytes.length)).toBe(true);
			})
		);
	});

	it('refuses characters outside the alphabet', () => {
		expect(() => fromBase64Url('ab+/')).toThrow();
		expect(() => fromBase64Url('a')).toThrow();
		expect(isBase64Url('ab==')).toBe(false);
	});
});

describe('one spelling per value', () => {
	const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
	/** Every string that a lenient decoder would read as the same bytes. */
	const spellings = (canonical: string): string[] => {
		const last = ALPHABET.indexOf(canonical[canonical.length - 1]);
		const unused = canonical.length % 4 === 2 ? 0b1111 : canonical.length % 4 === 3 ? 0b11 : 0;
		const out: string[] = [];
		for (let bits = 1; bits <= unused; bits++) if ((bits & unused) === bits) out.push(canonical.slice(0, -1) + ALPHABET[last | bits]);
		return out;
	};

	it('accepts only the spelling the encoder writes, for keys, signatures and any length', () => {
		fc.assert(
			fc.property(fc.uint8Array({ minLength: 1, maxLength: 80 }), (bytes) => {
				const canonical = toBase64Url(bytes);
				expect(isBase64Url(canonical, bytes.length)).toBe(true);
				expect(fromBase64Url(canonical)).toEqual(bytes);
				for (const alias of spellings(canonical)) {
					expect(isBase64Url(alias)).toBe(false);
					expect(() => fromBase64Url(alias)).toThrow();
				}
			})
		);
	});

	it('a public key has exactly one spelling: its three aliases are refused', () => {
		const key = toBase64Url(new Uint8Array(32).fill(7));
		expect(isPublicKey(key)).toBe(true);
		const aliases = spellings(key);
		expect(aliases).toHaveLength(3);
		for (const alias of aliases) expect(isPublicKey(alias)).toBe(false);
	});

	it('whatever a guard accepts decodes and re-encodes to itself', () => {
		fc.assert(
			fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{0,90}$/), (text) => {
				if (isBase64Url(text)) expect(toBase64Url(fromBase64Url(text))).toBe(text);
			}),
			{ numRuns: 2000 }
		);
	});
});

describe('framed', () => {
	it('gives different field lists different encodings', () => {
		expect(framed(['ab', 'c'])).not.toEqual(framed(['a', 'bc']));
		expect(framed([1])).not.toEqual(framed([256]));
	});
});
