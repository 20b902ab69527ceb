// A device's own keys. Each device has its own Ed25519 signing key (its identity as an
// author and writer) and X25519 box key (for keys sealed to it). Secrets never leave it.
import { newBoxKeyPair, newSigningKeyPair, type BoxKeyPair, type SigningKeyPair } from '$lib/crypto';
import { fromBase64Url, toBase64Url, type DeviceKey } from '$lib/protocol';

export interface DeviceSecrets {
	signing: SigningKeyPair;
	box: BoxKeyPair;
	createdAt: number;
}

export interface StoredDevice {
	signPk: string;
	signSk: string;
	boxPk: string;
	boxSk: string;
	createdAt: number;
}

export function createDevice(now = Date.now()): DeviceSecrets {
	return { signing: newSigningKeyPair(), box: newBoxKeyPair(), createdAt: now };
}

export function deviceKey(device: DeviceSecrets): DeviceKey {
	return toBase64Url(device.signing.publicKey) as DeviceKey;
}

export function storeDevice(device: DeviceSecrets): StoredDevice {
	return {
		signPk: toBase64Url(device.signing.publicKey),
		signSk: toBase64Url(device.signing.secretKey),
		boxPk: toBase64Url(device.box.publicKey),
		boxSk: toBase64Url(device.box.secretKey),
		createdAt: device.createdAt
	};
}

export function loadDevice(stored: StoredDevice): DeviceSecrets {
	return {
		signing: { publicKey: fromBase64Url(stored.signPk), secretKey: fromBase64Url(stored.signSk) },
		box: { publicKey: fromBase64Url(stored.boxPk), secretKey: fromBase64Url(stored.boxSk) },
		createdAt: stored.createdAt
	};
}
