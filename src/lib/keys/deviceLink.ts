// Linking a new device to a person, and recovery kits. Both move the person's secrets to a
// new device through the relay, always sealed or encrypted so the relay sees only ciphertext.
import { decrypt, deriveKey, encrypt, hash, openSealed, randomBytes, seal, signingKeyPairFromSeed, verify, type SigningKeyPair } from '$lib/crypto';
import { framed, fromBase64Url, isBase64Url, opSigningBytes, toBase64Url, utf8, type DeviceKey, type SignedOp, type SpaceId } from '$lib/protocol';
import { words } from '$lib/words';
import type { DocAccess } from './access';
import type { StoredPerson } from './identity';

const msg = words.messages.keys.deviceLink;

/** What a device hands over: the person's identity, link-shared documents and spaces. */
export interface PersonBundle {
	person: StoredPerson;
	/** Documents shared by link (space documents come through their spaces). */
	docs: DocAccess[];
	/** Spaces, with every circle key held, so a recovered device can re-seal them to itself. */
	spaces: Array<{ spaceId: SpaceId; circleKeys: Record<string, Record<number, string>> }>;
	createdAt: number;
}

// ── linking ─────────────────────────────────────────────────────────────────────────────
//
// The two devices meet on a throwaway log. Anyone who sees the link (over a shoulder, in a
// forwarded screenshot) knows its secret, so the secret alone must not be enough to get
// linked, and the six digits must not be something a link holder can grind. The exchange is
// commit-before-reveal, as in ZRTP's and Bluetooth's short authentication strings:
//
//   1. new device:      link-request { sign, box, commit = H(sign, box, nonceB), mac }
//   2. offering device: link-reply   { to: commit, nonce: nonceA }            (signed by it)
//   3. new device:      link-reveal  { nonce: nonceB }
//   4. both show six digits derived from the secret, both keys, both nonces.
//   5. offering device, once the person says the digits match:
//                       link-grant   { to, sealed, mac }   (signed by it, MACed with the exchange key)
//
// The new device fixes nonceB before it sees nonceA, and the offering device picks nonceA
// before it sees nonceB, so neither can steer the digits: a stranger has one chance in a
// million per attempt, and the offering device stops at the second request on one link, so
// there is only one attempt. The link names the offering device's signing key; the new device
// takes a reply or a grant only from that key, so a link holder cannot hand it an identity of
// their own choosing.
//
// Links made before the offering device was named (no `d`) are refused with a plain message:
// a link lives only while its page is open, so making a new one costs seconds, and there is
// no safe way to use an unpinned one.

export interface LinkOffer {
	/** A throwaway log on the relay where the two devices meet. */
	pairingId: SpaceId;
	/** High-entropy secret shown only on the first device (link or QR code fragment). */
	secret: string;
	/** The offering device's signing key: the only author the new device listens to. */
	device: DeviceKey;
}

/**
 * A signing key both devices derive from the link's secret. The new device, which opens the
 * pairing log, admits it there; the device that showed the link signs its reply's write
 * capability with it, so the relay takes the reply and nobody without the link can write.
 */
export function pairingWriteKey(offer: LinkOffer): SigningKeyPair {
	return signingKeyPairFromSeed(hash(utf8('hearth/pairing-write/v1'), 32, fromBase64Url(offer.secret)));
}

export class DeviceLinkError extends Error {}

export type PairingMessage =
	| { type: 'link-request'; sign: string; box: string; commit: string; mac: string }
	| { type: 'link-reply'; to: string; nonce: string }
	| { type: 'link-reveal'; nonce: string }
	| { type: 'link-stop' }
	| { type: 'link-grant'; to: string; sealed: string; mac: string };

/** What both devices know once the new device has revealed its nonce. */
export interface LinkExchange {
	/** The offering device's signing key. */
	offering: string;
	/** The new device's signing and box keys. */
	sign: string;
	box: string;
	commit: string;
	offeringNonce: string;
	requestNonce: string;
}

export function linkFragment(offer: LinkOffer): string {
	return new URLSearchParams({ p: offer.pairingId, k: offer.secret, d: offer.device }).toString();
}

export function parseLinkOffer(text: string): LinkOffer {
	const at = text.indexOf('#');
	const params = new URLSearchParams(at >= 0 ? text.slice(at + 1) : text);
	const pairingId = params.get('p');
	const secret = params.get('k');
	const device = params.get('d');
	if (!pairingId || !secret) throw new DeviceLinkError(msg.incomplete);
	if (!isBase64Url(secret, 32) || !/^[1-9A-HJ-NP-Za-km-z]{16,64}$/.test(pairingId)) {
		throw new DeviceLinkError(msg.damaged);
	}
	if (!device) throw new DeviceLinkError(msg.olderLink);
	if (!isBase64Url(device, 32)) throw new DeviceLinkError(msg.damaged);
	return { pairingId: pairingId as SpaceId, secret, device: device as DeviceKey };
}

