// Sharing with a wider circle copies only what was chosen, and a personal logbook is written
// only by its owner.
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import type { IsoDate } from '$lib/model/calendar';
import type { PersonKey } from '$lib/model/ids';
import { newCircle } from '$lib/model/circle';
import { addMeeting, addProposal, chooseLead, editMinutes, markDecided, newLogbook, notifyCommunity, openDecision, openFinalInput, respondToProposal, writeDraft, type Logbook } from '$lib/model/logbook';
import { addPersonalEntry, editPersonalEntry, newPersonalLogbook, personalEntries, publication, type PersonalLogbook } from '$lib/model/circleSpace';
import { act, refused } from './changes';

const ana = 'ana-key' as PersonKey;
const ben = 'ben-key' as PersonKey;
const d = (s: string) => s as IsoDate;

function bookWithDecision(): Logbook {
	let book = A.from<Logbook>(newLogbook(0));
	book = act(book, (b) => addMeeting(b, 'm1', ana, 'March', d('2026-03-03'), 1));
	book = act(book, (b) => editMinutes(b, 'm1', '## March\n- Budget agreed'));
	book = act(book, (b) => addProposal(b, 'p1', ana, 'Budget', 'x', 1));
	book = act(book, (b) => addProposal(b, 'p2', ana, 'Private matter', 'y', 1));
	book = act(book, (b) => chooseLead(b, 'p1', ana, ana, 2));
	book = act(book, (b) => notifyCommunity(b, 'p1', ana, d('2026-03-10'), 3));
	book = act(book, (b) => writeDraft(b, 'p1', ana, 1, 'Spend £500 on room hire', 4));
	book = act(book, (b) => openFinalInput(b, 'p1', ana, 5));
	book = act(book, (b) => openDecision(b, 'p1', ana, 6));
	book = act(book, (b) => respondToProposal(b, 'p1', ben, 'consent', '', 'o', 7));
	book = act(book, (b) => markDecided(b, 'p1', ana, { text: 'Spend £500 on room hire', term: 'This year', reviewDate: d('2027-01-01'), measure: 'Room booked monthly' }, 8));
	return JSON.parse(JSON.stringify(book)) as Logbook;
}

describe('sharing with a wider circle', () => {
	it('copies only the chosen minutes and decisions, and needs a wider circle and a choice', () => {
		const circle = newCircle('North', ana, 'Ana', { parent: { spaceId: 'parent-space', name: 'Members’ Circle' } }, 0);
		const book = bookWithDecision();
		const onlyDecision = publication(circle, 'north-space', book, 'm1', { minutes: false, decisions: ['p1'] }, ana, 9);
		expect(onlyDecision.ok && onlyDecision.doc).toMatchObject({ kind: 'published-minutes', fromName: 'North', minutes: '', decisions: [{ title: 'Budget', text: 'Spend £500 on room hire' }] });
		const both = publication(circle, 'north-space', book, 'm1', { minutes: true, decisions: [] }, ana, 9);
		expect(both.ok && both.doc.minutes).toBe('## March\n- Budget agreed');
		expect(JSON.stringify(both)).not.toContain('Private matter');
		expect(publication(circle, 'north-space', book, 'm1', { minutes: false, decisions: [] }, ana)).toEqual({ ok: false, error: 'Choose the minutes or at least one decision to share.' });
		expect(publication(circle, 'north-space', book, 'm1', { minutes: false, decisions: ['p2'] }, ana)).toEqual({ ok: false, error: 'Only decisions that were made can be shared.' });
		const alone = newCircle('Alone', ana, 'Ana', {}, 0);
		expect(publication(alone, 's', book, 'm1', { minutes: true, decisions: [] }, ana).ok).toBe(false);
	});
});

describe('a personal logbook', () => {
	it('is written only by its owner', () => {
		let book = A.from<PersonalLogbook>(newPersonalLogbook(ana, 0));
		book = act(book, (b) => addPersonalEntry(b, ana, 'e1', d('2026-03-03'), 1));
		book = act(book, (b) => editPersonalEntry(b, ana, 'e1', 'Felt good facilitating today'));
		expect(personalEntries(book).map((e) => e.text)).toEqual(['Felt good facilitating today']);
		expect(refused(book, (b) => editPersonalEntry(b, ben, 'e1', 'x'))).toMatch(/Only its owner/);
	});
});
