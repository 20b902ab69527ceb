// A bounded-time fuzzer: several connections throw random, malformed and subtly mutated
// frames at the relay while well-behaved clients keep working. The relay must not crash,
// must keep serving the well-behaved clients, and must store nothing that does not verify.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cryptoReady, newSigningKeyPair, sign, verify } from '$lib/crypto';
import {
	applyAuthRecord,
	entrySigningBytes,
	ephemeralSigningBytes,
	fromBase64Url,
	mayWrite,
	opSigningBytes,
	toBase64Url,
	type AuthRecord,
	type DeviceKey,
	type DocAuthState,
	type DocumentId,
	type ServerMessage,
	type SpaceId,
	type WireEntry
} from '$lib/protocol';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { eventually } from '$tests/helpers/scenario';
import { genesis, marker, randomDocId, signedEntry, type KeyPair } from '$tests/helpers/signedFrames';

const FUZZ_MS = Number(process.env.HEARTH_FUZZ_MS ?? 5_000);
const SEED = Number(process.env.HEARTH_FUZZ_SEED ?? 20261125);

let relay: RelayProcess;
beforeAll(async () => {
	await cryptoReady();
	// Generous rate limits, so fuzz frames reach the parsers and handlers instead of the limiter.
	relay = await startRelay({
		env: {
			HEARTH_RATE_FRAMES_PER_SEC: '1000000',
			HEARTH_RATE_FRAME_BURST: '1000000',
			HEARTH_RATE_BYTES_PER_SEC: '1000000000',
			HEARTH_MAX_STRIKES: '1000000',
			HEARTH_MAX_FRAME_BYTES: String(1024 * 1024),
			HEARTH_FRAME_LOG: ''
		}
	});
});
afterAll(async () => relay.stop());

/** Small seeded PRNG (mulberry32), so a failing run can be replayed with HEARTH_FUZZ_SEED. */
function prng(seed: number) {
	let a = seed >>> 0;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (n: number) => Math.floor(next() * n);
	const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)];
	return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const WEIRD: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 60), 1e308, '', 'x', '💥', '\u0000', '\uD800', [], {}, [1, [2, [3]]], { type: 'push' }, 'AAAA', 'A'.repeat(43)];

function randomValue(r: Rng, depth = 0): unknown {
	switch (depth > 3 ? r.int(4) : r.int(7)) {
		case 0:
			return r.pick(WEIRD);
		case 1:
			return r.int(1e6) - 5e5;
		case 2:
			return Math.random().toString(36).repeat(r.int(4) + 1);
		case 3:
			return toBase64Url(crypto.getRandomValues(new Uint8Array(r.int(80))));
		case 4:
			return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
		default:
			return Object.fromEntries(Array.from({ length: r.int(5) }, () => [r.pick(['type', 'rid', 'entry', 'record', 'docs', 'docId', 'op', 'sig', 'ct', Math.random().toString(36).slice(2)]), randomValue(r, depth + 1)]));
	}
}

/** Changes one thing somewhere in a valid message: a key dropped or retyped, a byte flipped. */
function mutate(r: Rng, message: unknown): unknown {
	const copy = structuredClone(message) as Record<string, unknown>;
	const objects: Array<Record<string, unknown>> = [];
	const walk = (v: unknown) => {
		if (v && typeof v === 'object') {
			objects.push(v as Record<string, unknown>);
			for (const x of Object.values(v)) walk(x);
		}
	};
	walk(copy);
	for (let n = 0; n <= r.int(3); n++) {
		const target = r.pick(objects);
		const keys = Object.keys(target);
		const key = keys.length > 0 && r.next() < 0.85 ? r.pick(keys) : Math.random().toString(36).slice(2, 6);
		const value = target[key];
		const roll = r.int(5);
		if (roll === 0) delete target[key];
		else if (roll === 1 && typeof value === 'string' && value.length > 0) {
			const i = r.int(value.length);
			const c = value.charCodeAt(i);
			target[key] = value.slice(0, i) + String.fromCharCode(c === 65 ? 66 : 65) + value.slice(i + 1);
		} else if (roll === 2 && typeof value === 'number') target[key] = r.pick([value + 1, -value - 1, value * 1e9, 0.5, Number.MAX_SAFE_INTEGER + 2]);
		else target[key] = randomValue(r);
	}
	return copy;
}

interface FuzzKit {
	docId: DocumentId;
	kp: KeyPair;
	victimDoc: DocumentId;
	spaceId: SpaceId;
}

