// A space's membership: a pure reducer over its signed, hash-linked operation log. Every
// device replays the same log (in the relay's order) and reaches the same state; the
// relay can order operations but cannot forge one, and any operation that lacks a valid
// signature or authority is ignored by everyone.
import { framed, fromBase64Url, isPublicKey, isSignedOp, opSigningBytes, toBase64Url, type DeviceKey, type DocumentId, type LoggedOp, type SignedOp, type SpaceId } from '$lib/protocol';
import { verifyDeviceInfo, type DeviceInfo, type MemberCard, type PersonKey } from './identity';

export type Role = 'owner' | 'admin' | 'member';

/** A circle key sealed to one device for one epoch. */
export interface Lockbox {
	circle: string;
	epoch: number;
	device: DeviceKey;
	sealed: string;
}

export type Action =
	| { type: 'create'; owner: MemberCard; circles: string[]; lockboxes: Lockbox[] }
	| { type: 'invite'; invite: string; key: string; expiresAt: number; role: Exclude<Role, 'owner'>; circles: string[]; info: string }
	| { type: 'revoke-invite'; invite: string }
	| { type: 'request'; invite: string; person: MemberCard; proof: string }
	| { type: 'admit'; invite: string; lockboxes: Lockbox[] }
	| { type: 'decline'; invite: string }
	| { type: 'remove'; person: PersonKey }
	| { type: 'set-role'; person: PersonKey; role: Exclude<Role, 'owner'> }
	| { type: 'grant'; person: PersonKey; circle: string; lockboxes: Lockbox[] }
	| { type: 'revoke'; person: PersonKey; circle: string }
	| { type: 'rotate'; circle: string; epoch: number; lockboxes: Lockbox[] }
	/**
	 * `recovery`: on a device adding itself (from a recovery kit), the signature of the
	 * person's registered recovery key over `selfAddBytes`. The identity key's certificate
	 * only says whose device it is; it authorises nothing.
	 */
	| { type: 'add-device'; person: PersonKey; device: DeviceInfo; lockboxes: Lockbox[]; recovery?: string }
	/** One of the person's own devices registers (or replaces) their recovery key's public half. */
	| { type: 'set-recovery'; person: PersonKey; key: string }
	| { type: 'remove-device'; person: PersonKey; device: DeviceKey }
	| { type: 'add-doc'; doc: DocumentId; circle: string }
	| { type: 'new-circle'; circle: string; lockboxes: Lockbox[] };

export type ActionType = Action['type'];

export interface OpBody {
	v: 1;
	/** Hashes of the newest operations the author had seen: the causal links. */
	prev: string[];
	/** The author's clock, informational only. Expiry uses the relay's receive time. */
	at: number;
	action: Action;
}

export interface Member {
	id: PersonKey;
	role: Role;
	devices: Map<DeviceKey, DeviceInfo>;
	circles: Set<string>;
	joinedAt: number;
}

export type InviteStatus = 'open' | 'requested' | 'admitted' | 'declined' | 'revoked';

export interface Invite {
	id: string;
	key: string;
	expiresAt: number;
	role: Exclude<Role, 'owner'>;
	circles: string[];
	/** Hash of what the link shows the invitee (who invited them to what), so it cannot be altered. */
	info: string;
	by: PersonKey;
	status: InviteStatus;
	requester?: MemberCard;
}

export interface CircleState {
	epoch: number;
	/** `${epoch}/${device}` → sealed key. */
	lockboxes: Map<string, string>;
}

export interface AppliedOp {
	hash: string;
	index: number;
	author: DeviceKey;
	by?: PersonKey;
	at: number;
	action: Action;
}

