// Space logs: the relay orders, timestamps, stores and fans out signed membership ops, refuses
// ones it cannot verify, and never logs the same op twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cryptoReady, newSigningKeyPair, sign } from '$lib/crypto';
import {
	MAX_OP_BODY_BYTES,
	isClientMessage,
	isServerMessage,
	isSignedOp,
	opSigningBytes,
	toBase64Url,
	type DeviceKey,
	type LoggedOp,
	type ServerMessage,
	type SignedOp,
	type SpaceId
} from '$lib/protocol';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';

let relay: RelayProcess;
beforeAll(async () => {
	await cryptoReady();
	relay = await startRelay();
});
afterAll(async () => relay.stop());

const Client = RawRelayClient;
type Client = RawRelayClient;

const randomSpaceId = () => {
	const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
	return Array.from({ length: 24 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('') as SpaceId;
};

type KeyPair = { publicKey: Uint8Array; secretKey: Uint8Array };

function op(spaceId: SpaceId, kp: KeyPair, body: unknown): SignedOp {
	const unsigned = { spaceId, author: toBase64Url(kp.publicKey) as DeviceKey, body: typeof body === 'string' ? body : JSON.stringify(body) };
	return { ...unsigned, sig: toBase64Url(sign(opSigningBytes(unsigned), kp.secretKey)) };
}

/** Every op for one space across a multi-frame catch-up, in order. */
function entriesFor(frames: Array<Extract<ServerMessage, { type: 'catchup' }>>, spaceId: SpaceId): LoggedOp[] {
	return frames.flatMap((f) => f.logs.filter((l) => l.spaceId === spaceId).flatMap((l) => l.entries));
}

describe('space logs', () => {
	it('assigns indexes 0, 1, 2… per space with the relay receive time', async () => {
		const c = await Client.connect(relay.url);
		const kp = newSigningKeyPair();
		const a = randomSpaceId();
		const b = randomSpaceId();
		const before = Date.now();
		const replies = [];
		for (let i = 0; i < 3; i++) replies.push(await c.append(10 + i, op(a, kp, { kind: 'test', i })));
		replies.push(await c.append(20, op(b, kp, { kind: 'test', i: 0 })));
		expect(replies.map((r) => [r.spaceId, r.index])).toEqual([[a, 0], [a, 1], [a, 2], [b, 0]]);
		for (const r of replies) {
			expect(r.at).toBeGreaterThanOrEqual(before - 1000);
			expect(r.at).toBeLessThanOrEqual(Date.now() + 1000);
		}
		c.close();
	});

	it('refuses bad signatures, oversized bodies and malformed ops, and keeps the connection', async () => {
		const c = await Client.connect(relay.url);
		const kp = newSigningKeyPair();
		const spaceId = randomSpaceId();
		const good = op(spaceId, kp, { kind: 'create' });

		c.send({ type: 'log-append', rid: 1, op: { ...good, body: JSON.stringify({ kind: 'takeover' }) } });
		expect(await c.next((m) => m.type === 'error' && m.rid === 1)).toMatchObject({ code: 'bad-signature' });
		// Signed by someone else than the claimed author.
		c.send({ type: 'log-append', rid: 2, op: { ...op(spaceId, newSigningKeyPair(), { kind: 'create' }), author: good.author } });
		expect(await c.next((m) => m.type === 'error' && m.rid === 2)).toMatchObject({ code: 'bad-signature' });
		// A valid op moved to another space no longer verifies: the space id is signed.
		c.send({ type: 'log-append', rid: 3, op: { ...good, spaceId: randomSpaceId() } });
		expect(await c.next((m) => m.type === 'error' && m.rid === 3)).toMatchObject({ code: 'bad-signature' });

		const big = JSON.stringify('é'.repeat(MAX_OP_BODY_BYTES / 2)); // over the limit in bytes, not in characters
		c.send({ type: 'log-append', rid: 4, op: op(spaceId, kp, big) });
		expect(await c.next((m) => m.type === 'error' && m.rid === 4)).toMatchObject({ code: 'too-large' });

		const malformed: unknown[] = [
			{ ...good, spaceId: 'not a space id!' },
			{ ...good, author: 'short' },
			{ ...good, sig: 'AAAA' },
			{ ...good, body: { kind: 'create' } },
			{ ...good, body: '"\uD800"' },
			{ spaceId, author: good.author, body: good.body },
			undefined
		];
		for (const [i, bad] of malformed.entries()) c.send({ type: 'log-append', rid: 100 + i, op: bad });
		for (let i = 0; i < malformed.length; i++) {
			expect(await c.next((m) => m.type === 'error' && m.rid === 100 + i)).toMatchObject({ code: 'malformed' });
		}
		c.send({ type: 'sync', rid: 200, docs: [], logs: [{ spaceId, since: -1 }] });
		expect(await c.next((m) => m.type === 'error' && m.rid === 200)).toMatchObject({ code: 'malformed' });

		// Nothing refused was stored, and the same connection still works.
		expect((await c.append(300, good)).index).toBe(0);
		const frames = await c.sync(301, [{ spaceId, since: 0 }]);
		expect(entriesFor(frames, spaceId).map((e) => e.op)).toEqual([good]);
		c.close();
	});

	it('fans new ops out live to other subscribers of the space, not to the sender', async () => {
		const writer = await Client.connect(relay.url);
		const reader = await Client.connect(relay.url);
		const outsider = await Client.connect(relay.url);
		const kp = newSigningKeyPair();
		const spaceId = randomSpaceId();
		const other = randomSpaceId();
		await writer.sync(1, [{ spaceId, since: 0 }]);
		await reader.sync(1, [{ spaceId, since: 0 }]);
		await outsider.sync(1, [{ spaceId: other, since: 0 }]);

		const first = op(spaceId, kp, { kind: 'create' });
		const ok = await writer.append(2, first);
		const live = await reader.next((m) => m.type === 'log');
		expect(live).toEqual({ type: 'log', spaceId, entry: { index: 0, op: first, at: ok.at } });

		const second = op(spaceId, kp, { kind: 'invite' });
		await writer.append(3, second);
		await reader.next((m) => m.type === 'log' && m.entry.index === 1);
		await new Promise((r) => setTimeout(r, 100));
		expect(writer.messages.filter((m) => m.type === 'log')).toHaveLength(0);
		expect(outsider.messages.filter((m) => m.type === 'log')).toHaveLength(0);
		expect(reader.messages.filter((m) => m.type === 'log')).toHaveLength(2);

		// A subscriber that disconnects is forgotten; the others keep receiving.
		reader.close();
		await new Promise((r) => setTimeout(r, 100));
		await writer.append(4, op(spaceId, kp, { kind: 'remove' }));
		writer.close();
		outsider.close();
	});

	it('catches up several spaces from where each client left off, in one request', async () => {
		const writer = await Client.connect(relay.url);
		const kp = newSigningKeyPair();
		const spaces = [randomSpaceId(), randomSpaceId(), randomSpaceId()];
		const sent = new Map<SpaceId, Array<{ op: SignedOp; at: number }>>();
		let rid = 1;
		for (const [s, spaceId] of spaces.entries()) {
			sent.set(spaceId, []);
			for (let i = 0; i < 2 + s; i++) {
				const o = op(spaceId, kp, { kind: 'test', s, i });
				sent.get(spaceId)!.push({ op: o, at: (await writer.append(rid++, o)).at });
			}
		}
		const never = randomSpaceId();
		const reader = await Client.connect(relay.url);
		const since = [1, 0, 3];
		const frames = await reader.sync(1, [...spaces.map((spaceId, i) => ({ spaceId, since: since[i] })), { spaceId: never, since: 0 }]);
		for (const [i, spaceId] of spaces.entries()) {
			const expected = sent.get(spaceId)!.slice(since[i]).map((e, j) => ({ index: since[i] + j, op: e.op, at: e.at }));
			expect(entriesFor(frames, spaceId)).toEqual(expected);
		}
		expect(spaces.map((spaceId) => entriesFor(frames, spaceId).length)).toEqual([1, 3, 1]);
		// A space nobody has written to is not an error: just an empty log.
		expect(frames.flatMap((f) => f.logs).find((l) => l.spaceId === never)).toEqual({ spaceId: never, entries: [] });
		// Past the end, nothing.
		expect(entriesFor(await reader.sync(2, [{ spaceId: spaces[0], since: 99 }]), spaces[0])).toEqual([]);
		writer.close();
		reader.close();
	});

	it('always sends logs in catch-up, empty when none were asked for', async () => {
		const c = await Client.connect(relay.url);
		c.send({ type: 'sync', rid: 1, docs: [] });
		expect(await c.next((m) => m.type === 'catchup' && m.rid === 1)).toMatchObject({ logs: [], done: true });
		c.close();
	});

	it('splits a large log catch-up into frames of about 1 MiB', async () => {
		const c = await Client.connect(relay.url);
		const kp = newSigningKeyPair();
		const spaceId = randomSpaceId();
		const ops = Array.from({ length: 5 }, (_, i) => op(spaceId, kp, { kind: 'test', i, pad: 'x'.repeat(400 * 1024) }));
		for (const [i, o] of ops.entries()) await c.append(i + 1, o);
		const frames = await c.sync(100, [{ spaceId, since: 0 }]);
		expect(frames.length).toBeGreaterThan(1);
		expect(frames.map((f) => f.done)).toEqual([...frames.slice(1).map(() => false), true]);
		expect(entriesFor(frames, spaceId).map((e) => e.op)).toEqual(ops);
		for (const f of frames) expect(JSON.stringify(f).length).toBeLessThan(1.5 * 1024 * 1024);
		c.close();
	});

	it('keeps ops across a relay restart and keeps numbering after them', async () => {
		const kp = newSigningKeyPair();
		const spaceId = randomSpaceId();
		let c = await Client.connect(relay.url);
		const before = [op(spaceId, kp, { i: 0 }), op(spaceId, kp, { i: 1 })];
		const ats: number[] = [];
		for (const [i, o] of before.entries()) ats.push((await c.append(i + 1, o)).at);
		c.close();

		await relay.restart();
		c = await Client.connect(relay.url);
		const frames = await c.sync(1, [{ spaceId, since: 0 }]);
		expect(entriesFor(frames, spaceId)).toEqual(before.map((o, i) => ({ index: i, op: o, at: ats[i] })));
		expect((await c.append(2, op(spaceId, kp, { i: 2 }))).index).toBe(2);
		// A retry of an op logged before the restart is still recognised.
		expect(await c.append(3, before[0])).toMatchObject({ index: 0, at: ats[0] });
		c.close();
	});

	it('answers a duplicate append with the existing index and does not log or announce it again', async () => {
		const writer = await Client.connect(relay.url);
		const reader = await Client.connect(relay.url);
		const kp = newSigningKeyPair();
		const spaceId = randomSpaceId();
		await reader.sync(1, [{ spaceId, since: 0 }]);
		const first = op(spaceId, kp, { kind: 'create' });
		const second = op(spaceId, kp, { kind: 'invite' });
		const ok0 = await writer.append(1, first);
		await writer.append(2, second);
		await new Promise((r) => setTimeout(r, 50));
		const closed = new Promise((r) => writer.ws.once('close', r));
		writer.close();
		await closed;

		// The "retry after a dropped connection": same op, new socket.
		const retry = await Client.connect(relay.url);
		expect(await retry.append(1, first)).toMatchObject({ spaceId, index: 0, at: ok0.at });
		expect((await retry.append(2, op(spaceId, kp, { kind: 'remove' }))).index).toBe(2);
		await reader.next((m) => m.type === 'log' && m.entry.index === 2);
		expect(reader.messages.filter((m) => m.type === 'log').map((m) => m.type === 'log' && m.entry.index)).toEqual([0, 1, 2]);
		const frames = await retry.sync(3, [{ spaceId, since: 0 }]);
		expect(entriesFor(frames, spaceId).map((e) => e.index)).toEqual([0, 1, 2]);
		// The same op appended to a different space is a different op (and fails its signature).
		retry.send({ type: 'log-append', rid: 4, op: { ...first, spaceId: randomSpaceId() } });
		expect(await retry.next((m) => m.type === 'error' && m.rid === 4)).toMatchObject({ code: 'bad-signature' });
		retry.close();
		reader.close();
	});
});

describe('space log guards', () => {
	const kp = { publicKey: new Uint8Array(32).fill(1), secretKey: new Uint8Array(64) };
	const signed: SignedOp = {
		spaceId: 'A'.repeat(16) as SpaceId,
		author: toBase64Url(kp.publicKey) as DeviceKey,
		body: '{}',
		sig: toBase64Url(new Uint8Array(64))
	};

	it('accepts the documented shapes', () => {
		expect(isSignedOp(signed)).toBe(true);
		expect(isClientMessage({ type: 'log-append', rid: 1, op: signed })).toBe(true);
		expect(isClientMessage({ type: 'sync', rid: 1, docs: [] })).toBe(true);
		expect(isClientMessage({ type: 'sync', rid: 1, docs: [], logs: [{ spaceId: signed.spaceId, since: 3 }] })).toBe(true);
		expect(isServerMessage({ type: 'log-ok', rid: 1, spaceId: signed.spaceId, index: 0, at: 5 })).toBe(true);
		expect(isServerMessage({ type: 'log', spaceId: signed.spaceId, entry: { index: 0, op: signed, at: 5 } })).toBe(true);
		expect(isServerMessage({ type: 'catchup', rid: 1, docs: [], unknown: [], logs: [{ spaceId: signed.spaceId, entries: [{ index: 0, op: signed, at: 5 }] }], done: true })).toBe(true);
	});

	it('rejects what does not fit', () => {
		expect(isClientMessage({ type: 'sync', rid: 1, logs: [] })).toBe(false);
		expect(isClientMessage({ type: 'sync', rid: 1, docs: [], logs: {} })).toBe(false);
		expect(isClientMessage({ type: 'sync', rid: 1, docs: [], logs: [{ spaceId: signed.spaceId }] })).toBe(false);
		expect(isServerMessage({ type: 'catchup', rid: 1, docs: [], unknown: [], done: true })).toBe(false);
		// An entry filed under a space other than its own.
		expect(isServerMessage({ type: 'log', spaceId: 'B'.repeat(16), entry: { index: 0, op: signed, at: 5 } })).toBe(false);
		expect(isServerMessage({ type: 'log', spaceId: signed.spaceId, entry: { index: -1, op: signed, at: 5 } })).toBe(false);
		expect(isServerMessage({ type: 'log-ok', rid: 1, spaceId: signed.spaceId, index: 0 })).toBe(false);
	});
});
