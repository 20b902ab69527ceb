// Builders for signed membership operations, lockboxes and invitations. Each returns data
// to append to a space's log; nothing here talks to the network or storage.
import { hash, newSymmetricKey, openSealed, randomBytes, seal, sign, signingKeyPairFromSeed } from '$lib/crypto';
import { fromBase64Url, isBase64Url, opSigningBytes, toBase64Url, utf8, type DeviceKey, type DocumentId, type SignedOp, type SpaceId } from '$lib/protocol';
import { words } from '$lib/words';
import type { DeviceSecrets } from './device';
import { deviceKey } from './device';
import { certifyDevice, personKey, type DeviceInfo, type MemberCard, type PersonKey, type PersonSecrets } from './identity';
import { invitationProofBytes, selfAddBytes, type Action, type Invite, type Lockbox, type MembershipState, type OpBody, type Role } from './membership';

const msg = words.messages.keys.spaceOps;

export function signOp(spaceId: SpaceId, device: DeviceSecrets, prev: string[], action: Action, now = Date.now()): SignedOp {
	const body: OpBody = { v: 1, prev, at: now, action };
	const unsigned = { spaceId, author: deviceKey(device), body: JSON.stringify(body) };
	return { ...unsigned, sig: toBase64Url(sign(opSigningBytes(unsigned), device.signing.secretKey)) };
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
	return { spaceId, circles, keys, op: signOp(spaceId, device, [], { type: 'create', owner, circles, lockboxes }) };
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
		readonly reason: 'damaged' | 'tampered' | 'unknown' | 'expired' | 'used' | 'revoked' | 'declined',
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
	options: { role: Exclude<Role, 'owner'>; circles: string[]; expiresAt: number; info: InvitationInfo }
): { op: SignedOp; link: InvitationLink } {
	const secret = randomBytes(32);
	const invite = toBase64Url(randomBytes(12));
	const key = toBase64Url(signingKeyPairFromSeed(secret).publicKey);
	const op = signOp(spaceId, device, prev, {
		type: 'invite',
		invite,
		key,
		expiresAt: options.expiresAt,
		role: options.role,
		circles: options.circles,
		info: infoHash(options.info, secret)
	});
	return { op, link: { spaceId, invite, secret: toBase64Url(secret), info: options.info } };
}

export function invitationFragment(link: InvitationLink): string {
	return new URLSearchParams({ s: link.spaceId, i: link.invite, k: link.secret, n: link.info.space, f: link.info.from }).toString();
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
	return { spaceId: spaceId as SpaceId, invite, secret, info: { space, from } };
}

/** Checks a link against the space's log. Throws an InvitationError with a plain reason. */
export function checkInvitation(state: MembershipState, link: InvitationLink, now: number): Invite {
	const invite = state.invites.get(link.invite);
	if (!invite) throw new InvitationError('unknown', msg.unknown);
	const key = toBase64Url(signingKeyPairFromSeed(fromBase64Url(link.secret)).publicKey);
	if (key !== invite.key || infoHash(link.info, fromBase64Url(link.secret)) !== invite.info) {
		throw new InvitationError('tampered', msg.tampered);
	}
	if (invite.status === 'revoked') throw new InvitationError('revoked', msg.revoked);
	if (invite.status === 'declined') throw new InvitationError('declined', msg.declined);
	if (invite.status !== 'open') throw new InvitationError('used', msg.used);
	if (now > invite.expiresAt) throw new InvitationError('expired', msg.expired);
	return invite;
}

export function requestToJoin(state: MembershipState, link: InvitationLink, person: PersonSecrets, devices: DeviceSecrets[], device: DeviceSecrets, prev: string[]): SignedOp {
	const card: MemberCard = { id: personKey(person), devices: devices.map((d) => certifyDevice(person, d)) };
	const kp = signingKeyPairFromSeed(fromBase64Url(link.secret));
	const proof = toBase64Url(sign(invitationProofBytes(state.spaceId, link.invite, card.id), kp.secretKey));
	return signOp(state.spaceId, device, prev, { type: 'request', invite: link.invite, person: card, proof });
}

export function devicesOf(card: MemberCard): DeviceKey[] {
	return card.devices.map((d) => d.sign);
}

export type { PersonKey };