export interface MembershipState {
	spaceId: SpaceId;
	owner?: PersonKey;
	members: Map<PersonKey, Member>;
	removed: Set<PersonKey>;
	removedDevices: Set<DeviceKey>;
	/**
	 * Each person's recovery key (its secret lives only in their recovery kit), and the devices
	 * that hold the kit's backup keys: the one that registered it and those it brought in.
	 * Removing any of them retires the key (a thief may have registered it, or can now read
	 * the kit's backup copy), and the person is asked for a new kit.
	 */
	recoveryKeys: Map<PersonKey, { key: string; holders: DeviceKey[] }>;
	/** Recovery keys retired that way: they can never be registered again. */
	retiredRecovery: Set<string>;
	/** People who have had a device removed: their identity key alone no longer lets a device add itself. */
	lostDevice: Set<PersonKey>;
	/** Every device ever admitted, and whose it is (kept after removal, for concurrency checks). */
	deviceOwners: Map<DeviceKey, PersonKey>;
	invites: Map<string, Invite>;
	circles: Map<string, CircleState>;
	docs: Map<DocumentId, string>;
	/** Operations that took effect, in order. */
	applied: AppliedOp[];
	/** Operations that were ignored, and why (shown to people as a plain reason). */
	rejected: Array<{ index: number; hash?: string; reason: string }>;
	/**
	 * What a new op should name in `prev`: the newest ops that took effect and that no other op
	 * that took effect names, at most MAX_PREV of them. Refused ops never count, so a flood of
	 * junk (anyone can sign an op) cannot crowd out or stand in for the ops that matter.
	 */
	heads: string[];
	/** How many relay log entries were read. */
	length: number;
}

export type VerifyFn = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;
export type HashFn = (bytes: Uint8Array) => Uint8Array;

interface ParsedOp {
	index: number;
	hash: string;
	author: DeviceKey;
	at: number;
	body: OpBody;
	prevIndexes: number[];
}

export function emptyMembership(spaceId: SpaceId): MembershipState {
	return {
		spaceId,
		members: new Map(),
		removed: new Set(),
		removedDevices: new Set(),
		recoveryKeys: new Map(),
		retiredRecovery: new Set(),
		lostDevice: new Set(),
		deviceOwners: new Map(),
		invites: new Map(),
		circles: new Map(),
		docs: new Map(),
		applied: [],
		rejected: [],
		heads: [],
		length: 0
	};
}

export function opHash(op: SignedOp, hash: HashFn): string {
	return toBase64Url(hash(opSigningBytes(op)).subarray(0, 24));
}

/**
 * Replays a whole log. Deterministic: the same log gives the same state on every device.
 * Concurrent changes: a removal wins over anything the removed person (or device) did that
 * the remover had not seen, even if the relay ordered it first.
 */
export function replayMembership(spaceId: SpaceId, log: LoggedOp[], verify: VerifyFn, hash: HashFn): MembershipState {
	const parsed: ParsedOp[] = [];
	const rejected: MembershipState['rejected'] = [];
	const byHash = new Map<string, number>();
	for (const entry of log) {
		const result = parseOp(spaceId, entry, verify, hash, byHash);
		if (typeof result === 'string') {
			rejected.push({ index: typeof entry?.index === 'number' ? entry.index : -1, reason: result });
			continue;
		}
		byHash.set(result.hash, parsed.length);
		parsed.push(result);
	}

	// Recompute which ops are voided from the removals that actually stand each round, until
	// the answer repeats: a removal that itself lost must not void anything. If the rounds
	// cycle (removals voiding each other), fall back to voiding everything seen in the cycle,
	// which is still deterministic.
	let excluded = new Set<number>();
	let state = applyAll(spaceId, parsed, excluded, verify);
	const seenSets = new Set<string>([key(excluded)]);
	const reasons = new Map<number, string>();
	const voided = (s: MembershipState) => {
		const out = new Set<number>();
		for (const i of concurrentWithRemovals(parsed, s, byHash)) out.add(i), reasons.set(i, 'Made at the same time as this person was removed');
		for (const i of unsafeSelfAdds(parsed, s, byHash)) out.add(i), reasons.set(i, 'A device added itself without the person’s recovery key');
		return out;
	};
	for (let round = 0; round < 32; round++) {
		const next = voided(state);
		const k = key(next);
		if (k === key(excluded)) break;
		if (seenSets.has(k)) {
			excluded = new Set([...excluded, ...next]);
			state = applyAll(spaceId, parsed, excluded, verify);
			break;
		}
		seenSets.add(k);
		excluded = next;
		state = applyAll(spaceId, parsed, excluded, verify);
	}
	for (const i of excluded) {
		state.rejected.push({ index: parsed[i].index, hash: parsed[i].hash, reason: reasons.get(i)! });
	}
	state.rejected.push(...rejected);
	state.rejected.sort((a, b) => a.index - b.index);
	state.heads = headsOf(parsed, state, byHash);
	state.length = log.length;
	return state;
}

function key(set: Set<number>): string {
	return [...set].sort((a, b) => a - b).join(',');
}

