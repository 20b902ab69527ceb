// Readable copies of a care team's documents, as a care record: people by name, dates in
// words, doses as sentences, visit notes under their visits. Each function takes the plain
// document (toJS output, already checked by its guard) and what the copy knows of the space,
// and returns Markdown lines below the document's own heading. Pure.
import { words } from '$lib/words';
import type { IsoDate } from './calendar';
import { chatMessages, type TeamChat } from './chat';
import {
	effectiveEntries,
	medicineList,
	readMarLog,
	verifyMarLog,
	type MarEntry,
	type MarRecord,
	type Medicine
} from './mar';
import { formatPounds, type Money, type Rate } from './money';
import { PROFILE_SECTIONS, contactList, linkList, sectionCircles, sectionIsEmpty, sectionSpec, type ProfileIndex, type ProfileSection } from './profile';
import { promiseAgreements, type SupportPromise } from './promise';
import { isRota, occurrence, parseVisitKey, readMark, type Rota, type StoredMark, type Visit, type VisitKey } from './rota';
import { MEMBER_KINDS, STANDARD_HATS, type Hat, type Team } from './team';
import { trustAreas, type TrustAssessment } from './trustAssessment';
import { ACTIVITIES, type VisitNote, type VisitNotes } from './visitNotes';
import {
	bullets,
	byText,
	dateInWords,
	dayInWords,
	entries,
	field,
	heading,
	localInWords,
	momentInWords,
	paragraph,
	plain,
	quote,
	text,
	timeOfMoment,
	type Lines,
	type ReadingContext
} from './readableFormat';

const w = words.readable;

// ── the team ─────────────────────────────────────────────────────────────────────────────

export function teamMarkdown(team: Team, ctx: ReadingContext): Lines {
	const out: Lines = [...paragraph(w.team.owner(ctx.name(team.owner)))];
	const members = entries<Team['members'][string]>(team.members).sort(([, a], [, b]) => a.joinedAt - b.joinedAt || a.name.localeCompare(b.name));
	out.push(...heading(3, w.team.members));
	out.push(
		...bullets(
			members.map(([person, m]) => {
				const parts = [w.team.member(plain(m.name) || ctx.name(person), MEMBER_KINDS[m.kind] ?? w.team.unknownKind, momentInWords(m.joinedAt))];
				if (m.representative && m.leftAt === null) parts.push(w.team.representative);
				if (m.trial) {
					const done = Object.keys(m.trial.sessions ?? {}).length;
					parts.push(m.trial.outcome === null ? w.team.onTrial(done, m.trial.sessionsAgreed) : w.team.trialOutcome(m.trial.outcome, done));
				}
				if (m.leftAt !== null) parts.push(w.team.left(momentInWords(m.leftAt)));
				return parts.join('. ') + '.';
			})
		)
	);

	const hats = entries<Hat>(team.hats).sort(byText(([, h]) => h.title));
	if (hats.length) {
		out.push(...heading(3, w.team.hats));
		out.push(
			...bullets(
				hats.map(([, h]) => {
					const title = plain(h.title) || (h.kind !== 'custom' ? STANDARD_HATS[h.kind]?.title : '') || w.someone;
					const review = h.reviewDate ? ' ' + w.team.reviewBy(dateInWords(h.reviewDate)) : '';
					return `${title}: ${w.team.hatStatus(h.status, h.wearer ? ctx.name(h.wearer) : null)}${review}.`;
				})
			)
		);
	}

	const checkIns = entries<Team['checkIns'][string]>(team.checkIns).sort(([a, x], [b, y]) => byText<string>((s) => s)(x.date, y.date) || byText<string>((s) => s)(a, b));
	if (checkIns.length) {
		out.push(...heading(3, w.team.checkIns));
		for (const [, c] of checkIns) {
			out.push(...heading(4, w.team.checkIn(dateInWords(c.date))));
			out.push(...(text(c.notes).trim() ? quote(c.notes) : paragraph(w.nothingWritten)));
			const actions = entries<Team['checkIns'][string]['actions'][string]>(c.actions).sort(([, a], [, b]) => a.createdAt - b.createdAt);
			if (actions.length) {
				out.push(...paragraph(w.team.agreed));
				out.push(...actions.map(([, a]) => `- [${a.done ? 'x' : ' '}] ${plain(a.text)}${a.owner ? ` (${ctx.name(a.owner)})` : ''}`), '');
			}
		}
	}
	return out;
}

// ── the rota ─────────────────────────────────────────────────────────────────────────────

function visitWhen(v: Visit): string {
	if (v.when.repeat === 'once') return w.rota.once(dateInWords(v.when.date), v.start, v.end);
	const days = [...v.when.weekdays].sort((a, b) => a - b).map((d) => w.weekdays[d - 1]);
	return w.rota.weekly(days, dateInWords(v.when.from), v.when.until ? dateInWords(v.when.until) : null, v.start, v.end);
}

