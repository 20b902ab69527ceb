// Hostile logs against the membership reducer. An honest team (Olive, the owner, and three
// members with their devices) goes about its business: removing devices and people, adding
// documents, inviting. Meanwhile the adversaries of SECURITY.md write into the same log,
// as the relay would let them:
//   - a thief holding a removed device (its device secrets and the person's identity secret),
//     who re-adds it under another spelling of its key, certifies a fresh device and adds it
//     itself, or acts with the removed device on a fork from before the removal;
//   - a stranger who floods the log with self-signed junk;
//   - a hostile relay that replays old operations.
// Whatever they do, the honest team's state must be exactly what it would be without them,
// and the owner must still be able to act afterwards.
//
// Keys come from libsodium's randomness, not fast-check's seed; no property depends on them.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cryptoReady, hash, randomBytes, sign, verify } from '$lib/crypto';
import { createDevice, deviceKey, type DeviceSecrets } from '$lib/keys/device';
import { certifyDevice, type DeviceInfo } from '$lib/keys/identity';
import { replayMembership, type Action, type MembershipState, type VerifyFn } from '$lib/keys/membership';
import { createInvitation, requestToJoin, sealTo, signOp } from '$lib/keys/spaceOps';
import { opSigningBytes, toBase64Url, type DeviceKey, type DocumentId, type LoggedOp, type SignedOp } from '$lib/protocol';
import { actor, newStory, StoryLog, type Actor } from '$tests/helpers/membershipStory';

const hashFn = (bytes: Uint8Array) => hash(bytes);
const RUNS = 15;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same 32 bytes spelled differently: flips one of the two unused bits of the last character. */
function alias(key: string): string {
	return key.slice(0, -1) + ALPHABET[ALPHABET.indexOf(key[key.length - 1]) ^ 1];
}

function memoVerify(): VerifyFn {
	const seen = new Map<string, boolean>();
	const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
	return (signature, message, publicKey) => {
		const key = `${text(signature)}|${text(publicKey)}|${text(message)}`;
		let ok = seen.get(key);
		if (ok === undefined) seen.set(key, (ok = verify(signature, message, publicKey)));
		return ok;
	};
}

class HostileLog extends StoryLog {
	readonly verify = memoVerify();
	readonly #states = new Map<number, MembershipState>();
	/** Indexes of entries an adversary wrote. */
	readonly hostile = new Set<number>();

	override state(upTo = this.entries.length): MembershipState {
		let s = this.#states.get(upTo);
		if (!s) this.#states.set(upTo, (s = replayMembership(this.spaceId, this.entries.slice(0, upTo), this.verify, hashFn)));
		return s;
	}

	inject(op: SignedOp): void {
		this.hostile.add(this.entries.length);
		this.append(op);
	}
}

/** What the team acts on: who is in, with which role, devices and circles; circle epochs; documents. */
function whatMatters(s: MembershipState): string {
	const sorted = <T>(xs: T[]) => [...xs].sort();
	return JSON.stringify({
		owner: s.owner,
		members: sorted([...s.members.values()].map((m) => JSON.stringify([m.id, m.role, sorted([...m.devices.keys()]), sorted([...m.circles])]))),
		removed: sorted([...s.removed]),
		removedDevices: sorted([...s.removedDevices]),
		circles: sorted([...s.circles].map(([id, c]) => `${id}@${c.epoch}:${sorted([...c.lockboxes.keys()]).join(',')}`)),
		docs: sorted([...s.docs].map(([d, c]) => `${d}:${c}`)),
		invites: sorted([...s.invites.values()].map((i) => `${i.id}:${i.status}`))
	});
}

/** A removed device, as a thief holds it. */
interface Stolen {
	owner: Actor;
	device: DeviceSecrets;
	/** How long the log was when the removal was written: a fork starts before it. */
	removedAt: number;
}

let olive: Actor;
let members: Actor[];
let stranger: Actor;

beforeAll(async () => {
	await cryptoReady();
	olive = actor('Olive', 2);
	members = [actor('Bea', 3), actor('Cal', 2), actor('Dan', 2)];
	stranger = actor('Mal', 1);
});

