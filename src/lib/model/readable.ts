// Readable copies of documents for the person who owns the data. The JSON copy (in
// YourData) is the faithful, machine-readable export; this is the one for people: a
// Markdown care record with names rather than keys, dates in words, doses as sentences and
// visit notes under their visits, one section per document, grouped by space. Each kind of
// document has its own renderer (readableTeam.ts, readableCircle.ts, readableSupport.ts); a
// kind this version does not know is shown as plain labelled values, never left out. Pure:
// takes plain values (Automerge's toJS output) and returns text.
import { words } from '$lib/words';
import { isCallOut } from './callOut';
import { isCircle } from './circle';
import { isPersonalLogbook, isPublishedMinutes } from './circleSpace';
import { isTeamChat } from './chat';
import { isGivingProfile, isSharedGivingProfile } from './givingProfile';
import { isLocalCircle } from './localCircle';
import { isLogbook } from './logbook';
import { isMarRecord } from './mar';
import { isMoney } from './money';
import { isProfileIndex, isProfileSection, latestSections, sectionSpec, type ProfileSection } from './profile';
import { isSupportPromise } from './promise';
import { isRota } from './rota';
import type { Space } from './space';
import { isTeam } from './team';
import { isTrustAssessment } from './trustAssessment';
import { isVisitNotes } from './visitNotes';
import { heading, momentInWords, monthInWords, paragraph, plain, type Lines, type ReadingContext } from './readableFormat';
import { chatMarkdown, marMarkdown, moneyMarkdown, profileIndexMarkdown, profileSectionMarkdown, promiseMarkdown, rotaMarkdown, teamMarkdown, trustMarkdown, visitNotesMarkdown } from './readableTeam';
import { circleMarkdown, logbookMarkdown, personalLogbookMarkdown, publishedMarkdown, spaceMarkdown } from './readableCircle';
import { callOutMarkdown, givingProfileMarkdown, localCircleMarkdown, sharedGivingProfileMarkdown } from './readableSupport';

export type { ReadingContext } from './readableFormat';

const w = words.readable;

export function kindOfDoc(doc: unknown): string {
	const kind = (doc as { kind?: unknown } | undefined)?.kind;
	return typeof kind === 'string' ? kind : 'document';
}

export function kindName(kind: string): string {
	return w.kinds[kind] ?? w.document;
}

/** The document's own name where it has one, else what kind of document it is (and which month, section…). */
export function docTitle(doc: unknown): string {
	const d = doc as { title?: unknown; name?: unknown; section?: unknown; period?: unknown } | undefined;
	const kind = kindOfDoc(doc);
	const own = typeof d?.title === 'string' ? d.title : typeof d?.name === 'string' ? d.name : '';
	if (kind === 'profile-section' && isProfileSection(doc)) return w.section(kindName(kind), sectionSpec(doc.section).title);
	if (isSharedGivingProfile(doc)) return w.named(plain(doc.profile?.name) || w.someone, kindName(kind));
	if (isGivingProfile(doc)) return w.named(plain(doc.profile.name) || w.someone, kindName(kind));
	if (isPublishedMinutes(doc)) return w.named(plain(doc.meetingTitle), kindName(kind));
	if (own.trim()) return kind === 'space' ? own.trim() : w.named(own.trim(), kindName(kind));
	if (typeof d?.period === 'string') return w.ofMonth(kindName(kind), monthInWords(d.period));
	return kindName(kind);
}

// ── what a copy knows of a space ─────────────────────────────────────────────────────────

/**
 * What a readable copy of some documents knows from everything this device holds in the same
 * space: names from the team list, the space's notes (what each person calls themselves), a
 * circle's members, call-outs and shared profiles; the names of the space's parts; the rota.
 */
export function readingContext(docs: readonly unknown[], options: { checkSignatures?: boolean } = {}): ReadingContext {
	const names = new Map<string, string>();
	const circles = new Map<string, string>();
	const name = (person: unknown, value: unknown) => {
		const clean = plain(value);
		if (typeof person === 'string' && clean && !names.has(person)) names.set(person, clean);
	};
	let rota: unknown;
	// The team's own list first: it is what the team calls each person.
	const ordered = [...docs].sort((a, b) => Number(!isTeam(a)) - Number(!isTeam(b)));
	for (const doc of ordered) {
		if (isTeam(doc)) {
			for (const [p, m] of Object.entries(doc.members)) name(p, m?.name);
			for (const [c, n] of Object.entries((doc as { circles?: Record<string, string> }).circles ?? {})) if (!circles.has(c) && n) circles.set(c, n);
		} else if ((doc as Space | undefined)?.kind === 'space') {
			const space = doc as Space;
			for (const [p, n] of Object.entries(space.people ?? {})) name(p, n);
			for (const [c, n] of Object.entries(space.circles ?? {})) if (!circles.has(c) && n) circles.set(c, n);
		} else if (isCircle(doc)) {
			for (const [p, m] of Object.entries(doc.members)) name(p, m?.name);
		} else if (isCallOut(doc)) {
			name(doc.postedBy, doc.posterName);
			for (const [p, i] of Object.entries(doc.interests)) name(p, i?.name);
		} else if (isSharedGivingProfile(doc)) {
			name(doc.person, doc.profile?.name);
		} else if (isGivingProfile(doc)) {
			name(doc.person, doc.profile.name);
		} else if (isRota(doc) && rota === undefined) {
			rota = doc;
		}
	}
	return {
		name: (person) => (person ? (names.get(person) ?? w.someone) : w.nobody),
		circleName: (circle) => circles.get(circle) ?? w.aPart,
		rota,
		checkSignatures: options.checkSignatures ?? true
	};
}

// ── one document ─────────────────────────────────────────────────────────────────────────

