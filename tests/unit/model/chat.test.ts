import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import type { PersonKey } from '$lib/model/ids';
import {
	deleteMessage,
	editMessage,
	lastMessages,
	messageHistory,
	newTeamChat,
	postMessage,
	unreadCount,
	type ChatMessageId,
	type TeamChat
} from '$lib/model/chat';

const amy = 'amy-key' as PersonKey;
const ben = 'ben-key' as PersonKey;
const id = (s: string) => s as ChatMessageId;

function change<T>(doc: A.Doc<T>, fn: A.ChangeFn<T>): A.Doc<T> {
	return A.change(A.clone(doc), fn);
}

describe('team chat', () => {
	it('keeps both people’s messages when they post offline, in the same order everywhere', () => {
		const base = A.from<TeamChat>(newTeamChat('team-1', 0));
		const a = change(base, (d) => postMessage(d, id('m1'), amy, 'Running late, there by 9', 100));
		const b = change(base, (d) => {
			postMessage(d, id('m2'), ben, 'I can cover lunch', 100);
			postMessage(d, id('m3'), ben, '   ', 101);
		});
		const ab = A.merge(A.clone(a), b);
		const ba = A.merge(A.clone(b), a);
		expect(lastMessages(ab, 10).map((m) => m.id)).toEqual(['m1', 'm2']);
		expect(lastMessages(ba, 10)).toEqual(lastMessages(ab, 10));
	});

	it('only the author edits (a new version) or deletes (a tombstone)', () => {
		let doc = A.from<TeamChat>(newTeamChat('team-1', 0));
		doc = change(doc, (d) => postMessage(d, id('m1'), amy, 'Back at 3', 100));
		doc = change(doc, (d) => {
			editMessage(d, id('m1'), ben, 'Hijacked', 110);
			editMessage(d, id('m1'), amy, 'Back at 4', 120);
			deleteMessage(d, id('m1'), ben, 130);
		});
		expect(lastMessages(doc, 1)[0]).toEqual({ id: 'm1', author: amy, at: 100, text: 'Back at 4', edited: true, editedAt: 120, deleted: false });
		expect(messageHistory(doc, id('m1')).map((v) => v.text)).toEqual(['Back at 3', 'Back at 4']);
		doc = change(doc, (d) => deleteMessage(d, id('m1'), amy, 140));
		doc = change(doc, (d) => editMessage(d, id('m1'), amy, 'Undeleted?', 150));
		expect(lastMessages(doc, 1)[0]).toMatchObject({ text: '', deleted: true });
		expect(messageHistory(doc, id('m1'))).toEqual([]);
	});

	it('shows the last few messages and counts unread ones from others since a time', () => {
		let doc = A.from<TeamChat>(newTeamChat('team-1', 0));
		doc = change(doc, (d) => {
			for (let i = 1; i <= 5; i++) postMessage(d, id(`m${i}`), i % 2 ? amy : ben, `message ${i}`, i * 10);
			deleteMessage(d, id('m4'), ben, 60);
		});
		expect(lastMessages(doc, 2).map((m) => m.text)).toEqual(['', 'message 5']);
		expect(lastMessages(doc, 0)).toEqual([]);
		// Since 15: m2 (ben), m3 (amy), m4 (ben, deleted), m5 (amy). Amy has one unread.
		expect(unreadCount(doc, 15, amy)).toBe(1);
		expect(unreadCount(doc, 15, ben)).toBe(2);
		expect(unreadCount(doc, 50, ben)).toBe(0);
	});
});