export function rotaMarkdown(rota: Rota, ctx: ReadingContext): Lines {
	const out: Lines = [];
	const visits = entries<Visit>(rota.visits).sort(byText(([, v]) => (v.when.repeat === 'once' ? v.when.date : v.when.from) + v.start));
	out.push(...heading(3, w.rota.visits));
	out.push(
		...(visits.length
			? bullets(
					visits.map(([, v]) => {
						const regulars = Object.keys(v.regulars ?? {}).map((p) => ctx.name(p));
						return `**${plain(v.title) || w.rota.aVisit}**: ${visitWhen(v)}. ${w.rota.places(v.places)}${regulars.length ? ` ${w.rota.regulars(regulars)}` : ''}`;
					})
				)
			: paragraph(w.rota.noVisits))
	);

	// Each occurrence something happened to: who was on it, done or cancelled.
	const keys = new Set<string>([...Object.keys(rota.done ?? {}), ...Object.keys(rota.cancelled ?? {}), ...Object.values(rota.assignments ?? {}).map((a) => a.visit)]);
	const days = [...keys]
		.map((key) => ({ key, occ: occurrence(rota, key as VisitKey) }))
		.filter((d) => d.occ)
		.sort(byText((d) => `${d.occ!.date}T${d.occ!.start}~${d.key}`));
	if (days.length) {
		out.push(...heading(3, w.rota.onTheDay));
		out.push(
			...bullets(
				days.map(({ key, occ }) => {
					const o = occ!;
					const parts = [w.rota.occurrence(plain(o.title) || w.rota.aVisit, dateInWords(o.date), o.start, o.end)];
					parts.push(o.workers.length ? w.rota.workers(o.workers.map((p) => ctx.name(p))) : w.rota.nobodyOn);
					const done = rota.done?.[key] as StoredMark | undefined;
					const cancelled = rota.cancelled?.[key] as StoredMark | undefined;
					if (done) parts.push(w.rota.done(ctx.name(readMark(done).by)));
					if (cancelled) parts.push(w.rota.cancelled(ctx.name(readMark(cancelled).by)));
					return parts.join('. ') + '.';
				})
			)
		);
	}

	const swaps = entries<Rota['swaps'][string]>(rota.swaps).sort(([, a], [, b]) => a.requestedAt - b.requestedAt);
	if (swaps.length) {
		out.push(...heading(3, w.rota.swaps));
		out.push(
			...bullets(
				swaps.map(([, s]) => {
					const visit = describeVisit(rota, s.visit);
					const back = s.inReturn ? describeVisit(rota, s.inReturn) : null;
					return w.rota.swap(ctx.name(s.requester), ctx.name(s.colleague), visit, back, s.status);
				})
			)
		);
	}
	return out;
}

function describeVisit(rota: Rota | undefined, key: string): string {
	const occ = rota ? occurrence(rota, key as VisitKey) : undefined;
	if (occ) return w.rota.occurrence(plain(occ.title) || w.rota.aVisit, dateInWords(occ.date), occ.start, occ.end);
	const parsed = parseVisitKey(key);
	return parsed ? w.rota.aVisitOn(dateInWords(parsed.date)) : w.rota.aVisit;
}

// ── visit notes ──────────────────────────────────────────────────────────────────────────

/** Notes grouped under the visit they are about, visits in the order they happened. */
export function visitNotesMarkdown(doc: VisitNotes, ctx: ReadingContext): Lines {
	const rota = isRota(ctx.rota) ? ctx.rota : undefined;
	const byVisit = new Map<string, VisitNote[]>();
	for (const [, n] of entries<VisitNote>(doc.notes)) byVisit.set(n.visit, [...(byVisit.get(n.visit) ?? []), n]);
	const visits = [...byVisit.keys()].map((key) => {
		const occ = rota ? occurrence(rota, key as VisitKey) : undefined;
		const date = parseVisitKey(key)?.date ?? ('' as IsoDate);
		return { key, sort: `${date}T${occ?.start ?? '99:99'}~${key}` };
	});
	visits.sort(byText((v) => v.sort));
	if (visits.length === 0) return paragraph(w.notes.none);
	const out: Lines = [];
	for (const { key } of visits) {
		out.push(...heading(3, describeVisit(rota, key)));
		const notes = byVisit.get(key)!.sort((a, b) => a.createdAt - b.createdAt || byText<string>((s) => s)(a.author, b.author));
		for (const n of notes) {
			out.push(...paragraph(`**${w.notes.wrote(ctx.name(n.author))}**`));
			out.push(...(text(n.text).trim() ? quote(n.text) : paragraph(w.nothingWritten)));
			const acts = (Object.keys(ACTIVITIES) as Array<keyof typeof ACTIVITIES>).filter((a) => n.activities?.[a]).map((a) => ACTIVITIES[a]);
			if (acts.length) out.push(...paragraph(w.notes.activities(acts)));
			const comments = entries<VisitNote['ownerComments'][string]>(n.ownerComments).sort(([a, x], [b, y]) => x.at - y.at || byText<string>((s) => s)(a, b));
			for (const [, c] of comments) {
				out.push(...paragraph(w.notes.ownerAdded(ctx.name(doc.owner), momentInWords(c.at))));
				out.push(...quote(c.text));
			}
		}
	}
	return out;
}

