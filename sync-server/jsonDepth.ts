// JSON.parse on a frame like "[[[[…" tens of thousands deep takes long enough to stall the
// event loop for every other connection. No protocol message nests more than a few levels,
// so frames are checked with this cheap byte scan first and refused if they nest deeper.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** Whether the JSON text in `bytes` nests arrays and objects deeper than `limit` (strings skipped). */
export function nestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
	let depth = 0;
	let inString = false;
	for (let i = 0; i < bytes.length; i++) {
		const b = bytes[i];
		if (inString) {
			if (b === BACKSLASH) i++;
			else if (b === QUOTE) inString = false;
		} else if (b === QUOTE) inString = true;
		else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
			if (++depth > limit) return true;
		} else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) depth--;
	}
	return false;
}
