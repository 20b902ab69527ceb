// Builders for signed membership operations, lockboxes and invitations. Each returns data
// to append to a space's log; nothing here talks to the network or storage.
import { hash, newSymmetricKey, openSealed, randomBytes, seal, sign, signingKeyPairFromSeed } from '$lib/crypto';
import { fromBase64Url, isBase64Url, opSigningBytes, spaceWriteBytes, toBase64Url, utf8, type DeviceKey, type DocumentId, type SignedOp, type SpaceId } from '$lib/protocol';
import { words } from '$lib/words';
import type { DeviceSecrets } from './device';
import { deviceKey } from './device';
import { certifyDevice, personKey, type DeviceInfo, type MemberCard, type PersonKey, type PersonSecrets } from './identity';
import { invitationProofBytes, selfAddBytes, type Action, type Invite, type Lockbox, type MembershipState, type OpBody, type Role } from './membership';

const msg = words.messages.keys.spaceOps;

/** The clear, signed fields the relay's flood guard reads (see $lib/protocol/spaceWriters). */
export type RelayFields = Pick<SignedOp, 'admits' | 'cap'>;

export function signOp(spaceId: SpaceId, device: DeviceSecrets, prev: string[], action: Action, now = Date.now(), relay: RelayFields = {}): SignedOp {
	const body: OpBody = { v: 1, prev, at: now, action };
	const admits = relay.admits?.length ? [...new Set(relay.admits)] : undefined;
	const unsigned = { spaceId, author: deviceKey(device), body: JSON.stringify(body), ...(admits ? { admits } : {}), ...(relay.cap ? { cap: relay.cap } : {}) };
	return { ...unsigned, sig: toBase64Url(sign(opSigningBytes(unsigned), device.signing.secretKey)) };
}

/**
 * Who an op lets write to the space's log at the relay: a newly admitted person's identity
 * and devices, an added device. Without it the relay would refuse their writes.
 */
export function relayFieldsFor(state: MembershipState, action: Action): RelayFields {
	if (action.type === 'admit') {
		const card = state.invites.get(action.invite)?.requester;
		return card ? { admits: [card.id, ...devicesOf(card)] } : {};
	}
	if (action.type === 'add-device') return { admits: [action.device.sign] };
	return {};
}

/** A write capability: `signer`, a key the space admits, lets `author` write to its log. */
export function writeCap(spaceId: SpaceId, author: DeviceKey, signer: { publicKey: Uint8Array; secretKey: Uint8Array }): NonNullable<SignedOp['cap']> {
	return { by: toBase64Url(signer.publicKey), sig: toBase64Url(sign(spaceWriteBytes(spaceId, author), signer.secretKey)) };
}

/** The recovery key's consent to one new device of the person adding itself to one space. */
export function recoverySignature(spaceId: SpaceId, person: PersonKey, device: Pick<DeviceInfo, 'sign' | 'box'>, recovery: { secretKey: Uint8Array }): string {
	return toBase64Url(sign(selfAddBytes(spaceId, person, device), recovery.secretKey));
}

export function newCircleId(): string {
	return toBase64Url(randomBytes(12));
}

export function newSpaceId(): SpaceId {
	// Same alphabet as document ids so the relay's checks treat both alike.
	const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
	const bytes = randomBytes(24);
	return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('') as SpaceId;
}

export function sealTo(key: Uint8Array, circle: string, epoch: number, device: Pick<DeviceInfo, 'sign' | 'box'>): Lockbox {
	return { circle, epoch, device: device.sign, sealed: toBase64Url(seal(key, fromBase64Url(device.box))) };
}

/** Every circle key (per epoch) this device can open from the space's lockboxes. */
export function openCircleKeys(state: MembershipState, device: DeviceSecrets): Map<string, Map<number, Uint8Array>> {
	const me = deviceKey(device);
	const out = new Map<string, Map<number, Uint8Array>>();
	for (const [id, circle] of state.circles) {
		for (const [key, sealed] of circle.lockboxes) {
			const [epoch, target] = key.split('/');
			if (target !== me) continue;
			const opened = openSealed(fromBase64Url(sealed), device.box);
			if (!opened) continue;
			let byEpoch = out.get(id);
			if (!byEpoch) out.set(id, (byEpoch = new Map()));
			byEpoch.set(Number(epoch), opened);
		}
	}
	return out;
}

