// Byte helpers shared by the app and the relay. Pure TypeScript on purpose: the relay must
// not depend on libsodium or Automerge, and these run in browsers and Node alike.

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < B64URL.length; i++) LOOKUP[B64URL.charCodeAt(i)] = i;

/** Unpadded base64url, the only binary-in-text encoding used on the wire. */
export function toBase64Url(bytes: Uint8Array): string {
	let out = '';
	let i = 0;
	for (; i + 2 < bytes.length; i += 3) {
		const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
		out += B64URL[n >> 18] + B64URL[(n >> 12) & 63] + B64URL[(n >> 6) & 63] + B64URL[n & 63];
	}
	const rest = bytes.length - i;
	if (rest === 1) {
		const n = bytes[i] << 16;
		out += B64URL[n >> 18] + B64URL[(n >> 12) & 63];
	} else if (rest === 2) {
		const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
		out += B64URL[n >> 18] + B64URL[(n >> 12) & 63] + B64URL[(n >> 6) & 63];
	}
	return out;
}

/**
 * Whether the last character leaves its unused low bits at zero. Unpadded base64url of n bytes
 * ends with 2 (n % 3 = 1) or 4 (n % 3 = 2) bits that decode to nothing; a lenient decoder
 * reads four (or sixteen) spellings as the same bytes, and a key compared as a string would then
 * have aliases (a removed device could come back as "another" key). Only the spelling
 * `toBase64Url` produces is accepted anywhere, so equal strings mean equal bytes and back.
 */
function canonicalTail(text: string): boolean {
	const rest = text.length % 4;
	if (rest === 0) return true;
	const c = text.charCodeAt(text.length - 1);
	const v = c < 128 ? LOOKUP[c] : -1;
	if (v < 0) return false;
	return rest === 2 ? (v & 0b1111) === 0 : (v & 0b11) === 0;
}

/** Decodes unpadded base64url. Throws on any character outside the alphabet, and on any spelling but the canonical one. */
export function fromBase64Url(text: string): Uint8Array {
	if (text.length % 4 === 1) throw new Error('Invalid base64url length');
	if (!canonicalTail(text)) throw new Error('Not the canonical base64url spelling');
	const out = new Uint8Array(Math.floor((text.length * 3) / 4));
	let o = 0;
	let buf = 0;
	let bits = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		const v = c < 128 ? LOOKUP[c] : -1;
		if (v < 0) throw new Error('Invalid base64url character');
		buf = (buf << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (buf >> bits) & 0xff;
		}
	}
	return out.subarray(0, o);
}

/** Canonical unpadded base64url (of `byteLength` bytes, if given): see canonicalTail. */
export function isBase64Url(text: unknown, byteLength?: number): text is string {
	if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1 || !canonicalTail(text)) return false;
	if (byteLength === undefined) return true;
	return Math.floor((text.length * 3) / 4) === byteLength;
}

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
	return encoder.encode(text);
}

/** Length-prefixed concatenation, so that no two different field lists share an encoding. */
export function framed(parts: Array<Uint8Array | string | number>): Uint8Array {
	const encoded = parts.map((p) =>
		typeof p === 'string' ? utf8(p) : typeof p === 'number' ? u64(p) : p
	);
	const total = encoded.reduce((n, p) => n + 4 + p.length, 0);
	const out = new Uint8Array(total);
	const view = new DataView(out.buffer);
	let o = 0;
	for (const p of encoded) {
		view.setUint32(o, p.length);
		out.set(p, o + 4);
		o += 4 + p.length;
	}
	return out;
}

function u64(n: number): Uint8Array {
	if (!Number.isSafeInteger(n) || n < 0) throw new Error('Expected a non-negative safe integer');
	const out = new Uint8Array(8);
	const view = new DataView(out.buffer);
	view.setUint32(0, Math.floor(n / 2 ** 32));
	view.setUint32(4, n >>> 0);
	return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
	return diff === 0;
}