function parseOp(spaceId: SpaceId, entry: LoggedOp, verify: VerifyFn, hash: HashFn, byHash: Map<string, number>): ParsedOp | string {
	const op = entry?.op;
	// Logs come from the relay and from local storage: check the shape before anything else.
	if (!isSignedOp(op)) return 'Not in the expected form';
	if (op.spaceId !== spaceId) return 'Belongs to another space';
	let signed = false;
	try {
		signed = verify(fromBase64Url(op.sig), opSigningBytes(op), fromBase64Url(op.author));
	} catch {
		signed = false;
	}
	if (!signed) return 'Signature does not verify';
	let body: OpBody;
	try {
		body = JSON.parse(op.body) as OpBody;
	} catch {
		return 'Not readable';
	}
	if (!isOpBody(body)) return 'Not in the expected form';
	const prevIndexes: number[] = [];
	for (const p of body.prev) {
		const i = byHash.get(p);
		// An op may only point at ops the relay placed before it: the relay cannot reorder causality.
		if (i === undefined) return 'Refers to an operation that came later or does not exist';
		prevIndexes.push(i);
	}
	const h = opHash(op, hash);
	// The same operation logged twice (a replay, or another spelling of its signature) counts once.
	if (byHash.has(h)) return 'Already in the log';
	return { index: entry.index, hash: h, author: op.author, at: entry.at, body, prevIndexes };
}

/** Most causal links an honest device puts in one op (the reducer accepts up to 256). */
export const MAX_PREV = 16;

/**
 * Only ops that took effect are heads, and only ops that took effect hide one: a stranger's op
 * naming the real heads must not make them look superseded. Past MAX_PREV, the newest head of
 * each author comes first, so one member making many concurrent ops cannot push the others'
 * out (a removal's `prev` says what its author had seen).
 */
function headsOf(parsed: ParsedOp[], state: MembershipState, byHash: Map<string, number>): string[] {
	const effective = state.applied.map((a) => byHash.get(a.hash)!);
	const referenced = new Set<number>();
	for (const i of effective) for (const p of parsed[i].prevIndexes) referenced.add(p);
	const heads = effective.filter((i) => !referenced.has(i)).sort((a, b) => b - a);
	if (heads.length <= MAX_PREV) return heads.map((i) => parsed[i].hash);
	const seen = new Set<string>();
	const first = heads.filter((i) => !seen.has(parsed[i].author) && seen.add(parsed[i].author));
	const rest = heads.filter((i) => !first.includes(i));
	return [...first, ...rest].slice(0, MAX_PREV).map((i) => parsed[i].hash);
}

/** Ops by a removed person/device that the removal did not know about. */
function concurrentWithRemovals(parsed: ParsedOp[], state: MembershipState, byHash: Map<string, number>): number[] {
	const out: number[] = [];
	for (const removal of state.applied) {
		const action = removal.action;
		let targets: (op: ParsedOp) => boolean;
		if (action.type === 'remove') {
			if (removal.by === action.person) continue; // leaving is not contested
			targets = (op) => state.deviceOwners.get(op.author) === action.person;
		} else if (action.type === 'remove-device') {
			targets = (op) => op.author === action.device;
		} else continue;
		const rIdx = byHash.get(removal.hash)!;
		const ancestors = ancestorsOf(parsed, rIdx);
		// Every op the target made before the removal in relay order, whether or not it took
		// effect this round, so the answer does not flip-flop between rounds.
		for (let i = 0; i < rIdx; i++) {
			const op = parsed[i];
			const type = op.body.action.type;
			if (type === 'create' || !targets(op)) continue;
			if (!ancestors.has(i)) out.push(i);
		}
	}
	return out;
}

/**
 * Devices that added themselves around a removal of one of their person's devices. Such a
 * self-add must be something the remover had seen (a causal ancestor of the removal): one the
 * remover had not seen may be a thief's, made with keys copied off the removed device. A
 * self-add with no recovery signature (the old kind, certified by the identity key alone)
 * must come before every removal of that person's devices: once a person has removed a
 * device, their identity key lets nobody in, and their old recovery kit needs replacing.
 */
function unsafeSelfAdds(parsed: ParsedOp[], state: MembershipState, byHash: Map<string, number>): number[] {
	const removals = new Map<PersonKey, Array<{ at: number; ancestors: Set<number> }>>();
	for (const r of state.applied) {
		if (r.action.type !== 'remove-device') continue;
		const at = byHash.get(r.hash)!;
		let list = removals.get(r.action.person);
		if (!list) removals.set(r.action.person, (list = []));
		list.push({ at, ancestors: ancestorsOf(parsed, at) });
	}
	const out: number[] = [];
	parsed.forEach((op, i) => {
		const a = op.body.action;
		if (a.type !== 'add-device' || a.device.sign !== op.author) return;
		const legacy = a.recovery === undefined;
		for (const r of removals.get(a.person) ?? []) {
			if (r.ancestors.has(i)) continue;
			if (legacy || i < r.at) {
				out.push(i);
				return;
			}
		}
	});
	return out;
}

