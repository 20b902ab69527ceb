// Ids and results shared by the Team, Rota, Visit notes and Money documents. The model folder
// holds no keys, so a person's key is restated here with the same brand as
// `$lib/keys/identity` (the two types are interchangeable): it is their public identity key,
// never a name.

/** A person's identity public key (base64url). Same brand as `$lib/keys/identity`. */
export type PersonKey = string & { readonly __brand: 'PersonKey' };

/**
 * What a change that may be refused returns. Changes never throw for a person's ordinary
 * mistake (accepting a hat nominated to someone else, taking a full shift): they return a
 * plain-English reason the app can show as it is, and leave the document untouched.
 */
export type Result = { ok: true } | { ok: false; error: string };

export const OK: Result = Object.freeze({ ok: true }) as Result;

export function refuse(error: string): Result {
	return { ok: false, error };
}

/**
 * A random id for an entry in a concurrently edited map (hats, check-ins, swaps, comments).
 * Random, so two devices adding entries offline never pick the same key and both survive the
 * merge; it says nothing about the entry's content.
 */
export function randomId(): string {
	const bytes = new Uint8Array(12);
	globalThis.crypto.getRandomValues(bytes);
	let out = '';
	for (const b of bytes) out += b.toString(16).padStart(2, '0');
	return out;
}

/** Ids are used inside composite keys (`${visitId}:${date}`), so they must not contain separators. */
export function isPlainId(id: string): boolean {
	return /^[A-Za-z0-9_-]{1,64}$/.test(id);
}
