// Linking a new device to a person, and recovery kits. Both move the person's secrets to a
// new device through the relay, always sealed or encrypted so the relay sees only ciphertext.
import { decrypt, deriveKey, encrypt, hash, randomBytes, seal, signingKeyPairFromSeed, type SigningKeyPair } from '$lib/crypto';
import { framed, fromBase64Url, isBase64Url, toBase64Url, utf8, type SpaceId } from '$lib/protocol';
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

export interface LinkOffer {
	/** A throwaway log on the relay where the two devices meet. */
	pairingId: SpaceId;
	/** High-entropy secret shown only on the first device (link or QR code fragment). */
	secret: string;
}

export class DeviceLinkError extends Error {}

export type PairingMessage =
	| { type: 'link-request'; sign: string; box: string; mac: string }
	| { type: 'link-grant'; to: string; sealed: string };

export function linkFragment(offer: LinkOffer): string {
	return new URLSearchParams({ p: offer.pairingId, k: offer.secret }).toString();
}

export function parseLinkOffer(text: string): LinkOffer {
	const at = text.indexOf('#');
	const params = new URLSearchParams(at >= 0 ? text.slice(at + 1) : text);
	const pairingId = params.get('p');
	const secret = params.get('k');
	if (!pairingId || !secret) throw new DeviceLinkError(msg.incomplete);
	if (!isBase64Url(secret, 32) || !/^[1-9A-HJ-NP-Za-km-z]{16,64}$/.test(pairingId)) {
		throw new DeviceLinkError(msg.damaged);
	}
	return { pairingId: pairingId as SpaceId, secret };
}

/** Proves the requesting device saw the link (the relay never sees the secret). */
export function requestMac(offer: LinkOffer, sign: string, box: string): string {
	return toBase64Url(hash(framed(['hearth/link-request/v1', fromBase64Url(sign), fromBase64Url(box)]), 32, fromBase64Url(offer.secret)));
}

/** Six digits both screens show, so the person can confirm the right device is being linked. */
export function confirmationCode(offer: LinkOffer, sign: string): string {
	const h = hash(framed(['hearth/link-code/v1', fromBase64Url(sign)]), 32, fromBase64Url(offer.secret));
	const n = ((h[0] << 16) | (h[1] << 8) | h[2]) % 1_000_000;
	const digits = String(n).padStart(6, '0');
	return `${digits.slice(0, 3)} ${digits.slice(3)}`;
}

export function sealBundle(bundle: PersonBundle, box: string): string {
	return toBase64Url(seal(utf8(JSON.stringify(bundle)), fromBase64Url(box)));
}

/** The well-formed pairing messages in a run of log entries, with who signed each. */
export function pairingMessages(entries: Array<{ op: { author: string; body: string } }>): Array<{ author: string; message: PairingMessage }> {
	const out: Array<{ author: string; message: PairingMessage }> = [];
	for (const { op } of entries) {
		try {
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
	if (m.type === 'link-request') return isBase64Url(m.sign, 32) && isBase64Url(m.box, 32) && isBase64Url(m.mac, 32);
	if (m.type === 'link-grant') return isBase64Url(m.to, 32) && isBase64Url(m.sealed);
	return false;
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