// ── the medication record ────────────────────────────────────────────────────────────────

function medicineLine(m: Medicine): string {
	const name = [plain(m.name), plain(m.dose)].filter(Boolean).join(' ');
	const when = m.asNeeded ? w.mar.asNeeded(m.maxPerDay) : m.times.length ? w.mar.at([...m.times].sort()) : w.mar.noTimes;
	const parts = [`**${name}**: ${when}`, w.mar.from(localInWords(m.from))];
	if (m.status === 'stopped' || m.until) parts.push(w.mar.stopped(localInWords(m.until)));
	if (text(m.notes).trim()) parts.push(w.mar.notes(plain(m.notes)));
	return parts.join('. ') + '.';
}

/** One dose as a sentence: "Paracetamol 500 mg: given by Sam at 09:00". */
export function doseSentence(e: MarEntry, ctx: ReadingContext, corrected?: MarEntry): string {
	const medicine = [plain(e.medicineName), plain(e.dose)].filter(Boolean).join(' ');
	const time = e.at.slice(11);
	const who = ctx.name(e.author);
	const due = e.due && e.due !== e.at ? (e.due.slice(0, 10) === e.at.slice(0, 10) ? w.mar.dueAt(e.due.slice(11)) : w.mar.dueOn(localInWords(e.due))) : '';
	const reason = e.reason && e.reason.trim() ? w.mar.reason(plain(e.reason)) : '';
	if (e.outcome === 'in-error') return w.mar.inError(who, time, medicine, corrected ? corrected.at.slice(11) : null) + reason;
	const said = w.mar.outcome(e.outcome, medicine, who, time) + due + (corrected ? w.mar.correcting(corrected.at.slice(11)) : '');
	return said + reason;
}

export function marMarkdown(doc: MarRecord, ctx: ReadingContext): Lines {
	const out: Lines = [];
	const medicines = medicineList(doc);
	if (medicines.length) {
		out.push(...heading(3, w.mar.medicines));
		out.push(...bullets(medicines.map(medicineLine)));
	}
	const log = readMarLog(doc);
	if (log.length === 0) return out.length ? out : paragraph(w.mar.noDoses);

	// The signatures: an entry changed after it was signed is said to be so, beside it.
	const flags = new Map<number, string>();
	if (ctx.checkSignatures) {
		try {
			for (const c of verifyMarLog(doc).entries) if (c.status === 'tampered') flags.set(c.index, w.mar.altered);
		} catch {
			ctx = { ...ctx, checkSignatures: false };
		}
	}
	out.push(...heading(3, w.mar.doses));
	out.push(...paragraph(ctx.checkSignatures ? (flags.size ? w.mar.someAltered(flags.size) : w.mar.allSigned) : w.mar.notChecked));
	const indexOf = new Map(log.map((e, i) => [e, i]));
	const views = effectiveEntries(log.filter((e) => typeof e?.at === 'string'));
	const byId = new Map(log.map((e) => [e.id, e]));
	let day = '';
	for (const v of views) {
		const date = v.entry.at.slice(0, 10);
		if (date !== day) {
			day = date;
			out.push(...heading(4, dateInWords(date)));
		}
		const flag = flags.get(indexOf.get(v.entry) ?? -1);
		const corrected = v.supersedes ? byId.get(v.supersedes) : undefined;
		const later = v.current ? '' : w.mar.correctedLater;
		out.push(`- ${flag ? `${flag} ` : ''}${doseSentence(v.entry, ctx, corrected)}${later}`);
	}
	out.push('');
	return out;
}

// ── hours and money ──────────────────────────────────────────────────────────────────────

export function moneyMarkdown(doc: Money, ctx: ReadingContext): Lines {
	const out: Lines = [...paragraph(w.money.commons(doc.commonsPercent))];
	const rates = entries<Rate>(doc.rates).sort(byText(([, r]) => `${ctx.name(r.worker)}~${r.from}`));
	out.push(...heading(3, w.money.rates));
	out.push(
		...(rates.length
			? bullets(rates.map(([, r]) => w.money.rate(ctx.name(r.worker), formatPounds(r.pencePerHour), dateInWords(r.from), ctx.name(r.setBy), momentInWords(r.setAt))))
			: paragraph(w.money.noRates))
	);
	return out;
}

