// Hours and money (money access circle, so only the people the Team Owner chose can read
// it): each worker's agreed hourly rate, the team's Commons Contribution, and monthly
// statements worked out from the rota visits actually worked (marked done). The rota
// itself stays in the whole-team circle; this document never copies its visits, it only
// reads them when a statement is made.
//
// Money is whole pence (integers) everywhere; the only rounding is `roundHalfUp`, used for a
// visit's pay (minutes × rate ÷ 60) and for the Commons Contribution (gross × percent ÷ 100).
import { words } from '$lib/words';
import { firstDayOf, isIsoDate, isIsoMonth, lastDayOf, type IsoDate, type IsoMonth } from './calendar';
import { OK, refuse, type PersonKey, type Result } from './ids';
import { occurrences, type Rota, type VisitKey } from './rota';
import { authorship, signFields, type Authorship, type Signature } from './authorship';
import type { DeviceCheck, SigningDevice } from './mar';

const msg = words.messages.model.money;

/**
 * An agreed rate from a date on. Rates are a flat map keyed `${worker}~${from}`, so a new rate
 * agreed on one device and another worker's rate set on another both survive the merge, and
 * last month's statement still uses last month's rate.
 */
export type Rate = {
	worker: PersonKey;
	from: IsoDate;
	pencePerHour: number;
	setBy: PersonKey;
	setAt: number;
	/**
	 * The device signature of whoever set it (`rateAuthorship`): anyone in the money circle can
	 * write this document, and a rate is what people are paid. Absent on rates set before.
	 */
	signed?: Signature;
};

const RATE_TAG = 'hearth/rate/v1';

const rateFields = (key: string, r: Rate) => [key, r.worker, r.from, r.pencePerHour, r.setBy, r.setAt];

export type Money = {
	kind: 'money';
	/** The co-op's Commons Contribution: a whole percentage of each worker's gross, set by the team. */
	commonsPercent: number;
	rates: Record<string, Rate>;
};

export const DEFAULT_COMMONS_PERCENT = 25;
/** £1,000 an hour: anything above is a typing mistake. */
export const MAX_PENCE_PER_HOUR = 100_000;

export function newMoney(): Money {
	return { kind: 'money', commonsPercent: DEFAULT_COMMONS_PERCENT, rates: {} };
}

export function isMoney(doc: unknown): doc is Money {
	const d = doc as Money;
	return typeof d === 'object' && d !== null && d.kind === 'money' && typeof d.commonsPercent === 'number' && typeof d.rates === 'object';
}

/**
 * The one place money is rounded: numerator ÷ denominator to the nearest whole number, halves
 * going up (away from zero for the non-negative amounts used here). Exact in integers, so
 * 0.5p never becomes 0.49999…p as it can in floating point.
 */
export function roundHalfUp(numerator: number, denominator: number): number {
	if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator <= 0 || numerator < 0) {
		throw new RangeError('roundHalfUp: non-negative safe integers only');
	}
	return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

// ── changes (call inside handle.change) ─────────────────────────────────────────────────

export function setRate(
	money: Money,
	actor: PersonKey,
	worker: PersonKey,
	from: IsoDate,
	pencePerHour: number,
	now = Date.now(),
	device?: SigningDevice
): Result {
	if (!isIsoDate(from)) return refuse(msg.rateFrom);
	if (!Number.isInteger(pencePerHour) || pencePerHour < 0 || pencePerHour > MAX_PENCE_PER_HOUR) {
		return refuse(msg.badRate);
	}
	const key = `${worker}~${from}`;
	const rate: Rate = { worker, from, pencePerHour, setBy: actor, setAt: now };
	if (device) rate.signed = signFields(device, RATE_TAG, rateFields(key, rate));
	money.rates[key] = rate;
	return OK;
}

/**
 * Whether a rate is as the person who set it signed it (by one of their devices, as the
 * space's membership says), altered, or set before rates were signed. Needs `await cryptoReady()`.
 */
export function rateAuthorship(money: Money, key: string, isAuthorDevice?: DeviceCheck): Authorship | undefined {
	const rate = money.rates[key];
	return rate ? authorship(rate.signed, RATE_TAG, rateFields(key, rate), rate.setBy, isAuthorDevice) : undefined;
}

export function setCommonsPercent(money: Money, percent: number): Result {
	if (!Number.isInteger(percent) || percent < 0 || percent > 100) return refuse(msg.badPercent);
	if (money.commonsPercent !== percent) money.commonsPercent = percent;
	return OK;
}

