import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { framed, fromBase64Url, isBase64Url, toBase64Url } from '$lib/protocol';

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

describe('framed', () => {
	it('gives different field lists different encodings', () => {
		expect(framed(['ab', 'c'])).not.toEqual(framed(['a', 'bc']));
		expect(framed([1])).not.toEqual(framed([256]));
	});
});