function ancestorsOf(parsed: ParsedOp[], start: number): Set<number> {
	const seen = new Set<number>();
	const stack = [...parsed[start].prevIndexes];
	while (stack.length) {
		const i = stack.pop()!;
		if (seen.has(i)) continue;
		seen.add(i);
		stack.push(...parsed[i].prevIndexes);
	}
	return seen;
}

function applyAll(spaceId: SpaceId, parsed: ParsedOp[], excluded: Set<number>, verify: VerifyFn): MembershipState {
	const state = emptyMembership(spaceId);
	parsed.forEach((op, i) => {
		if (excluded.has(i)) return;
		const reason = applyOp(state, op, verify);
		if (reason) state.rejected.push({ index: op.index, hash: op.hash, reason });
	});
	return state;
}

function memberOfDevice(state: MembershipState, device: DeviceKey): Member | undefined {
	if (state.removedDevices.has(device)) return undefined;
	for (const m of state.members.values()) if (m.devices.has(device)) return m;
	return undefined;
}

const isAdmin = (m: Member | undefined) => m?.role === 'owner' || m?.role === 'admin';

/** Applies one op in place; returns a reason if it is refused. */
function applyOp(state: MembershipState, op: ParsedOp, verify: VerifyFn): string | undefined {
	const a = op.body.action;
	const author = memberOfDevice(state, op.author);
	const record = (by?: PersonKey) => state.applied.push({ hash: op.hash, index: op.index, author: op.author, by, at: op.at, action: a });

	if (a.type === 'create') {
		if (state.owner) return 'The space already exists';
		if (!a.owner.devices.some((d) => d.sign === op.author)) return 'Not created by one of the owner’s devices';
		if (!a.owner.devices.every((d) => verifyDeviceInfo(a.owner.id, d, verify))) return 'A device certificate does not verify';
		if (a.circles.length === 0) return 'A space needs at least one circle';
		state.owner = a.owner.id;
		state.members.set(a.owner.id, {
			id: a.owner.id,
			role: 'owner',
			devices: new Map(a.owner.devices.map((d) => (state.deviceOwners.set(d.sign, a.owner.id), [d.sign, d]))),
			circles: new Set(a.circles),
			joinedAt: op.at
		});
		for (const c of a.circles) state.circles.set(c, { epoch: 0, lockboxes: new Map() });
		addLockboxes(state, a.lockboxes);
		record(a.owner.id);
		return;
	}
	if (!state.owner) return 'The space does not exist yet';

	if (a.type === 'request') {
		const invite = state.invites.get(a.invite);
		if (!invite) return 'No such invitation';
		if (invite.status === 'revoked') return 'The invitation was cancelled';
		if (invite.status !== 'open') return 'The invitation was already used';
		if (op.at > invite.expiresAt) return 'The invitation had expired';
		if (state.members.has(a.person.id) || state.removed.has(a.person.id)) return 'Already a member, or was removed';
		if (!a.person.devices.some((d) => d.sign === op.author)) return 'Not sent from the person’s own device';
		if (!a.person.devices.every((d) => verifyDeviceInfo(a.person.id, d, verify))) return 'A device certificate does not verify';
		// Nobody may claim a device key that is someone else's (or was removed).
		if (a.person.devices.some((d) => deviceTaken(state, d.sign))) return 'A device key is already in use';
		if (!verifyProof(invite, a.person.id, state.spaceId, a.proof, verify)) return 'The invitation secret does not match';
		invite.status = 'requested';
		invite.requester = a.person;
		record(a.person.id);
		return;
	}

	if (a.type === 'decline' && !author) {
		// The invitee withdrawing their own request: they are not in the space, so this comes first.
		const invite = state.invites.get(a.invite);
		if (!invite || invite.status !== 'requested' || !invite.requester?.devices.some((d) => d.sign === op.author)) {
			return 'Not allowed to decline';
		}
		invite.status = 'declined';
		record(invite.requester.id);
		return undefined;
	}
	if (!author && a.type === 'add-device' && a.device.sign === op.author) {
		// A device restored from a recovery kit adds itself. The authority is the person's
		// recovery key, whose secret lives only in the kit: every device holds the identity
		// key, so a certificate alone would let a thief with a removed device back in. Old
		// self-adds without it (from before recovery keys) stand only until the person first
		// removes a device (see unsafeSelfAdds).
		const target = state.members.get(a.person);
		if (!target) return 'Not a member';
		if (!verifyDeviceInfo(a.person, a.device, verify)) return 'The device certificate does not verify';
		if (a.recovery !== undefined) {
			const registered = state.recoveryKeys.get(a.person);
			if (!registered) return 'This person has no recovery key in this space';
			if (!verifySig(a.recovery, selfAddBytes(state.spaceId, a.person, a.device), registered.key, verify)) return 'The recovery signature does not verify';
			// The new device now holds the kit's backup keys too (see recoveryKeys).
			registered.holders.push(a.device.sign);
		} else if (state.lostDevice.has(a.person)) {
			return 'A device added itself without the person’s recovery key';
		}
		if (deviceTaken(state, a.device.sign)) return 'That device key is already in use';
		target.devices.set(a.device.sign, a.device);
		state.deviceOwners.set(a.device.sign, a.person);
		addLockboxes(state, a.lockboxes.filter((l) => l.device === a.device.sign && target.circles.has(l.circle)));
		record(a.person);
		return undefined;
	}
	if (!author) return 'Sent by a device that is not in the space';
	const by = author.id;

	switch (a.type) {
		case 'invite': {
			if (!isAdmin(author)) return 'Only the owner and people they chose can invite';
			if (state.invites.has(a.invite)) return 'Invitation id already used';
			if (!a.circles.every((c) => state.circles.has(c))) return 'Unknown circle';
			state.invites.set(a.invite, { id: a.invite, key: a.key, expiresAt: a.expiresAt, role: a.role, circles: a.circles, info: a.info, by, status: 'open' });
			break;
		}
		case 'revoke-invite': {
			const invite = state.invites.get(a.invite);
			if (!invite) return 'No such invitation';
			if (!isAdmin(author)) return 'Not allowed to cancel invitations';
			if (invite.status !== 'open' && invite.status !== 'requested') return 'The invitation is no longer open';
			invite.status = 'revoked';
			break;
		}
		case 'admit': {
			const invite = state.invites.get(a.invite);
			if (!isAdmin(author)) return 'Only the owner and people they chose can admit';
			if (!invite || invite.status !== 'requested' || !invite.requester) return 'Nobody has accepted that invitation';
			const person = invite.requester;
			invite.status = 'admitted';
			state.members.set(person.id, {
				id: person.id,
				role: invite.role,
				devices: new Map(person.devices.map((d) => (state.deviceOwners.set(d.sign, person.id), [d.sign, d]))),
				circles: new Set(invite.circles),
				joinedAt: op.at
			});
			addLockboxes(state, a.lockboxes.filter((l) => person.devices.some((d) => d.sign === l.device) && invite.circles.includes(l.circle)));
			break;
		}
		case 'decline': {
			const invite = state.invites.get(a.invite);
			if (!invite || (invite.status !== 'requested' && invite.status !== 'open')) return 'That invitation is not waiting';
			const isInvitee = invite.requester?.devices.some((d) => d.sign === op.author);
			if (!isAdmin(author) && !isInvitee) return 'Not allowed to decline';
			invite.status = 'declined';
			break;
		}
		case 'remove': {
			const target = state.members.get(a.person);
			if (!target) return 'Not a member';
			if (target.role === 'owner') return 'The owner cannot be removed';
			const self = a.person === by;
			if (!self && !isAdmin(author)) return 'Only the owner and people they chose can remove someone';
			if (!self && target.role === 'admin' && author.role !== 'owner') return 'Only the owner can remove someone they chose';
			state.members.delete(a.person);
			state.removed.add(a.person);
			retireRecovery(state, a.person);
			for (const d of target.devices.keys()) state.removedDevices.add(d);
			// Their invitations go with them, waiting requests included: a removed admin must not
			// leave a door open behind them (issue 19). Replay applies this at the removal's place in
			// the log, so every device agrees; a removal that is itself voided cancels nothing.
			for (const inv of state.invites.values()) {
				if (inv.by === a.person && (inv.status === 'open' || inv.status === 'requested')) inv.status = 'revoked';
			}
			break;
		}
		case 'set-role': {
			const target = state.members.get(a.person);
			if (!target || target.role === 'owner') return 'Cannot change that role';
			if (author.role !== 'owner') return 'Only the owner can choose who shares their powers';
			target.role = a.role;
			break;
		}
		case 'grant': {
			const target = state.members.get(a.person);
			if (!isAdmin(author)) return 'Only the owner and people they chose can give access';
			if (!target || !state.circles.has(a.circle)) return 'Unknown person or circle';
			target.circles.add(a.circle);
			addLockboxes(state, a.lockboxes.filter((l) => l.circle === a.circle && target.devices.has(l.device)));
			break;
		}
		case 'revoke': {
			const target = state.members.get(a.person);
			if (!isAdmin(author)) return 'Only the owner and people they chose can take access away';
			if (!target || !target.circles.has(a.circle)) return 'That person does not hold that access';
			if (target.role === 'owner') return 'The owner keeps every access';
			target.circles.delete(a.circle);
			break;
		}
		case 'rotate': {
			const circle = state.circles.get(a.circle);
			if (!circle) return 'Unknown circle';
			if (!isAdmin(author)) return 'Only the owner and people they chose can change keys';
			if (a.epoch !== circle.epoch + 1) return 'Out-of-date key change';
			circle.epoch = a.epoch;
			// Only devices still entitled may receive the new key.
			const entitled = new Set(circleDevices(state, a.circle));
			addLockboxes(state, a.lockboxes.filter((l) => l.circle === a.circle && l.epoch === a.epoch && entitled.has(l.device)));
			break;
		}
		case 'add-device': {
			const target = state.members.get(a.person);
			if (!target) return 'Not a member';
			if (by !== a.person && !isAdmin(author)) return 'Only the person themself can add their devices';
			if (!verifyDeviceInfo(a.person, a.device, verify)) return 'The device certificate does not verify';
			if (deviceTaken(state, a.device.sign)) return 'That device key is already in use';
			target.devices.set(a.device.sign, a.device);
			state.deviceOwners.set(a.device.sign, a.person);
			addLockboxes(state, a.lockboxes.filter((l) => l.device === a.device.sign && target.circles.has(l.circle)));
			break;
		}
		case 'remove-device': {
			const target = state.members.get(a.person);
			if (!target?.devices.has(a.device)) return 'Unknown device';
			if (by !== a.person && !isAdmin(author)) return 'Not allowed to remove that device';
			if (target.devices.size === 1) return 'A person must keep at least one device';
			target.devices.delete(a.device);
			state.removedDevices.add(a.device);
			state.lostDevice.add(a.person);
			// A recovery key the removed device registered may be a thief's, and a kit it held
			// can be read by whoever has it now: either way the key goes with the device.
			if (state.recoveryKeys.get(a.person)?.holders.includes(a.device)) retireRecovery(state, a.person);
			break;
		}
		case 'set-recovery': {
			if (by !== a.person) return 'Only the person themself can set their recovery key';
			if (state.retiredRecovery.has(a.key)) return 'That recovery kit was held by a removed device';
			state.recoveryKeys.set(a.person, { key: a.key, holders: [op.author] });
			break;
		}
		case 'add-doc': {
			if (!state.circles.has(a.circle)) return 'Unknown circle';
			if (!author.circles.has(a.circle)) return 'Only people with that access can add documents to it';
			if (state.docs.has(a.doc)) return 'Document already listed';
			state.docs.set(a.doc, a.circle);
			break;
		}
		case 'new-circle': {
			if (!isAdmin(author)) return 'Only the owner and people they chose can make access circles';
			if (state.circles.has(a.circle)) return 'Circle already exists';
			state.circles.set(a.circle, { epoch: 0, lockboxes: new Map() });
			author.circles.add(a.circle);
			const owner = state.members.get(state.owner!);
			owner?.circles.add(a.circle);
			addLockboxes(state, a.lockboxes.filter((l) => l.circle === a.circle && l.epoch === 0));
			break;
		}
	}
	record(by);
	return undefined;
}

