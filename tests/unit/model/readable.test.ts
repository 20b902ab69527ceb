// The readable (Markdown) copy in Your data reads as a care record: Rose's team, with Sam the
// care worker, a morning visit, his visit note under it, the doses he signed for as sentences,
// her DNR wording once even though her device holds two copies of it, and nothing a person
// can't read: no keys, no JSON, no clock numbers.
import { beforeAll, describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import { cryptoReady } from '$lib/crypto';
import { createDevice, type DeviceSecrets } from '$lib/keys/device';
import type { IsoDate, TimeOfDay } from '$lib/model/calendar';
import type { PersonKey } from '$lib/model/ids';
import { newSpace, newPrivateSpace } from '$lib/model/space';
import { addMember, addCheckIn, newTeam, nominateHat, type Team } from '$lib/model/team';
import { addVisit, markDone, newRota, takeShift, visitKey, type Rota } from '$lib/model/rota';
import { addNote, addOwnerComment, legacyNoteKey, newVisitNotes, type VisitNotes } from '$lib/model/visitNotes';
import {
	addMedicine,
	appendMarEntry,
	localDateTime,
	newMarRecord,
	readMarLog,
	signMarEntry,
	storedMarEntry,
	type MarEntryDraft,
	type MarEntryId,
	type MarRecord,
	type MedicineId
} from '$lib/model/mar';
import { newTeamChat, postMessage, type ChatMessageId, type TeamChat } from '$lib/model/chat';
import { newMoney, setRate, type Money } from '$lib/model/money';
import { attachSectionDoc, copySection, editSectionField, editSectionText, newProfileIndex, newProfileSection, shareSection, type ProfileSection } from '$lib/model/profile';
import { editTrustArea, newTrustAssessment } from '$lib/model/trustAssessment';
import { newSupportPromise } from '$lib/model/promise';
import { newCircle } from '$lib/model/circle';
import { addMeeting, addProposal, editMinutes, newLogbook } from '$lib/model/logbook';
import { newPersonalLogbook, publication } from '$lib/model/circleSpace';
import { newLocalCircle } from '$lib/model/localCircle';
import { newCallOut } from '$lib/model/callOut';
import { emptyProfileContent, newGivingProfile, newSharedCopy } from '$lib/model/givingProfile';
import { dateInWords, localInWords, momentInWords } from '$lib/model/readableFormat';
import { docTitle, readableCopy, readingContext, toMarkdown } from '$lib/model/readable';
import { words } from '$lib/words';

const rose = 'rose-person-key-AAAAAAAAAAAAAAAAAAAAAAAAAAAA' as PersonKey;
const sam = 'sam-person-key-BBBBBBBBBBBBBBBBBBBBBBBBBBBBB' as PersonKey;
const DEC_7 = '2026-12-07' as IsoDate;
/** A moment on this device's own clock (the copy shows device clock readings in local time). */
const at = (day: number, hour: number, minute = 0) => new Date(2026, 11, day, hour, minute).getTime();

let samPhone: DeviceSecrets;
beforeAll(async () => {
	await cryptoReady();
	samPhone = createDevice(0);
});

function change<T>(doc: T, fn: (d: T) => void): T {
	return A.toJS(A.change(A.from(doc as Record<string, unknown>), (d) => fn(d as T))) as T;
}

function ok(result: { ok: boolean }) {
	expect(result).toEqual({ ok: true });
}

/** Rose's team, as her device holds it. */
function rosesTeam() {
	const team = change<Team>(newTeam('Rose’s team', rose, 'Rose', at(1, 10)), (d) => {
		ok(addMember(d, sam, { name: 'Sam', kind: 'employed-worker' }, at(1, 11)));
		ok(nominateHat(d, rose, { id: 'h1', kind: 'mar-holder', nominee: sam, reviewDate: '2027-06-01' as IsoDate }, at(2, 9)));
		ok(addCheckIn(d, rose, 'c1', '2026-12-05' as IsoDate, at(5, 9)));
		d.checkIns.c1.notes = 'Sam will take the Tuesday mornings.';
	});
	const visit = visitKey('morning', DEC_7);
	const rota = change<Rota>(newRota(), (d) => {
		ok(addVisit(d, rose, 'morning', { title: 'Morning visit', when: { repeat: 'once', date: DEC_7 }, start: '09:00' as TimeOfDay, end: '10:00' as TimeOfDay, places: 1 }, at(1, 12)));
		ok(takeShift(d, visit, sam, at(2, 12)));
		ok(markDone(d, sam, visit, at(7, 10, 5)));
	});
	const notes = change<VisitNotes>(newVisitNotes(rose, '2026-12' as never), (d) => {
		ok(addNote(d, sam, 'morning-note', visit, 'Rose had porridge and her tea.\nBit breathless on the stairs.', ['meal', 'medication'], at(7, 9, 50)));
		ok(addOwnerComment(d, rose, 'morning-note', 'k1', 'Thank you, Sam.', at(7, 18)));
	});
	const medicines = change<MarRecord>(newMarRecord('mar-medicines', at(1, 10)), (d) => {
		addMedicine(d, 'para' as MedicineId, { name: 'Paracetamol', dose: '500 mg', times: ['09:00' as TimeOfDay], from: localDateTime('2026-12-01' as IsoDate, '00:00' as TimeOfDay), notes: 'With food' });
	});
	const draft = (id: string, outcome: MarEntryDraft['outcome'], time: string, extra: Partial<MarEntryDraft> = {}): MarEntryDraft => ({
		id: id as MarEntryId,
		medicine: 'para' as MedicineId,
		medicineName: 'Paracetamol',
		dose: '500 mg',
		outcome,
		reason: null,
		due: localDateTime(DEC_7, '09:00' as TimeOfDay),
		at: localDateTime(DEC_7, time as TimeOfDay),
		author: sam,
		corrects: null,
		...extra
	});
	let month: MarRecord = newMarRecord('mar-2026-12', at(1, 10), '2026-12' as never);
	for (const d of [
		draft('e1', 'given', '09:00'),
		draft('e2', 'refused', '21:05', { due: localDateTime(DEC_7, '21:00' as TimeOfDay), reason: 'Said she had a headache coming on' }),
		draft('e3', 'in-error', '21:10', { corrects: 'e2' as MarEntryId, reason: 'Wrong medicine ticked', due: localDateTime(DEC_7, '21:00' as TimeOfDay) })
	]) {
		const entry = signMarEntry(samPhone, d, month, { now: at(7, 9) });
		month = change(month, (m) => appendMarEntry(m, entry));
	}
	const chat = change<TeamChat>(newTeamChat('team-space', at(1, 10), '2026-12' as never), (d) => {
		postMessage(d, 'm1' as ChatMessageId, sam, 'Running ten minutes late, sorry!', at(7, 8, 52));
	});
	const money = change<Money>(newMoney(), (d) => ok(setRate(d, rose, sam, '2026-12-01' as IsoDate, 1250, at(1, 13))));
	const circles = ['c-whole', 'c-care', 'c-money', 'c-emergency'];
	const teamDoc = { ...team, circles: { 'c-whole': 'Whole team', 'c-care': 'Care records', 'c-money': 'Money', 'c-emergency': 'Emergency contact only' } };
	const notesDoc = { ...newPrivateSpace('Rose’s team', rose, 'Rose', circles, at(1, 10)), people: { [rose]: 'Rose', [sam]: 'Sam' } };
	const essentials = change<ProfileSection>(newProfileSection('essentials', at(3, 9)), (d) => {
		editSectionField(d, rose, 'advanceDecisions', 'Do not resuscitate: the ReSPECT form is in the blue folder.', at(3, 9));
		editSectionText(d, rose, 'Please read this first.', at(3, 9));
	});
	const copy = copySection(essentials);
	const index = change(newProfileIndex(rose, 'c-whole', { now: at(1, 10) }), (d) => {
		ok(attachSectionDoc(d, rose, 'essentials', 'ess'));
		ok(shareSection(d, rose, 'essentials', 'c-emergency', 'ess-copy'));
	});
	const trust = change(newTrustAssessment(at(1, 10)), (d) => editTrustArea(d, 'mobility', rose, 'Uses a frame on the stairs.', at(4, 10)));
	const promise = newSupportPromise('p1', 'We turn up on time and listen to Rose.', at(1, 10));
	return { team: teamDoc, rota, notes, medicines, month, chat, money, notesDoc, essentials, copy, index, trust, promise };
}

describe('dates in words', () => {
	it('says the day, the date and the time as people do', () => {
		expect(dateInWords('2026-12-07')).toBe('Monday 7 December 2026');
		expect(localInWords('2026-12-07T09:00')).toBe('Monday 7 December 2026, 09:00');
		expect(momentInWords(at(7, 9))).toBe('Monday 7 December 2026, 09:00');
		expect(dateInWords('not a date')).toBe('an unknown date');
	});
});

describe('document titles', () => {
	it('names documents by their own name, or by their kind and month or section', () => {
		expect(docTitle({ kind: 'space', title: 'Lunch club' })).toBe('Lunch club');
		expect(docTitle({ kind: 'team', name: 'Mum’s team' })).toBe('Mum’s team (care team)');
		expect(docTitle({ kind: 'mar' })).toBe('Medication record');
		expect(docTitle(newVisitNotes(rose, '2026-12' as never))).toBe('Visit notes, December 2026');
		expect(docTitle(newProfileSection('essentials', 0))).toBe('Getting Support Profile: Essentials');
		expect(docTitle({})).toBe('Document');
	});
});

describe('the readable copy of a care team', () => {
	it('reads as a care record: names, dates in words, visit notes under their visits, doses as sentences', () => {
		const t = rosesTeam();
		const all = Object.values(t);
		const md = readableCopy([{ title: 'Rose’s team', docs: all, known: all }], { madeAt: at(8, 9) });

		expect(md).toContain('# Your data from Hearth');
		expect(md).toContain('A readable copy, made on Tuesday 8 December 2026, 09:00.');
		expect(md).toContain('# Rose’s team');
		// The team.
		expect(md).toContain('Rose is the Team Owner');
		expect(md).toContain('- Sam: Care worker (employed), joined on Tuesday 1 December 2026, 11:00.');
		expect(md).toContain('- MAR Holder: offered to Sam, who has not answered yet (to review by Tuesday 1 June 2027).');
		expect(md).toContain('#### Check-in on Saturday 5 December 2026\n\n> Sam will take the Tuesday mornings.');
		// The rota.
		expect(md).toContain('**Morning visit**: on Monday 7 December 2026, 09:00 to 10:00. Needs 1 worker.');
		expect(md).toContain('- Morning visit, Monday 7 December 2026, 09:00 to 10:00. With Sam. Marked done by Sam.');
		// The visit note under its visit, with the Owner's comment.
		expect(md).toContain(
			'## Visit notes, December 2026\n\n### Morning visit, Monday 7 December 2026, 09:00 to 10:00\n\n**Sam wrote:**\n\n> Rose had porridge and her tea.\n> Bit breathless on the stairs.\n\nTicked: Meal and Medication.\n\nRose added on Monday 7 December 2026, 18:00:\n\n> Thank you, Sam.'
		);
		// The medication record.
		expect(md).toContain('- **Paracetamol 500 mg**: at 09:00 each day. From Tuesday 1 December 2026, 00:00. Notes: With food.');
		expect(md).toContain('every signature checked out');
		expect(md).toContain('#### Monday 7 December 2026\n\n- Paracetamol 500 mg: given by Sam at 09:00');
		expect(md).toContain('- Paracetamol 500 mg: refused at 21:05, recorded by Sam (the 21:00 dose). Why: Said she had a headache coming on (corrected later, see below)');
		expect(md).toContain('- Sam recorded at 21:10 that the entry for Paracetamol 500 mg at 21:05 was a mistake. Why: Wrong medicine ticked');
		// Chat, money, the profile, trust and the Promise.
		expect(md).toContain('### Monday 7 December 2026\n\n- 08:52 Sam: Running ten minutes late, sorry!');
		expect(md).toContain('- Sam: £12.50 an hour from Tuesday 1 December 2026 (set by Rose on Tuesday 1 December 2026, 13:00).');
		expect(md).toContain('- Essentials: Whole team and Emergency contact only');
		expect(md).toContain('**Advance decisions / DNR**: Do not resuscitate: the ReSPECT form is in the blue folder.');
		expect(md).toContain('### Mobility\n\n> Uses a frame on the stairs.\n\nLast changed by Rose on Friday 4 December 2026, 10:00.');
		expect(md).toContain('> We turn up on time and listen to Rose.');

		// Each section once, though the device holds the main document and a copy.
		expect(md.match(/Do not resuscitate/g)).toHaveLength(1);
		expect(md.match(/^## Getting Support Profile: Essentials$/gm)).toHaveLength(1);

		// Nothing a person can't read.
		expect(md).not.toContain(rose);
		expect(md).not.toContain(sam);
		expect(md).not.toContain(readMarLog(t.month)[0].sig);
		expect(md).not.toContain(readMarLog(t.month)[0].device);
		expect(md).not.toMatch(/\b\d{12,}\b/);
		expect(md).not.toMatch(/[{}]/);
		expect(md).not.toMatch(/"\w+":/);
		expect(md).not.toContain('morning:2026');
		expect(md).not.toContain('undefined');
	});

	it('marks a dose entry changed after it was signed, beside it', () => {
		const t = rosesTeam();
		const altered = change(t.month, (d) => {
			d.log[0] = storedMarEntry({ ...readMarLog(d)[0], dose: '1 g' });
		});
		const md = toMarkdown(altered, [t.team, altered]);
		expect(md).toContain('1 entry was changed after signing');
		expect(md).toContain('- ⚠ Changed after it was signed: Paracetamol 1 g: given by Sam at 09:00');
		expect(md).toContain('# Medication record, December 2026');
		expect(md).toContain('## Doses');
	});

	it('without the rota or the team list, still names the day and says “Someone” rather than a key', () => {
		const t = rosesTeam();
		const md = toMarkdown(t.notes, [t.notes]);
		expect(md).toContain('## A visit on Monday 7 December 2026');
		expect(md).toContain('**Someone wrote:**');
		expect(md).not.toContain(sam);
		const ctx = readingContext([t.notesDoc]);
		expect(ctx.name(sam)).toBe('Sam');
		expect(ctx.name('stranger')).toBe('Someone');
	});
});

describe('visit notes in the readable copy', () => {
	it('holds every note about a visit, from before each save was its own note and after', () => {
		const visit = visitKey('morning', DEC_7);
		let doc = A.from<VisitNotes>({
			kind: 'visit-notes',
			owner: rose,
			notes: { [legacyNoteKey(visit, sam)]: { visit, author: sam, createdAt: at(7, 9), text: 'Morning: a walk.', activities: {}, ownerComments: {} } }
		});
		doc = A.change(doc, (d) => void addNote(d, sam, 'evening', visit, 'Evening: soup.', ['meal'], at(7, 18)));
		doc = A.change(doc, (d) => void addNote(d, sam, 'late', visit, 'Late call: all well.', [], at(7, 22)));
		const md = toMarkdown(A.toJS(doc), [A.toJS(doc)]);
		for (const text of ['Morning: a walk.', 'Evening: soup.', 'Late call: all well.']) expect(md).toContain(text);
	});
});

describe('every kind of document reads as words', () => {
	it('has its own reading for each kind a team, circle or profile has, with no raw field names or clock numbers', () => {
		const t = rosesTeam();
		const circle = { ...newCircle('Calder Valley circle', rose, 'Rose', { aim: 'Support each other', parent: { spaceId: 'wider', name: 'Members’ Circle' } }, at(1, 10)) };
		const book = change(newLogbook(at(1, 10)), (d) => {
			ok(addMeeting(d, 'm1', rose, 'December meeting', DEC_7, at(1, 10)));
			ok(editMinutes(d, 'm1', '## Welcome\nWe agreed to meet monthly.'));
			ok(addProposal(d, 'p1', rose, 'Meet monthly', 'Some of us find weekly too much.', at(1, 11)));
		});
		const published = publication(circle, 'circle-space', book, 'm1', { minutes: true, decisions: [] }, rose, at(8, 10));
		if (!published.ok) throw new Error(published.error);
		const personal = { ...newPersonalLogbook(rose, at(1, 10)), goals: 'Learn to facilitate.', entries: { e1: { date: DEC_7, text: 'First go at facilitating.', at: at(7, 20) } } };
		const callOut = newCallOut(
			{
				title: 'Morning support in Hebden Bridge',
				about: 'I am Rose and I love my garden.',
				skills: ['dementia'],
				supportKinds: ['companionship'],
				surroundings: ['garden'],
				slots: ['2-morning'],
				timesNote: '',
				area: 'Hebden Bridge',
				location: { lat: 53.74, lon: -2.01 },
				budgetPence: 1500,
				languages: ['English'],
				driverWanted: true,
				home: { pets: true, heavyLifting: false, smoking: false, overnight: false },
				qualities: 'Patient and cheerful',
				relationship: 'regular'
			},
			rose,
			'Rose',
			'team-space',
			at(2, 10)
		);
		if (!callOut.ok) throw new Error(callOut.error);
		const giving = newGivingProfile(sam, 'Sam', at(1, 10));
		giving.profile = { ...emptyProfileContent('Sam'), aboutMe: 'I cared for my gran.', area: 'Todmorden', location: { lat: 53.71, lon: -2.09 }, skills: { dementia: true }, availability: { '2-morning': true }, travelMiles: 10 };
		const docs: unknown[] = [
			newSpace('Lunch club', at(1, 10)),
			t.team, t.rota, t.notes, t.medicines, t.month, t.chat, t.money, t.index, t.essentials, t.trust, t.promise,
			circle, book, published.doc, personal, newLocalCircle('Calder Valley', 'Calder Valley', at(1, 10)), callOut.callOut, giving, newSharedCopy(giving, at(1, 10))
		];
		// Every kind the readable copy names has its document here.
		expect(new Set(docs.map((d) => (d as { kind: string }).kind))).toEqual(new Set(Object.keys(words.readable.kinds)));
		for (const doc of docs) {
			const md = toMarkdown(doc, [...docs]);
				const kind = (doc as { kind: string }).kind;
			expect(md, kind).not.toMatch(/\*\*(Created at|Updated at|Kind|Id|Sig|Device|Location|Lat|Lon)\*\*/);
			expect(md, kind).not.toMatch(/\b\d{12,}\b/);
			expect(md, kind).not.toMatch(/[{}]/);
			expect(md, kind).not.toContain('undefined');
			expect(md, kind).not.toContain(rose);
			expect(md, kind).not.toContain(sam);
		}
		expect(toMarkdown(book, docs)).toContain('### December meeting, Monday 7 December 2026\n\n**Minutes**\n\n#### Welcome\nWe agreed to meet monthly.');
		expect(toMarkdown(callOut.callOut, docs)).toContain('**When**: Tuesday mornings');
		expect(toMarkdown(giving, docs)).toContain('Free on Tuesday mornings.');
		expect(toMarkdown(giving, docs)).not.toContain('53.7');
		expect(toMarkdown(circle, docs)).toContain('Part of Members’ Circle.');
	});

	it('shows a kind it does not know as labelled values, leaving nothing out', () => {
		const md = toMarkdown({ kind: 'something-new', title: 'Lunch club', notes: 'Soup.\nBread.', items: [{ text: 'Big pot', done: false }], empty: {} });
		expect(md).toContain('# Lunch club (document)');
		expect(md).toContain('- **Notes**: Soup. Bread.');
		expect(md).toContain('- **Text**: Big pot');
		expect(md).toContain('- **Done**: false');
		expect(md).toContain('- **Empty**\n  - (none)');
	});
});