/** Each document gets its own key derived from its circle's key, bound to its id. */
export function documentKey(circleKey: Uint8Array, docId: DocumentId): Uint8Array {
	return hash(utf8(`hearth/doc-key/v1\n${docId}`), 32, circleKey);
}

export interface NewSpace {
	spaceId: SpaceId;
	circles: string[];
	keys: Map<string, Uint8Array>;
	op: SignedOp;
}

/** The first operation of a space: the owner, their devices, and the first access circles. */
export function createSpace(person: PersonSecrets, device: DeviceSecrets, circleCount: number): NewSpace {
	const spaceId = newSpaceId();
	const owner: MemberCard = { id: personKey(person), devices: [certifyDevice(person, device)] };
	const circles = Array.from({ length: circleCount }, newCircleId);
	const keys = new Map(circles.map((c) => [c, newSymmetricKey()]));
	const lockboxes = circles.map((c) => sealTo(keys.get(c)!, c, 0, owner.devices[0]));
	const admits = [owner.id, ...devicesOf(owner)];
	return { spaceId, circles, keys, op: signOp(spaceId, device, [], { type: 'create', owner, circles, lockboxes }, Date.now(), { admits }) };
}

/** Lockboxes giving these devices every epoch key we hold for the circle, so history stays readable. */
export function lockboxesFor(keys: Map<number, Uint8Array> | undefined, circle: string, devices: Array<Pick<DeviceInfo, 'sign' | 'box'>>): Lockbox[] {
	const out: Lockbox[] = [];
	for (const [epoch, key] of keys ?? []) for (const d of devices) out.push(sealTo(key, circle, epoch, d));
	return out;
}

// ── invitations ─────────────────────────────────────────────────────────────────────────

export class InvitationError extends Error {
	constructor(
		readonly reason: 'damaged' | 'tampered' | 'unknown' | 'expired' | 'used' | 'revoked' | 'declined' | 'wrong-space',
		message: string
	) {
		super(message);
	}
}

/** What the invitee is shown. Committed to by a hash in the signed invite, so it cannot be altered. */
export interface InvitationInfo {
	space: string;
	from: string;
}

export interface InvitationLink {
	spaceId: SpaceId;
	invite: string;
	secret: string;
	info: InvitationInfo;
	/**
	 * Which space, and whose invitation: the hash of the space's first operation and the
	 * inviting device's key. A relay can serve a space of its own under the same id with the
	 * invite's fields copied in, but it cannot make either of these match.
	 *
	 * Links made before this (and trial invitations sealed into call-outs then) have none. They
	 * still open, because they are already in people's inboxes and call-outs and expire within
	 * days, but the page says plainly that this device could not check the space itself.
	 */
	pin?: InvitationPin;
}

export interface InvitationPin {
	genesis: string;
	inviter: DeviceKey;
}

/** The hash of the operation that created the space: what an invitation link pins. */
export function genesisHash(state: MembershipState): string | undefined {
	return state.applied.find((a) => a.action.type === 'create')?.hash;
}

/**
 * Commits the signed invite to what the link shows. Keyed with the link's secret: names are
 * guessable, and an unkeyed hash on the relay would let it test guesses at them.
 */
export function infoHash(info: InvitationInfo, secret: Uint8Array): string {
	return toBase64Url(hash(utf8(JSON.stringify([info.space, info.from])), 32, secret));
}

export function createInvitation(
	spaceId: SpaceId,
	device: DeviceSecrets,
	prev: string[],
	options: { role: Exclude<Role, 'owner'>; circles: string[]; expiresAt: number; info: InvitationInfo; genesis?: string }
): { op: SignedOp; link: InvitationLink } {
	const secret = randomBytes(32);
	const invite = toBase64Url(randomBytes(12));
	const key = toBase64Url(signingKeyPairFromSeed(secret).publicKey);
	// The invitation's key may vouch for the invitee's device at the relay (see requestToJoin).
	const op = signOp(
		spaceId,
		device,
		prev,
		{ type: 'invite', invite, key, expiresAt: options.expiresAt, role: options.role, circles: options.circles, info: infoHash(options.info, secret) },
		Date.now(),
		{ admits: [key] }
	);
	const pin = options.genesis ? { pin: { genesis: options.genesis, inviter: deviceKey(device) } } : {};
	return { op, link: { spaceId, invite, secret: toBase64Url(secret), info: options.info, ...pin } };
}

