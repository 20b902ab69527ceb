// The checks libsodium makes before it verifies an Ed25519 signature, in plain TypeScript, so
// the relay (which verifies with Node's crypto, OpenSSL underneath) accepts exactly what the
// app's devices accept. OpenSSL checks only the equation, and a public key of small order
// (the identity point, say) with R of small order and S = 0 satisfies it for every message:
// the relay would store "signed" entries and ops that every device then refuses. Mirrors
// libsodium's crypto_sign_ed25519_verify_detached (not ED25519_COMPAT): S must be below the
// group order L, R must not have small order, and the public key must be a canonical encoding
// of a point that does not have small order.

/** The group order L, little-endian. */
const L = Uint8Array.from([
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10
]);

const ff = (first: number, last: number) => Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? first : i === 31 ? last : 0xff));

/** libsodium's blocklist: encodings of points of order 1, 2, 4 and 8 (the sign bit is ignored). */
const SMALL_ORDER = [
	new Uint8Array(32),
	Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0)),
	Uint8Array.from([
		0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39,
		0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05
	]),
	Uint8Array.from([
		0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6,
		0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a
	]),
	ff(0xec, 0x7f), // p - 1
	ff(0xed, 0x7f), // p (0 again)
	ff(0xee, 0x7f) // p + 1 (1 again)
];

/** Whether 32 little-endian bytes, read as a number, are below L. */
function belowOrder(s: Uint8Array): boolean {
	for (let i = 31; i >= 0; i--) {
		if (s[i] < L[i]) return true;
		if (s[i] > L[i]) return false;
	}
	return false;
}

function hasSmallOrder(point: Uint8Array): boolean {
	return SMALL_ORDER.some((bad) => {
		for (let i = 0; i < 31; i++) if (point[i] !== bad[i]) return false;
		return (point[31] & 0x7f) === bad[31];
	});
}

/** A y-coordinate of p or more (2^255 - 19 and up) is another spelling of a smaller one. */
function isCanonicalPoint(point: Uint8Array): boolean {
	if ((point[31] & 0x7f) !== 0x7f) return true;
	for (let i = 30; i > 0; i--) if (point[i] !== 0xff) return true;
	return point[0] < 0xed;
}

/** Whether libsodium would refuse this signature and key before even checking the equation. */
export function refusedBySodium(signature: Uint8Array, publicKey: Uint8Array): boolean {
	if (signature.length !== 64 || publicKey.length !== 32) return true;
	if (!belowOrder(signature.subarray(32)) || hasSmallOrder(signature.subarray(0, 32))) return true;
	return !isCanonicalPoint(publicKey) || hasSmallOrder(publicKey);
}
