// What a person needs to see about a private space's membership: where they stand, who is
// in it, who is waiting to be let in, which invitations are still open. A pure view over
// the membership state the sync engine keeps (its shape is restated here structurally, so
// this folder stays free of keys and can be tested on its own).
import { words } from '$lib/words';

export type MemberRole = 'owner' | 'admin' | 'member';
export type InvitationStatus = 'open' | 'requested' | 'admitted' | 'declined' | 'revoked';

/** The parts of a space's membership state this view reads. */
export interface MembershipLike {
	owner?: string;
	members: ReadonlyMap<string, { role: MemberRole; circles: ReadonlySet<string>; joinedAt: number }>;
	removed: ReadonlySet<string>;
	/** Devices taken out of the space (every device of a removed person, and single lost devices). */
	removedDevices?: ReadonlySet<string>;
	/** The operations that took effect, in order: who did what, and when the relay received it. */
	applied?: ReadonlyArray<{ by?: string; at: number; action: { type: string; person?: unknown; device?: unknown } }>;
	invites: ReadonlyMap<
		string,
		{
			id: string;
			status: InvitationStatus;
			expiresAt: number;
			circles: readonly string[];
			role: Exclude<MemberRole, 'owner'>;
			by: string;
			requester?: { id: string };
		}
	>;
	circles: ReadonlyMap<string, unknown>;
	docs: ReadonlyMap<string, string>;
}

/**
 * member: in the space. waiting: accepted an invitation, not yet let in. turnedAway: their
 * request was declined or the invitation cancelled. removed: was in, no longer. outside:
 * none of these (e.g. only looked at an invitation).
 */
export type Standing = 'member' | 'waiting' | 'turnedAway' | 'removed' | 'outside';

export interface MemberView {
	id: string;
	role: MemberRole;
	circles: string[];
	joinedAt: number;
	isMe: boolean;
	/** The invitation they came in by, if any (its label names them until they name themself). */
	inviteId?: string;
	/** Whether I may remove them. */
	removable: boolean;
}

export interface RequestView {
	inviteId: string;
	person: string;
	role: Exclude<MemberRole, 'owner'>;
	circles: string[];
}

export interface InvitationView {
	inviteId: string;
	role: Exclude<MemberRole, 'owner'>;
	circles: string[];
	expiresAt: number;
	expired: boolean;
}

export interface SpaceMembersView {
	standing: Standing;
	myRole?: MemberRole;
	/** Owner or admin: may invite, let people in, decline, cancel and remove. */
	canManage: boolean;
	/** Circle ids in the order they were made; the first is everyone. */
	circles: string[];
	/** The space's first document readable by everyone: its shared notes, names and circle names. */
	mainDoc?: string;
	docs: Array<{ docId: string; circle: string }>;
	/** Owner first, then in the order they joined. */
	members: MemberView[];
	requests: RequestView[];
	invitations: InvitationView[];
	/** The invitation I accepted, while waiting or after being turned away. */
	myInvite?: string;
	/** Who made that invitation (to compare safety numbers with while waiting). */
	myInviter?: string;
}

