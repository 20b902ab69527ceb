// Hours and money for Olive's team: statements from the visits actually worked.
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import type { IsoDate, IsoMonth, TimeOfDay } from '$lib/model/calendar';
import type { PersonKey } from '$lib/model/ids';
import {
	csvField, formatHours, formatPounds, newMoney, ownerStatement, rateOn, roundHalfUp, setCommonsPercent, setRate,
	statementCsv, workerStatement, type Money
} from '$lib/model/money';
import { addVisit, cancelVisit, markDone, newRota, takeShift, visitKey, type Rota } from '$lib/model/rota';
import { act, refused } from './changes';

const olive = 'olive-key' as PersonKey;
const bea = 'bea-key' as PersonKey;
const cat = 'cat-key' as PersonKey;
const dev = 'dev-key' as PersonKey;
const d = (s: string) => s as IsoDate;
const t = (s: string) => s as TimeOfDay;
const march = '2025-03' as IsoMonth;
const names: Record<string, string> = { [bea]: 'Bea', [cat]: 'Cat, "the cook"', [dev]: 'Dev' };
const nameOf = (p: PersonKey) => names[p] ?? 'Someone';

/**
 * March 2025: Bea works Monday mornings (08:00–10:20, 140 minutes) and Cat took the
 * 3 March afternoon (13:00–14:10, 70 minutes). Dev (a volunteer, no rate) took the 17th's.
 */
function marchRota(): A.Doc<Rota> {
	let rota = A.from<Rota>(newRota());
	rota = act(rota, (r) =>
		addVisit(r, olive, 'am', { title: 'Morning', when: { repeat: 'weekly', weekdays: [1], from: d('2025-03-01'), until: null }, start: t('08:00'), end: t('10:20'), places: 1, regulars: [bea] })
	);
	rota = act(rota, (r) =>
		addVisit(r, olive, 'pm', { title: 'Afternoon, shopping', when: { repeat: 'weekly', weekdays: [1], from: d('2025-03-01'), until: null }, start: t('13:00'), end: t('14:10'), places: 1 })
	);
	rota = act(rota, (r) => takeShift(r, visitKey('pm', d('2025-03-03')), cat, 1));
	rota = act(rota, (r) => takeShift(r, visitKey('pm', d('2025-03-17')), dev, 1));
	// Done: Bea's 3rd, 10th and 17th (24th not yet, 31st cancelled), Cat's 3rd, Dev's 17th.
	for (const date of ['2025-03-03', '2025-03-10', '2025-03-17']) rota = act(rota, (r) => markDone(r, bea, visitKey('am', d(date)), 2));
	rota = act(rota, (r) => cancelVisit(r, olive, visitKey('am', d('2025-03-31')), 3));
	rota = act(rota, (r) => markDone(r, cat, visitKey('pm', d('2025-03-03')), 4));
	rota = act(rota, (r) => markDone(r, dev, visitKey('pm', d('2025-03-17')), 4));
	// Something in February and April, which March leaves out.
	rota = act(rota, (r) => addVisit(r, olive, 'feb', { title: 'x', when: { repeat: 'once', date: d('2025-02-28') }, start: t('09:00'), end: t('10:00'), places: 1, regulars: [bea] }));
	rota = act(rota, (r) => markDone(r, bea, visitKey('feb', d('2025-02-28')), 5));
	return rota;
}

function marchMoney(): A.Doc<Money> {
	let money = A.from<Money>(newMoney());
	money = act(money, (m) => setRate(m, olive, bea, d('2025-01-01'), 1250)); // £12.50/h
	money = act(money, (m) => setRate(m, olive, bea, d('2025-03-15'), 1333)); // from the 15th
	money = act(money, (m) => setRate(m, olive, cat, d('2025-01-01'), 1500));
	return money;
}

