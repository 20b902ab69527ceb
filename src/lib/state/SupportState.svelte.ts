// Giving and finding support in the browser: this person's Giving Support profile (kept in a
// private space of their own), the Local Circles they are in, the profiles shared with each
// circle (its directory) and its call-outs. Everything is found among the documents this
// device can decrypt, by `kind`; search and ranking run here, on the device.
//
// A Local Circle is a private space made with `engine.createSpace(1)` (its one access circle
// is all its members) holding a `local-circle` marker; `startLocalCircle` is deliberately
// small so it can merge with the Circles work (issue 5), which builds on the same space.
import type { DocHandle } from '@automerge/automerge-repo';
import type { DocumentId, SpaceId } from '$lib/protocol';
import { invitationFragment, parseInvitationLink } from '$lib/keys/spaceOps';
import { authorDevices } from '$lib/keys/authorDevices';
import type { Authorship } from '$lib/model/authorship';
import { openSealedForDevice, sealForPerson } from '$lib/keys/personSeal';
import { words } from '$lib/words';
import { DocState } from './DocState.svelte';
import type { HearthApp } from './HearthApp.svelte';
import { TeamState } from './TeamState.svelte';
import { cleanName, newPrivateSpace, noteInvitation } from '$lib/model/space';
import { isLocalCircle, newLocalCircle, type LocalCircle } from '$lib/model/localCircle';
import {
	isGivingProfile,
	isSharedGivingProfile,
	newGivingProfile,
	newSharedCopy,
	recordShare,
	recordUnshare,
	refreshCopy,
	visibleProfile,
	withdrawCopy,
	type GivingProfile,
	type SharedGivingProfile
} from '$lib/model/givingProfile';
import { invitationAuthorship, isCallOut, newCallOut, recordTrialInvitation, type CallOut, type CallOutInput } from '$lib/model/callOut';
import type { DirectoryEntry } from '$lib/model/matching';
import { isActive, isTeam, nameOf } from '$lib/model/team';
import { OK, refuse, type PersonKey, type Result } from '$lib/model/ids';

const msg = words.messages.state.support;

type Found = { docId: DocumentId; spaceId: SpaceId; kind: string; state: DocState<unknown> };

export type CircleView = { spaceId: SpaceId; circle: DocState<LocalCircle>; name: string; area: string; mainDoc: string | undefined };
export type TeamChoice = { spaceId: SpaceId; name: string; myName: string };

export class SupportState {
	readonly app: HearthApp;

