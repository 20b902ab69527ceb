// A stranger who knows a space's id tries to freeze its membership by flooding its log with
// self-signed junk (issue 19, attack 3). The relay refuses log writes from keys the space does
// not admit; and where a hostile relay stores the junk anyway, no device lets it block the
// owner's removals, key changes, invitations or new documents. A member who spams the log
// meets the relay's per-space quotas, with a plain error.
import { afterEach, describe, expect, it } from 'vitest';
import { hash, newSigningKeyPair, sign, verify } from '$lib/crypto';
import { createDevice, deviceKey } from '$lib/keys/device';
import { certifyDevice } from '$lib/keys/identity';
import { replayMembership } from '$lib/keys/membership';
import { createInvitation, createSpace, invitationFragment, newSpaceId, parseInvitationLink, requestToJoin, signOp, writeCap } from '$lib/keys/spaceOps';
import { actor, StoryLog } from '$tests/helpers/membershipStory';
import { opSigningBytes, toBase64Url, type DeviceKey, type DocumentId, type SignedOp, type SpaceId } from '$lib/protocol';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { openDevice, eventually, setup, type Device, type Scenario } from '$tests/helpers/scenario';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';

interface Notes {
	items: string[];
}

let scenario: Scenario | undefined;
let extra: { devices: Device[]; relay?: RelayProcess } = { devices: [] };
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
	for (const d of extra.devices) await d.engine.close();
	await extra.relay?.stop();
	extra = { devices: [] };
});

type KeyPair = { publicKey: Uint8Array; secretKey: Uint8Array };

function signed(spaceId: SpaceId, kp: KeyPair, body: unknown, relay: Pick<SignedOp, 'admits' | 'cap'> = {}): SignedOp {
	const unsigned = { spaceId, author: toBase64Url(kp.publicKey) as DeviceKey, body: JSON.stringify(body), ...relay };
	return { ...unsigned, sig: toBase64Url(sign(opSigningBytes(unsigned), kp.secretKey)) };
}

/**
 * What a stranger can make: well-formed, properly signed ops that take no effect. Half point
 * at nothing (each would be a head of its own), half point at the space's real heads (to
 * push them out of the heads as "already seen").
 */
function junk(spaceId: SpaceId, stranger: KeyPair, count: number, heads: string[]): SignedOp[] {
	const victim = toBase64Url(stranger.publicKey);
	return Array.from({ length: count }, (_, i) =>
		signed(spaceId, stranger, { v: 1, prev: i % 2 ? heads : [], at: 1_000 + i, action: { type: 'remove', person: victim } })
	);
}

async function bringIn(owner: Device, person: Device, spaceId: SpaceId, circles: string[]) {
	const link = await owner.engine.invite(spaceId, { circles, info: { space: 'Olive’s team', from: 'Olive' } });
	await owner.engine.whenSynced();
	await person.engine.acceptInvitation(parseInvitationLink(`https://hearth.example/invite#${invitationFragment(link)}`));
	await eventually(() => owner.engine.spaceState(spaceId)?.invites.get(link.invite)?.status === 'requested', 10_000, 'the request to reach the owner');
	await owner.engine.admit(spaceId, link.invite);
	await eventually(() => person.engine.spaceState(spaceId)?.members.has(person.engine.personKey()!) === true, 10_000, 'admission');
}

async function logLength(relay: RelayProcess, spaceId: SpaceId): Promise<number> {
	const [{ n }] = await relay.query<{ n: number }>('SELECT COUNT(*) AS n FROM space_ops WHERE space_id = ?', [spaceId]);
	return Number(n);
}

/** A hostile relay: writes ops straight into its own storage, past every check it would make. */
async function injectIntoStore(relay: RelayProcess, spaceId: SpaceId, ops: SignedOp[]): Promise<void> {
	const start = await logLength(relay, spaceId);
	const rows = ops.map((op, i) => [spaceId, start + i, op.author, op.body, op.sig, Date.now()]);
	for (let i = 0; i < rows.length; i += 50) {
		const chunk = rows.slice(i, i + 50);
		await relay.query(`INSERT INTO space_ops (space_id, idx, author, body, sig, at) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`, chunk.flat());
	}
	if (relay.store === 'postgres') {
		await relay.query('INSERT INTO spaces (space_id, length) VALUES (?, ?) ON CONFLICT (space_id) DO UPDATE SET length = EXCLUDED.length', [spaceId, start + ops.length]);
	}
}