describe('rounding', () => {
	it('rounds half up, exactly, in integers', () => {
		expect(roundHalfUp(5, 10)).toBe(1); // 0.5 → 1
		expect(roundHalfUp(4, 10)).toBe(0);
		expect(roundHalfUp(15, 10)).toBe(2); // 1.5 → 2 (not to even)
		expect(roundHalfUp(25, 10)).toBe(3); // 2.5 → 3
		expect(roundHalfUp(0, 60)).toBe(0);
		expect(roundHalfUp(140 * 1250, 60)).toBe(2917); // 2916.67p
		expect(() => roundHalfUp(1.5, 2)).toThrow(RangeError);
		expect(() => roundHalfUp(1, 0)).toThrow(RangeError);
	});
});

describe('hours and money', () => {
	it('makes a monthly statement per worker from the visits marked done, at the rate in force each day', () => {
		const s = workerStatement(marchMoney(), marchRota(), bea, march);
		expect(s.lines.map((l) => [l.date, l.minutes, l.pencePerHour, l.gross])).toEqual([
			['2025-03-03', 140, 1250, 2917], // 140 × 1250 / 60 = 2916.67
			['2025-03-10', 140, 1250, 2917],
			['2025-03-17', 140, 1333, 3110] // 140 × 1333 / 60 = 3110.33
		]);
		expect(s).toMatchObject({ visits: 3, minutes: 420, gross: 8944, commonsPercent: 25, commons: 2236, net: 6708, unrated: [] });
		// 8944 × 25% = 2236 exactly; net + commons always equals gross.
		expect(s.net + s.commons).toBe(s.gross);
	});

	it("makes the Owner's statement: every paid worker and the total to pay", () => {
		const o = ownerStatement(marchMoney(), marchRota(), march);
		expect(o.workers.map((w) => [w.worker, w.visits, w.gross, w.commons, w.net])).toEqual([
			[bea, 3, 8944, 2236, 6708],
			[cat, 1, 1750, 438, 1312] // 70 × 1500 / 60 = 1750; 25% = 437.5 → 438
		]);
		expect(o).toMatchObject({ visits: 4, minutes: 490, totalToPay: 10694, totalCommons: 2674, totalNet: 8020 });
		// Dev worked without a rate (a volunteer): shown so the Owner knows, not paid.
		expect(o.unrated).toEqual([dev]);
	});

	it('uses the Commons Contribution the team sets', () => {
		let money = marchMoney();
		expect(refused(money, (m) => setCommonsPercent(m, 12.5))).toBe('The Commons Contribution is a whole percentage from 0 to 100.');
		expect(refused(money, (m) => setCommonsPercent(m, 101))).toMatch(/0 to 100/);
		money = act(money, (m) => setCommonsPercent(m, 10));
		expect(workerStatement(money, marchRota(), cat, march)).toMatchObject({ gross: 1750, commons: 175, net: 1575, commonsPercent: 10 });
	});

	it('takes rates as whole pence only', () => {
		const money = marchMoney();
		expect(refused(money, (m) => setRate(m, olive, dev, d('2025-03-01'), 12.5))).toMatch(/whole number of pence/);
		expect(refused(money, (m) => setRate(m, olive, dev, d('2025-03-01'), -1))).toMatch(/whole number of pence/);
		expect(refused(money, (m) => setRate(m, olive, dev, d('2025-02-30'), 1000))).toMatch(/which date/);
		expect(rateOn(money, bea, d('2024-12-31'))).toBeNull();
		expect(rateOn(money, bea, d('2025-03-14'))).toBe(1250);
		expect(rateOn(money, bea, d('2025-03-15'))).toBe(1333);
	});

	it('rates agreed on two devices offline both survive', () => {
		const base = A.from<Money>(newMoney());
		const a = act(A.clone(base), (m) => setRate(m, olive, bea, d('2025-03-01'), 1200));
		const b = act(A.clone(base), (m) => setRate(m, olive, cat, d('2025-03-01'), 1400));
		const merged = A.merge(a, b);
		expect([rateOn(merged, bea, d('2025-03-02')), rateOn(merged, cat, d('2025-03-02'))]).toEqual([1200, 1400]);
	});

	it('an empty month is an empty statement', () => {
		const s = workerStatement(marchMoney(), marchRota(), bea, '2025-05' as IsoMonth);
		expect(s).toMatchObject({ visits: 0, minutes: 0, gross: 0, commons: 0, net: 0, lines: [] });
		expect(() => workerStatement(marchMoney(), marchRota(), bea, '2025-13' as IsoMonth)).toThrow(RangeError);
	});
});