const command = fc.oneof(
	// the honest team
	fc.record({ k: fc.constant('remove-device' as const), who: fc.nat(), dev: fc.nat() }),
	fc.record({ k: fc.constant('remove' as const), who: fc.nat() }),
	fc.record({ k: fc.constant('add-doc' as const), n: fc.nat(20) }),
	fc.record({ k: fc.constant('invite' as const) }),
	// the adversaries
	fc.record({ k: fc.constant('alias-readd' as const), pick: fc.nat() }),
	fc.record({ k: fc.constant('thief-self-add' as const), pick: fc.nat(), fork: fc.boolean() }),
	fc.record({ k: fc.constant('removed-acts' as const), pick: fc.nat(), fork: fc.boolean() }),
	fc.record({ k: fc.constant('replay' as const), pick: fc.nat() }),
	fc.record({ k: fc.constant('flood' as const), count: fc.integer({ min: 20, max: 120 }), linked: fc.boolean() })
);
type Command = typeof command extends fc.Arbitrary<infer T> ? T : never;

const coverage = { thefts: 0, aliases: 0, selfAdds: 0, forks: 0, replays: 0, floodOps: 0 };

function build(commands: Command[]): HostileLog {
	const story = newStory(olive, 2);
	const log = new HostileLog(story.log.spaceId);
	log.entries.push(...story.log.entries);
	log.clock = story.log.clock;
	const key = randomBytes(32);
	const stolen: Stolen[] = [];
	const act = (a: Actor, action: Action, device = a.device, prev = log.heads()) => log.append(signOp(log.spaceId, device, prev, action, log.clock));

	// Everyone joins, with every device, in both circles.
	for (const m of members) {
		const { op, link } = createInvitation(log.spaceId, olive.device, log.heads(), { role: 'member', circles: story.circles, expiresAt: log.clock + 600_000, info: { space: 'Team', from: 'Olive' } });
		log.append(op);
		log.append(requestToJoin(log.state(), link, m.person, m.devices, m.device, log.heads()));
		const requester = log.state().invites.get(link.invite)!.requester!;
		act(olive, { type: 'admit', invite: link.invite, lockboxes: story.circles.flatMap((c) => requester.devices.map((d) => sealTo(key, c, 0, d))) });
	}
	expect(log.state().members.size).toBe(1 + members.length);

	for (const c of commands) perform(c);
	return log;

	function inSpace(): Actor[] {
		const s = log.state();
		return members.filter((m) => s.members.has(m.id));
	}

	function perform(c: Command): void {
		const s = log.state();
		switch (c.k) {
			case 'remove-device': {
				const people = inSpace().filter((m) => (s.members.get(m.id)?.devices.size ?? 0) > 1);
				if (!people.length) return;
				const who = people[c.who % people.length];
				const held = who.devices.filter((d) => s.members.get(who.id)!.devices.has(deviceKey(d)));
				const device = held[c.dev % held.length];
				stolen.push({ owner: who, device, removedAt: log.entries.length });
				act(olive, { type: 'remove-device', person: who.id, device: deviceKey(device) });
				coverage.thefts++;
				return;
			}
			case 'remove': {
				const people = inSpace();
				if (people.length <= 1) return;
				const who = people[c.who % people.length];
				for (const d of who.devices) if (s.members.get(who.id)!.devices.has(deviceKey(d))) stolen.push({ owner: who, device: d, removedAt: log.entries.length });
				act(olive, { type: 'remove', person: who.id });
				return;
			}
			case 'add-doc':
				act(olive, { type: 'add-doc', doc: `doc-${c.n}` as DocumentId, circle: story.circles[c.n % 2] });
				return;
			case 'invite':
				log.append(createInvitation(log.spaceId, olive.device, log.heads(), { role: 'member', circles: [story.circles[0]], expiresAt: log.clock + 600_000, info: { space: 'Team', from: 'Olive' } }).op);
				return;
			case 'alias-readd': {
				if (!stolen.length) return;
				const t = stolen[c.pick % stolen.length];
				const info = certifyDevice(t.owner.person, t.device);
				// The removed device names itself in another spelling, signing over its real bytes.
				const body = JSON.stringify({ v: 1, prev: log.heads(), at: log.clock, action: { type: 'add-device', person: t.owner.id, device: { ...info, sign: alias(info.sign) }, lockboxes: [] } });
				const unsigned = { spaceId: log.spaceId, author: deviceKey(t.device), body };
				log.inject({ ...unsigned, author: alias(deviceKey(t.device)) as DeviceKey, sig: toBase64Url(sign(opSigningBytes(unsigned), t.device.signing.secretKey)) });
				coverage.aliases++;
				return;
			}
			case 'thief-self-add': {
				if (!stolen.length) return;
				const t = stolen[c.pick % stolen.length];
				// The identity secret came with the stolen device: certify a fresh key and let it add itself.
				const fresh = createDevice();
				const info: DeviceInfo = certifyDevice(t.owner.person, fresh);
				const prev = c.fork ? log.heads(t.removedAt) : log.heads();
				log.inject(signOp(log.spaceId, fresh, prev, { type: 'add-device', person: t.owner.id, device: info, lockboxes: story.circles.map((circle) => sealTo(randomBytes(32), circle, 0, info)) }, log.clock));
				coverage.selfAdds++;
				if (c.fork) coverage.forks++;
				return;
			}
			case 'removed-acts': {
				if (!stolen.length) return;
				const t = stolen[c.pick % stolen.length];
				const prev = c.fork ? log.heads(t.removedAt) : log.heads();
				const fresh = createDevice();
				log.inject(signOp(log.spaceId, t.device, prev, { type: 'add-device', person: t.owner.id, device: certifyDevice(t.owner.person, fresh), lockboxes: [] }, log.clock));
				if (c.fork) coverage.forks++;
				return;
			}
			case 'replay': {
				const honest = log.entries.filter((e) => !log.hostile.has(e.index));
				log.inject(honest[c.pick % honest.length].op);
				coverage.replays++;
				return;
			}
			case 'flood': {
				// A stranger's self-signed ops: each well formed, none with any authority.
				for (let i = 0; i < c.count; i++) {
					const prev = c.linked ? log.heads() : [toBase64Url(randomBytes(32))];
					log.inject(signOp(log.spaceId, stranger.device, prev, { type: 'add-doc', doc: `junk-${i}` as DocumentId, circle: story.circles[0] }, log.clock));
				}
				coverage.floodOps += c.count;
				return;
			}
		}
	}
}

