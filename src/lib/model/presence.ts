
import { words } from '$lib/words';// Who is looking at a shared text right now and where their cursor is. Sent as encrypted,
// signed, unstored ephemeral messages (SyncEngine.sendEphemeral), so the relay sees neither
// names nor positions. Positions are Automerge cursors (stable ids of characters), so a
// cursor stays on the right word while text arrives from others. Pure: encoding, checking
// what arrives, and the roster with its expiry.

/** Where someone is: which text (e.g. a meeting's minutes) and their selection as cursors. */
export type PresenceSpot = { field: string; anchor: string | null; head: string | null };

export type PresenceMessage =
	| { v: 1; type: 'here'; session: string; name: string; colour: number; spot: PresenceSpot | null }
	| { v: 1; type: 'gone'; session: string };

export type PresencePeer = {
	session: string;
	/** The device that signed the message (checked by the engine). */
	device: string;
	name: string;
	colour: number;
	spot: PresenceSpot | null;
	seenAt: number;
};

export type Roster = Record<string, PresencePeer>;

/** How many colours a cursor can have (the UI maps 0..n-1 to accessible colours). */
export const PRESENCE_COLOURS = 6;
const MAX_FIELD = 200;
const MAX_CURSOR = 200;

export function encodePresence(message: PresenceMessage): Uint8Array {
	return new TextEncoder().encode(JSON.stringify(message));
}

function isSession(s: unknown): s is string {
	return typeof s === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(s);
}

function isCursorOrNull(c: unknown): c is string | null {
	return c === null || (typeof c === 'string' && c.length <= MAX_CURSOR);
}

/** Parses what arrived; anything malformed is ignored (undefined), never trusted. */
export function decodePresence(bytes: Uint8Array): PresenceMessage | undefined {
	let m: unknown;
	try {
		m = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
	} catch {
		return undefined;
	}
	const o = m as Record<string, unknown>;
	if (typeof o !== 'object' || o === null || o.v !== 1 || !isSession(o.session)) return undefined;
	if (o.type === 'gone') return { v: 1, type: 'gone', session: o.session };
	if (o.type !== 'here' || typeof o.name !== 'string' || !Number.isInteger(o.colour)) return undefined;
	const colour = ((o.colour as number) % PRESENCE_COLOURS + PRESENCE_COLOURS) % PRESENCE_COLOURS;
	let spot: PresenceSpot | null = null;
	if (o.spot !== null) {
		const s = o.spot as Record<string, unknown>;
		if (typeof s !== 'object' || typeof s.field !== 'string' || s.field.length > MAX_FIELD) return undefined;
		if (!isCursorOrNull(s.anchor) || !isCursorOrNull(s.head)) return undefined;
		spot = { field: s.field, anchor: s.anchor, head: s.head };
	}
	const name = o.name.replace(/\s+/g, ' ').trim().slice(0, 60) || words.messages.model.common.someone;
	return { v: 1, type: 'here', session: o.session, name, colour, spot };
}

/** The roster after a message from `device`. A session is only ever changed by the device that started it. */
export function applyPresence(roster: Roster, device: string, message: PresenceMessage, now: number): Roster {
	const existing = roster[message.session];
	if (existing && existing.device !== device) return roster;
	if (message.type === 'gone') {
		if (!existing) return roster;
		const { [message.session]: _gone, ...rest } = roster;
		return rest;
	}
	return { ...roster, [message.session]: { session: message.session, device, name: message.name, colour: message.colour, spot: message.spot, seenAt: now } };
}

/** Drops everyone not heard from for `ttlMs` (a closed laptop sends no goodbye). */
export function expirePresence(roster: Roster, now: number, ttlMs: number): Roster {
	const out: Roster = {};
	let changed = false;
	for (const [session, peer] of Object.entries(roster)) {
		if (now - peer.seenAt <= ttlMs) out[session] = peer;
		else changed = true;
	}
	return changed ? out : roster;
}

/** Everyone here, in a steady order (by name, then session). */
export function peersOf(roster: Roster): PresencePeer[] {
	return Object.values(roster).sort((a, b) => a.name.localeCompare(b.name) || a.session.localeCompare(b.session));
}

/** Who is in one text. */
export function peersIn(roster: Roster, field: string): PresencePeer[] {
	return peersOf(roster).filter((p) => p.spot?.field === field);
}