describe('CSV export', () => {
	it('escapes fields by RFC 4180 and keeps formulas out of spreadsheets', () => {
		expect(csvField('plain')).toBe('plain');
		expect(csvField('a,b')).toBe('"a,b"');
		expect(csvField('say "hi"')).toBe('"say ""hi"""');
		expect(csvField('two\nlines')).toBe('"two\nlines"');
		expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
		expect(csvField('-12.50', false)).toBe('-12.50');
		expect(csvField(42)).toBe('42');
		expect(formatPounds(8944)).toBe('89.44');
		expect(formatPounds(-5)).toBe('-0.05');
		expect(formatHours(140)).toBe('2.33');
		expect(formatHours(70)).toBe('1.17');
	});

	it('guards a formula in every column, amounts included, but keeps a plain negative amount a number', () => {
		// A spreadsheet runs a cell starting = + - @ (or a tab or carriage return) as a formula.
		// Amount columns skipped the guard by position, so anything that ever reached one as text
		// (a hostile document's value, a future column) went into the Owner's spreadsheet as is.
		for (const attack of ['=HYPERLINK("https://evil.example","Paid")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) {
			expect(csvField(attack, false).replace(/^"/, '')).toMatch(/^'/);
			expect(csvField(attack).replace(/^"/, '')).toMatch(/^'/);
		}
		// Amounts stay numbers the spreadsheet can add up, negative ones too.
		expect(csvField('-22.36', false)).toBe('-22.36');
		expect(csvField(-3)).toBe('-3');
		expect(csvField('0.05', false)).toBe('0.05');
		// In a text column, the same characters are text (a title like "-5 minutes early").
		expect(csvField('-22.36')).toBe("'-22.36");
	});

	it('starts with a UTF-8 byte order mark, so a spreadsheet reads £ and names as UTF-8', () => {
		const csv = statementCsv(ownerStatement(marchMoney(), marchRota(), march), nameOf);
		expect(csv.startsWith('\uFEFF')).toBe(true);
		const bytes = new TextEncoder().encode(csv);
		expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		expect(csv.indexOf('\uFEFF', 1)).toBe(-1);
	});

	it("exports a worker's statement with a header row and CRLF line ends", () => {
		const csv = statementCsv(workerStatement(marchMoney(), marchRota(), bea, march), nameOf);
		expect(csv.split('\r\n')).toEqual([
			'\uFEFFDate,Visit,Start,End,Minutes,Hours,Rate per hour (£),Amount (£)',
			'2025-03-03,Morning,08:00,10:20,140,2.33,12.50,29.17',
			'2025-03-10,Morning,08:00,10:20,140,2.33,12.50,29.17',
			'2025-03-17,Morning,08:00,10:20,140,2.33,13.33,31.10',
			'2025-03,Total for Bea,,,420,7.00,,89.44',
			'2025-03,Commons Contribution (25%),,,,,,-22.36',
			'2025-03,Net to worker,,,,,,67.08',
			''
		]);
		const cats = statementCsv(workerStatement(marchMoney(), marchRota(), cat, march), nameOf);
		expect(cats).toContain('2025-03-03,"Afternoon, shopping",13:00,14:10,70,1.17,15.00,17.50\r\n');
		expect(cats).toContain('2025-03,"Total for Cat, ""the cook""",,,70,1.17,,17.50\r\n');
	});

	it("exports the Owner's statement", () => {
		const csv = statementCsv(ownerStatement(marchMoney(), marchRota(), march), nameOf);
		expect(csv).toBe(
			[
				'\uFEFFMonth,Worker,Visits,Minutes,Hours,Gross (£),Commons Contribution 25% (£),Net to worker (£)',
				'2025-03,Bea,3,420,7.00,89.44,22.36,67.08',
				'2025-03,"Cat, ""the cook""",1,70,1.17,17.50,4.38,13.12',
				'2025-03,Total to pay,4,490,8.17,106.94,26.74,80.20',
				''
			].join('\r\n')
		);
	});
});
