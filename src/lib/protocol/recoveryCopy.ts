// A recovery copy: the op a recovery kit's log holds, a person's identity and keys sealed with
// the kit's key (see `$lib/keys/deviceLink`). Its body is exactly `{"backup":"…"}` (the sealed
// bundle as a string), signed by the kit's own key. The relay keeps only the newest copy in a
// log made of nothing but one key's copies: each is a full bundle, so older ones are only a
// growing pile of every key this person ever held.

/** How every recovery copy's body starts (`JSON.stringify({ backup })`): stores match on it. */
export const RECOVERY_COPY_PREFIX = '{"backup":"';

/** Whether a log op's body is a recovery copy: one key, `backup`, holding a string. */
export function isRecoveryCopyBody(body: string): boolean {
	if (!body.startsWith(RECOVERY_COPY_PREFIX)) return false;
	try {
		const value: unknown = JSON.parse(body);
		return typeof value === 'object' && value !== null && Object.keys(value).length === 1 && typeof (value as { backup?: unknown }).backup === 'string';
	} catch {
		return false;
	}
}
