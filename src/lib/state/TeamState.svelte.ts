// A Team in the browser: a private space whose documents include a `team` document. Finds the
// team's documents by their `kind` among the space's documents (a document this device holds
// no key for is simply not there) and exposes each as a DocState. `TeamState.create` starts a
// new Team: a space with the circles of `TEAM_CIRCLES`, and its documents in their circles.
import type { DocHandle } from '@automerge/automerge-repo';
import type { DocumentId, SpaceId } from '$lib/protocol';
import { DocState } from './DocState.svelte';
import type { HearthApp } from './HearthApp.svelte';
import { cleanName, cleanTitle, newPrivateSpace, type Space } from '$lib/model/space';
import { isTeam, newTeam } from '$lib/model/team';
import { isRota, newRota, type Rota } from '$lib/model/rota';
import { isTeamChat, newTeamChat, type TeamChat } from '$lib/model/chat';
import { isVisitNotes, newVisitNotes, type VisitNotes } from '$lib/model/visitNotes';
import { isMarRecord, newMarRecord, type MarRecord } from '$lib/model/mar';
import { isMoney, newMoney, type Money } from '$lib/model/money';
import { isProfileIndex, newProfileIndex, type ProfileIndex } from '$lib/model/profile';
import { isTrustAssessment, newTrustAssessment, type TrustAssessment } from '$lib/model/trustAssessment';
import { isSupportPromise, newSupportPromise, type SupportPromise } from '$lib/model/promise';
import { randomId, type PersonKey } from '$lib/model/ids';
import { TEAM_CIRCLES, teamCircleNames, type TeamDoc } from '$lib/model/teamSpace';

export { TEAM_CIRCLES } from '$lib/model/teamSpace';

/** DocStates are cached per handle, so every page reading a team shares one subscription each. */
const states = new WeakMap<DocHandle<unknown>, DocState<unknown>>();

function stateOf(handle: DocHandle<unknown>): DocState<unknown> {
	let s = states.get(handle);
	if (!s) states.set(handle, (s = new DocState(handle)));
	return s;
}

/** The `kind` of a document this device can read and has a copy of; undefined otherwise. */
function kindOf(app: HearthApp, docId: DocumentId): { kind: unknown; state: DocState<unknown> } | undefined {
	const handle = app.handle<unknown>(docId);
	if (!handle) return undefined;
	const state = stateOf(handle);
	const doc = state.doc as { kind?: unknown } | undefined;
	return doc ? { kind: doc.kind, state } : undefined;
}

/** Whether a space is a Team (reactive): one of its documents this device reads is a team. */
export function isTeamSpace(app: HearthApp, spaceId: SpaceId): boolean {
	const docs = app.spaceState(spaceId)?.docs;
	if (!docs) return false;
	for (const docId of docs.keys()) if (kindOf(app, docId as DocumentId)?.kind === 'team') return true;
	return false;
}

export class TeamState {
	readonly app: HearthApp;
	readonly spaceId: SpaceId;

	/** Circle ids in creation order (see TEAM_CIRCLES). */
	readonly circles = $derived.by(() => [...(this.app.spaceState(this.spaceId)?.circles.keys() ?? [])]);

	readonly #found = $derived.by(() => {
		const out = new Map<string, DocState<unknown>>();
		const docs = this.app.spaceState(this.spaceId)?.docs;
		if (!docs) return out;
		for (const docId of docs.keys()) {
			const found = kindOf(this.app, docId as DocumentId);
			if (found && typeof found.kind === 'string' && !out.has(found.kind)) out.set(found.kind, found.state);
		}
		return out;
	});

	constructor(app: HearthApp, spaceId: SpaceId) {
		this.app = app;
		this.spaceId = spaceId;
	}

	#find<T>(kind: string, guard: (doc: unknown) => doc is T): DocState<T> | undefined {
		const s = this.#found.get(kind);
		return s && guard(s.doc) ? (s as DocState<T>) : undefined;
	}

	get team(): DocState<TeamDoc> | undefined {
		return this.#find<TeamDoc>('team', isTeam);
	}
	get rota(): DocState<Rota> | undefined {
		return this.#find('rota', isRota);
	}
	get chat(): DocState<TeamChat> | undefined {
		return this.#find('team-chat', isTeamChat);
	}
	get visitNotes(): DocState<VisitNotes> | undefined {
		return this.#find('visit-notes', isVisitNotes);
	}
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

	/** One document by id (e.g. a profile section), if this device holds its key and a copy. */
	docById<T>(docId: string | null, guard: (doc: unknown) => doc is T): DocState<T> | undefined {
		if (!docId) return undefined;
		const handle = this.app.handle<unknown>(docId as DocumentId);
		if (!handle) return undefined;
		const state = stateOf(handle);
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
		const teamName = cleanTitle(options.teamName) || 'Our team';
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
		await engine.createInSpace(spaceId, whole, newTeamChat(spaceId));
		await engine.createInSpace(spaceId, care, newVisitNotes(me));
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