function retireRecovery(state: MembershipState, person: PersonKey): void {
	const r = state.recoveryKeys.get(person);
	if (!r) return;
	state.retiredRecovery.add(r.key);
	state.recoveryKeys.delete(person);
}

function deviceTaken(state: MembershipState, device: DeviceKey): boolean {
	if (state.removedDevices.has(device)) return true;
	for (const m of state.members.values()) if (m.devices.has(device)) return true;
	for (const inv of state.invites.values()) {
		if (inv.status === 'requested' && inv.requester?.devices.some((d) => d.sign === device)) return true;
	}
	return false;
}

function addLockboxes(state: MembershipState, boxes: Lockbox[]): void {
	for (const l of boxes) {
		const circle = state.circles.get(l.circle);
		if (!circle || l.epoch > circle.epoch || l.epoch < 0) continue;
		const key = `${l.epoch}/${l.device}`;
		if (!circle.lockboxes.has(key)) circle.lockboxes.set(key, l.sealed);
	}
}

function verifySig(signature: string, message: Uint8Array, key: string, verify: VerifyFn): boolean {
	try {
		return verify(fromBase64Url(signature), message, fromBase64Url(key));
	} catch {
		return false;
	}
}

/** What a person's recovery key signs to let one new device of theirs add itself to a space. */
export function selfAddBytes(spaceId: SpaceId, person: PersonKey, device: Pick<DeviceInfo, 'sign' | 'box'>): Uint8Array {
	return framed(['hearth/recovery-self-add/v1', new TextEncoder().encode(spaceId), fromBase64Url(person), fromBase64Url(device.sign), fromBase64Url(device.box)]);
}