/** The new device's commitment to its nonce, made before it sees the offering device's. */
export function linkCommitment(sign: string, box: string, nonce: string): string {
	return toBase64Url(hash(framed(['hearth/link-commit/v1', fromBase64Url(sign), fromBase64Url(box), fromBase64Url(nonce)])));
}

/** Proves the requesting device saw the link (the relay never sees the secret). */
export function requestMac(offer: LinkOffer, sign: string, box: string, commit: string): string {
	return toBase64Url(
		hash(framed(['hearth/link-request/v2', fromBase64Url(offer.device), fromBase64Url(sign), fromBase64Url(box), fromBase64Url(commit)]), 32, fromBase64Url(offer.secret))
	);
}

/** Whether a revealed nonce is the one the request committed to. */
export function revealMatches(request: { sign: string; box: string; commit: string }, nonce: string): boolean {
	return isBase64Url(nonce, 32) && linkCommitment(request.sign, request.box, nonce) === request.commit;
}

/** The key of one exchange: the link's secret over everything both devices said. */
function exchangeKey(offer: LinkOffer, x: LinkExchange): Uint8Array {
	return hash(
		framed([
			'hearth/link-exchange/v1',
			offer.pairingId,
			fromBase64Url(x.offering),
			fromBase64Url(x.sign),
			fromBase64Url(x.box),
			fromBase64Url(x.commit),
			fromBase64Url(x.offeringNonce),
			fromBase64Url(x.requestNonce)
		]),
		32,
		fromBase64Url(offer.secret)
	);
}

/** Six digits both screens show, so the person can confirm the right device is being linked. */
export function confirmationCode(offer: LinkOffer, x: LinkExchange): string {
	const h = hash(utf8('hearth/link-code/v2'), 32, exchangeKey(offer, x));
	const n = ((h[0] << 16) | (h[1] << 8) | h[2]) % 1_000_000;
	const digits = String(n).padStart(6, '0');
	return `${digits.slice(0, 3)} ${digits.slice(3)}`;
}

function grantMac(offer: LinkOffer, x: LinkExchange, sealed: string): string {
	return toBase64Url(hash(framed(['hearth/link-grant/v2', fromBase64Url(x.sign), fromBase64Url(sealed)]), 32, exchangeKey(offer, x)));
}

/** The offering device's grant: the bundle sealed to the new device, MACed with this exchange's key. */
export function grantMessage(offer: LinkOffer, x: LinkExchange, bundle: PersonBundle): PairingMessage {
	const sealed = sealBundle(bundle, x.box);
	return { type: 'link-grant', to: x.sign, sealed, mac: grantMac(offer, x, sealed) };
}

/**
 * The new device's check of a grant: written by the offering device the link names, for this
 * device, MACed with this exchange's key, and sealed to this device's box key. Anything else,
 * even a well-sealed bundle, is ignored.
 */
export function openGrant(
	offer: LinkOffer,
	x: LinkExchange,
	author: string,
	message: PairingMessage,
	box: { publicKey: Uint8Array; secretKey: Uint8Array }
): PersonBundle | undefined {
	if (message.type !== 'link-grant' || author !== offer.device || message.to !== x.sign) return undefined;
	if (message.mac !== grantMac(offer, x, message.sealed)) return undefined;
	const opened = openSealed(fromBase64Url(message.sealed), box);
	if (!opened) return undefined;
	try {
		const bundle = JSON.parse(new TextDecoder().decode(opened)) as PersonBundle;
		return typeof bundle === 'object' && bundle !== null && typeof bundle.person === 'object' ? bundle : undefined;
	} catch {
		return undefined;
	}
}

/** A bundle sealed to one device's box key: only that device can open it. */
export function sealBundle(bundle: PersonBundle, box: string): string {
	return toBase64Url(seal(utf8(JSON.stringify(bundle)), fromBase64Url(box)));
}

/**
 * The well-formed pairing messages in a run of log entries, with who signed each. The relay
 * is not trusted to have checked signatures: an op whose signature does not verify is dropped.
 */