const items = (d: Device, docId: DocumentId) => d.engine.handle<Notes>(docId)?.doc().items;

/** What every honest device must agree on. */
function summary(d: Device, spaceId: SpaceId) {
	const state = d.engine.spaceState(spaceId)!;
	return {
		members: [...state.members.keys()].sort(),
		removed: [...state.removed].sort(),
		docs: [...state.docs].sort(),
		epochs: [...state.circles].map(([c, s]) => [c, s.epoch]).sort()
	};
}

describe('a stranger flooding a space’s membership log', () => {
	it('is refused by the relay, op after op, and nothing of it is stored', async () => {
		const s = await setup('olive');
		scenario = s;
		const { olive } = s;
		const { spaceId } = await olive.engine.createSpace(1);
		await olive.engine.whenSynced();
		const before = await logLength(s.relay, spaceId);
		expect(before).toBe(1);

		// The stranger knows the space id (it is in every request the space's devices make).
		const stranger = newSigningKeyPair();
		const raw = await RawRelayClient.connect(s.relay.url);
		const flood = junk(spaceId, stranger, 300, olive.engine.spaceState(spaceId)!.heads);
		for (const [i, op] of flood.entries()) raw.send({ type: 'log-append', rid: i + 1, op });
		for (let i = 0; i < flood.length; i++) {
			expect(await raw.next((m) => m.type === 'error' && m.rid === i + 1)).toMatchObject({ code: 'not-a-writer' });
		}
		expect(raw.messages.filter((m) => m.type === 'log-ok')).toEqual([]);
		raw.close();
		expect(await logLength(s.relay, spaceId)).toBe(before);

		// The refusals are counted, by reason, with no id in the labels.
		const metrics = await (await fetch(`${s.relay.httpUrl}/metrics`)).text();
		expect(metrics).toMatch(/hearth_relay_space_log_refused_total\{reason="not-admitted"\} 300/);
		expect(metrics).not.toContain(spaceId);

		// Olive's own writes still go through.
		await olive.engine.createInSpace<Notes>(spaceId, olive.engine.spaceState(spaceId)!.circles.keys().next().value!, { items: [] });
		await olive.engine.whenSynced();
		expect(await logLength(s.relay, spaceId)).toBe(before + 1);
	});

	it('cannot freeze the space even when a hostile relay stores it: the owner still removes, rotates, invites and starts documents, and every device agrees', async () => {
		const s = await setup('olive', 'bea', 'cleo', 'dan');
		scenario = s;
		const { olive, bea, cleo, dan } = s;
		const { spaceId, circles } = await olive.engine.createSpace(2);
		const handle = await olive.engine.createInSpace<Notes>(spaceId, circles[1], { items: ['Tuesday: GP at 10'] });
		const docId = handle.documentId as unknown as DocumentId;
		await olive.engine.whenSynced();
		await bringIn(olive, bea, spaceId, circles);
		await bringIn(olive, cleo, spaceId, circles);
		for (const d of [olive, bea, cleo]) await d.engine.whenSynced();

		// Bea is about to be removed; her device stays away (all devices share this test's one
		// thread, and what hers makes of the flood is not the point).
		bea.engine.disconnect();
		// The relay slips 300 junk ops into the log, past its own checks.
		const stranger = newSigningKeyPair();
		await injectIntoStore(s.relay, spaceId, junk(spaceId, stranger, 300, olive.engine.spaceState(spaceId)!.heads));
		const flooded = await logLength(s.relay, spaceId);
		for (const d of [olive, cleo]) {
			d.engine.disconnect();
			d.engine.connect();
		}
		await eventually(() => [olive, cleo].every((d) => d.engine.spaceState(spaceId)?.length === flooded), 20_000, 'both devices to read the flooded log');
		// The junk is refused by every device, and none of it counts as something to build on.
		expect(olive.engine.spaceState(spaceId)!.rejected.length).toBeGreaterThanOrEqual(300);
		expect(olive.engine.spaceState(spaceId)!.heads.length).toBeLessThanOrEqual(16);

		// Olive removes Bea; the keys of both circles change (her duty runs by itself).
		await olive.engine.removeMember(spaceId, bea.engine.personKey()!);
		await eventually(() => cleo.engine.spaceState(spaceId)?.removed.has(bea.engine.personKey()!) === true, 15_000, 'Cleo to see Bea removed');
		await eventually(() => circles.every((c) => cleo.engine.spaceState(spaceId)?.circles.get(c)?.epoch === 1), 15_000, 'the keys to change');
		await eventually(() => olive.engine.epochOf(docId) === 1, 15_000, 'the notes to move to the new key');

		// Olive invites Dan, who joins.
		await bringIn(olive, dan, spaceId, [circles[1]]);

		// A new month's notes: everyone still in the circle reads them.
		const june = await olive.engine.createInSpace<Notes>(spaceId, circles[1], { items: ['June rota'] });
		const juneId = june.documentId as unknown as DocumentId;
		await olive.engine.whenSynced();
		await eventually(() => items(cleo, juneId)?.[0] === 'June rota' && items(dan, juneId)?.[0] === 'June rota', 15_000, 'Cleo and Dan to read June');

		for (const d of [olive, cleo, dan]) await d.engine.whenSynced();
		await eventually(() => [cleo, dan].every((d) => d.engine.spaceState(spaceId)?.length === olive.engine.spaceState(spaceId)?.length), 15_000, 'every device to hold the whole log');
		const agreed = summary(olive, spaceId);
		expect(agreed.removed).toEqual([bea.engine.personKey()]);
		expect(agreed.members).toContain(dan.engine.personKey());
		expect(agreed.docs.map(([id]) => id)).toContain(juneId);
		expect(summary(cleo, spaceId)).toEqual(agreed);
		expect(summary(dan, spaceId)).toEqual(agreed);
	});
});

