// Junk in a membership log (a stranger's self-signed ops, stored by a hostile relay) never
// blocks the ops that matter: only ops that took effect are heads, honest ops name a bounded
// number of them, and a log written before this rule replays exactly as it did.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { cryptoReady, hash, newSigningKeyPair, sign, verify } from '$lib/crypto';
import { loadDevice, type StoredDevice } from '$lib/keys/device';
import { MAX_PREV, opHash, replayMembership, type MembershipState } from '$lib/keys/membership';
import { createInvitation, requestToJoin, signOp } from '$lib/keys/spaceOps';
import { opSigningBytes, toBase64Url, type DeviceKey, type DocumentId, type LoggedOp, type SpaceId } from '$lib/protocol';
import { actor, newStory, StoryLog } from '$tests/helpers/membershipStory';
import type { PersonKey } from '$lib/keys/identity';

beforeAll(cryptoReady);

type KeyPair = { publicKey: Uint8Array; secretKey: Uint8Array };

/** A stranger's well-formed, signed op that takes no effect. */
function junkOp(log: StoryLog, stranger: KeyPair, i: number, prev: string[]) {
	const author = toBase64Url(stranger.publicKey) as DeviceKey;
	const unsigned = { spaceId: log.spaceId, author, body: JSON.stringify({ v: 1, prev, at: i, action: { type: 'remove', person: author } }) };
	return { ...unsigned, sig: toBase64Url(sign(opSigningBytes(unsigned), stranger.secretKey)) };
}

/** Bea joins through the real flow: invitation, request with its secret, admission. */
function bringIn(log: StoryLog, owner: ReturnType<typeof actor>, who: ReturnType<typeof actor>, circles: string[]) {
	const { op, link } = createInvitation(log.spaceId, owner.device, log.heads(), { role: 'member', circles, expiresAt: log.clock + 60_000, info: { space: 'Care co-op', from: owner.name } });
	log.append(op);
	log.append(requestToJoin(log.state(), link, who.person, who.devices, who.device, log.heads()));
	log.act(owner, { type: 'admit', invite: link.invite, lockboxes: [] });
}

function summary(s: MembershipState) {
	return {
		members: [...s.members.keys()].sort(),
		removed: [...s.removed].sort(),
		docs: [...s.docs].sort(),
		invites: [...s.invites.values()].map((i) => i.status),
		epochs: [...s.circles].map(([c, x]) => [c, x.epoch]).sort(),
		applied: s.applied.map((a) => a.hash),
		rejected: s.rejected.map((r) => [r.index, r.reason])
	};
}

describe('a membership log flooded with junk', () => {
	it('keeps only ops that took effect as heads, however many junk ops name them or nothing', () => {
		const olive = actor('olive');
		const { log, circles } = newStory(olive);
		log.act(olive, { type: 'add-doc', doc: 'notes111111111111' as DocumentId, circle: circles[0] });
		const real = log.heads();
		const stranger = newSigningKeyPair();
		for (let i = 0; i < 400; i++) log.append(junkOp(log, stranger, i, i % 2 ? real : []));
		const state = log.state();
		expect(state.rejected.filter((r) => r.reason === 'Sent by a device that is not in the space')).toHaveLength(400);
		// Junk naming the real head does not hide it, and junk naming nothing is no head.
		expect(state.heads).toEqual(real);
	});

	it('lets the owner remove, rotate, invite and add documents after 300 junk ops', () => {
		const olive = actor('olive');
		const bea = actor('bea');
		const { log, circles } = newStory(olive);
		bringIn(log, olive, bea, circles);
		expect(log.state().members.has(bea.id)).toBe(true);
		const stranger = newSigningKeyPair();
		const real = log.heads();
		for (let i = 0; i < 300; i++) log.append(junkOp(log, stranger, i, i % 2 ? real : []));
		log.act(olive, { type: 'remove', person: bea.id });
		log.act(olive, { type: 'rotate', circle: circles[0], epoch: 1, lockboxes: [] });
		log.act(olive, { type: 'invite', invite: 'inv-dan', key: toBase64Url(newSigningKeyPair().publicKey), expiresAt: log.clock + 60_000, role: 'member', circles, info: 'x' });
		log.act(olive, { type: 'add-doc', doc: 'june1111111111111' as DocumentId, circle: circles[1] });
		const state = log.state();
		expect(state.circles.get(circles[0])!.epoch).toBe(1);
		expect(state.removed.has(bea.id)).toBe(true);
		expect(state.invites.get('inv-dan')!.status).toBe('open');
		expect(state.docs.has('june1111111111111' as DocumentId)).toBe(true);
		expect(state.rejected.filter((r) => r.reason !== 'Sent by a device that is not in the space')).toEqual([]);
	});

	it('names at most MAX_PREV heads, the newest of each author first, when members make many ops at once', () => {
		const olive = actor('olive');
		const bea = actor('bea');
		const { log, circles } = newStory(olive);
		bringIn(log, olive, bea, circles);
		const start = log.entries.length;
		// Bea adds a document; meanwhile Olive makes 40 more, none of them seeing the others.
		const beas = log.act(bea, { type: 'add-doc', doc: 'beasNotes11111111' as DocumentId, circle: circles[0] }, start);
		for (let i = 0; i < 40; i++) log.act(olive, { type: 'add-doc', doc: `doc${String(i).padStart(14, 'x')}` as DocumentId, circle: circles[0] }, start);
		const heads = log.heads();
		expect(heads).toHaveLength(MAX_PREV);
		// Bea's older op is still named: the newest of each author comes first.
		expect(heads).toContain(opHash(beas, (b) => hash(b)));
		// The next op names them and still takes effect; it is the one head afterwards.
		log.act(olive, { type: 'rotate', circle: circles[0], epoch: 1, lockboxes: [] });
		const after = log.state();
		expect(after.circles.get(circles[0])!.epoch).toBe(1);
		expect(after.heads[0]).toBe(after.applied.at(-1)!.hash);
		expect(after.heads).toHaveLength(MAX_PREV);
		expect(after.heads.filter((h) => heads.includes(h))).toEqual([]);
	});
});

describe('a log written before only effective ops were heads', () => {
	// Written by the reducer as of commit 17b7673: junk ops, honest ops whose `prev` names junk
	// (as heads were then), two people admitted, a removal concurrent with the removed person's
	// document, and a rotation. The expected state is what that reducer reached.
	const fixture = JSON.parse(readFileSync('tests/unit/keys/fixtures/flooded-log-v1.json', 'utf8')) as {
		spaceId: SpaceId;
		olive: StoredDevice;
		bea: { id: PersonKey };
		entries: LoggedOp[];
		summary: ReturnType<typeof summary>;
	};

	it('replays to exactly the state it had, and takes new ops after it', () => {
		const state = replayMembership(fixture.spaceId, fixture.entries, verify, (b) => hash(b));
		expect(summary(state)).toEqual(fixture.summary);

		// New ops from the owner go on from there, naming only ops that took effect.
		const olive = loadDevice(fixture.olive);
		const entries = [...fixture.entries];
		const remove = signOp(fixture.spaceId, olive, state.heads, { type: 'remove', person: fixture.bea.id });
		entries.push({ index: entries.length, op: remove, at: 2_000_000 });
		const after = replayMembership(fixture.spaceId, entries, verify, (b) => hash(b));
		expect(after.removed.has(fixture.bea.id)).toBe(true);
		expect(after.docs.size).toBe(state.docs.size);
		const junkHashes = new Set(state.rejected.map((r) => r.hash));
		expect(state.heads.every((h) => !junkHashes.has(h))).toBe(true);
	});
});
