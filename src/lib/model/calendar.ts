// Calendar dates and times of day as plain strings ('2025-03-14', '09:30'), so they store in
// Automerge as they are, sort as text, and mean the same day on every device whatever its
// time zone. Arithmetic goes through UTC midnight, where every day has 24 hours.

/** A calendar date, YYYY-MM-DD. */
export type IsoDate = string & { readonly __brand: 'IsoDate' };
/** A time of day, HH:MM (24-hour). */
export type TimeOfDay = string & { readonly __brand: 'TimeOfDay' };
/** A calendar month, YYYY-MM. */
export type IsoMonth = string & { readonly __brand: 'IsoMonth' };
/** ISO weekday: 1 Monday … 7 Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

const DAY_MS = 86_400_000;

export function isIsoDate(value: unknown): value is IsoDate {
	if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
	const d = new Date(`${value}T00:00:00Z`);
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function isTimeOfDay(value: unknown): value is TimeOfDay {
	return typeof value === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(value);
}

export function isIsoMonth(value: unknown): value is IsoMonth {
	return typeof value === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
}

export function isWeekday(value: unknown): value is Weekday {
	return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 7;
}

function toUtc(date: IsoDate): number {
	return Date.parse(`${date}T00:00:00Z`);
}

function fromUtc(ms: number): IsoDate {
	return new Date(ms).toISOString().slice(0, 10) as IsoDate;
}

export function addDays(date: IsoDate, days: number): IsoDate {
	return fromUtc(toUtc(date) + days * DAY_MS);
}

/** Whole days from `a` to `b` (negative when `b` is earlier). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
	return Math.round((toUtc(b) - toUtc(a)) / DAY_MS);
}

export function weekdayOf(date: IsoDate): Weekday {
	const day = new Date(toUtc(date)).getUTCDay(); // 0 Sunday
	return (day === 0 ? 7 : day) as Weekday;
}

/** The date of a moment in UTC; the app passes the person's own local date where it matters. */
export function dateOf(ms: number): IsoDate {
	return fromUtc(ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS));
}

export function monthOf(date: IsoDate): IsoMonth {
	return date.slice(0, 7) as IsoMonth;
}

export function firstDayOf(month: IsoMonth): IsoDate {
	return `${month}-01` as IsoDate;
}

export function lastDayOf(month: IsoMonth): IsoDate {
	const [y, m] = month.split('-').map(Number);
	return fromUtc(Date.UTC(y, m, 0));
}

/** Minutes after midnight. */
export function minutesOf(time: TimeOfDay): number {
	const [h, m] = time.split(':').map(Number);
	return h * 60 + m;
}

/** The Monday of the week a date falls in (weeks run Monday to Sunday, as on a UK rota). */
export function startOfWeek(date: IsoDate): IsoDate {
	return addDays(date, 1 - weekdayOf(date));
}