describe('a member spamming the log', () => {
	it('meets the per-author quota with a plain error, and the owner can still act on a full log', async () => {
		// Olive's three ops and Bea's twenty leave room for one more op in the whole log.
		const relay = await startRelay({ env: { HEARTH_SPACE_MAX_OPS_PER_AUTHOR: '20', HEARTH_SPACE_MAX_OPS: '24' } });
		extra.relay = relay;
		const olive = await openDevice('olive', relay);
		const bea = await openDevice('bea', relay);
		extra.devices.push(olive, bea);
		olive.engine.connect();
		bea.engine.connect();
		const { spaceId, circles } = await olive.engine.createSpace(1);
		await olive.engine.whenSynced();
		await bringIn(olive, bea, spaceId, circles);
		await bea.engine.whenSynced();

		// Bea's device signs op after op by hand (the app would never do this).
		const raw = await RawRelayClient.connect(relay.url);
		const beaKey = { publicKey: bea.engine.device.signing.publicKey, secretKey: bea.engine.device.signing.secretKey };
		const results: string[] = [];
		for (let i = 0; i < 30; i++) {
			raw.send({ type: 'log-append', rid: i + 1, op: signed(spaceId, beaKey, { v: 1, prev: [], at: i, action: { type: 'decline', invite: `spam-${i}` } }) });
			const reply = await raw.next((m) => (m.type === 'log-ok' || m.type === 'error') && m.rid === i + 1);
			results.push(reply.type === 'error' ? reply.code : 'ok');
		}
		raw.close();
		// Her request was her first op: 19 more fit, then every one is refused.
		expect(results.filter((r) => r === 'ok')).toHaveLength(19);
		expect(results.slice(19)).toEqual(Array(11).fill('quota-exceeded'));
		const refusal = raw.messages.find((m) => m.type === 'error');
		expect(refusal).toMatchObject({ code: 'quota-exceeded', message: expect.stringMatching(/this device.*space log/i) });
		const metrics = await (await fetch(`${relay.httpUrl}/metrics`)).text();
		expect(metrics).toMatch(/hearth_relay_space_log_refused_total\{reason="author-ops"\} 11/);

		// Olive's own writes are not held back by Bea's spam: she removes her, which fills the
		// log, and her device still changes the key afterwards (the space's founder is spared
		// the space-wide quota, never her own).
		await olive.engine.removeMember(spaceId, bea.engine.personKey()!);
		await eventually(() => olive.engine.spaceState(spaceId)?.circles.get(circles[0])?.epoch === 1, 10_000, 'the key to change');
		await olive.engine.whenSynced();
		expect(await logLength(relay, spaceId)).toBe(25);
		expect(olive.engine.status.problems).toEqual([]);
		// Anyone else meets the full log.
		const again = await RawRelayClient.connect(relay.url);
		again.send({ type: 'log-append', rid: 1, op: signed(spaceId, beaKey, { v: 1, prev: [], at: 99, action: { type: 'decline', invite: 'late' } }) });
		expect(await again.next((m) => m.type === 'error' && m.rid === 1)).toMatchObject({ code: 'quota-exceeded', message: expect.stringMatching(/space log is full/) });
		again.close();
	});

	it('meets the space quota with a plain error once the whole log is full, and the owner is spared it', async () => {
		const relay = await startRelay({ env: { HEARTH_SPACE_MAX_OPS: '5', HEARTH_SPACE_MAX_BYTES: '100000' } });
		extra.relay = relay;
		const raw = await RawRelayClient.connect(relay.url);
		const owner = newSigningKeyPair();
		const member = newSigningKeyPair();
		const memberKey = toBase64Url(member.publicKey);
		let rid = 0;
		const append = async (op: SignedOp) => {
			raw.send({ type: 'log-append', rid: ++rid, op });
			const reply = await raw.next((m) => (m.type === 'log-ok' || m.type === 'error') && m.rid === rid);
			return reply.type === 'error' ? reply.code : 'ok';
		};
		const spaceId = newSpaceId();
		expect(await append(signed(spaceId, owner, { kind: 'create' }))).toBe('ok');
		expect(await append(signed(spaceId, owner, { kind: 'admit' }, { admits: [memberKey] }))).toBe('ok');
		const codes: string[] = [];
		for (let i = 0; i < 5; i++) codes.push(await append(signed(spaceId, member, { v: 1, prev: [], at: i, action: { type: 'decline', invite: `x-${i}` } })));
		expect(codes).toEqual(['ok', 'ok', 'ok', 'quota-exceeded', 'quota-exceeded']);
		expect(raw.messages.find((m) => m.type === 'error')).toMatchObject({ message: expect.stringMatching(/space log is full/i) });
		// The space's owner, whose first op made it, may still write there.
		expect(await append(signed(spaceId, owner, { kind: 'remove' }))).toBe('ok');

		// In another space, an op that would take the log past its byte quota is refused too.
		const other = newSpaceId();
		expect(await append(signed(other, owner, { kind: 'create' }))).toBe('ok');
		expect(await append(signed(other, owner, { kind: 'admit' }, { admits: [memberKey] }))).toBe('ok');
		expect(await append(signed(other, member, { pad: 'x'.repeat(60_000) }))).toBe('ok');
		expect(await append(signed(other, member, { pad: 'y'.repeat(60_000) }))).toBe('quota-exceeded');
		expect(raw.messages.filter((m) => m.type === 'error').at(-1)).toMatchObject({ message: expect.stringMatching(/most bytes/) });
		expect(await append(signed(other, member, { small: true }))).toBe('ok');
		raw.close();
		const metrics = await (await fetch(`${relay.httpUrl}/metrics`)).text();
		expect(metrics).toMatch(/hearth_relay_space_log_refused_total\{reason="space-ops"\} 2/);
		expect(metrics).toMatch(/hearth_relay_space_log_refused_total\{reason="space-bytes"\} 1/);
	});
});