export function spaceMembers(state: MembershipLike, me: string | undefined, now = Date.now()): SpaceMembersView {
	const circles = [...state.circles.keys()];
	const docs = [...state.docs].map(([docId, circle]) => ({ docId, circle }));
	const mainDoc = docs.find((d) => d.circle === circles[0])?.docId;
	const mine = me ? state.members.get(me) : undefined;
	const myRole = mine?.role;
	const canManage = myRole === 'owner' || myRole === 'admin';

	const admittedBy = new Map<string, string>();
	let myInvite: string | undefined;
	let myInviter: string | undefined;
	let myInviteStatus: InvitationStatus | undefined;
	for (const invite of state.invites.values()) {
		const who = invite.requester?.id;
		if (!who) continue;
		if (invite.status === 'admitted') admittedBy.set(who, invite.id);
		if (who === me) {
			myInvite = invite.id;
			myInviter = invite.by;
			myInviteStatus = invite.status;
		}
	}

	let standing: Standing = 'outside';
	if (mine) standing = 'member';
	else if (me && state.removed.has(me)) standing = 'removed';
	else if (myInviteStatus === 'requested') standing = 'waiting';
	else if (myInviteStatus === 'declined' || myInviteStatus === 'revoked') standing = 'turnedAway';

	const members: MemberView[] = [...state.members.entries()]
		.map(([id, m]) => ({
			id,
			role: m.role,
			circles: circles.filter((c) => m.circles.has(c)),
			joinedAt: m.joinedAt,
			isMe: id === me,
			inviteId: admittedBy.get(id),
			removable: canManage && id !== me && m.role !== 'owner' && (m.role !== 'admin' || myRole === 'owner')
		}))
		.sort((a, b) => rank(a.role) - rank(b.role) || a.joinedAt - b.joinedAt);

	const requests: RequestView[] = [];
	const invitations: InvitationView[] = [];
	if (canManage) {
		for (const invite of state.invites.values()) {
			const ordered = circles.filter((c) => invite.circles.includes(c));
			if (invite.status === 'requested' && invite.requester) {
				requests.push({ inviteId: invite.id, person: invite.requester.id, role: invite.role, circles: ordered });
			} else if (invite.status === 'open') {
				invitations.push({ inviteId: invite.id, role: invite.role, circles: ordered, expiresAt: invite.expiresAt, expired: now > invite.expiresAt });
			}
		}
	}

	return { standing, myRole, canManage, circles, mainDoc, docs, members, requests, invitations, myInvite, myInviter };
}

/**
 * How someone came to be out of a space: taken out by someone else (`by` is who), or left
 * themself (`left`). `at` is when the relay received it. Removal is for good: the log never
 * lets a removed person back in, so the last removal is the one that counts.
 */
export interface Removal {
	person: string;
	by: string | undefined;
	at: number;
	left: boolean;
}

/** Everyone removed from the space, with who removed them and when. */
export function removals(state: MembershipLike): Removal[] {
	const out = new Map<string, Removal>();
	for (const op of state.applied ?? []) {
		const person = op.action.person;
		if (op.action.type !== 'remove' || typeof person !== 'string' || !state.removed.has(person)) continue;
		out.set(person, { person, by: op.by, at: op.at, left: op.by === person });
	}
	// A removal the log holds but whose operation is not in `applied` (never expected) still counts.
	for (const person of state.removed) if (!out.has(person)) out.set(person, { person, by: undefined, at: 0, left: false });
	return [...out.values()];
}

/**
 * Why this device can never add anything to the space again, or undefined while it can.
 * removed: the person was taken out by someone else. left: they took themself out.
 * device-removed: the person is still in, but this device was taken out (a lost phone).
 * What was there before stays readable on the device; nothing new can be sent.
 */
export type Closure =
	| { kind: 'removed'; by: string | undefined; at: number }
	| { kind: 'left'; at: number }
	| { kind: 'device-removed'; by: string | undefined; at: number };

export function closureOf(state: MembershipLike, me: string | undefined, myDevice: string | undefined): Closure | undefined {
	if (me && state.removed.has(me)) {
		const r = removals(state).find((x) => x.person === me)!;
		return r.left ? { kind: 'left', at: r.at } : { kind: 'removed', by: r.by, at: r.at };
	}
	if (myDevice && state.removedDevices?.has(myDevice)) {
		let found: Closure = { kind: 'device-removed', by: undefined, at: 0 };
		for (const op of state.applied ?? []) {
			if (op.action.type === 'remove-device' && op.action.device === myDevice) found = { kind: 'device-removed', by: op.by, at: op.at };
		}
		return found;
	}
	return undefined;
}

const rank = (role: MemberRole) => (role === 'owner' ? 0 : 1);

/** Plain words for what a role lets someone do. */
export function describeRole(role: MemberRole): string {
	return words.spaces.people.roles[role];
}

/** Splits a safety number into its groups for display. */
export function safetyGroups(number: string): string[] {
	return number.split(/\s+/).filter(Boolean);
}
