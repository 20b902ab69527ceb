// The pieces every readable copy is made of: dates and times in words, people by name, and the
// few Markdown shapes the copies use (headings, lists, people's own words as quotes). Pure: a
// copy is made from plain values (Automerge's toJS output) and the words in $lib/words.
import { words } from '$lib/words';
import { isIsoDate, isIsoMonth, isTimeOfDay, weekdayOf, type IsoDate, type IsoMonth } from './calendar';

const w = words.readable;

/**
 * What a readable copy knows besides the document itself, gathered from everything this
 * device holds in the same space (see `readingContext` in readable.ts): who people are, the
 * rota that visit notes are about, what each part of the space is called.
 */
export type ReadingContext = {
	/** What a person is called, by their key; "someone" if nothing on this device names them. */
	name(person: string | null | undefined): string;
	/** What a part (access circle) of the space is called. */
	circleName(circle: string): string;
	/** The team's rota, if this device holds it: visit notes are shown under their visits. */
	rota?: unknown;
	/** Whether signatures (the MAR, the Promise) can be checked: the crypto library is ready. */
	checkSignatures: boolean;
};

// ── dates and times ──────────────────────────────────────────────────────────────────────

const pad = (n: number) => String(n).padStart(2, '0');

/** "Monday 7 December 2026". */
export function dateInWords(date: string): string {
	if (!isIsoDate(date)) return w.unknownDate;
	const [y, m, d] = date.split('-').map(Number);
	return w.date(w.weekdays[weekdayOf(date as IsoDate) - 1], d, w.months[m - 1], y);
}

/** "December 2026". */
export function monthInWords(month: string): string {
	if (!isIsoMonth(month)) return w.unknownDate;
	const [y, m] = month.split('-').map(Number);
	return w.month(w.months[m - 1], y);
}

/** A local wall-clock moment as stored ('YYYY-MM-DDTHH:MM'): "Monday 7 December 2026, 09:00". */
export function localInWords(local: string | null | undefined): string {
	if (typeof local !== 'string' || local.length !== 16 || !isTimeOfDay(local.slice(11))) return w.unknownDate;
	return w.dateTime(dateInWords(local.slice(0, 10)), local.slice(11));
}

/** A device clock reading (milliseconds) on this device's calendar: "Monday 7 December 2026, 09:00". */
export function momentInWords(ms: number | null | undefined): string {
	if (typeof ms !== 'number' || !Number.isFinite(ms)) return w.unknownDate;
	const t = new Date(ms);
	return w.dateTime(dateInWords(`${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`), `${pad(t.getHours())}:${pad(t.getMinutes())}`);
}

/** Only the time of day of a device clock reading: "09:00". */
export function timeOfMoment(ms: number | null | undefined): string {
	if (typeof ms !== 'number' || !Number.isFinite(ms)) return w.unknownDate;
	const t = new Date(ms);
	return `${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

/** Only the day of a device clock reading: "Monday 7 December 2026". */
export function dayInWords(ms: number | null | undefined): string {
	if (typeof ms !== 'number' || !Number.isFinite(ms)) return w.unknownDate;
	const t = new Date(ms);
	return dateInWords(`${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`);
}

// ── Markdown ─────────────────────────────────────────────────────────────────────────────

/** Markdown lines, built up in order. */
export type Lines = string[];

// People's words are not escaped: the copy is as often read as plain text (opened in any
// editor) as rendered, and a backslash before every underscore would spoil the first for little
// gain in the second. Line breaks are what could change the copy's shape, so they are handled.

/** Words on one line (inside a list item or a sentence). */
export function plain(text: unknown): string {
	return String(text ?? '')
		.replace(/\s*\n\s*/g, ' ')
		.trim();
}

/** Words someone wrote, kept as they wrote them (line breaks and all), as a quote. */
export function quote(text: unknown): Lines {
	const body = String(text ?? '').replace(/\r\n?/g, '\n').trim();
	if (!body) return [];
	return [...body.split('\n').map((line) => (line.trim() ? `> ${line}` : '>')), ''];
}

export function heading(level: number, text: string): Lines {
	return [`${'#'.repeat(Math.min(6, Math.max(1, level)))} ${text}`, ''];
}

export function bullets(items: readonly string[]): Lines {
	return items.length ? [...items.map((i) => `- ${i}`), ''] : [];
}

export function paragraph(text: string): Lines {
	return text ? [text, ''] : [];
}

/** "**Label**: value", or nothing when there is no value. */
export function field(label: string, value: string | null | undefined): Lines {
	const v = (value ?? '').trim();
	return v ? [`**${label}**: ${v}`, ''] : [];
}

/** Sorts by a text key the same way on every device. */
export function byText<T>(key: (item: T) => string): (a: T, b: T) => number {
	return (a, b) => {
		const x = key(a);
		const y = key(b);
		return x < y ? -1 : x > y ? 1 : 0;
	};
}

/** A record's entries as a list, keeping only objects (so a damaged entry can't break a copy). */
export function entries<T>(value: unknown): Array<[string, T]> {
	if (typeof value !== 'object' || value === null) return [];
	return Object.entries(value as Record<string, unknown>).filter(([, v]) => typeof v === 'object' && v !== null) as Array<[string, T]>;
}

/** The keys of a set stored as a map (key → true). */
export function setOf(value: unknown): string[] {
	if (typeof value !== 'object' || value === null) return [];
	return Object.entries(value as Record<string, unknown>)
		.filter(([, v]) => v === true)
		.map(([k]) => k);
}

export function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}
