// A person's identity, shared by all of their own devices, and the certificates that bind
// each device to it. Spaces list people by identity and check every device against it.
import { newBoxKeyPair, newSigningKeyPair, sign, verify, type BoxKeyPair, type SigningKeyPair } from '$lib/crypto';
import { framed, fromBase64Url, isPublicKey, toBase64Url, type DeviceKey } from '$lib/protocol';
import type { DeviceSecrets } from './device';
import { deviceKey } from './device';

/** A person's identity key (Ed25519 public key, base64url). */
export type PersonKey = string & { readonly __brand: 'PersonKey' };

export interface PersonSecrets {
	signing: SigningKeyPair;
	box: BoxKeyPair;
}

/** A device as others see it: its keys, certified by its person. */
export interface DeviceInfo {
	sign: DeviceKey;
	box: string;
	cert: string;
}

/** A person as a space sees them. Display names live in encrypted documents, never here. */
export interface MemberCard {
	id: PersonKey;
	devices: DeviceInfo[];
}

export function createPerson(): PersonSecrets {
	return { signing: newSigningKeyPair(), box: newBoxKeyPair() };
}

export function personKey(person: PersonSecrets): PersonKey {
	return toBase64Url(person.signing.publicKey) as PersonKey;
}

function certBytes(person: PersonKey, device: DeviceKey, box: string): Uint8Array {
	return framed(['hearth/device-cert/v1', fromBase64Url(person), fromBase64Url(device), fromBase64Url(box)]);
}

export function certifyDevice(person: PersonSecrets, device: DeviceSecrets): DeviceInfo {
	const sign_ = deviceKey(device);
	const box = toBase64Url(device.box.publicKey);
	return { sign: sign_, box, cert: toBase64Url(sign(certBytes(personKey(person), sign_, box), person.signing.secretKey)) };
}

export function verifyDeviceInfo(
	person: PersonKey,
	info: DeviceInfo,
	check: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean = verify
): boolean {
	if (!isPublicKey(info.sign) || !isPublicKey(info.box) || typeof info.cert !== 'string') return false;
	try {
		return check(fromBase64Url(info.cert), certBytes(person, info.sign, info.box), fromBase64Url(person));
	} catch {
		return false;
	}
}

export function memberCard(person: PersonSecrets, devices: DeviceSecrets[]): MemberCard {
	return { id: personKey(person), devices: devices.map((d) => certifyDevice(person, d)) };
}

export interface StoredPerson {
	signPk: string;
	signSk: string;
	boxPk: string;
	boxSk: string;
}

export function storePerson(p: PersonSecrets): StoredPerson {
	return {
		signPk: toBase64Url(p.signing.publicKey),
		signSk: toBase64Url(p.signing.secretKey),
		boxPk: toBase64Url(p.box.publicKey),
		boxSk: toBase64Url(p.box.secretKey)
	};
}

export function loadPerson(s: StoredPerson): PersonSecrets {
	return {
		signing: { publicKey: fromBase64Url(s.signPk), secretKey: fromBase64Url(s.signSk) },
		box: { publicKey: fromBase64Url(s.boxPk), secretKey: fromBase64Url(s.boxSk) }
	};
}

/**
 * A short number two people can read to each other to check they hold each other's real
 * keys. Symmetric: both sides compute the same digits.
 */
export function safetyNumber(a: PersonKey, b: PersonKey, digest: (bytes: Uint8Array) => Uint8Array): string {
	const [x, y] = [a, b].sort();
	const bytes = digest(framed(['hearth/safety/v1', fromBase64Url(x), fromBase64Url(y)]));
	const groups: string[] = [];
	for (let i = 0; i < 6; i++) {
		const n = ((bytes[i * 3] << 16) | (bytes[i * 3 + 1] << 8) | bytes[i * 3 + 2]) % 100000;
		groups.push(String(n).padStart(5, '0'));
	}
	return groups.join(' ');
}
