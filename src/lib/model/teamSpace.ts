// How a Team is laid out as a private space: which access circle holds which documents, and
// what each circle is called. Circle names are content, so they live in the (encrypted) team
// document and never in the membership log. Pure: no Svelte, no keys.
import { words } from '$lib/words';
import { addDays, firstDayOf, monthOf, type IsoDate, type IsoMonth, type TimeOfDay } from './calendar';
import type { MemberKind, Team } from './team';

/**
 * The access circles of a Team's space, in the order `createSpace(4)` makes them (the first
 * circle is always everyone in the space):
 * 0. whole team: team, rota, chat (and the space's shared notes: people's own names, invitations)
 * 1. care records: visit notes, medication record (MAR)
 * 2. money: rates and statements
 * 3. emergency contact only: for the profile sections an emergency contact may read
 */
export const TEAM_CIRCLES = [{ role: 'whole-team' }, { role: 'care-records' }, { role: 'money' }, { role: 'emergency-contact' }] as const;

export type TeamCircleRole = (typeof TEAM_CIRCLES)[number]['role'];

/** The team document as stored: the Team model plus the names of the space's circles, by id. */
export type TeamDoc = Team & { circles?: Record<string, string> };

/** What the circle in a position (from 0) is called until someone renames it. */
function defaultName(index: number): string {
	const role = TEAM_CIRCLES[index]?.role;
	return role ? words.messages.model.teamSpace.circles[role] : words.messages.model.common.part(index + 1);
}

/** Names for the circles `createSpace` returned, in `TEAM_CIRCLES` order. */
export function teamCircleNames(circleIds: readonly string[]): Record<string, string> {
	const out: Record<string, string> = {};
	circleIds.forEach((id, i) => (out[id] = defaultName(i)));
	return out;
}

/** The name of one circle: from the team document, or the default for its position. */
export function teamCircleName(doc: TeamDoc | undefined, circle: string, index: number): string {
	return doc?.circles?.[circle]?.trim() || defaultName(index);
}

/** Who reads through one circle, for saying exactly who will read something shared with it. */
export type CircleReaders = {
	circle: string;
	/** The circle's role (see TEAM_CIRCLES); undefined for a circle made later. */
	role: TeamCircleRole | undefined;
	name: string;
	/** How many people of each kind, from the team document (the Owner is left out: they read everything). */
	kinds: Partial<Record<MemberKind, number>>;
	/** People the team document says nothing about: not in the whole team, or not introduced yet. */
	others: number;
};

/**
 * Who reads something shared with these circles, each person once, under the first circle
 * (in the team's order) they hold. `members` is the space's membership: person → circles.
 */
export function readersOf(
	doc: TeamDoc | undefined,
	circleIds: readonly string[],
	chosen: Iterable<string>,
	members: Iterable<{ person: string; circles: Iterable<string> }>
): CircleReaders[] {
	const picked = new Set(chosen);
	const order = circleIds.filter((c) => picked.has(c));
	const out: CircleReaders[] = order.map((circle) => {
		const index = circleIds.indexOf(circle);
		return { circle, role: TEAM_CIRCLES[index]?.role, name: teamCircleName(doc, circle, index), kinds: {}, others: 0 };
	});
	for (const m of members) {
		if (doc && m.person === doc.owner) continue;
		const held = new Set(m.circles);
		const group = out.find((g) => held.has(g.circle));
		if (!group) continue;
		const member = doc?.members[m.person];
		// An emergency contact is counted as one whatever the team document says of them.
		if (member && member.leftAt === null && group.role !== 'emergency-contact') group.kinds[member.kind] = (group.kinds[member.kind] ?? 0) + 1;
		else group.others++;
	}
	return out;
}

/** Today's date on this device's own calendar (the rota's dates are local, like a paper diary). */
export function localToday(now = new Date()): IsoDate {
	const p = (n: number) => String(n).padStart(2, '0');
	return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}` as IsoDate;
}

/** The time of day now on this device, HH:MM. */
export function localTime(now = new Date()): TimeOfDay {
	const p = (n: number) => String(n).padStart(2, '0');
	return `${p(now.getHours())}:${p(now.getMinutes())}` as TimeOfDay;
}

/**
 * The months a team's pages read first: this month and last. Notes, the MAR log and chat are
 * kept a document per month, and older months are loaded only when someone asks for them.
 */
export function recentMonths(today: IsoDate): IsoMonth[] {
	const month = monthOf(today);
	return [month, monthOf(addDays(firstDayOf(month), -1))];
}

/** A month as people say it, e.g. "November 2026" (in the device's language). */
export function monthTitle(month: IsoMonth): string {
	return new Date(`${month}-15T12:00:00`).toLocaleDateString(undefined, { month: 'long', year: 'numeric' });
}
