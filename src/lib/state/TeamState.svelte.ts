// A Team in the browser: a private space whose documents include a `team` document. Finds the
// team's documents by their `kind` among the space's documents (a document this device holds
// no key for is simply not there) and exposes each as a DocState. `TeamState.create` starts a
// new Team: a space with the circles of `TEAM_CIRCLES`, and its documents in their circles.
//
// Visit notes, the MAR log and chat grow for years, so they are kept one document per month
// (see `period` in their models). Documents are found by the kind and period the engine
// remembers, without loading them; only the ones a page asks for are loaded from disk.
import type { DocHandle } from '@automerge/automerge-repo';
import type { DocumentId, SpaceId } from '$lib/protocol';
import { words } from '$lib/words';
import { DocState } from './DocState.svelte';
import type { HearthApp } from './HearthApp.svelte';
import { cleanName, cleanTitle, newPrivateSpace, type Space } from '$lib/model/space';
import { isTeam, needsRemovalRecorded, newTeam, recordRemoval, withRemovals, type TeamRemoval } from '$lib/model/team';
import { removals } from '$lib/model/spaceMembers';
import { SpaceClosedError } from './SpaceClosedError';
import { isRota, newRota, type Rota } from '$lib/model/rota';
import { isTeamChat, newTeamChat, type TeamChat } from '$lib/model/chat';
import { isVisitNotes, newVisitNotes, type VisitNotes } from '$lib/model/visitNotes';
import { isMarRecord, newMarRecord, type MarRecord } from '$lib/model/mar';
import { isMoney, newMoney, type Money } from '$lib/model/money';
import { isProfileIndex, newProfileIndex, type ProfileIndex } from '$lib/model/profile';
import { isTrustAssessment, newTrustAssessment, type TrustAssessment } from '$lib/model/trustAssessment';
import { isSupportPromise, newSupportPromise, type SupportPromise } from '$lib/model/promise';
import { randomId, type PersonKey } from '$lib/model/ids';
import { TEAM_CIRCLES, teamCircleNames, type TeamCircleRole, type TeamDoc } from '$lib/model/teamSpace';
import { isIsoMonth, type IsoMonth } from '$lib/model/calendar';

const msg = words.messages.state.team;

export { TEAM_CIRCLES } from '$lib/model/teamSpace';

/** A loaded document's state; asking starts loading a copy still on disk (reactive). */
function loaded(app: HearthApp, docId: DocumentId): DocState<unknown> | undefined {
	const handle = app.handle<unknown>(docId);
	return handle ? app.state(handle) : undefined;
}

/** Kinds of document only a Team has: holding any of them (an emergency contact may hold just a profile section) makes it a team. */
const TEAM_KINDS = new Set(['team', 'rota', 'visit-notes', 'mar', 'money', 'profile-index', 'profile-section', 'trust-assessment', 'getting-support-promise', 'team-chat']);

/** Whether a space is a Team (reactive): one of its documents this device holds is a team's. */
export function isTeamSpace(app: HearthApp, spaceId: SpaceId): boolean {
	const docs = app.spaceState(spaceId)?.docs;
	if (!docs) return false;
	for (const docId of docs.keys()) if (TEAM_KINDS.has(app.describe(docId as DocumentId)?.kind ?? '')) return true;
	return false;
}

/** The kinds kept one document per month, and the access circle each lives in. */
export const MONTHLY = {
	'visit-notes': 'care-records',
	mar: 'care-records',
	'team-chat': 'whole-team'
} as const satisfies Record<string, TeamCircleRole>;
export type MonthlyKind = keyof typeof MONTHLY;

type Listed = { docId: DocumentId; kind: string; period: string | undefined };

export class TeamState {
	readonly app: HearthApp;
	readonly spaceId: SpaceId;

	/** Circle ids in creation order (see TEAM_CIRCLES). */
	readonly circles = $derived.by(() => [...(this.app.spaceState(this.spaceId)?.circles.keys() ?? [])]);

