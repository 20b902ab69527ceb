// A Team's chat, in the whole-team circle. Messages are kept in a map by random id, so two
// people posting offline never collide, and nothing is ever rewritten in place: an edit
// appends a new version (the author's earlier words stay on record, as in the logbooks) and
// a delete sets a tombstone that selectors honour. Automerge keeps history either way, so
// hiding a deleted message's text is the honest promise, not erasing it.
import { ImmutableString, isImmutableString } from '@automerge/automerge';
import type { IsoMonth } from './calendar';
import type { PersonKey } from './ids';

export type ChatMessageId = string & { readonly __brand: 'ChatMessageId' };

export type ChatVersion = { text: string; at: number };

export type ChatMessage = {
	id: ChatMessageId;
	author: PersonKey;
	/** When it was first posted (the author's device clock). */
	at: number;
	/** Append-only: the first is the original, the last is what people see. */
	versions: ChatVersion[];
	/** When the author deleted it; null while it stands. */
	deletedAt: number | null;
};

export type TeamChat = {
	kind: 'team-chat';
	/** The Team this chat belongs to (its random space id). */
	team: string;
	messages: Record<string, ChatMessage>;
	createdAt: number;
	/**
	 * The month of the messages this document holds (by when they were posted): each month has
	 * its own, so opening the team loads this month's chat, not years of it. A chat without a
	 * period (from before) holds any month.
	 */
	period?: IsoMonth;
};

export const MESSAGE_MAX = 4000;

export function newTeamChat(team: string, now = Date.now(), period?: IsoMonth): TeamChat {
	const chat: TeamChat = { kind: 'team-chat', team, messages: {}, createdAt: now };
	if (period) chat.period = period;
	return chat;
}

export function isTeamChat(doc: unknown): doc is TeamChat {
	const d = doc as TeamChat;
	return typeof d === 'object' && d !== null && d.kind === 'team-chat' && typeof d.team === 'string' && typeof d.messages === 'object' && d.messages !== null;
}

function cleanMessage(text: string): string {
	return text.trim().slice(0, MESSAGE_MAX);
}

// ── changes (call inside handle.change) ─────────────────────────────────────────────────

// Messages are never edited in place (an edit adds a version), so their strings are stored as
// immutable strings: Automerge keeps ordinary strings as editable text at one operation per
// character, which made a month of messages slow to load. `plain` reads either kind.
const fixed = <T extends string>(s: T) => new ImmutableString(s) as unknown as T;

function plain(m: ChatMessage): ChatMessage {
	const str = <T>(v: T) => (isImmutableString(v) ? (v.val as unknown as T) : v);
	return { id: str(m.id), author: str(m.author), at: m.at, versions: m.versions.map((v) => ({ text: str(v.text), at: v.at })), deletedAt: m.deletedAt };
}

export function postMessage(doc: TeamChat, id: ChatMessageId, author: PersonKey, text: string, now = Date.now()): void {
	const clean = cleanMessage(text);
	if (!clean || doc.messages[id]) return;
	doc.messages[id] = { id: fixed(id), author: fixed(author), at: now, versions: [{ text: fixed(clean), at: now }], deletedAt: null };
}

/** Only the author edits, and only a message that still stands; an unchanged text adds nothing. */
export function editMessage(doc: TeamChat, id: ChatMessageId, by: PersonKey, text: string, now = Date.now()): void {
	const m = doc.messages[id];
	const clean = cleanMessage(text);
	if (!m || String(m.author) !== by || m.deletedAt !== null || !clean) return;
	if (String(m.versions[m.versions.length - 1]?.text) === clean) return;
	m.versions.push({ text: fixed(clean), at: now });
}

export function deleteMessage(doc: TeamChat, id: ChatMessageId, by: PersonKey, now = Date.now()): void {
	const m = doc.messages[id];
	if (!m || String(m.author) !== by || m.deletedAt !== null) return;
	m.deletedAt = now;
}

// ── selectors (read-only) ────────────────────────────────────────────────────────────────

export type ChatMessageView = {
	id: ChatMessageId;
	author: PersonKey;
	at: number;
	/** The latest version; empty for a deleted message. */
	text: string;
	edited: boolean;
	editedAt: number | null;
	deleted: boolean;
};

function view(m: ChatMessage): ChatMessageView {
	const latest = m.versions[m.versions.length - 1];
	const deleted = m.deletedAt !== null;
	return {
		id: m.id,
		author: m.author,
		at: m.at,
		text: deleted ? '' : (latest?.text ?? ''),
		edited: m.versions.length > 1,
		editedAt: m.versions.length > 1 ? (latest?.at ?? null) : null,
		deleted
	};
}

/** One chat document or several (the months being shown). */
type ChatSource = TeamChat | readonly TeamChat[];

function allMessages(source: ChatSource): ChatMessage[] {
	const docs: readonly TeamChat[] = Array.isArray(source) ? source : [source as TeamChat];
	const out = new Map<string, ChatMessage>();
	for (const doc of docs) for (const raw of Object.values(doc.messages)) { const m = plain(raw); if (!out.has(m.id)) out.set(m.id, m); }
	return [...out.values()];
}

/** All messages in the order people see them: by time posted, ties broken by id (same on every device). */
export function chatMessages(doc: ChatSource): ChatMessageView[] {
	return allMessages(doc)
		.map(view)
		.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The newest `n` messages, oldest of them first. Deleted ones stay as "message deleted" markers. */
export function lastMessages(doc: ChatSource, n: number): ChatMessageView[] {
	if (n <= 0) return [];
	return chatMessages(doc).slice(-n);
}

/** Messages by others posted after `since` that still stand (my own are never unread). */
export function unreadCount(doc: ChatSource, since: number, me: PersonKey): number {
	let count = 0;
	for (const m of allMessages(doc)) if (m.at > since && m.author !== me && m.deletedAt === null) count++;
	return count;
}

/** Every version of a message, for "see edits"; none once deleted. */
export function messageHistory(doc: ChatSource, id: ChatMessageId): ChatVersion[] {
	const m = allMessages(doc).find((x) => x.id === id);
	if (!m || m.deletedAt !== null) return [];
	return m.versions.map((v) => ({ text: v.text, at: v.at }));
}
