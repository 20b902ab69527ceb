// Who wrote what, in documents everyone in a circle may write. Bea and Cat both work for
// Olive's team; Cat's device can write every field of the shared documents, so the records
// people rely on are signed by their author's device, and a change by anyone else shows.
import { beforeAll, describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import { cryptoReady } from '$lib/crypto';
import { createDevice, deviceKey, type DeviceSecrets } from '$lib/keys/device';
import type { IsoDate, TimeOfDay } from '$lib/model/calendar';
import type { PersonKey } from '$lib/model/ids';
import type { DeviceCheck } from '$lib/model/mar';
import { signFields } from '$lib/model/authorship';
import { addVisit, doneAuthorship, markDone, newRota, occurrence, readMark, visitKey, type Rota } from '$lib/model/rota';
import { callOutAuthorship, expressInterest, invitationAuthorship, newCallOut, recordTrialInvitation, type CallOut, type CallOutInput } from '$lib/model/callOut';
import {
	addProposal, chooseLead, closeProposalObjection, decisionAuthorship, decisionsRegister, markDecided, newLogbook, notifyCommunity, openDecision,
	openFinalInput, respondToProposal, reviewDecision, writeDraft, type Logbook
} from '$lib/model/logbook';
import { objectionAuthorship } from '$lib/model/consent';
import { newMoney, rateAuthorship, rateOn, setRate, type Money } from '$lib/model/money';
import { setText } from '$lib/model/text';
import { addNote, editNote, newVisitNotes, noteAuthorship, notesForVisit, setActivity, type VisitNotes } from '$lib/model/visitNotes';
import { act } from './changes';

const olive = 'olive-key' as PersonKey;
const bea = 'bea-key' as PersonKey;
const cat = 'cat-key' as PersonKey;
const mon = visitKey('morning', '2025-03-03' as IsoDate);

let olivePhone: DeviceSecrets;
let beaPhone: DeviceSecrets;
let catPhone: DeviceSecrets;
/** Whose each device is, as the space's membership log says. */
let isAuthorDevice: DeviceCheck;

beforeAll(async () => {
	await cryptoReady();
	olivePhone = createDevice(0);
	beaPhone = createDevice(0);
	catPhone = createDevice(0);
	const owners = new Map<string, PersonKey>([[deviceKey(olivePhone), olive], [deviceKey(beaPhone), bea], [deviceKey(catPhone), cat]]);
	isAuthorDevice = (device, author) => owners.get(device) === author;
});

describe('visit notes', () => {
	function beasNote(): A.Doc<VisitNotes> {
		const doc = A.from<VisitNotes>(newVisitNotes(olive));
		return act(doc, (n) => addNote(n, bea, 'n1', mon, 'Porridge, then a walk to the shop.', ['meal', 'outing'], 10, beaPhone));
	}
	const status = (doc: VisitNotes) => noteAuthorship(notesForVisit(doc, mon)[0], isAuthorDevice);

	it('a note Bea wrote, and edited herself, shows as hers', () => {
		let doc = beasNote();
		expect(status(doc)).toBe('signed');
		doc = act(doc, (n) => editNote(n, bea, 'n1', 'Porridge, then a long walk to the shop.', ['meal', 'outing', 'shopping'], beaPhone));
		doc = act(doc, (n) => setActivity(n, bea, 'n1', 'exercise', true, beaPhone));
		expect(status(doc)).toBe('signed');
	});

	it('Cat rewriting the words of Bea’s note shows it as altered', () => {
		const doc = A.change(beasNote(), (n) => setText(n, ['notes', 'n1', 'text'], 'Olive refused her walk.'));
		expect(notesForVisit(doc, mon)[0].text).toBe('Olive refused her walk.');
		expect(status(doc)).toBe('altered');
	});

	it('Cat ticking an icon on Bea’s note, or moving it to another visit, shows it as altered', () => {
		const ticked = A.change(beasNote(), (n) => { n.notes.n1.activities.medication = true; });
		expect(status(ticked)).toBe('altered');
		const moved = A.change(beasNote(), (n) => { n.notes.n1.createdAt = 99; });
		expect(status(moved)).toBe('altered');
	});

	it('Cat signing her rewrite of Bea’s note with her own device still shows it as altered', () => {
		const doc = A.change(beasNote(), (n) => {
			setText(n, ['notes', 'n1', 'text'], 'Olive refused her walk.');
			const v = notesForVisit(n, mon)[0];
			n.notes.n1.signed = signFields(catPhone, 'hearth/visit-note/v1', [v.id, v.visit, v.author, v.createdAt, v.text, ...v.activities]);
		});
		expect(status(doc)).toBe('altered');
	});

	it('a note Cat writes in Bea’s name shows as altered', () => {
		const doc = act(A.from<VisitNotes>(newVisitNotes(olive)), (n) => addNote(n, bea, 'fake', mon, 'Bea was late.', [], 10, catPhone));
		expect(status(doc)).toBe('altered');
	});

	it('a note from before notes were signed still reads, shown as unsigned rather than altered', () => {
		const old = A.from<VisitNotes>({
			kind: 'visit-notes',
			owner: olive,
			notes: { old1: { visit: mon, author: bea, createdAt: 5, text: 'Morning: a walk to the park.', activities: { outing: true }, ownerComments: {} } }
		});
		expect(notesForVisit(old, mon).map((n) => n.text)).toEqual(['Morning: a walk to the park.']);
		expect(status(old)).toBe('unsigned');
		// A stored signature of the wrong shape is not "unsigned": someone put it there.
		const broken = A.change(old, (n) => { (n.notes.old1 as { signed?: unknown }).signed = 'x'; });
		expect(status(broken)).toBe('altered');
	});
});

describe('visits marked done, and the hours pay is worked out from', () => {
	const visitDay = '2025-03-03' as IsoDate;
	const key = visitKey('morning', visitDay);
	function doneByBea(): A.Doc<Rota> {
		let rota = A.from<Rota>(newRota());
		rota = act(rota, (r) => addVisit(r, olive, 'morning', { title: 'Morning', when: { repeat: 'once', date: visitDay }, start: '08:00' as TimeOfDay, end: '09:00' as TimeOfDay, places: 1, regulars: [bea] }));
		return act(rota, (r) => markDone(r, bea, key, 50, beaPhone));
	}

	it('Bea marking her visit done shows as hers', () => {
		expect(doneAuthorship(doneByBea(), key, isAuthorDevice)).toBe('signed');
	});

	it('Cat rewriting the mark as someone else’s, or stretching the visit’s hours after it was done, shows as altered', () => {
		const renamed = A.change(doneByBea(), (r) => {
			const { signed } = readMark(r.done[key]);
			r.done[key] = new A.ImmutableString(`50|${cat}|${signed!.device}|${signed!.sig}`);
		});
		expect(doneAuthorship(renamed, key, isAuthorDevice)).toBe('altered');
		const longer = A.change(doneByBea(), (r) => { r.visits.morning.end = '13:00' as never; });
		expect(doneAuthorship(longer, key, isAuthorDevice)).toBe('altered');
		// Cat marking it done in Bea's name, with her own device.
		let rota = A.change(doneByBea(), (r) => { delete r.done[key]; });
		rota = act(rota, (r) => markDone(r, bea, key, 60, catPhone));
		expect(doneAuthorship(rota, key, isAuthorDevice)).toBe('altered');
	});

	it('a visit marked done before marks were signed still counts, shown as unsigned', () => {
		const rota = A.change(doneByBea(), (r) => { r.done[key] = new A.ImmutableString(`50|${bea}`); });
		expect(occurrence(rota, key)?.done).toBe(true);
		expect(readMark(rota.done[key])).toEqual({ at: 50, by: bea });
		expect(doneAuthorship(rota, key, isAuthorDevice)).toBe('unsigned');
	});
});

describe('agreed rates', () => {
	const from = '2025-03-01' as IsoDate;
	const setByOlive = () => act(A.from<Money>(newMoney()), (m) => setRate(m, olive, bea, from, 1500, 5, olivePhone));
	const key = `${bea}~${from}`;

	it('a rate Olive set, and one she changes herself, show as hers', () => {
		let money = setByOlive();
		expect(rateAuthorship(money, key, isAuthorDevice)).toBe('signed');
		money = act(money, (m) => setRate(m, olive, bea, from, 1600, 6, olivePhone));
		expect(rateAuthorship(money, key, isAuthorDevice)).toBe('signed');
	});

	it('Cat raising Bea’s rate in the document, or setting one in Olive’s name, shows as altered', () => {
		const raised = A.change(setByOlive(), (m) => { m.rates[key].pencePerHour = 9000; });
		expect(rateOn(raised, bea, from)).toBe(9000);
		expect(rateAuthorship(raised, key, isAuthorDevice)).toBe('altered');
		const forged = act(setByOlive(), (m) => setRate(m, olive, bea, from, 9000, 7, catPhone));
		expect(rateAuthorship(forged, key, isAuthorDevice)).toBe('altered');
	});

	it('a rate set before rates were signed is still used, shown as unsigned', () => {
		const old = A.from<Money>({ kind: 'money', commonsPercent: 25, rates: { [key]: { worker: bea, from, pencePerHour: 1400, setBy: olive, setAt: 1 } } });
		expect(rateOn(old, bea, from)).toBe(1400);
		expect(rateAuthorship(old, key, isAuthorDevice)).toBe('unsigned');
	});
});

describe('trial invitations on a call-out', () => {
	// Olive posts a call-out in the Local Circle; Bea answers; Olive invites her to a trial.
	const input: CallOutInput = {
		title: 'Tuesday mornings', about: '', skills: [], supportKinds: [], surroundings: [], slots: ['2-morning'], timesNote: '',
		area: 'Hebden Bridge', location: null, budgetPence: null, languages: [], driverWanted: false,
		home: { pets: false, heavyLifting: false, smoking: false, overnight: false }, qualities: '', relationship: 'regular'
	};
	function invited(): A.Doc<CallOut> {
		const made = newCallOut(input, olive, 'Olive', 'olives-team', 1, olivePhone);
		if (!made.ok) throw new Error(made.error);
		let c = A.from<CallOut>(made.callOut);
		c = act(c, (d) => expressInterest(d, bea, { name: 'Bea', note: '', profileDoc: null }, 2));
		return act(c, (d) => recordTrialInvitation(d, olive, bea, { inviteId: 'inv-1', at: 3, sealed: { [deviceKey(beaPhone)]: 'link-to-olives-team' } }, olivePhone));
	}

	it('the invitation Olive made shows as hers', () => {
		const c = invited();
		expect(callOutAuthorship(c, isAuthorDevice)).toBe('signed');
		expect(invitationAuthorship(c, bea, isAuthorDevice)).toBe('signed');
	});

	it('Cat swapping the sealed link for one to another space, even re-signed with her own device, shows as altered', () => {
		const swapped = A.change(invited(), (d) => { d.invitations[bea].sealed[deviceKey(beaPhone)] = 'link-to-cats-space'; });
		expect(invitationAuthorship(swapped, bea, isAuthorDevice)).toBe('altered');
		const resigned = A.change(swapped, (d) => {
			const { signed, ...rest } = d.invitations[bea];
			void signed;
			d.invitations[bea].signed = signFields(catPhone, 'hearth/trial-invitation/v1', [d.team, d.postedBy, d.postedAt, bea, rest.inviteId, rest.by, rest.at, 1, deviceKey(beaPhone), 'link-to-cats-space']);
		});
		expect(invitationAuthorship(resigned, bea, isAuthorDevice)).toBe('altered');
		// Pointing the whole call-out at another team breaks the poster's signature on it.
		const moved = A.change(invited(), (d) => { d.team = 'cats-space'; });
		expect(callOutAuthorship(moved, isAuthorDevice)).toBe('altered');
		expect(invitationAuthorship(moved, bea, isAuthorDevice)).toBe('altered');
	});

	it('Cat taking the call-out over as its poster, and inviting Bea herself, shows as altered', () => {
		const taken = A.change(invited(), (d) => {
			d.postedBy = cat;
			delete d.invitations[bea];
		});
		const c = act(taken, (d) => recordTrialInvitation(d, cat, bea, { inviteId: 'inv-2', at: 4, sealed: { [deviceKey(beaPhone)]: 'link-to-cats-space' } }, catPhone));
		expect(callOutAuthorship(c, isAuthorDevice)).toBe('altered');
		expect(invitationAuthorship(c, bea, isAuthorDevice)).toBe('altered');
	});

	it('a call-out and invitation from before they were signed still read, shown as unsigned', () => {
		const made = newCallOut(input, olive, 'Olive', 'olives-team', 1);
		if (!made.ok) throw new Error(made.error);
		let c = act(A.from<CallOut>(made.callOut), (d) => expressInterest(d, bea, { name: 'Bea', note: '', profileDoc: null }, 2));
		c = act(c, (d) => recordTrialInvitation(d, olive, bea, { inviteId: 'inv-1', at: 3, sealed: { [deviceKey(beaPhone)]: 'link' } }));
		expect(callOutAuthorship(c, isAuthorDevice)).toBe('unsigned');
		expect(invitationAuthorship(c, bea, isAuthorDevice)).toBe('unsigned');
		expect(c.invitations[bea].sealed[deviceKey(beaPhone)]).toBe('link');
	});
});

describe('decisions and objections in a circle’s logbook', () => {
	// Olive leads a proposal to a decision; Bea objects; the circle decides once she is satisfied.
	function toDecision(): A.Doc<Logbook> {
		let book = A.from<Logbook>(newLogbook(0));
		book = act(book, (b) => addProposal(b, 'p1', olive, 'Tea rota', 'Who brings tea?', 1));
		book = act(book, (b) => chooseLead(b, 'p1', olive, olive, 2));
		book = act(book, (b) => notifyCommunity(b, 'p1', olive, '2025-04-01' as IsoDate, 3));
		book = act(book, (b) => writeDraft(b, 'p1', olive, 1, 'Everyone takes a week in turn.', 4));
		book = act(book, (b) => openFinalInput(b, 'p1', olive, 5));
		return act(book, (b) => openDecision(b, 'p1', olive, 6));
	}
	const objected = () => act(toDecision(), (b) => respondToProposal(b, 'p1', bea, 'object', 'I can’t do Mondays.', 'o1', 7, beaPhone));
	const round = (b: Logbook) => b.proposals.p1.round;
	function decided(): A.Doc<Logbook> {
		let book = act(objected(), (b) => closeProposalObjection(b, 'p1', 'o1', bea, 'resolved', 'Swaps are fine.', 8, beaPhone));
		book = act(book, (b) => respondToProposal(b, 'p1', olive, 'consent', '', 'x', 9, olivePhone));
		return act(book, (b) => markDecided(b, 'p1', olive, { text: 'A weekly tea rota, swaps allowed.', term: 'a year', reviewDate: '2026-01-01' as IsoDate, measure: 'Tea every week' }, 10, olivePhone));
	}

	it('Bea’s objection, raised and resolved by her, and Olive’s decision and its review, show as theirs', () => {
		expect(objectionAuthorship(round(objected()), 'o1', 'p1', isAuthorDevice)).toBe('signed');
		let book = decided();
		expect(objectionAuthorship(round(book), 'o1', 'p1', isAuthorDevice)).toBe('signed');
		expect(decisionAuthorship(book, 'p1', isAuthorDevice)).toBe('signed');
		book = act(book, (b) => reviewDecision(b, 'p1', 'r1', bea, 'Working well.', '2027-01-01' as IsoDate, 11, beaPhone));
		expect(decisionAuthorship(book, 'p1', isAuthorDevice)).toBe('signed');
	});

	it('Cat talking Bea’s objection away, or rewording it, shows as altered', () => {
		const talkedAway = A.change(objected(), (b) => {
			const o = b.proposals.p1.round.objections.o1;
			o.status = 'withdrawn';
			o.closedAt = 8;
			o.closingNote = 'Never mind.';
		});
		expect(objectionAuthorship(round(talkedAway), 'o1', 'p1', isAuthorDevice)).toBe('altered');
		// Closing it "as Bea" with Cat's own device is no better.
		const closedAsBea = act(objected(), (b) => closeProposalObjection(b, 'p1', 'o1', bea, 'withdrawn', 'Never mind.', 8, catPhone));
		expect(objectionAuthorship(round(closedAsBea), 'o1', 'p1', isAuthorDevice)).toBe('altered');
		const reworded = A.change(objected(), (b) => { b.proposals.p1.round.objections.o1.reason = 'Fine by me.'; });
		expect(objectionAuthorship(round(reworded), 'o1', 'p1', isAuthorDevice)).toBe('altered');
		// An objection Cat writes in Bea's name.
		const forged = act(toDecision(), (b) => respondToProposal(b, 'p1', bea, 'object', 'I object to tea.', 'o2', 7, catPhone));
		expect(objectionAuthorship(round(forged), 'o2', 'p1', isAuthorDevice)).toBe('altered');
	});

	it('Cat rewording the decision, or pushing its review date back, shows as altered', () => {
		const reworded = A.change(decided(), (b) => { b.proposals.p1.decision!.text = 'Cat never brings tea.'; });
		expect(decisionAuthorship(reworded, 'p1', isAuthorDevice)).toBe('altered');
		const postponed = A.change(decided(), (b) => { b.proposals.p1.decision!.reviewDate = '2035-01-01' as IsoDate; });
		expect(decisionAuthorship(postponed, 'p1', isAuthorDevice)).toBe('altered');
		const fakeReview = act(decided(), (b) => reviewDecision(b, 'p1', 'r1', bea, 'Retire it.', null, 11, catPhone));
		expect(decisionAuthorship(fakeReview, 'p1', isAuthorDevice)).toBe('altered');
	});

	it('decisions and objections from before they were signed still read, shown as unsigned', () => {
		let book = act(toDecision(), (b) => respondToProposal(b, 'p1', bea, 'object', 'I can’t do Mondays.', 'o1', 7));
		book = act(book, (b) => closeProposalObjection(b, 'p1', 'o1', bea, 'resolved', 'Swaps are fine.', 8));
		book = act(book, (b) => markDecided(b, 'p1', olive, { text: 'A weekly tea rota.', term: 'a year', reviewDate: '2026-01-01' as IsoDate, measure: 'Tea' }, 10));
		book = act(book, (b) => reviewDecision(b, 'p1', 'r1', bea, 'Fine.', '2027-01-01' as IsoDate, 11));
		expect(decisionsRegister(book).map((d) => d.text)).toEqual(['A weekly tea rota.']);
		expect(objectionAuthorship(round(book), 'o1', 'p1', isAuthorDevice)).toBe('unsigned');
		expect(decisionAuthorship(book, 'p1', isAuthorDevice)).toBe('unsigned');
	});
});