function verifyProof(invite: Invite, person: PersonKey, spaceId: SpaceId, proof: string, verify: VerifyFn): boolean {
	try {
		return verify(fromBase64Url(proof), invitationProofBytes(spaceId, invite.id, person), fromBase64Url(invite.key));
	} catch {
		return false;
	}
}

/** The bytes an invitee signs with the invitation's secret key to prove they hold the link. */
export function invitationProofBytes(spaceId: SpaceId, invite: string, person: PersonKey): Uint8Array {
	return new TextEncoder().encode(`hearth/invite-proof/v1\n${spaceId}\n${invite}\n${person}`);
}

// ── selectors (read-only) ───────────────────────────────────────────────────────────────

/** Devices that should hold the circle's current key: every device of every member in it. */
export function circleDevices(state: MembershipState, circle: string): DeviceKey[] {
	const out: DeviceKey[] = [];
	for (const m of state.members.values()) if (m.circles.has(circle)) out.push(...m.devices.keys());
	return out;
}

export function adminDevices(state: MembershipState): DeviceKey[] {
	const out: DeviceKey[] = [];
	for (const m of state.members.values()) if (isAdmin(m)) out.push(...m.devices.keys());
	return out;
}

/**
 * Recovery keys of the owner and the people they chose: document policies list them as admins
 * beside the admin devices, so a person who lost every device can take charge again with their
 * kit. Identity keys are not listed: every device of the person holds that secret.
 */