function validTemplates(kit: FuzzKit): unknown[] {
	const me = toBase64Url(kit.kp.publicKey) as DeviceKey;
	const eph = { docId: kit.docId, epoch: 0, author: me, nonce: toBase64Url(new Uint8Array(24)), ct: 'AAAA' };
	const opUnsigned = { spaceId: kit.spaceId, author: me, body: '{"kind":"fuzz"}' };
	const snapUnsigned = { docId: kit.docId, epoch: 0, kind: 'snapshot' as const, covers: 2, author: me, nonce: toBase64Url(new Uint8Array(24)), ct: 'AAAA' };
	return [
		{ type: 'hello', protocol: 1 },
		{ type: 'auth', rid: 1, record: genesis(kit.docId, kit.kp).record },
		{ type: 'auth', rid: 2, record: genesis(kit.victimDoc).record }, // a takeover attempt
		{ type: 'push', rid: 3, entry: signedEntry(kit.docId, kit.kp) },
		{ type: 'push', rid: 4, entry: signedEntry(kit.victimDoc, kit.kp) }, // not a writer there
		{ type: 'push', rid: 5, entry: { ...snapUnsigned, sig: toBase64Url(sign(entrySigningBytes(snapUnsigned), kit.kp.secretKey)) } },
		{ type: 'sync', rid: 6, docs: [{ docId: kit.docId, since: 0, authSince: 0 }, { docId: kit.victimDoc, since: 1, authSince: 0 }], logs: [{ spaceId: kit.spaceId, since: 0 }] },
		{ type: 'unsubscribe', docIds: [kit.docId] },
		{ type: 'ephemeral', ...eph, sig: toBase64Url(sign(ephemeralSigningBytes(eph), kit.kp.secretKey)) },
		{ type: 'log-append', rid: 7, op: { ...opUnsigned, sig: toBase64Url(sign(opSigningBytes(opUnsigned), kit.kp.secretKey)) } }
	];
}

function fuzzFrame(r: Rng, templates: unknown[]): { data: string | Buffer; binary?: boolean } {
	switch (r.int(12)) {
		case 0:
			return { data: Buffer.from(crypto.getRandomValues(new Uint8Array(r.int(300)))), binary: true };
		case 1:
			return { data: Math.random().toString(36).repeat(r.int(20)) };
		case 2:
			return { data: JSON.stringify(randomValue(r)) };
		case 3:
			return { data: '['.repeat(100 + r.int(5_000)) }; // refused before JSON.parse
		case 4:
			return { data: JSON.stringify(r.pick(templates)).slice(0, r.int(200)) }; // truncated
		case 5:
			return { data: JSON.stringify(r.pick(templates)) }; // valid (a replay, a takeover, ...)
		default:
			return { data: JSON.stringify(mutate(r, r.pick(templates))) };
	}
}

