// Ed25519 verification with Node's native crypto. The relay checks signatures but holds no
// key and never imports libsodium (only the app's crypto module does); libsodium's stricter
// rules come first (sodiumRules), so the relay and the devices accept the same signatures.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { refusedBySodium } from './sodiumRules';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export class Ed25519Verifier {
	// Parsing a key costs more than verifying with it, and a document's few writers sign often.
	readonly #cache = new Map<string, KeyObject>();
	readonly #limit: number;

	constructor(cacheLimit = 50_000) {
		this.#limit = cacheLimit;
	}

	verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
		if (refusedBySodium(signature, publicKey)) return false;
		try {
			return verify(null, message, this.#key(publicKey), signature);
		} catch {
			return false;
		}
	};

	#key(publicKey: Uint8Array): KeyObject {
		const id = Buffer.from(publicKey).toString('base64');
		let key = this.#cache.get(id);
		if (!key) {
			key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
			if (this.#cache.size >= this.#limit) this.#cache.delete(this.#cache.keys().next().value!);
			this.#cache.set(id, key);
		}
		return key;
	}
}