/** The body of one document (below its heading), by kind. */
function body(doc: unknown, ctx: ReadingContext): Lines {
	if (isTeam(doc)) return teamMarkdown(doc, ctx);
	if (isRota(doc)) return rotaMarkdown(doc, ctx);
	if (isVisitNotes(doc)) return visitNotesMarkdown(doc, ctx);
	if (isMarRecord(doc)) return marMarkdown(doc, ctx);
	if (isMoney(doc)) return moneyMarkdown(doc, ctx);
	if (isProfileIndex(doc)) return profileIndexMarkdown(doc, ctx);
	if (isProfileSection(doc)) return profileSectionMarkdown(doc, ctx);
	if (isTrustAssessment(doc)) return trustMarkdown(doc, ctx);
	if (isSupportPromise(doc)) return promiseMarkdown(doc, ctx);
	if (isTeamChat(doc)) return chatMarkdown(doc, ctx);
	if ((doc as Space | undefined)?.kind === 'space') return spaceMarkdown(doc as Space, ctx);
	if (isCircle(doc)) return circleMarkdown(doc, ctx);
	if (isLogbook(doc)) return logbookMarkdown(doc, ctx);
	if (isPublishedMinutes(doc)) return publishedMarkdown(doc, ctx);
	if (isPersonalLogbook(doc)) return personalLogbookMarkdown(doc, ctx);
	if (isCallOut(doc)) return callOutMarkdown(doc, ctx);
	if (isSharedGivingProfile(doc)) return sharedGivingProfileMarkdown(doc, ctx);
	if (isGivingProfile(doc)) return givingProfileMarkdown(doc, ctx);
	if (isLocalCircle(doc)) return localCircleMarkdown(doc, ctx);
	return unknownLines(doc, 0);
}

/** A kind this version does not know: each value under a plain label, nothing left out. */
function unknownLines(value: unknown, depth: number): Lines {
	const pad = '  '.repeat(depth);
	const label = (key: string) => {
		const spaced = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[-_]/g, ' ');
		return spaced.charAt(0).toUpperCase() + spaced.slice(1);
	};
	if (Array.isArray(value)) return value.length ? value.flatMap((v) => (typeof v === 'object' && v !== null ? [`${pad}-`, ...unknownLines(v, depth + 1)] : [`${pad}- ${plain(v)}`])) : [`${pad}- ${w.none}`];
	if (typeof value === 'object' && value !== null) {
		const list = Object.entries(value).filter(([k]) => depth > 0 || k !== 'kind');
		if (list.length === 0) return [`${pad}- ${w.none}`];
		return list.flatMap(([k, v]) => (typeof v === 'object' && v !== null ? [`${pad}- **${label(k)}**`, ...unknownLines(v, depth + 1)] : [`${pad}- **${label(k)}**: ${plain(v) || '—'}`]));
	}
	return [`${pad}- ${plain(value)}`];
}

/**
 * One document on its own as Markdown (a copy restored from a backup): its title, then what it
 * says. `known` is what else the copy may use for names and visits.
 */
export function toMarkdown(doc: unknown, known: readonly unknown[] = [doc], options: { checkSignatures?: boolean } = {}): string {
	// The renderers' parts are level 3, under a level 2 document heading; alone, each goes up one.
	const parts = body(doc, readingContext(known, options)).map((l) => l.replace(/^#(#{2,6}) /, '$1 '));
	return [...heading(1, docTitle(doc)), ...parts].join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

// ── a whole copy ─────────────────────────────────────────────────────────────────────────

/** The order a space's documents are read in: who the team is, the profile, then the record. */
const KIND_ORDER = [
	'team', 'space', 'circle', 'local-circle', 'profile-index', 'profile-section', 'getting-support-promise', 'trust-assessment',
	'rota', 'visit-notes', 'mar', 'team-chat', 'money', 'logbook', 'published-minutes', 'personal-logbook', 'call-out',
	'giving-profile', 'shared-giving-profile'
];

export type ReadableGroup = {
	/** What the space is called (or the document, for one shared by link). */
	title: string;
	/** The documents chosen for the copy. */
	docs: readonly unknown[];
	/** Everything this device holds in the same space, for names and visits (the chosen ones included). */
	known: readonly unknown[];
};

/**
 * The Markdown copy of everything chosen: a title and when it was made, then each space with
 * its documents in reading order. A profile section held twice (the main document and a copy
 * for another part of the team) is shown once.
 */
export function readableCopy(groups: readonly ReadableGroup[], options: { madeAt: number; checkSignatures?: boolean }): string {
	const out: Lines = [...heading(1, w.copyTitle), ...paragraph(w.copyMade(momentInWords(options.madeAt)))];
	for (const group of groups) {
		const ctx = readingContext(group.known, options);
		const sections = latestSections(
			group.docs.flatMap((doc, i) => (isProfileSection(doc) ? [{ id: String(i).padStart(6, '0'), doc: doc as ProfileSection }] : []))
		);
		const docs = [...group.docs.filter((d) => !isProfileSection(d)), ...sections];
		const rank = (d: unknown) => {
			const i = KIND_ORDER.indexOf(kindOfDoc(d));
			return i === -1 ? KIND_ORDER.length : i;
		};
		const period = (d: unknown) => String((d as { period?: unknown })?.period ?? '');
		docs.sort((a, b) => rank(a) - rank(b) || (period(a) < period(b) ? -1 : period(a) > period(b) ? 1 : 0));
		out.push(...heading(1, plain(group.title) || w.aSpace));
		if (docs.length === 0) out.push(...paragraph(w.nothingHere));
		for (const doc of docs) out.push(...heading(2, docTitle(doc)), ...body(doc, ctx));
	}
	return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