// ── selectors (read-only) ────────────────────────────────────────────────────────────────

/** The rate in force for a worker on a date (the latest agreed on or before it), if any. */
export function rateOn(money: Money, worker: PersonKey, date: IsoDate): number | null {
	return rateInForce(money, worker, date)?.pencePerHour ?? null;
}

/** The key of the rate in force for a worker on a date (see `rateOn`), for checking who set it. */
export function rateInForce(money: Money, worker: PersonKey, date: IsoDate): ({ key: string } & Rate) | undefined {
	let best: ({ key: string } & Rate) | undefined;
	for (const [key, r] of Object.entries(money.rates)) {
		if (r.worker !== worker || r.from > date) continue;
		if (!best || r.from > best.from || (r.from === best.from && r.setAt > best.setAt)) best = { key, ...r };
	}
	return best;
}

export type StatementLine = {
	visit: VisitKey;
	date: IsoDate;
	title: string;
	start: string;
	end: string;
	minutes: number;
	pencePerHour: number;
	/** roundHalfUp(minutes × rate, 60). */
	gross: number;
};

export type WorkerStatement = {
	kind: 'worker';
	month: IsoMonth;
	worker: PersonKey;
	commonsPercent: number;
	lines: StatementLine[];
	visits: number;
	minutes: number;
	/** The sum of the lines, so the statement adds up line by line. */
	gross: number;
	/** roundHalfUp(gross × commonsPercent, 100). */
	commons: number;
	net: number;
	/** Visits worked on days with no agreed rate: shown, not paid, until a rate is agreed. */
	unrated: VisitKey[];
};

export type OwnerStatement = {
	kind: 'owner';
	month: IsoMonth;
	commonsPercent: number;
	workers: WorkerStatement[];
	visits: number;
	minutes: number;
	/** What the Owner pays: every worker's gross (their net plus the Commons Contribution). */
	totalToPay: number;
	totalCommons: number;
	totalNet: number;
	/** People who worked visits this month with no agreed rate (volunteers, family, or a rate still to agree). */
	unrated: PersonKey[];
};

export type Statement = WorkerStatement | OwnerStatement;

export function isWorkerStatement(s: Statement): s is WorkerStatement {
	return s.kind === 'worker';
}

/** Who worked which done visits in a month: the people on each visit, not the over-booked. */
function workedInMonth(rota: Rota, month: IsoMonth): Map<PersonKey, ReturnType<typeof occurrences>> {
	const out = new Map<PersonKey, ReturnType<typeof occurrences>>();
	for (const occ of occurrences(rota, firstDayOf(month), lastDayOf(month))) {
		if (!occ.done || occ.cancelled) continue;
		for (const w of occ.workers) {
			const list = out.get(w);
			if (list) list.push(occ);
			else out.set(w, [occ]);
		}
	}
	return out;
}

export function workerStatement(money: Money, rota: Rota, worker: PersonKey, month: IsoMonth): WorkerStatement {
	if (!isIsoMonth(month)) throw new RangeError('workerStatement: month is YYYY-MM');
	return statementFrom(money, worker, month, workedInMonth(rota, month).get(worker) ?? []);
}

function statementFrom(money: Money, worker: PersonKey, month: IsoMonth, worked: ReturnType<typeof occurrences>): WorkerStatement {
	const lines: StatementLine[] = [];
	const unrated: VisitKey[] = [];
	for (const occ of worked) {
		const rate = rateOn(money, worker, occ.date);
		if (rate === null) {
			unrated.push(occ.key);
			continue;
		}
		lines.push({
			visit: occ.key,
			date: occ.date,
			title: occ.title,
			start: occ.start,
			end: occ.end,
			minutes: occ.minutes,
			pencePerHour: rate,
			gross: roundHalfUp(occ.minutes * rate, 60)
		});
	}
	const gross = lines.reduce((sum, l) => sum + l.gross, 0);
	const commons = roundHalfUp(gross * money.commonsPercent, 100);
	return {
		kind: 'worker',
		month,
		worker,
		commonsPercent: money.commonsPercent,
		lines,
		visits: lines.length,
		minutes: lines.reduce((sum, l) => sum + l.minutes, 0),
		gross,
		commons,
		net: gross - commons,
		unrated
	};
}

