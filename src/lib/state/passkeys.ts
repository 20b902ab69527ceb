// The browser's side of unlocking with a passkey: WebAuthn calls that ask this device's
// fingerprint, face or PIN for the passkey's PRF output (the `prf` extension), which
// $lib/keys/appLock turns into the key that wraps the storage key. There is no server here:
// nothing checks the passkey's signature, because the secret is the PRF output itself, and the
// authenticator only gives it after verifying the person (userVerification: 'required').
import type { PasskeyAnswer, PasskeyWrapping } from '$lib/keys/appLock';
import { fromBase64Url, toBase64Url } from '$lib/protocol';
import { words } from '$lib/words';

/** 'no': this browser or device cannot do it. 'yes'/'maybe': it says it can, or does not say. */
export type PasskeySupport = 'yes' | 'maybe' | 'no';

export type PasskeyResult = { kind: 'ok'; answer: PasskeyAnswer } | { kind: 'no-prf' } | { kind: 'cancelled' } | { kind: 'already-added' };

/** Newer than TypeScript's DOM types: tells the device's passkey list a passkey is no longer used. */
type WithSignal = typeof PublicKeyCredential & { signalUnknownCredential?: (options: { rpId: string; credentialId: string }) => Promise<void> };

const TIMEOUT_MS = 120_000;

function challenge(): Uint8Array<ArrayBuffer> {
	// Nothing verifies the assertion, so the challenge only has to be fresh.
	return crypto.getRandomValues(new Uint8Array(32));
}

function buffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
	return new Uint8Array(bytes);
}

export async function passkeySupport(): Promise<PasskeySupport> {
	if (typeof PublicKeyCredential === 'undefined' || !isSecureContext || !navigator.credentials) return 'no';
	try {
		if (typeof PublicKeyCredential.getClientCapabilities === 'function') {
			const caps = await PublicKeyCredential.getClientCapabilities();
			if (caps['extension:prf'] === false || caps.userVerifyingPlatformAuthenticator === false) return 'no';
			if (caps['extension:prf'] === true) return 'yes';
		}
		// Browsers without getClientCapabilities: a platform authenticator is needed, and only
		// trying tells whether it gives PRF results.
		return (await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable()) ? 'maybe' : 'no';
	} catch {
		return 'maybe';
	}
}

function prfFirst(credential: PublicKeyCredential): Uint8Array | undefined {
	const first = credential.getClientExtensionResults().prf?.results?.first;
	if (!first) return undefined;
	return first instanceof ArrayBuffer ? new Uint8Array(first) : new Uint8Array(first.buffer, first.byteOffset, first.byteLength);
}

/** Turns the errors WebAuthn uses for "the person said no, or walked away" into a result. */
async function asked<T>(run: () => Promise<T>): Promise<T | { kind: 'cancelled' } | { kind: 'already-added' }> {
	try {
		return await run();
	} catch (e) {
		if (e instanceof DOMException && (e.name === 'NotAllowedError' || e.name === 'AbortError')) return { kind: 'cancelled' };
		// excludeCredentials matched: this device's passkey for Hearth is already in the record.
		if (e instanceof DOMException && e.name === 'InvalidStateError') return { kind: 'already-added' };
		throw e;
	}
}

/**
 * Asks one of the record's passkeys for its PRF output. With several, the person picks one and
 * each is asked about its own salt.
 */
export async function askPasskey(passkeys: readonly Pick<PasskeyWrapping, 'credentialId' | 'prfSalt'>[]): Promise<PasskeyResult> {
	return asked(async (): Promise<PasskeyResult> => {
		const credential = (await navigator.credentials.get({
			publicKey: {
				challenge: challenge(),
				allowCredentials: passkeys.map((p) => ({ type: 'public-key', id: buffer(fromBase64Url(p.credentialId)) })),
				userVerification: 'required',
				timeout: TIMEOUT_MS,
				extensions: { prf: { evalByCredential: Object.fromEntries(passkeys.map((p) => [p.credentialId, { first: buffer(fromBase64Url(p.prfSalt)) }])) } }
			}
		})) as PublicKeyCredential | null;
		if (!credential) return { kind: 'cancelled' };
		const prfOutput = prfFirst(credential);
		return prfOutput ? { kind: 'ok', answer: { credentialId: new Uint8Array(credential.rawId), prfOutput } } : { kind: 'no-prf' };
	});
}

/**
 * Makes a new passkey for Hearth on this device and gets its PRF output for `prfSalt`. Some
 * authenticators give it while the passkey is made; others only when it is first used, so
 * then it is used once straight away. No PRF output at all: this device cannot do it, and
 * the unused passkey is reported as unknown so the device can tidy it away.
 */
export async function createPasskey(prfSalt: Uint8Array, existing: readonly string[], name: string, signal?: AbortSignal): Promise<PasskeyResult> {
	const made = await asked(async () => {
		const credential = (await navigator.credentials.create({
			signal,
			publicKey: {
				rp: { name: words.layout.brand },
				// Not a person's account: a random handle, named so the device's passkey list makes sense.
				user: { id: challenge().slice(0, 16), name, displayName: name },
				challenge: challenge(),
				pubKeyCredParams: [
					{ type: 'public-key', alg: -7 },
					{ type: 'public-key', alg: -8 },
					{ type: 'public-key', alg: -257 }
				],
				authenticatorSelection: { authenticatorAttachment: 'platform', residentKey: 'preferred', userVerification: 'required' },
				excludeCredentials: existing.map((id) => ({ type: 'public-key', id: buffer(fromBase64Url(id)) })),
				timeout: TIMEOUT_MS,
				extensions: { prf: { eval: { first: buffer(prfSalt) } } }
			}
		})) as PublicKeyCredential | null;
		return credential ?? { kind: 'cancelled' as const };
	});
	if (!(made instanceof PublicKeyCredential)) return made;
	const credentialId = new Uint8Array(made.rawId);
	const prf = made.getClientExtensionResults().prf;
	const prfOutput = prfFirst(made);
	if (prfOutput) return { kind: 'ok', answer: { credentialId, prfOutput } };
	if (prf?.enabled) {
		const used = await askPasskey([{ credentialId: toBase64Url(credentialId), prfSalt: toBase64Url(prfSalt) }]);
		if (used.kind !== 'no-prf') return used;
	}
	await forgetPasskey(toBase64Url(credentialId));
	return { kind: 'no-prf' };
}

/** Tells the device's passkey manager Hearth no longer uses this passkey, where it listens. */
export async function forgetPasskey(credentialId: string): Promise<void> {
	const signal = (PublicKeyCredential as WithSignal).signalUnknownCredential;
	if (typeof signal !== 'function') return;
	try {
		await signal.call(PublicKeyCredential, { rpId: location.hostname, credentialId });
	} catch {
		// Only tidying: the passkey is already out of the lock record, which is what matters.
	}
}