describe('the membership reducer against a thief, a stranger and a hostile relay', () => {
	it('ends in exactly the state the honest team would reach without them, and the owner can still act', () => {
		fc.assert(
			fc.property(fc.array(command, { minLength: 4, maxLength: 14 }), (commands) => {
				const log = build(commands);
				const full = log.state();
				// Without the adversaries' entries (honest ops keep their relative order).
				const honest: LoggedOp[] = log.entries.filter((e) => !log.hostile.has(e.index)).map((e, index) => ({ ...e, index }));
				const clean = replayMembership(log.spaceId, honest, verify, hashFn);
				expect(whatMatters(full)).toBe(whatMatters(clean));
				// Nothing an adversary wrote took effect (a replay is the same op: it may not count twice).
				const hostileApplied = full.applied.filter((a) => log.hostile.has(a.index));
				expect(hostileApplied.map((a) => `${a.action.type} at ${a.index}`)).toEqual([]);
				// No device that was removed is back, under any spelling.
				for (const d of full.removedDevices) expect([...full.members.values()].some((m) => m.devices.has(d))).toBe(false);
				// The owner acts on what their device sees, after all of it, and it takes effect.
				const op = signOp(log.spaceId, olive.device, full.heads, { type: 'add-doc', doc: 'after-the-attack' as DocumentId, circle: [...full.circles.keys()][0] }, log.clock);
				log.append(op);
				const after = log.state();
				expect(after.docs.has('after-the-attack' as DocumentId), `the owner's op was refused: ${after.rejected.at(-1)?.reason}`).toBe(true);
			}),
			{ numRuns: RUNS, seed: 20261208 }
		);
		// The generator must keep producing the attacks this is about.
		expect(coverage.thefts).toBeGreaterThan(RUNS / 2);
		expect(coverage.aliases).toBeGreaterThan(0);
		expect(coverage.selfAdds).toBeGreaterThan(0);
		expect(coverage.forks).toBeGreaterThan(0);
		expect(coverage.replays).toBeGreaterThan(0);
		expect(coverage.floodOps).toBeGreaterThan(300);
	});
});