	/** Every document of the space this device has, with its kind and period, sorted by id (same choice on every device). */
	readonly #listed = $derived.by(() => {
		const out: Listed[] = [];
		const docs = this.app.spaceState(this.spaceId)?.docs;
		if (!docs) return out;
		for (const docId of docs.keys()) {
			const meta = this.app.describe(docId as DocumentId);
			if (meta?.kind) out.push({ docId: docId as DocumentId, kind: meta.kind, period: meta.period });
		}
		return out.sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0));
	});

	/** The one document of each kind that has no period (the team, the rota, the medicines list…). */
	readonly #singles = $derived.by(() => {
		const out = new Map<string, DocumentId>();
		for (const d of this.#listed) if (d.period === undefined && !out.has(d.kind)) out.set(d.kind, d.docId);
		return out;
	});

	constructor(app: HearthApp, spaceId: SpaceId) {
		this.app = app;
		this.spaceId = spaceId;
	}

	/** Everyone the space's membership log has taken out (or who left it), with who and when. */
	readonly removals = $derived.by((): TeamRemoval[] => {
		const state = this.app.spaceState(this.spaceId);
		if (!state) return [];
		return removals(state).map((r) => ({ person: r.person as PersonKey, by: r.by as PersonKey | undefined, at: r.at }));
	});

	/**
	 * The team as pages show it: the team document, with every removal in the membership log
	 * applied (see `withRemovals`). Someone removed is not a current member, offered hats or
	 * speaking for the Owner here, on every device, even before the document has caught up
	 * (and on the removed person's own device, which never will). Write through `team`.
	 */
	readonly teamDoc = $derived.by((): TeamDoc | undefined => {
		const doc = this.team?.doc;
		return doc ? (withRemovals(doc, this.removals) as TeamDoc) : undefined;
	});

	/** Removals the team document itself has not recorded yet (for a device that lets people in to write down). */
	readonly removalsToRecord = $derived.by((): TeamRemoval[] => {
		const doc = this.team?.doc;
		return doc ? this.removals.filter((r) => needsRemovalRecorded(doc, r)) : [];
	});

	/**
	 * Writes the removals the team document lags behind into it, so its own record (and every
	 * copy or export of it) says who is no longer in the team and which hats ended. Only a
	 * device that may let people in does this, while it can still write; with the log's own
	 * times, so two devices doing it at once write the same thing.
	 */
	recordRemovals(): void {
		const state = this.app.spaceState(this.spaceId);
		const me = this.app.personKey();
		const mine = me ? state?.members.get(me) : undefined;
		const due = this.removalsToRecord;
		if (!this.team || this.team.closed || due.length === 0 || !(mine?.role === 'owner' || mine?.role === 'admin')) return;
		this.team.change((d) => {
			for (const r of due) recordRemoval(d, r);
		});
	}

	/** Why nothing new can be added to this team from this device, if that is so (reactive). */
	get closure() {
		return this.app.closure(this.spaceId);
	}

	#find<T>(kind: string, guard: (doc: unknown) => doc is T): DocState<T> | undefined {
		const docId = this.#singles.get(kind);
		const s = docId ? loaded(this.app, docId) : undefined;
		return s && guard(s.doc) ? (s as DocState<T>) : undefined;
	}

	/** Every loaded document of a kind, whatever its period (loads them; reactive). */
	allOfKind<T>(kind: string, guard: (doc: unknown) => doc is T): DocState<T>[] {
		const out: DocState<T>[] = [];
		for (const d of this.#listed) {
			if (d.kind !== kind) continue;
			const s = loaded(this.app, d.docId);
			if (s && guard(s.doc)) out.push(s as DocState<T>);
		}
		return out;
	}

	// ── monthly documents ──────────────────────────────────────────────────────────────

	/** The months that have documents of a kind on this device, newest first (no loading). */
	months(kind: MonthlyKind): IsoMonth[] {
		const set = new Set<IsoMonth>();
		for (const d of this.#listed) if (d.kind === kind && isIsoMonth(d.period)) set.add(d.period);
		return [...set].sort().reverse();
	}

	/** The newest month before `month` that has documents of a kind on this device (for "show earlier"). */
	monthBefore(kind: MonthlyKind, month: IsoMonth): IsoMonth | undefined {
		return this.months(kind).find((m) => m < month);
	}

	/**
	 * The loaded documents of a kind for some months, plus any from before months were split
	 * (for the MAR: the medicines list, whose log holds such older entries). Asking loads them;
	 * the read re-runs as each arrives. Usually one per month; two if two devices started the
	 * same month while apart, and then both are read.
	 */
	inMonths<T>(kind: MonthlyKind, months: readonly IsoMonth[], guard: (doc: unknown) => doc is T): DocState<T>[] {
		const wanted = new Set<string>(months);
		const out: DocState<T>[] = [];
		for (const d of this.#listed) {
			if (d.kind !== kind || (d.period !== undefined && !wanted.has(d.period))) continue;
			const s = loaded(this.app, d.docId);
			if (s && guard(s.doc)) out.push(s as DocState<T>);
		}
		return out;
	}

	/** Whether every document of a kind for these months has been loaded (so "no notes" means none). */
	allLoaded(kind: MonthlyKind, months: readonly IsoMonth[]): boolean {
		const wanted = new Set<string>(months);
		return this.#listed.every((d) => d.kind !== kind || (d.period !== undefined && !wanted.has(d.period)) || this.app.handle(d.docId) !== undefined);
	}

	/**
	 * The document to write a month's entries into: the first (by id) of that month's, loaded
	 * from disk if need be, or a new one made in the kind's circle. Works offline.
	 */
	async forMonth<T>(kind: MonthlyKind, month: IsoMonth, guard: (doc: unknown) => doc is T): Promise<DocState<T>> {
		// A new month's document could never reach anyone: refuse before making one.
		if (this.app.isShutOut(this.spaceId)) {
			this.app.noteRefused(this.spaceId);
			throw new SpaceClosedError(this.spaceId, words.messages.state.docState.closed);
		}
		const existing = this.#listed.find((d) => d.kind === kind && d.period === month);
		if (existing) {
			const handle = await this.app.engine.load(existing.docId);
			if (handle) {
				const s = this.app.state(handle);
				if (guard(s.doc)) return s as DocState<T>;
			}
		}
		const circle = this.circleOf(MONTHLY[kind]);
		if (!circle) throw new Error(msg.noPlace);
		const owner = (this.team?.doc?.owner ?? this.app.personKey()) as PersonKey;
		const initial =
			kind === 'visit-notes' ? newVisitNotes(owner, month) : kind === 'mar' ? newMarRecord(randomId(), Date.now(), month) : newTeamChat(this.spaceId, Date.now(), month);
		const handle = await this.app.engine.createInSpace(this.spaceId, circle, initial);
		const s = this.app.state(handle as DocHandle<unknown>);
		if (!guard(s.doc)) throw new Error(msg.notReadable);
		return s as DocState<T>;
	}

	get team(): DocState<TeamDoc> | undefined {
		return this.#find<TeamDoc>('team', isTeam);
	}
	get rota(): DocState<Rota> | undefined {
		return this.#find('rota', isRota);
	}
	/** The medicines list (and entries from before the log was split into months). */
	get mar(): DocState<MarRecord> | undefined {
		return this.#find('mar', isMarRecord);
	}
	get money(): DocState<Money> | undefined {
		return this.#find('money', isMoney);
	}
	/** The Getting Support Profile's index (whole-team circle); undefined for older teams until the Owner starts it. */
	get profileIndex(): DocState<ProfileIndex> | undefined {
		return this.#find('profile-index', isProfileIndex);
	}
	get trustAssessment(): DocState<TrustAssessment> | undefined {
		return this.#find('trust-assessment', isTrustAssessment);
	}
	get promise(): DocState<SupportPromise> | undefined {
		return this.#find('getting-support-promise', isSupportPromise);
	}

	/** Every document of a kind this device knows of, with the access circle it is in (no loading; reactive). */
	listedOfKind(kind: string): Array<{ docId: DocumentId; circle: string | undefined }> {
		const docs = this.app.spaceState(this.spaceId)?.docs;
		return this.#listed.filter((d) => d.kind === kind).map((d) => ({ docId: d.docId, circle: docs?.get(d.docId) }));
	}

	/** One document by id (e.g. a profile section), if this device holds its key and a copy. */
	docById<T>(docId: string | null, guard: (doc: unknown) => doc is T): DocState<T> | undefined {
		if (!docId) return undefined;
		const handle = this.app.handle<unknown>(docId as DocumentId);
		if (!handle) return undefined;
		const state = this.app.state(handle);
		return guard(state.doc) ? (state as DocState<T>) : undefined;
	}

	/** The circle id for a role (see TEAM_CIRCLES), if the space has it. */
	circleOf(role: (typeof TEAM_CIRCLES)[number]['role']): string | undefined {
		return this.circles[TEAM_CIRCLES.findIndex((c) => c.role === role)];
	}

	/** The space's shared notes: what people call themselves and who invitations were for (People panel). */
	get notes(): DocState<Space> | undefined {
		return this.#find('space', (d): d is Space => (d as Space | undefined)?.kind === 'space');
	}

	/**
	 * Whether this device holds the keys to a circle (by role). Visibility is by keys: someone
	 * not given care records holds no key for those documents, so they are simply not readable.
	 */
	canRead(role: (typeof TEAM_CIRCLES)[number]['role']): boolean {
		const index = TEAM_CIRCLES.findIndex((c) => c.role === role);
		const circle = this.circles[index];
		const docs = this.app.spaceState(this.spaceId)?.docs;
		if (!circle || !docs) return false;
		for (const [docId, c] of docs) if (c === circle && this.app.hasAccess(docId as DocumentId)) return true;
		return false;
	}

	/** Starts a Team owned by this person: a space with TEAM_CIRCLES and the team's documents. */
	static async create(app: HearthApp, options: { teamName: string; ownerName: string }): Promise<SpaceId> {
		const engine = app.engine;
		const teamName = cleanTitle(options.teamName) || msg.defaultName;
		const ownerName = cleanName(options.ownerName);
		await engine.person();
		const me = engine.personKey() as unknown as PersonKey;
		const { spaceId, circles } = await engine.createSpace(TEAM_CIRCLES.length);
		const names = teamCircleNames(circles);
		const [whole, care, money] = circles;
		// First in the whole-team circle, so the People panel finds it as the space's main document.
		const notes = newPrivateSpace(teamName, me, ownerName, circles);
		notes.circles = { ...names };
		await engine.createInSpace(spaceId, whole, notes);
		const team: TeamDoc = { ...newTeam(teamName, me, ownerName), circles: { ...names } };
		await engine.createInSpace(spaceId, whole, team);
		await engine.createInSpace(spaceId, whole, newRota());
		// Chat and visit notes are made a month at a time, as they are first written.
		await engine.createInSpace(spaceId, care, newMarRecord(randomId()));
		await engine.createInSpace(spaceId, money, newMoney());
		// The Getting Support Profile (sections are made as they are first written), the Promise
		// and the Trust Assessment.
		await engine.createInSpace(spaceId, whole, newProfileIndex(me, whole));
		await engine.createInSpace(spaceId, whole, newSupportPromise(randomId()));
		await engine.createInSpace(spaceId, care, newTrustAssessment());
		return spaceId;
	}
}