export function invitationFragment(link: InvitationLink): string {
	const pin: Record<string, string> = link.pin ? { g: link.pin.genesis, d: link.pin.inviter } : {};
	return new URLSearchParams({ s: link.spaceId, i: link.invite, k: link.secret, n: link.info.space, f: link.info.from, ...pin }).toString();
}

export function parseInvitationLink(text: string): InvitationLink {
	const at = text.indexOf('#');
	const params = new URLSearchParams(at >= 0 ? text.slice(at + 1) : text);
	const spaceId = params.get('s');
	const invite = params.get('i');
	const secret = params.get('k');
	const space = params.get('n');
	const from = params.get('f');
	if (!spaceId || !invite || !secret || space === null || from === null) {
		throw new InvitationError('damaged', msg.incomplete);
	}
	if (!isBase64Url(secret, 32) || !isBase64Url(invite) || !/^[1-9A-HJ-NP-Za-km-z]{16,64}$/.test(spaceId)) {
		throw new InvitationError('damaged', msg.damaged);
	}
	const link: InvitationLink = { spaceId: spaceId as SpaceId, invite, secret, info: { space, from } };
	const genesis = params.get('g');
	const inviter = params.get('d');
	if (genesis === null && inviter === null) return link; // an older link, without the pin
	// Half a pin, or a bent one, is damage: dropping it would quietly make the link unpinned.
	if (!isBase64Url(genesis, 24) || !isBase64Url(inviter, 32)) throw new InvitationError('damaged', msg.damaged);
	return { ...link, pin: { genesis, inviter: inviter as DeviceKey } };
}

/** Checks a link against the space's log. Throws an InvitationError with a plain reason. */
export function checkInvitation(state: MembershipState, link: InvitationLink, now: number): Invite {
	// The space first: if the relay served a space of its own, nothing else in it means anything.
	if (link.pin && state.owner && genesisHash(state) !== link.pin.genesis) throw new InvitationError('wrong-space', msg.wrongSpace);
	const invite = state.invites.get(link.invite);
	if (!invite) throw new InvitationError('unknown', msg.unknown);
	if (link.pin) {
		const made = state.applied.find((a) => a.action.type === 'invite' && a.action.invite === link.invite);
		if (made?.author !== link.pin.inviter) throw new InvitationError('wrong-space', msg.wrongSpace);
	}
	const key = toBase64Url(signingKeyPairFromSeed(fromBase64Url(link.secret)).publicKey);
	if (key !== invite.key || infoHash(link.info, fromBase64Url(link.secret)) !== invite.info) {
		throw new InvitationError('tampered', msg.tampered);
	}
	// Removing someone cancels their invitations with them (see the reducer's `remove`).
	if (invite.status === 'revoked') throw new InvitationError('revoked', state.removed.has(invite.by) ? msg.inviterRemoved : msg.revoked);
	if (invite.status === 'declined') throw new InvitationError('declined', msg.declined);
	if (invite.status !== 'open') throw new InvitationError('used', msg.used);
	if (now > invite.expiresAt) throw new InvitationError('expired', msg.expired);
	return invite;
}

export function requestToJoin(state: MembershipState, link: InvitationLink, person: PersonSecrets, devices: DeviceSecrets[], device: DeviceSecrets, prev: string[]): SignedOp {
	const card: MemberCard = { id: personKey(person), devices: devices.map((d) => certifyDevice(person, d)) };
	const kp = signingKeyPairFromSeed(fromBase64Url(link.secret));
	const proof = toBase64Url(sign(invitationProofBytes(state.spaceId, link.invite, card.id), kp.secretKey));
	// The space does not admit this device yet: the link's secret vouches for it at the relay.
	const cap = writeCap(state.spaceId, deviceKey(device), kp);
	return signOp(state.spaceId, device, prev, { type: 'request', invite: link.invite, person: card, proof }, Date.now(), { cap });
}

export function devicesOf(card: MemberCard): DeviceKey[] {
	return card.devices.map((d) => d.sign);
}

export type { PersonKey };