export function recoveryAdmins(state: MembershipState): DeviceKey[] {
	const out: DeviceKey[] = [];
	for (const m of state.members.values()) {
		const r = state.recoveryKeys.get(m.id);
		if (isAdmin(m) && r) out.push(r.key as DeviceKey);
	}
	return out;
}

/**
 * Whether the space still gives this key authority to sign a document policy: a device in the
 * space, a member's registered recovery key, or (for policies signed before recovery keys) the
 * identity key of a member who has never had a device removed. A removed device, and the
 * identity key of anyone who has lost one, have none: a thief may hold either.
 */
export function mayStillSign(state: MembershipState, key: DeviceKey): boolean {
	if (memberOfDevice(state, key)) return true;
	for (const [person, r] of state.recoveryKeys) if (r.key === key && state.members.has(person)) return true;
	const person = key as string as PersonKey;
	return state.members.has(person) && !state.lostDevice.has(person);
}

/**
 * An identity key whose person has lost a device (or was removed): every device of theirs held
 * its secret, so anything it signs from now on may be a thief's. Honest code never signs with it.
 */
export function identityWithoutAuthority(state: MembershipState, key: DeviceKey): boolean {
	const person = key as string as PersonKey;
	return state.removed.has(person) || (state.members.has(person) && state.lostDevice.has(person));
}

/**
 * This person needs a new recovery kit: they have had a device removed here, so an old kit
 * (certified by the identity key alone) no longer works, and no recovery key is registered.
 */
export function needsRecoveryKit(state: MembershipState, person: PersonKey): boolean {
	return state.members.has(person) && state.lostDevice.has(person) && !state.recoveryKeys.has(person);
}

