// The plaintext inside an entry's ciphertext: a small JSON header then Automerge bytes.
// Nothing here is visible to the relay.
import type { Interval } from './SeenCounters';

export interface ChangeHeader {
	/** Per-author counter, for replay detection. */
	c: number;
	/** The author's document heads after this batch: everything before them is now on the relay. */
	h: string[];
}

export interface SnapshotHeader {
	/** Counters of every entry the snapshot includes, so replays of them are still caught. */
	seen: Record<string, Interval[]>;
	h: string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodePayload(header: ChangeHeader | SnapshotHeader, body: Uint8Array): Uint8Array {
	const head = encoder.encode(JSON.stringify(header));
	const out = new Uint8Array(4 + head.length + body.length);
	new DataView(out.buffer).setUint32(0, head.length);
	out.set(head, 4);
	out.set(body, 4 + head.length);
	return out;
}

export function decodePayload(bytes: Uint8Array): { header: unknown; body: Uint8Array } | undefined {
	if (bytes.length < 4) return undefined;
	const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
	if (4 + length > bytes.length) return undefined;
	try {
		const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length)));
		return { header, body: bytes.subarray(4 + length) };
	} catch {
		return undefined;
	}
}

function isHeads(v: unknown): v is string[] {
	return Array.isArray(v) && v.length <= 1024 && v.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h));
}

export function isChangeHeader(v: unknown): v is ChangeHeader {
	const o = v as ChangeHeader;
	return typeof o === 'object' && o !== null && Number.isSafeInteger(o.c) && o.c >= 0 && isHeads(o.h);
}

export function isSnapshotHeader(v: unknown): v is SnapshotHeader {
	const o = v as SnapshotHeader;
	if (typeof o !== 'object' || o === null || !isHeads(o.h) || typeof o.seen !== 'object' || o.seen === null) return false;
	return Object.values(o.seen).every(
		(list) => Array.isArray(list) && list.every((i) => Array.isArray(i) && i.length === 2 && i.every(Number.isSafeInteger))
	);
}