	/** Every document this device reads in the spaces it is a member of, with its kind. */
	readonly #found = $derived.by(() => {
		const out: Found[] = [];
		const me = this.app.personKey();
		for (const spaceId of this.app.spaces()) {
			const state = this.app.spaceState(spaceId);
			if (!state || !me || !state.members.has(me)) continue;
			for (const docId of state.docs.keys()) {
				const handle = this.app.handle<unknown>(docId as DocumentId);
				if (!handle) continue;
				const s = this.app.state(handle);
				const kind = (s.doc as { kind?: unknown } | undefined)?.kind;
				if (typeof kind === 'string') out.push({ docId: docId as DocumentId, spaceId, kind, state: s });
			}
		}
		return out;
	});

	constructor(app: HearthApp) {
		this.app = app;
	}

	get me(): PersonKey | undefined {
		return this.app.personKey() as PersonKey | undefined;
	}

	// ── my Giving Support profile ────────────────────────────────────────────────────────

	/** This person's master profile, if they have started one. */
	get profile(): { spaceId: SpaceId; state: DocState<GivingProfile> } | undefined {
		const me = this.me;
		for (const f of this.#found) {
			if (f.kind === 'giving-profile' && isGivingProfile(f.state.doc) && f.state.doc.person === me) {
				return { spaceId: f.spaceId, state: f.state as DocState<GivingProfile> };
			}
		}
		return undefined;
	}

	/**
	 * Whether a space is the one holding this person's own profile (not shown as a private
	 * space). Looks only at that space's documents, so the home page does not subscribe to all.
	 */
	isProfileSpace(spaceId: SpaceId): boolean {
		const me = this.me;
		const state = this.app.spaceState(spaceId);
		if (!me || state?.owner !== me) return false;
		for (const docId of state.docs.keys()) {
			const handle = this.app.handle<unknown>(docId as DocumentId);
			const doc = handle ? this.app.state(handle).doc : undefined;
			if (isGivingProfile(doc) && doc.person === me) return true;
		}
		return false;
	}

	/** Starts the profile in a new private space only this person's devices can read. */
	async startProfile(name: string): Promise<void> {
		if (this.profile) return;
		const engine = this.app.engine;
		await engine.person();
		const me = engine.personKey() as unknown as PersonKey;
		const { spaceId, circles } = await engine.createSpace(1);
		await engine.createInSpace(spaceId, circles[0], newGivingProfile(me, cleanName(name)));
	}

	/** The copy of this person's profile in a circle, if one was made. */
	copyIn(circleSpace: SpaceId): DocState<SharedGivingProfile> | undefined {
		const share = this.profile?.state.doc?.shares[circleSpace];
		if (!share) return undefined;
		const handle = this.app.handle<unknown>(share.doc as DocumentId);
		if (!handle) return undefined;
		const s = this.app.state(handle);
		return isSharedGivingProfile(s.doc) ? (s as DocState<SharedGivingProfile>) : undefined;
	}

	/** Shares the profile with a Local Circle: a copy in the circle's space, encrypted to its key. */
	async share(circleSpace: SpaceId): Promise<Result> {
		const profile = this.profile;
		const master = profile?.state.doc;
		const me = this.me;
		if (!profile || !master || !me) return refuse(msg.startProfile);
		if (this.app.isShutOut(circleSpace)) return refuse(msg.removedFromCircle);
		const existing = this.copyIn(circleSpace);
		if (existing) {
			existing.change((c) => refreshCopy(c, master));
			return profile.state.attempt((d) => recordShare(d, me, circleSpace, existing.handle.documentId));
		}
		const circle = this.#everyoneCircle(circleSpace);
		if (!circle) return refuse(msg.notInCircle);
		const handle = await this.app.engine.createInSpace(circleSpace, circle, newSharedCopy(master));
		return profile.state.attempt((d) => recordShare(d, me, circleSpace, handle.documentId));
	}

	/** Stops sharing: the circle's copy is emptied. Whoever read it already keeps what they read. */
	unshare(circleSpace: SpaceId): Result {
		const profile = this.profile;
		const me = this.me;
		if (!profile || !me) return OK;
		const share = profile.state.doc?.shares[circleSpace];
		if (!share?.active) return OK;
		// Nothing this device writes there can reach the circle any more.
		if (this.app.isShutOut(circleSpace)) return refuse(msg.removedFromCircle);
		const copy = this.copyIn(circleSpace);
		// Never mark it un-shared while the copy itself is still readable in the circle.
		if (!copy) return refuse(msg.noCopyYet);
		copy.change((c) => withdrawCopy(c));
		return profile.state.attempt((d) => recordUnshare(d, me, circleSpace));
	}

	/** After the profile changes: brings every active copy up to date. */
	refreshCopies(): void {
		const master = this.profile?.state.doc;
		if (!master) return;
		for (const [circleSpace, share] of Object.entries(master.shares)) {
			// A circle this person was removed from keeps the copy it had; nothing more can reach it.
			if (!share.active || this.app.isShutOut(circleSpace as SpaceId)) continue;
			this.copyIn(circleSpace as SpaceId)?.change((c) => refreshCopy(c, master));
		}
	}

	// ── Local Circles ────────────────────────────────────────────────────────────────────

	get circles(): CircleView[] {
		const out: CircleView[] = [];
		for (const f of this.#found) {
			if (f.kind !== 'local-circle' || !isLocalCircle(f.state.doc) || out.some((c) => c.spaceId === f.spaceId)) continue;
			const state = this.app.spaceState(f.spaceId);
			const circles = state ? [...state.circles.keys()] : [];
			const mainDoc = state ? [...state.docs].find(([, c]) => c === circles[0])?.[0] : undefined;
			out.push({ spaceId: f.spaceId, circle: f.state as DocState<LocalCircle>, name: f.state.doc.name, area: f.state.doc.area, mainDoc });
		}
		return out.sort((a, b) => a.name.localeCompare(b.name));
	}

	circle(spaceId: SpaceId): CircleView | undefined {
		return this.circles.find((c) => c.spaceId === spaceId);
	}

	/** Starts a Local Circle: a private space whose one circle is everyone in it. Returns its notes document. */
	async startLocalCircle(name: string, area: string, myName: string): Promise<string> {
		const engine = this.app.engine;
		await engine.person();
		const me = engine.personKey()!;
		const marker = newLocalCircle(name, area);
		const { spaceId, circles } = await engine.createSpace(1);
		// The shared notes come first, so the space's People panel finds them as its main document.
		const notes = await engine.createInSpace(spaceId, circles[0], newPrivateSpace(marker.name, me, myName, circles));
		await engine.createInSpace(spaceId, circles[0], marker);
		return notes.documentId;
	}

	#everyoneCircle(spaceId: SpaceId): string | undefined {
		const state = this.app.spaceState(spaceId);
		return state ? [...state.circles.keys()][0] : undefined;
	}

	// ── the directory ────────────────────────────────────────────────────────────────────

	/**
	 * The profiles shared with a circle: withdrawn ones left out, and so are people no longer
	 * in the circle (once removed they hold no key to withdraw their copy themselves).
	 */
	directory(circleSpace: SpaceId): DirectoryEntry[] {
		const members = this.app.spaceState(circleSpace)?.members;
		const out: DirectoryEntry[] = [];
		for (const f of this.#found) {
			if (f.spaceId !== circleSpace || f.kind !== 'shared-giving-profile' || !isSharedGivingProfile(f.state.doc)) continue;
			const profile = visibleProfile(f.state.doc);
			if (profile && members?.has(f.state.doc.person)) out.push({ id: f.docId, person: f.state.doc.person, profile });
		}
		return out;
	}

	// ── call-outs ────────────────────────────────────────────────────────────────────────

	callOuts(circleSpace: SpaceId): Array<{ docId: DocumentId; state: DocState<CallOut> }> {
		return this.#found
			.filter((f) => f.spaceId === circleSpace && f.kind === 'call-out' && isCallOut(f.state.doc))
			.map((f) => ({ docId: f.docId, state: f.state as DocState<CallOut> }))
			.sort((a, b) => (b.state.doc?.postedAt ?? 0) - (a.state.doc?.postedAt ?? 0));
	}

	/** Teams this person may post call-outs for: they are its Team Owner or a Team Starter in it. */
	get teamsICanPostFor(): TeamChoice[] {
		const me = this.me;
		if (!me) return [];
		const out: TeamChoice[] = [];
		for (const f of this.#found) {
			if (f.kind !== 'team' || out.some((t) => t.spaceId === f.spaceId)) continue;
			const team = f.state.doc;
			if (!isTeam(team) || !isActive(team, me)) continue;
			if (team.owner === me || team.members[me]?.kind === 'team-starter') {
				out.push({ spaceId: f.spaceId, name: team.name, myName: nameOf(team, me) });
			}
		}
		return out;
	}

	async postCallOut(circleSpace: SpaceId, team: TeamChoice, input: CallOutInput): Promise<Result> {
		const me = this.me;
		const circle = this.#everyoneCircle(circleSpace);
		if (!me || !circle) return refuse(msg.notInCircle);
		if (!this.teamsICanPostFor.some((t) => t.spaceId === team.spaceId)) return refuse(msg.onlyOwnerOrStarter);
		const made = newCallOut(input, me, team.myName, team.spaceId, Date.now(), this.app.engine.device);
		if (!made.ok) return refuse(made.error);
		await this.app.engine.createInSpace(circleSpace, circle, made.callOut);
		return OK;
	}

	/**
	 * The poster invites someone who answered to a trial: a real, single-use invitation to the
	 * team's space (whole-team circle), its link sealed to that person's devices and recorded on
	 * the call-out. They accept it as any invitation, and someone in the team lets them in.
	 */
	async inviteToTrial(circleSpace: SpaceId, callOut: DocState<CallOut>, person: PersonKey): Promise<Result> {
		const c = callOut.doc;
		const me = this.me;
		if (!c || !me) return refuse(msg.callOutNotOpen);
		if (c.postedBy !== me) return refuse(words.messages.model.callOut.onlyPosterInvites);
		const interest = c.interests[person];
		if (!interest || interest.withdrawn) return refuse(msg.notInterested);
		if (c.invitations[person]) return refuse(words.messages.model.callOut.alreadyInvited);
		const team = new TeamState(this.app, c.team as SpaceId);
		const teamDoc = team.team?.doc;
		const whole = team.circles[0];
		if (!teamDoc || !whole) return refuse(msg.teamNotHere);
		const circleState = this.app.spaceState(circleSpace);
		if (!circleState) return refuse(msg.notInCircle);
		// Check first that the invitation can reach them, so no unused invitation is left behind.
		if (Object.keys(sealForPerson(circleState, person, 'check')).length === 0) return refuse(msg.noDevicesInCircle);
		const link = await this.app.engine.invite(c.team as SpaceId, {
			role: 'member',
			circles: [whole],
			info: { space: teamDoc.name, from: nameOf(teamDoc, me) }
		});
		team.notes?.change((d) => noteInvitation(d, link.invite, interest.name));
		const sealed = sealForPerson(circleState, person, invitationFragment(link));
		const result = callOut.attempt((d) => recordTrialInvitation(d, me, person, { inviteId: link.invite, at: Date.now(), sealed }, this.app.engine.device));
		if (!result.ok) await this.app.engine.revokeInvitation(c.team as SpaceId, link.invite);
		return result;
	}

	/**
	 * This person's trial invitation on a call-out, if they were invited: how it stands, and the
	 * link sealed to this device when it may be opened. Anyone in the circle can write the
	 * call-out, so the link is opened only if the poster's device signed it (checked against
	 * the circle's membership log) and it is an invitation to the call-out's team under the
	 * recorded id; an altered one is shown as altered and never opened. One made before
	 * invitations were signed ('unsigned') still opens, if it points at the call-out's team.
	 */
	myTrialInvitation(callOut: CallOut, circleSpace: SpaceId): { standing: Authorship; fragment?: string } | undefined {
		const me = this.me;
		const invitation = me ? callOut.invitations[me] : undefined;
		if (!me || !invitation) return undefined;
		const standing = invitationAuthorship(callOut, me, authorDevices(this.app.spaceState(circleSpace)));
		if (standing === undefined || standing === 'altered') return standing && { standing };
		const fragment = openSealedForDevice(invitation.sealed, this.app.engine.device);
		if (!fragment) return undefined;
		try {
			const link = parseInvitationLink(fragment);
			if (link.spaceId !== callOut.team || link.invite !== invitation.inviteId) return { standing: 'altered' };
		} catch {
			return { standing: 'altered' };
		}
		return { standing, fragment };
	}
}