describe('a space whose log was written before the relay checked writers', () => {
	it('still takes writes from everyone its old log admits, and from invitations and recovered devices it vouches for', async () => {
		const relay = await startRelay();
		extra.relay = relay;
		// The log as today's relays hold it: ops with no relay fields, signed as v1.
		const olive = actor('olive');
		const bea = actor('bea', 2);
		const created = createSpace(olive.person, olive.device, 1);
		const log = new StoryLog(created.spaceId);
		const old = (op: SignedOp): SignedOp => ({ spaceId: op.spaceId, author: op.author, body: op.body, sig: '' });
		const resign = (op: SignedOp, device: typeof olive.device): SignedOp => {
			const unsigned = old(op);
			return { ...unsigned, sig: toBase64Url(sign(opSigningBytes(unsigned), device.signing.secretKey)) };
		};
		log.append(resign(created.op, olive.device));
		const invite = (expiresAt: number) => {
			const { op, link } = createInvitation(log.spaceId, olive.device, log.heads(), { role: 'member', circles: created.circles, expiresAt, info: { space: 'Care co-op', from: 'Olive' } });
			log.append(resign(op, olive.device));
			return link;
		};
		const forBea = invite(log.clock + 60_000);
		log.append(resign(requestToJoin(log.state(), forBea, bea.person, bea.devices, bea.device, log.heads()), bea.device));
		log.append(resign(signOp(log.spaceId, olive.device, log.heads(), { type: 'admit', invite: forBea.invite, lockboxes: [] }), olive.device));
		const forCleo = invite(Date.now() + 60_000);
		expect(log.state().members.has(bea.id)).toBe(true);
		for (const e of log.entries) expect(e.op.admits ?? e.op.cap).toBeUndefined();
		await injectIntoStore(relay, log.spaceId, log.entries.map((e) => e.op));
		await relay.restart();

		const raw = await RawRelayClient.connect(relay.url);
		const { entries } = (await raw.sync(1, [{ spaceId: log.spaceId, since: 0 }])).flatMap((f) => f.logs)[0];
		const state = replayMembership(log.spaceId, entries, verify, (b) => hash(b));
		let rid = 10;
		const append = async (op: SignedOp) => {
			raw.send({ type: 'log-append', rid: ++rid, op });
			const reply = await raw.next((m) => (m.type === 'log-ok' || m.type === 'error') && m.rid === rid);
			return reply.type === 'error' ? reply.code : 'ok';
		};
		// Bea's second device, named only in her old request's card, never wrote: it may now.
		expect(await append(signOp(log.spaceId, bea.devices[1], state.heads, { type: 'add-doc', doc: 'beasNotes11111111' as DocumentId, circle: created.circles[0] }))).toBe('ok');
		// Cleo answers an invitation made before the upgrade, vouched for by its key.
		const cleo = actor('cleo');
		expect(await append(requestToJoin(state, forCleo, cleo.person, cleo.devices, cleo.device, state.heads))).toBe('ok');
		// Bea restores a device from her recovery kit: her identity key, from the old card, vouches.
		const restored = createDevice();
		const info = certifyDevice(bea.person, restored);
		const selfAdd = signOp(log.spaceId, restored, state.heads, { type: 'add-device', person: bea.id, device: info, lockboxes: [] }, Date.now(), { cap: writeCap(log.spaceId, deviceKey(restored), bea.person.signing) });
		expect(await append(selfAdd)).toBe('ok');
		// A stranger still may not.
		expect(await append(junk(log.spaceId, newSigningKeyPair(), 1, [])[0])).toBe('not-a-writer');
		// Nor may a capability signed by a key the space never admitted.
		const outsider = newSigningKeyPair();
		const device = createDevice();
		expect(await append(signOp(log.spaceId, device, [], { type: 'decline', invite: 'x' }, Date.now(), { cap: writeCap(log.spaceId, deviceKey(device), outsider) }))).toBe('not-a-writer');
		raw.close();
	});
});