export function pairingMessages(entries: Array<{ op: SignedOp }>): Array<{ author: string; message: PairingMessage }> {
	const out: Array<{ author: string; message: PairingMessage }> = [];
	for (const { op } of entries) {
		try {
			if (!isBase64Url(op.author, 32) || !isBase64Url(op.sig, 64) || !verify(fromBase64Url(op.sig), opSigningBytes(op), fromBase64Url(op.author))) continue;
			const message: unknown = JSON.parse(op.body);
			if (isPairingMessage(message)) out.push({ author: op.author, message });
		} catch {
			// Not ours, or damaged: ignore it.
		}
	}
	return out;
}

export function isPairingMessage(v: unknown): v is PairingMessage {
	const m = v as PairingMessage;
	if (typeof m !== 'object' || m === null) return false;
	switch (m.type) {
		case 'link-request':
			return isBase64Url(m.sign, 32) && isBase64Url(m.box, 32) && isBase64Url(m.commit, 32) && isBase64Url(m.mac, 32);
		case 'link-reply':
			return isBase64Url(m.to, 32) && isBase64Url(m.nonce, 32);
		case 'link-reveal':
			return isBase64Url(m.nonce, 32);
		case 'link-stop':
			return true;
		case 'link-grant':
			return isBase64Url(m.to, 32) && isBase64Url(m.sealed) && isBase64Url(m.mac, 32);
		default:
			return false;
	}
}

// ── recovery kit ────────────────────────────────────────────────────────────────────────

export interface RecoveryKeys {
	/** Where the encrypted backup lives on the relay. */
	logId: SpaceId;
	key: Uint8Array;
	/** Signs the backup copies; kept on the device that refreshes them. */
	signing: SigningKeyPair;
	/**
	 * The person's recovery key: spaces let a device add itself only with its signature, and
	 * document policies list it as an admin. Its secret is never stored on a device (only its
	 * public half is); it exists only while someone types their kit in.
	 */
	authority: SigningKeyPair;
}

const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789'; // no 0/O, 1/I/L, U: easy to read aloud and type

/** A new recovery key: 256 bits, written in groups of letters and digits that are hard to misread. */
export function newRecoveryKey(): string {
	const bytes = randomBytes(32);
	// 32 bytes → base-30 digits via repeated division (big-endian), 53 symbols cover 256 bits.
	const digits: number[] = [];
	let num = [...bytes];
	while (num.some((b) => b > 0)) {
		let rem = 0;
		const next: number[] = [];
		for (const b of num) {
			const acc = rem * 256 + b;
			const q = Math.floor(acc / 30);
			rem = acc % 30;
			if (next.length > 0 || q > 0) next.push(q);
		}
		digits.push(rem);
		num = next;
	}
	while (digits.length < 53) digits.push(0);
	const text = digits.reverse().map((d) => ALPHABET[d]).join('');
	return text.match(/.{1,4}/g)!.join('-');
}

export function normaliseRecoveryKey(text: string): string {
	return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export function recoveryKeys(recoveryKey: string): RecoveryKeys {
	const clean = normaliseRecoveryKey(recoveryKey);
	if (clean.length !== 53 || [...clean].some((c) => !ALPHABET.includes(c))) {
		throw new DeviceLinkError(msg.badRecoveryKey);
	}
	const master = hash(utf8(`hearth/recovery/v1\n${clean}`));
	const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
	const idBytes = deriveKey(master, 1, 'recovery', 24);
	return {
		logId: Array.from(idBytes, (b) => alphabet[b % alphabet.length]).join('') as SpaceId,
		key: deriveKey(master, 2, 'recovery'),
		signing: signingKeyPairFromSeed(deriveKey(master, 3, 'recovery')),
		authority: signingKeyPairFromSeed(deriveKey(master, 4, 'recovery'))
	};
}

export function encryptBundle(bundle: PersonBundle, keys: Pick<RecoveryKeys, 'logId' | 'key'>): string {
	const ad = utf8(`hearth/recovery-bundle/v1\n${keys.logId}`);
	const { nonce, ciphertext } = encrypt(utf8(JSON.stringify(bundle)), keys.key, ad);
	return JSON.stringify({ n: toBase64Url(nonce), c: toBase64Url(ciphertext) });
}

export function decryptBundle(body: string, keys: Pick<RecoveryKeys, 'logId' | 'key'>): PersonBundle | undefined {
	try {
		const { n, c } = JSON.parse(body) as { n: string; c: string };
		const plain = decrypt(fromBase64Url(c), fromBase64Url(n), keys.key, utf8(`hearth/recovery-bundle/v1\n${keys.logId}`));
		return plain ? (JSON.parse(new TextDecoder().decode(plain)) as PersonBundle) : undefined;
	} catch {
		return undefined;
	}
}