/** The Owner's statement: every paid worker's month and the total to pay. */
export function ownerStatement(money: Money, rota: Rota, month: IsoMonth): OwnerStatement {
	if (!isIsoMonth(month)) throw new RangeError('ownerStatement: month is YYYY-MM');
	const workers: WorkerStatement[] = [];
	const unrated: PersonKey[] = [];
	for (const [worker, worked] of workedInMonth(rota, month)) {
		const s = statementFrom(money, worker, month, worked);
		if (s.lines.length > 0) workers.push(s);
		if (s.unrated.length > 0) unrated.push(worker);
	}
	workers.sort((a, b) => (a.worker < b.worker ? -1 : 1));
	return {
		kind: 'owner',
		month,
		commonsPercent: money.commonsPercent,
		workers,
		visits: workers.reduce((sum, w) => sum + w.visits, 0),
		minutes: workers.reduce((sum, w) => sum + w.minutes, 0),
		totalToPay: workers.reduce((sum, w) => sum + w.gross, 0),
		totalCommons: workers.reduce((sum, w) => sum + w.commons, 0),
		totalNet: workers.reduce((sum, w) => sum + w.net, 0),
		unrated: unrated.sort()
	};
}

// ── CSV export ───────────────────────────────────────────────────────────────────────────

/** Whole pence as pounds with two decimals, no symbol (so spreadsheets read it as a number). */
export function formatPounds(pence: number): string {
	return hundredths(pence);
}

/** Minutes as decimal hours to two places (1h 20m → 1.33), rounded by `roundHalfUp`. */
export function formatHours(minutes: number): string {
	return hundredths(roundHalfUp(minutes * 100, 60));
}

/** An integer count of hundredths written with two decimals: 1250 → "12.50". */
function hundredths(n: number): string {
	const sign = n < 0 ? '-' : '';
	const abs = Math.abs(n);
	return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** What an amount column may hold as it is: an optional minus, digits, optional decimals. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * One CSV field, RFC 4180: quoted when it holds a comma, quote, CR or LF, with quotes
 * doubled. Anything a spreadsheet would run as a formula (starting = + - @ or a tab/CR) gets
 * a leading apostrophe first, so a visit title cannot become a formula on the Owner's computer.
 * In an amount column (`text` false) a plain number is left alone, so -22.36 stays a number the
 * spreadsheet can add up; anything else there is guarded like text, whatever the column.
 */
export function csvField(value: string | number, text = typeof value === 'string'): string {
	let s = String(value);
	if (!(!text && PLAIN_NUMBER.test(s)) && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
	return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Starts with a UTF-8 byte order mark: without it, Excel opens a CSV in the computer's legacy
 * code page and shows £ and accented names as mojibake.
 */
function csv(rows: Array<Array<string | number>>, numeric: boolean[]): string {
	return '\uFEFF' + rows.map((row) => row.map((v, i) => csvField(v, !numeric[i])).join(',')).join('\r\n') + '\r\n';
}

/**
 * A statement as CSV with a header row, CRLF line ends (RFC 4180). `nameOf` gives the name to
 * print for a person (from the Team document), since this document holds no names.
 */
export function statementCsv(statement: Statement, nameOf: (person: PersonKey) => string): string {
	if (isWorkerStatement(statement)) {
		const s = statement;
		const rows: Array<Array<string | number>> = [[...msg.workerColumns]];
		for (const l of s.lines) rows.push([l.date, l.title, l.start, l.end, l.minutes, formatHours(l.minutes), formatPounds(l.pencePerHour), formatPounds(l.gross)]);
		rows.push([s.month, msg.totalFor(nameOf(s.worker)), '', '', s.minutes, formatHours(s.minutes), '', formatPounds(s.gross)]);
		rows.push([s.month, msg.commonsRow(s.commonsPercent), '', '', '', '', '', formatPounds(-s.commons)]);
		rows.push([s.month, msg.netToWorker, '', '', '', '', '', formatPounds(s.net)]);
		return csv(rows, [false, false, false, false, true, true, true, true]);
	}
	const s = statement;
	const rows: Array<Array<string | number>> = [msg.ownerColumns(s.commonsPercent)];
	for (const w of s.workers) {
		rows.push([s.month, nameOf(w.worker), w.visits, w.minutes, formatHours(w.minutes), formatPounds(w.gross), formatPounds(w.commons), formatPounds(w.net)]);
	}
	rows.push([s.month, msg.totalToPay, s.visits, s.minutes, formatHours(s.minutes), formatPounds(s.totalToPay), formatPounds(s.totalCommons), formatPounds(s.totalNet)]);
	return csv(rows, [false, false, true, true, true, true, true, true]);
}
