// Readable copies of giving and finding support: a Giving Support profile (the person's own,
// or a Local Circle's copy of it), a Local Circle and a call-out. Rough locations stay out:
// they are kept only to work out distances, and a number on the page would mean nothing to
// the reader. Same shape as readableTeam.ts. Pure.
import { words } from '$lib/words';
import { RELATIONSHIPS, type CallOut } from './callOut';
import {
	GIVING_SECTIONS,
	PREFERENCES,
	SKILLS,
	SUPPORT_KINDS,
	SURROUNDINGS,
	isSlotKey,
	type GivingProfile,
	type GivingProfileContent,
	type Qualification,
	type SharedGivingProfile
} from './givingProfile';
import type { LocalCircle } from './localCircle';
import { describeSlots } from './matching';
import { formatPounds } from './money';
import { bullets, byText, dateInWords, entries, field, heading, momentInWords, paragraph, plain, quote, setOf, text, type Lines, type ReadingContext } from './readableFormat';

const w = words.readable;
const sections = words.support.sections;

function labels(value: unknown, table: Record<string, string>): string[] {
	return setOf(value).map((k) => table[k] ?? k);
}

function words_(text_: unknown): Lines {
	return text(text_).trim() ? quote(text_) : [];
}

/** A profile's content, section by section, in the order the person filled it in. */
export function profileContentLines(p: GivingProfileContent): Lines {
	const out: Lines = [];
	for (const { key } of GIVING_SECTIONS) {
		const body: Lines = [];
		switch (key) {
			case 'aboutMe': {
				body.push(...words_(p.aboutMe));
				body.push(...field(w.giving.area, plain(p.area)));
				const kinds = labels(p.supportKinds, SUPPORT_KINDS);
				if (kinds.length) body.push(...field(w.giving.offers, kinds.join(', ')));
				body.push(...paragraph(p.driver ? w.giving.drives : w.giving.doesNotDrive));
				if (p.independent) body.push(...paragraph(w.giving.independent(p.hourlyRatePence ? formatPounds(p.hourlyRatePence) : null)));
				break;
			}
			case 'experience':
				body.push(...words_(p.experience));
				break;
			case 'skills': {
				const skills = labels(p.skills, SKILLS);
				body.push(...bullets(skills));
				body.push(...words_(p.otherSkills));
				break;
			}
			case 'qualifications': {
				const qs = entries<Qualification>(p.qualifications).sort(byText(([, q]) => `${q.date ?? ''}~${q.title}`));
				body.push(...bullets(qs.map(([, q]) => w.giving.qualification(plain(q.title), q.accredited, q.date ? dateInWords(q.date) : null, q.skill ? (SKILLS[q.skill] ?? null) : null))));
				break;
			}
			case 'surroundings':
				body.push(...bullets(labels(p.surroundings, SURROUNDINGS)), ...words_(p.surroundingsNote));
				break;
			case 'preferences':
				body.push(...bullets(labels(p.preferences, PREFERENCES)), ...words_(p.preferencesNote));
				break;
			case 'travel': {
				if (p.travelMiles !== null && p.travelMiles !== undefined) body.push(...paragraph(w.giving.travels(p.travelMiles)));
				const slots = setOf(p.availability).filter(isSlotKey);
				if (slots.length) body.push(...paragraph(w.giving.free(describeSlots(slots))));
				break;
			}
			case 'languages': {
				const spoken = Object.values(p.languages ?? {}).map(plain).filter(Boolean).sort();
				if (spoken.length) body.push(...paragraph(spoken.join(', ')));
				break;
			}
			default:
				body.push(...words_((p as Record<string, unknown>)[key]));
		}
		if (body.length) out.push(...heading(3, sections[key]), ...body);
	}
	return out.length ? out : paragraph(w.nothingWritten);
}

export function givingProfileMarkdown(doc: GivingProfile, _ctx: ReadingContext): Lines {
	const shared = Object.values(doc.shares ?? {}).filter((s) => s.active).length;
	return [...paragraph(w.giving.whose(plain(doc.profile?.name))), ...paragraph(w.giving.sharedWith(shared)), ...profileContentLines(doc.profile), ...paragraph(w.lastChangedOn(momentInWords(doc.updatedAt)))];
}

export function sharedGivingProfileMarkdown(doc: SharedGivingProfile, ctx: ReadingContext): Lines {
	if (doc.withdrawn || !doc.profile) return paragraph(w.giving.withdrawn(ctx.name(doc.person)));
	return [...paragraph(w.giving.whose(plain(doc.profile.name) || ctx.name(doc.person))), ...profileContentLines(doc.profile), ...paragraph(w.lastChangedOn(momentInWords(doc.updatedAt)))];
}

export function localCircleMarkdown(doc: LocalCircle, _ctx: ReadingContext): Lines {
	return [...field(w.giving.area, plain(doc.area)), ...paragraph(w.localCircle.started(momentInWords(doc.createdAt)))];
}

export function callOutMarkdown(doc: CallOut, ctx: ReadingContext): Lines {
	const out: Lines = [...paragraph(w.callOut.posted(plain(doc.posterName) || ctx.name(doc.postedBy), momentInWords(doc.postedAt), doc.status))];
	out.push(...quote(doc.about));
	out.push(...field(w.giving.area, plain(doc.area)));
	const skills = labels(doc.skills, SKILLS);
	if (skills.length) out.push(...field(w.callOut.skills, skills.join(', ')));
	const kinds = labels(doc.supportKinds, SUPPORT_KINDS);
	if (kinds.length) out.push(...field(w.callOut.kinds, kinds.join(', ')));
	const chores = labels(doc.surroundings, SURROUNDINGS);
	if (chores.length) out.push(...field(w.callOut.chores, chores.join(', ')));
	const slots = setOf(doc.slots).filter(isSlotKey);
	if (slots.length) out.push(...field(w.callOut.when, describeSlots(slots)));
	out.push(...field(w.callOut.timesNote, plain(doc.timesNote)));
	if (doc.budgetPence) out.push(...field(w.callOut.budget, w.callOut.anHour(formatPounds(doc.budgetPence))));
	const languages = Object.values(doc.languages ?? {}).map(plain).filter(Boolean);
	if (languages.length) out.push(...field(w.callOut.languages, languages.join(', ')));
	if (doc.driverWanted) out.push(...paragraph(w.callOut.driver));
	const home = (['pets', 'heavyLifting', 'smoking', 'overnight'] as const).filter((k) => doc.home?.[k]).map((k) => w.callOut.home[k]);
	if (home.length) out.push(...field(w.callOut.homeLabel, home.join(', ')));
	out.push(...field(w.callOut.qualities, plain(doc.qualities)));
	out.push(...field(w.callOut.relationship, RELATIONSHIPS[doc.relationship] ?? ''));
	const interests = entries<CallOut['interests'][string]>(doc.interests).sort(([, a], [, b]) => a.at - b.at);
	if (interests.length) {
		out.push(...heading(3, w.callOut.interested));
		out.push(...bullets(interests.map(([p, i]) => w.callOut.interest(plain(i.name) || ctx.name(p), momentInWords(i.at), plain(i.note), i.withdrawn))));
	}
	const invitations = entries<CallOut['invitations'][string]>(doc.invitations).sort(([, a], [, b]) => a.at - b.at);
	if (invitations.length) {
		out.push(...heading(3, w.callOut.invited));
		out.push(...bullets(invitations.map(([p, i]) => w.callOut.invitation(ctx.name(p), ctx.name(i.by), momentInWords(i.at)))));
	}
	return out;
}