/** Circles whose current key is held by a device that is no longer entitled: a rotation is owed. */
export function owedRotations(state: MembershipState): string[] {
	const owed: string[] = [];
	for (const [id, circle] of state.circles) {
		const entitled = new Set(circleDevices(state, id));
		for (const key of circle.lockboxes.keys()) {
			const [epoch, device] = key.split('/');
			if (Number(epoch) === circle.epoch && !entitled.has(device as DeviceKey)) {
				owed.push(id);
				break;
			}
		}
	}
	return owed;
}

/** Devices entitled to the circle's current key that have no lockbox for it yet. */
export function missingLockboxes(state: MembershipState, circle: string): DeviceKey[] {
	const c = state.circles.get(circle);
	if (!c) return [];
	return circleDevices(state, circle).filter((d) => !c.lockboxes.has(`${c.epoch}/${d}`));
}

export function deviceInfo(state: MembershipState, device: DeviceKey): DeviceInfo | undefined {
	for (const m of state.members.values()) {
		const d = m.devices.get(device);
		if (d) return d;
	}
	return undefined;
}

export function memberOf(state: MembershipState, device: DeviceKey): Member | undefined {
	return memberOfDevice(state, device);
}

/**
 * Whether this device can never write to the space again: its person was removed (or left),
 * or the device itself was. Removal is final (a removed person cannot be admitted again), so
 * whatever such a device still holds unsent stays on it for good.
 */
export function shutOut(state: MembershipState, person: PersonKey | undefined, device: DeviceKey): boolean {
	return (person !== undefined && state.removed.has(person)) || state.removedDevices.has(device);
}

export { isAdmin };

// ── shape guards ────────────────────────────────────────────────────────────────────────

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length < 4096;
const num = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const role = (v: unknown) => v === 'admin' || v === 'member';

function isDeviceInfo(v: unknown): v is DeviceInfo {
	const d = v as DeviceInfo;
	return typeof d === 'object' && d !== null && isPublicKey(d.sign) && isPublicKey(d.box) && str(d.cert);
}

function isCard(v: unknown): v is MemberCard {
	const c = v as MemberCard;
	return typeof c === 'object' && c !== null && isPublicKey(c.id) && Array.isArray(c.devices) && c.devices.length > 0 && c.devices.length <= 64 && c.devices.every(isDeviceInfo);
}

function isLockboxes(v: unknown): v is Lockbox[] {
	return Array.isArray(v) && v.every((l) => typeof l === 'object' && l !== null && str(l.circle) && num(l.epoch) && isPublicKey(l.device) && str(l.sealed));
}

function isAction(a: Action): boolean {
	if (typeof a !== 'object' || a === null) return false;
	switch (a.type) {
		case 'create':
			return isCard(a.owner) && Array.isArray(a.circles) && a.circles.every(str) && isLockboxes(a.lockboxes);
		case 'invite':
			return str(a.invite) && isPublicKey(a.key) && num(a.expiresAt) && role(a.role) && Array.isArray(a.circles) && a.circles.every(str) && str(a.info);
		case 'revoke-invite':
		case 'decline':
			return str(a.invite);
		case 'request':
			return str(a.invite) && isCard(a.person) && str(a.proof);
		case 'admit':
			return str(a.invite) && isLockboxes(a.lockboxes);
		case 'remove':
			return isPublicKey(a.person);
		case 'set-role':
			return isPublicKey(a.person) && role(a.role);
		case 'grant':
			return isPublicKey(a.person) && str(a.circle) && isLockboxes(a.lockboxes);
		case 'revoke':
			return isPublicKey(a.person) && str(a.circle);
		case 'rotate':
			return str(a.circle) && num(a.epoch) && isLockboxes(a.lockboxes);
		case 'add-device':
			return isPublicKey(a.person) && isDeviceInfo(a.device) && isLockboxes(a.lockboxes) && (a.recovery === undefined || str(a.recovery));
		case 'set-recovery':
			return isPublicKey(a.person) && isPublicKey(a.key);
		case 'remove-device':
			return isPublicKey(a.person) && isPublicKey(a.device);
		case 'add-doc':
			return str(a.doc) && str(a.circle);
		case 'new-circle':
			return str(a.circle) && isLockboxes(a.lockboxes);
		default:
			return false;
	}
}

function isOpBody(v: unknown): v is OpBody {
	const b = v as OpBody;
	return typeof b === 'object' && b !== null && b.v === 1 && Array.isArray(b.prev) && b.prev.length <= 256 && b.prev.every(str) && num(b.at) && isAction(b.action);
}