// ── the Getting Support Profile ──────────────────────────────────────────────────────────

export function profileIndexMarkdown(doc: ProfileIndex, ctx: ReadingContext): Lines {
	const out: Lines = [...paragraph(w.profile.about(ctx.name(doc.owner)))];
	if (doc.holder) out.push(...paragraph(w.profile.holder(ctx.name(doc.holder))));
	out.push(...heading(3, w.profile.whoReads));
	out.push(
		...bullets(
			PROFILE_SECTIONS.flatMap((spec) => {
				const ref = doc.sections?.[spec.key];
				return ref ? [w.profile.readBy(spec.title, sectionCircles(ref).map((c) => ctx.circleName(c)))] : [];
			})
		)
	);
	return out;
}

export function profileSectionMarkdown(doc: ProfileSection, ctx: ReadingContext): Lines {
	if (doc.retired) return paragraph(w.profile.retired);
	if (sectionIsEmpty(doc)) return paragraph(w.nothingWritten);
	const out: Lines = [...quote(doc.text)];
	for (const f of sectionSpec(doc.section).fields) out.push(...field(f.label, plain(doc.fields?.[f.key])));
	const contacts = contactList(doc);
	if (contacts.length) {
		out.push(...heading(3, w.profile.contacts));
		out.push(
			...bullets(
				contacts.map((c) => {
					const bits = [plain(c.relationship) ? `**${plain(c.name)}** (${plain(c.relationship)})` : `**${plain(c.name)}**`];
					if (c.phone) bits.push(w.profile.phone(plain(c.phone)));
					if (c.email) bits.push(w.profile.email(plain(c.email)));
					if (text(c.notes).trim()) bits.push(w.profile.whenToCall(plain(c.notes)));
					return bits.join('. ') + '.';
				})
			)
		);
	}
	const links = linkList(doc);
	if (links.length) {
		out.push(...heading(3, w.profile.links));
		out.push(...bullets(links.map((l) => `${plain(l.label)}: <${plain(l.url)}>`)));
	}
	if (doc.updatedBy) out.push(...paragraph(w.lastChanged(ctx.name(doc.updatedBy), momentInWords(doc.updatedAt))));
	return out;
}

// ── Trust Assessment and Promise ─────────────────────────────────────────────────────────

export function trustMarkdown(doc: TrustAssessment, ctx: ReadingContext): Lines {
	const out: Lines = [...paragraph(doc.reviewedAt ? w.trust.reviewed(momentInWords(doc.reviewedAt), ctx.name(doc.reviewedBy)) : w.trust.notReviewed)];
	for (const area of trustAreas(doc)) {
		out.push(...heading(3, area.title));
		if (!area.written) {
			out.push(...paragraph(w.nothingWritten));
			continue;
		}
		out.push(...quote(area.text));
		const entry = doc.areas[area.key];
		if (entry?.updatedBy) out.push(...paragraph(w.lastChanged(ctx.name(entry.updatedBy), momentInWords(entry.updatedAt))));
	}
	return out;
}

export function promiseMarkdown(doc: SupportPromise, ctx: ReadingContext): Lines {
	const out: Lines = [...(text(doc.text).trim() ? quote(doc.text) : paragraph(w.nothingWritten))];
	const raw = entries<SupportPromise['agreements'][string]>(doc.agreements);
	if (raw.length === 0) return [...out, ...paragraph(w.promise.nobody)];
	out.push(...heading(3, w.promise.agreed));
	if (ctx.checkSignatures) {
		try {
			out.push(...bullets(promiseAgreements(doc).map((a) => w.promise.agreement(ctx.name(a.person), momentInWords(a.at), a.status, a.versionNumber))));
			return out;
		} catch {
			// The signatures could not be checked: list the agreements as recorded.
		}
	}
	out.push(...paragraph(w.promise.notChecked));
	out.push(...bullets(raw.sort(([, a], [, b]) => a.at - b.at).map(([, a]) => w.promise.agreement(ctx.name(a.person), momentInWords(a.at), null, null))));
	return out;
}

// ── chat ─────────────────────────────────────────────────────────────────────────────────

export function chatMarkdown(doc: TeamChat, ctx: ReadingContext): Lines {
	const messages = chatMessages(doc);
	if (messages.length === 0) return paragraph(w.chat.none);
	const out: Lines = [];
	let day = '';
	for (const m of messages) {
		const date = dayInWords(m.at);
		const time = timeOfMoment(m.at);
		if (date !== day) {
			if (day) out.push('');
			day = date;
			out.push(...heading(3, date));
		}
		out.push(`- ${w.chat.message(time, ctx.name(m.author), m.deleted ? null : plain(m.text), m.edited)}`);
	}
	out.push('');
	return out;
}