describe('fuzzing the relay', () => {
	it(`survives ${FUZZ_MS} ms of random and malformed frames, keeps serving others, and stores only what verifies`, async () => {
		const r = prng(SEED);
		// Well-behaved: a writer and a reader on their own document.
		const goodDoc = randomDocId();
		const good = genesis(goodDoc);
		const writer = await RawRelayClient.connect(relay.url);
		const reader = await RawRelayClient.connect(relay.url);
		writer.send({ type: 'auth', rid: 1, record: good.record });
		await writer.reply(1, 'auth-ok');
		reader.send({ type: 'sync', rid: 1, docs: [{ docId: goodDoc, since: 0, authSince: 0 }] });
		await reader.next((m) => m.type === 'catchup' && m.rid === 1 && m.done);

		const kit: FuzzKit = { docId: randomDocId(), kp: newSigningKeyPair(), victimDoc: goodDoc, spaceId: randomDocId() as unknown as SpaceId };
		const templates = validTemplates(kit);
		const stats = { frames: 0, reconnects: 0, closes: new Map<number, number>() };
		const fuzzer = async () => {
			const open = () =>
				new Promise<WebSocket>((resolve, reject) => {
					const ws = new WebSocket(relay.url);
					ws.on('close', (code) => stats.closes.set(code, (stats.closes.get(code) ?? 0) + 1));
					ws.on('error', () => {});
					ws.once('open', () => resolve(ws));
					ws.once('error', reject);
				});
			let ws = await open();
			const end = Date.now() + FUZZ_MS;
			while (Date.now() < end) {
				if (ws.readyState !== WebSocket.OPEN) {
					stats.reconnects++;
					ws = await open();
				}
				const roll = r.int(400);
				if (roll === 0) ws.send('x'.repeat(1024 * 1024 + 10)); // over the frame limit: 1009
				else if (roll === 1) ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false }); // invalid UTF-8: 1007
				else {
					const frame = fuzzFrame(r, templates);
					ws.send(frame.data, { binary: frame.binary ?? false });
				}
				stats.frames++;
				if (stats.frames % 4 === 0) await new Promise((res) => setTimeout(res, 1));
			}
			ws.close();
		};

		let sent = 0;
		const goodWork = (async () => {
			const end = Date.now() + FUZZ_MS;
			while (Date.now() < end) {
				writer.send({ type: 'push', rid: 100 + sent, entry: signedEntry(goodDoc, good.kp, marker(sent)) });
				await writer.reply(100 + sent, 'ack');
				sent++;
				await new Promise((res) => setTimeout(res, 50));
			}
		})();
		await Promise.all([fuzzer(), fuzzer(), fuzzer(), goodWork]);

		// The relay is alive and serving, and the well-behaved clients got everything.
		// Every good push was acknowledged (reply() throws on an error or a silence of 10 s).
		expect(sent).toBeGreaterThan(3);
		expect((await fetch(`${relay.httpUrl}/healthz`)).status).toBe(200);
		expect((await fetch(`${relay.httpUrl}/readyz`)).status).toBe(200);
		const live = () => reader.messages.filter((m): m is Extract<ServerMessage, { type: 'entry' }> => m.type === 'entry' && m.entry.docId === goodDoc);
		await eventually(() => live().length >= sent, 10_000, 'the reader to receive every good entry');
		expect(live().map((m) => m.entry.ct)).toEqual(Array.from({ length: sent }, (_, i) => marker(i)));
		const late = await RawRelayClient.connect(relay.url);
		late.send({ type: 'sync', rid: 9, docs: [{ docId: goodDoc, since: 0, authSince: 0 }] });
		await late.next((m) => m.type === 'catchup' && m.rid === 9 && m.done);

		// Everything stored verifies: every auth record applies in order, and every entry is
		// signed by a writer of its epoch; every op is signed by its author.
		await relay.stop();
		const authRows = await relay.query<{ doc_id: string; idx: number; record: string }>('SELECT doc_id, idx, record FROM auth ORDER BY doc_id, idx');
		const states = new Map<string, DocAuthState | undefined>();
		for (const row of authRows) {
			const result = applyAuthRecord(states.get(row.doc_id), JSON.parse(row.record) as AuthRecord, verify);
			expect(result.ok, `stored auth record ${row.idx} applies`).toBe(true);
			if (result.ok) states.set(row.doc_id, result.state);
		}
		const entries = await relay.query<{ doc_id: string; seq: number; epoch: number; kind: string; covers: number | null; author: string; nonce: string; ct: string; sig: string }>(
			'SELECT doc_id, seq, epoch, kind, covers, author, nonce, ct, sig FROM entries'
		);
		expect(entries.length).toBeGreaterThanOrEqual(sent);
		for (const e of entries) {
			const entry = { docId: e.doc_id as DocumentId, epoch: e.epoch, kind: e.kind as WireEntry['kind'], ...(e.covers === null ? {} : { covers: e.covers }), author: e.author as DeviceKey, nonce: e.nonce, ct: e.ct };
			expect(verify(fromBase64Url(e.sig), entrySigningBytes(entry), fromBase64Url(e.author)), `entry ${e.seq} verifies`).toBe(true);
			expect(mayWrite(states.get(e.doc_id), e.epoch, e.author as DeviceKey), `entry ${e.seq} is by a writer`).toBe(true);
		}
		const ops = await relay.query<{ space_id: string; author: string; body: string; sig: string }>('SELECT space_id, author, body, sig FROM space_ops');
		for (const o of ops) {
			const unsigned = { spaceId: o.space_id as SpaceId, author: o.author as DeviceKey, body: o.body };
			expect(verify(fromBase64Url(o.sig), opSigningBytes(unsigned), fromBase64Url(o.author))).toBe(true);
		}
		// The relay said why it refused things, by reason, and its log stayed structured.
		for (const line of relay.logs().split('\n').filter(Boolean)) expect(() => JSON.parse(line), line).not.toThrow();
		console.log(`fuzz: ${stats.frames} frames, ${stats.reconnects} reconnects, closes ${JSON.stringify([...stats.closes])}, ${entries.length} entries stored, seed ${SEED}`);
		await relay.start();
	}, FUZZ_MS + 60_000);
});
