// Readable copies of spaces and circles: a space's notes and checklist, a circle's aim, roles
// and budget, its logbook (meetings with their minutes, proposals and decisions, members'
// pages), minutes published to it, and a personal logbook. Same shape as readableTeam.ts:
// plain document and what the copy knows of the space in, Markdown lines out. Pure.
import { words } from '$lib/words';
import type { PersonalLogbook, PublishedMinutes } from './circleSpace';
import { CIRCLE_ROLES, isCircleRole, type Circle, type Election, type Plan, type RoleTerm } from './circle';
import { consentsOf, objectionsOf, type ConsentRound } from './consent';
import { latestDraft, PROPOSAL_STEPS, ESCALATION_STEPS, type Logbook, type Meeting, type Proposal } from './logbook';
import { formatPounds } from './money';
import type { Space } from './space';
import { bullets, byText, dateInWords, entries, field, heading, momentInWords, paragraph, plain, quote, text, type Lines, type ReadingContext } from './readableFormat';

const w = words.readable;

/** Minutes keep their own light formatting ("## " headings), pushed `below` levels down to sit under the copy's headings. */
function minutesLines(minutes: string, below: number): Lines {
	const body = text(minutes).replace(/\r\n?/g, '\n').trim();
	if (!body) return paragraph(w.nothingWritten);
	return [...body.split('\n').map((line) => line.replace(/^(#{1,6}) /, (_m, hashes: string) => `${'#'.repeat(Math.min(6, hashes.length + below))} `)), ''];
}

// ── a space ──────────────────────────────────────────────────────────────────────────────

export function spaceMarkdown(doc: Space, ctx: ReadingContext): Lines {
	const out: Lines = [...(text(doc.notes).trim() ? quote(doc.notes) : paragraph(w.space.noNotes))];
	const items = Array.isArray(doc.items) ? doc.items : [];
	if (items.length) {
		out.push(...heading(3, w.space.checklist));
		out.push(...items.map((i) => `- [${i.done ? 'x' : ' '}] ${plain(i.text)}`), '');
	}
	const people = Object.keys(doc.people ?? {}).map((p) => ctx.name(p)).sort();
	if (people.length) out.push(...paragraph(w.space.people(people)));
	const parts = Object.values(doc.circles ?? {}).filter(Boolean);
	if (parts.length > 1) out.push(...paragraph(w.space.parts(parts.map(plain))));
	const invited = Object.values(doc.invited ?? {}).filter(Boolean);
	if (invited.length) out.push(...paragraph(w.space.invited(invited.map(plain).sort())));
	return out;
}

// ── a circle ─────────────────────────────────────────────────────────────────────────────

const roleTitle = (role: string) => (isCircleRole(role) ? CIRCLE_ROLES[role].title : plain(role));

export function circleMarkdown(doc: Circle, ctx: ReadingContext): Lines {
	const out: Lines = [];
	out.push(...heading(3, w.circle.aim), ...(text(doc.aim).trim() ? quote(doc.aim) : paragraph(w.nothingWritten)));
	out.push(...heading(3, w.circle.domain), ...(text(doc.domain).trim() ? quote(doc.domain) : paragraph(w.nothingWritten)));
	if (doc.parent) out.push(...paragraph(w.circle.partOf(plain(doc.parent.name))));

	const members = entries<Circle['members'][string]>(doc.members).sort(([, a], [, b]) => a.joinedAt - b.joinedAt);
	out.push(...heading(3, w.circle.members));
	out.push(
		...bullets(members.map(([p, m]) => w.circle.member(plain(m.name) || ctx.name(p), momentInWords(m.joinedAt), m.leftAt === null ? null : momentInWords(m.leftAt))))
	);

	const roles = entries<RoleTerm>(doc.roles).sort(byText(([role]) => role));
	if (roles.length) {
		out.push(...heading(3, w.circle.roles));
		out.push(...bullets(roles.map(([role, r]) => w.circle.role(roleTitle(role), ctx.name(r.holder), dateInWords(r.from), dateInWords(r.until)))));
	}
	const b = doc.budget;
	if (b && b.amountPence > 0) {
		out.push(...heading(3, w.circle.budget));
		out.push(...paragraph(w.circle.budgetLine(formatPounds(b.amountPence), b.period, b.fromParentPence > 0 ? formatPounds(b.fromParentPence) : null)));
		out.push(...quote(b.note));
	}
	const plans = entries<Plan>(doc.plans).sort(([, a], [, b]) => a.at - b.at);
	if (plans.length) {
		out.push(...heading(3, w.circle.plans));
		out.push(...plans.map(([, p]) => `- [${p.done ? 'x' : ' '}] ${plain(p.text)}${p.due ? ` (${w.circle.due(dateInWords(p.due))})` : ''}`), '');
	}
	const elections = entries<Election>(doc.elections).sort(([, a], [, b]) => a.createdAt - b.createdAt);
	if (elections.length) {
		out.push(...heading(3, w.circle.elections));
		for (const [, e] of elections) {
			out.push(...heading(4, w.circle.election(roleTitle(e.role), e.termMonths, momentInWords(e.createdAt))));
			out.push(...paragraph(w.circle.electionStatus(e.status, e.candidate ? ctx.name(e.candidate) : null)));
			const nominations = entries<Election['nominations'][string]>(e.nominations).sort(([, a], [, b]) => a.at - b.at);
			out.push(...bullets(nominations.map(([by, n]) => w.circle.nominated(ctx.name(by), ctx.name(n.nominee), plain(n.reason)))));
			out.push(...consentLines(e.round, ctx));
		}
	}
	return out;
}

function consentLines(round: ConsentRound | undefined, ctx: ReadingContext): Lines {
	if (!round) return [];
	const consents = consentsOf(round).map((p) => ctx.name(p));
	const objections = objectionsOf(round);
	const out: Lines = [];
	if (consents.length) out.push(...paragraph(w.consent.consented(consents)));
	out.push(...bullets(objections.map((o) => w.consent.objection(ctx.name(o.by), plain(o.reason), o.status, plain(o.closingNote)))));
	return out;
}

// ── a logbook ────────────────────────────────────────────────────────────────────────────

export function logbookMarkdown(doc: Logbook, ctx: ReadingContext): Lines {
	const out: Lines = [];
	const meetings = entries<Meeting>(doc.meetings).sort(byText(([id, m]) => `${m.date}~${m.createdAt}~${id}`));
	out.push(...heading(3, w.logbook.meetings));
	if (meetings.length === 0) out.push(...paragraph(w.logbook.noMeetings));
	for (const [, m] of meetings) {
		out.push(...heading(4, w.logbook.meeting(plain(m.title) || w.logbook.aMeeting, dateInWords(m.date))));
		const by = (a: string) =>
			Object.entries(m.attendance ?? {})
				.filter(([, v]) => v === a)
				.map(([p]) => ctx.name(p))
				.sort();
		for (const a of ['present', 'apologies', 'absent'] as const) {
			const people = by(a);
			if (people.length) out.push(...paragraph(w.logbook.attendance(a, people)));
		}
		const agenda = entries<Meeting['agenda'][string]>(m.agenda).sort(([, a], [, b]) => a.order - b.order || a.at - b.at);
		if (agenda.length) {
			out.push(...paragraph(`**${w.logbook.agenda}**`));
			out.push(...agenda.map(([, i]) => `- [${i.done ? 'x' : ' '}] ${plain(i.text)}`), '');
		}
		const rounds = entries<Meeting['rounds'][string]>(m.rounds).sort(([, a], [, b]) => a.order - b.order || a.at - b.at);
		for (const [, r] of rounds) {
			out.push(...paragraph(`**${w.logbook.round(plain(r.question))}**`));
			out.push(...bullets(entries<{ text: string; at: number }>(r.answers).sort(([, a], [, b]) => a.at - b.at).map(([p, a]) => `${ctx.name(p)}: ${plain(a.text)}`)));
		}
		out.push(...paragraph(`**${w.logbook.minutes}**`), ...minutesLines(m.minutes, 3));
	}

	const proposals = entries<Proposal>(doc.proposals).sort(([, a], [, b]) => a.createdAt - b.createdAt);
	if (proposals.length) {
		out.push(...heading(3, w.logbook.proposals));
		for (const [, p] of proposals) out.push(...proposalLines(p, ctx));
	}

	const pages = entries<Logbook['members'][string]>(doc.members).sort(byText(([p]) => ctx.name(p)));
	if (pages.length) {
		out.push(...heading(3, w.logbook.memberPages));
		for (const [person, page] of pages) {
			out.push(...heading(4, ctx.name(person)));
			out.push(...field(w.logbook.role, plain(page.role)), ...field(w.logbook.aims, plain(page.aims)));
			out.push(...field(w.logbook.responsibilities, plain(page.responsibilities)), ...field(w.logbook.goals, plain(page.developmentGoals)));
		}
	}
	return out;
}

function proposalLines(p: Proposal, ctx: ReadingContext): Lines {
	const step = PROPOSAL_STEPS.find((s) => s.step === p.step)?.label ?? plain(p.step);
	const out: Lines = [...heading(4, plain(p.title) || w.logbook.aProposal)];
	out.push(...paragraph(w.logbook.proposalState(ctx.name(p.createdBy), momentInWords(p.createdAt), step, p.lead ? ctx.name(p.lead) : null, p.deadline ? dateInWords(p.deadline) : null)));
	if (text(p.picture).trim()) out.push(...paragraph(`**${w.logbook.picture}**`), ...quote(p.picture));
	const draft = latestDraft(p);
	if (draft) out.push(...paragraph(`**${w.logbook.draft(draft.version, ctx.name(draft.draft.by), momentInWords(draft.draft.at))}**`), ...quote(draft.draft.text));
	const inputs = entries<Proposal['inputs'][string]>(p.inputs).sort(([, a], [, b]) => a.at - b.at);
	if (inputs.length) out.push(...bullets(inputs.map(([, i]) => `${ctx.name(i.by)}: ${plain(i.text)}`)));
	out.push(...consentLines(p.round, ctx));
	const d = p.decision;
	if (d) {
		out.push(...paragraph(`**${w.logbook.decided(momentInWords(d.decidedAt), d.policy)}**`), ...quote(d.text));
		out.push(...field(w.logbook.term, plain(d.term)), ...field(w.logbook.review, dateInWords(d.reviewDate)), ...field(w.logbook.measure, plain(d.measure)));
		const reviews = entries<{ at: number; by: string; note: string; nextReview: string | null }>(d.reviews).sort(([, a], [, b]) => a.at - b.at);
		out.push(...bullets(reviews.map(([, r]) => w.logbook.reviewed(ctx.name(r.by), momentInWords(r.at), plain(r.note), r.nextReview ? dateInWords(r.nextReview) : null))));
		if (d.retiredAt !== null) out.push(...paragraph(w.logbook.retired(momentInWords(d.retiredAt))));
	}
	const appeals = entries<Proposal['appeals'][string]>(p.appeals).sort(([, a], [, b]) => a.at - b.at);
	for (const [, a] of appeals) {
		const stepLabel = ESCALATION_STEPS.find((s) => s.step === a.step)?.label ?? plain(a.step);
		out.push(...paragraph(w.logbook.appeal(ctx.name(a.by), momentInWords(a.at), plain(a.reason), Object.keys(a.supporters ?? {}).length, stepLabel, a.outcome)));
	}
	return out;
}

// ── published minutes and a personal logbook ────────────────────────────────────────────

export function publishedMarkdown(doc: PublishedMinutes, ctx: ReadingContext): Lines {
	const out: Lines = [...paragraph(w.published.from(plain(doc.fromName), plain(doc.meetingTitle), dateInWords(doc.date), ctx.name(doc.publishedBy), momentInWords(doc.publishedAt)))];
	if (text(doc.minutes).trim()) out.push(...heading(3, w.logbook.minutes), ...minutesLines(doc.minutes, 2));
	if (doc.decisions.length) {
		out.push(...heading(3, w.published.decisions));
		for (const d of doc.decisions) {
			out.push(...heading(4, plain(d.title) || w.logbook.aProposal), ...quote(d.text));
			out.push(...field(w.logbook.term, plain(d.term)), ...field(w.logbook.review, dateInWords(d.reviewDate)), ...field(w.logbook.measure, plain(d.measure)));
		}
	}
	return out;
}

export function personalLogbookMarkdown(doc: PersonalLogbook, ctx: ReadingContext): Lines {
	const out: Lines = [...paragraph(w.personal.whose(ctx.name(doc.owner)))];
	out.push(...heading(3, w.personal.goals), ...(text(doc.goals).trim() ? quote(doc.goals) : paragraph(w.nothingWritten)));
	const items = entries<PersonalLogbook['entries'][string]>(doc.entries).sort(byText(([id, e]) => `${e.date}~${e.at}~${id}`));
	if (items.length) {
		out.push(...heading(3, w.personal.entries));
		for (const [, e] of items) out.push(...heading(4, dateInWords(e.date)), ...quote(e.text));
	}
	return out;
}
