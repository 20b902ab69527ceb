// Replaying a membership log re-checks every signature each time it grows. Remember which
// (signature, key, message) triples already verified so only new operations cost anything.
// The message is compared byte for byte, so a valid signature cannot be reused on other bytes.
import { verify } from '$lib/crypto';
import { equalBytes, toBase64Url } from '$lib/protocol';

export class CachedVerifier {
	readonly #ok = new Map<string, Uint8Array>();
	readonly #limit: number;

	constructor(limit = 100_000) {
		this.#limit = limit;
	}

	verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
		const id = toBase64Url(signature) + toBase64Url(publicKey);
		const known = this.#ok.get(id);
		if (known && equalBytes(known, message)) return true;
		const ok = verify(signature, message, publicKey);
		if (ok) {
			if (this.#ok.size >= this.#limit) this.#ok.delete(this.#ok.keys().next().value!);
			this.#ok.set(id, message.slice());
		}
		return ok;
	};
}
