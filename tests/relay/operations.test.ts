// What an operator relies on: health and readiness, Prometheus metrics, structured logs with
// no ids or content, a graceful shutdown that drains, and limits that answer with clear errors.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cryptoReady } from '$lib/crypto';
import type { ServerMessage } from '$lib/protocol';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { eventually } from '$tests/helpers/scenario';
import { genesis, marker, randomDocId, signedEntry } from '$tests/helpers/signedFrames';
import { POSTGRES_MIGRATIONS } from '../../sync-server/postgresMigrations';
import { SQLITE_SCHEMA_VERSION } from '../../sync-server/sqliteSchema';

const relays: RelayProcess[] = [];
beforeAll(async () => cryptoReady());
afterEach(async () => {
	for (const r of relays.splice(0)) await r.stop();
});

async function relay(env: Record<string, string> = {}): Promise<RelayProcess> {
	const r = await startRelay({ env: { HEARTH_LOG_LEVEL: 'debug', ...env } });
	relays.push(r);
	return r;
}

/** A client with a document of its own that it may write to. */
async function writerOn(r: RelayProcess) {
	const client = await RawRelayClient.connect(r.url);
	const docId = randomDocId();
	const { kp, record } = genesis(docId);
	client.send({ type: 'auth', rid: 1, record });
	await client.reply(1, 'auth-ok');
	return { client, docId, kp };
}

const errors = (c: RawRelayClient) => c.messages.filter((m): m is Extract<ServerMessage, { type: 'error' }> => m.type === 'error');

describe('operating the relay', () => {
	it('answers health, readiness and Prometheus metrics', async () => {
		const r = await relay();
		expect(await (await fetch(`${r.httpUrl}/healthz`)).text()).toBe('ok');
		const ready = await fetch(`${r.httpUrl}/readyz`);
		expect(ready.status).toBe(200);

		const { client, docId, kp } = await writerOn(r);
		const reader = await RawRelayClient.connect(r.url);
		reader.send({ type: 'sync', rid: 1, docs: [{ docId, since: 0, authSince: 0 }] });
		await reader.next((m) => m.type === 'catchup' && m.done);
		for (let i = 0; i < 5; i++) {
			client.send({ type: 'push', rid: 10 + i, entry: signedEntry(docId, kp, marker(i)) });
			await client.reply(10 + i, 'ack');
		}
		client.send('not json');
		await client.next((m) => m.type === 'error' && m.code === 'malformed');

		const res = await fetch(`${r.httpUrl}/metrics`);
		expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
		const text = await res.text();
		// Every line is a comment or `name{labels} value`, the text exposition format.
		for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+]+)$/);
		const value = (name: string) => Number(new RegExp(`^${name.replace(/[{}+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
		expect(value('hearth_relay_connections')).toBe(2);
		expect(value('hearth_relay_appends_total{kind="change"}')).toBe(5);
		expect(value('hearth_relay_appends_total{kind="auth"}')).toBe(1);
		expect(value('hearth_relay_appends_per_second')).toBeGreaterThan(0);
		expect(value('hearth_relay_fanout_seconds_count')).toBe(5);
		expect(value('hearth_relay_fanout_seconds_bucket{le="+Inf"}')).toBe(5);
		expect(value('hearth_relay_rejected_frames_total{reason="malformed"}')).toBe(1);
		expect(value('hearth_relay_documents')).toBe(1);
		expect(value('hearth_relay_document_bytes_count')).toBe(1);
		expect(value('hearth_relay_stored_bytes')).toBe(5 * marker(0).length);
		expect(value('process_resident_memory_bytes')).toBeGreaterThan(1e6);
		// Only PostgreSQL has other nodes, and a queue of notices between them.
		if (process.env.HEARTH_TEST_STORE === 'postgres') {
			expect(value('hearth_relay_cluster_notice_queue_usage')).toBeGreaterThanOrEqual(0);
			expect(value('hearth_relay_cluster_notice_queue_usage')).toBeLessThan(1);
		} else expect(text).not.toContain('notice_queue');
		// The loop ran late by some amount since it started (a timer is never exactly on time).
		const loopMax = value('hearth_relay_event_loop_delay_seconds{quantile="1"}');
		expect(loopMax).toBeGreaterThan(0);
		expect(value('hearth_relay_event_loop_delay_seconds{quantile="0.99"}')).toBeLessThanOrEqual(loopMax);
		// No document id anywhere in the metrics.
		expect(text).not.toContain(docId);
		client.close();
		reader.close();
	});

	it('logs one JSON object per line, with no document ids and no content', async () => {
		const r = await relay();
		const { client, docId, kp } = await writerOn(r);
		client.send({ type: 'push', rid: 2, entry: signedEntry(docId, kp, marker(7)) });
		await client.reply(2, 'ack');
		client.send({ type: 'push', rid: 3, entry: { ...signedEntry(docId, kp), ct: 'AAAB' } });
		await client.next((m) => m.type === 'error' && m.rid === 3);
		client.close();
		await r.stop();
		const lines = r.logs().trim().split('\n');
		const events = lines.map((l) => JSON.parse(l) as { event: string; level: string; time: string });
		expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['listening', 'connection_open', 'frame_rejected', 'connection_close', 'draining', 'stopped']));
		for (const e of events) expect(new Date(e.time).getTime()).toBeGreaterThan(0);
		expect(r.logs()).not.toContain(docId);
		expect(r.logs()).not.toContain(marker(7));
		expect(r.logs()).not.toContain(genesis(docId, kp).me);
	});

	it('drains on SIGTERM: in-flight requests answered, then connections closed with 1012', async () => {
		const r = await relay({ HEARTH_DRAIN_MS: '5000' });
		const { client, docId, kp } = await writerOn(r);
		for (let i = 0; i < 50; i++) client.send({ type: 'push', rid: 100 + i, entry: signedEntry(docId, kp, marker(i)) });
		const stopped = r.stop(); // SIGTERM
		await eventually(() => client.closed !== undefined, 10_000, 'the relay to close the connection');
		await stopped;
		expect(client.closed?.code).toBe(1012);
		expect(client.closed?.reason).toMatch(/restarting/);
		// Each push got an answer: an ack, or a clear "send it again" if it came in while draining.
		const answered = client.messages.filter((m) => (m.type === 'ack' || m.type === 'error') && 'rid' in m && m.rid! >= 100);
		expect(answered).toHaveLength(50);
		for (const e of errors(client)) expect(e.code).toBe('storage-failed');
		const acked = client.messages.filter((m): m is Extract<ServerMessage, { type: 'ack' }> => m.type === 'ack');
		await r.start();
		const rows = await r.query<{ seq: number; ct: string }>('SELECT seq, ct FROM entries WHERE doc_id = ?', [docId]);
		for (const a of acked) expect(rows.find((row) => row.seq === a.seq)?.ct).toBe(marker(a.rid - 100));
		const log = r.logs();
		expect(log).toMatch(/"event":"draining"/);
		expect(log).toMatch(/"event":"stopped"/);
	});

	it('rate-limits a connection with clear errors, then closes it if it keeps on', async () => {
		const r = await relay({ HEARTH_RATE_FRAMES_PER_SEC: '5', HEARTH_RATE_FRAME_BURST: '10', HEARTH_MAX_STRIKES: '30' });
		const noisy = await RawRelayClient.connect(r.url);
		for (let i = 0; i < 25; i++) noisy.send({ type: 'sync', rid: i, docs: [] });
		await noisy.next((m) => m.type === 'error' && m.rid === 24);
		const limited = errors(noisy).filter((e) => e.code === 'rate-limited');
		expect(limited.length).toBeGreaterThanOrEqual(10);
		expect(limited[0].message).toMatch(/slow down/);
		expect(limited[0].rid).toBeDefined();
		// Others are not affected.
		const calm = await RawRelayClient.connect(r.url);
		calm.send({ type: 'sync', rid: 1, docs: [] });
		await calm.next((m) => m.type === 'catchup' && m.rid === 1);
		for (let i = 0; i < 40; i++) noisy.send({ type: 'sync', rid: 100 + i, docs: [] });
		await eventually(() => noisy.closed !== undefined, 5_000, 'the noisy connection to be closed');
		expect(noisy.closed?.code).toBe(1008);
		calm.close();
	});

	it('limits frame size, document size and subscriptions, with clear errors', async () => {
		const r = await relay({ HEARTH_MAX_FRAME_BYTES: '65536', HEARTH_MAX_DOC_BYTES: '200', HEARTH_MAX_SUBSCRIPTIONS: '3' });
		const { client, docId, kp } = await writerOn(r);
		const welcome = client.messages.find((m) => m.type === 'welcome');
		expect(welcome?.type === 'welcome' && welcome.maxCiphertextBytes).toBeLessThan(65536);

		// Document size: 64 characters of ciphertext per entry, 200 allowed in all.
		const ct = 'A'.repeat(64);
		for (let i = 0; i < 3; i++) {
			client.send({ type: 'push', rid: 10 + i, entry: signedEntry(docId, kp, ct) });
			await client.reply(10 + i, 'ack');
		}
		client.send({ type: 'push', rid: 20, entry: signedEntry(docId, kp, ct) });
		const full = await client.next((m) => m.type === 'error' && m.rid === 20);
		expect(full).toMatchObject({ code: 'quota-exceeded' });

		// Subscriptions.
		const many = Array.from({ length: 4 }, () => ({ docId: randomDocId(), since: 0, authSince: 0 }));
		client.send({ type: 'sync', rid: 30, docs: many });
		expect(await client.next((m) => m.type === 'error' && m.rid === 30)).toMatchObject({ code: 'quota-exceeded' });

		// Frame size: the connection that sends too much is closed with 1009; others carry on.
		const big = await RawRelayClient.connect(r.url);
		big.send('x'.repeat(70_000));
		await eventually(() => big.closed !== undefined, 5_000, 'the oversized frame to close its connection');
		expect(big.closed?.code).toBe(1009);
		client.send({ type: 'sync', rid: 40, docs: [{ docId, since: 0, authSince: 0 }] });
		await client.next((m) => m.type === 'catchup' && m.rid === 40 && m.done);
		const metrics = await (await fetch(`${r.httpUrl}/metrics`)).text();
		expect(metrics).toMatch(/hearth_relay_rejected_frames_total\{reason="frame-too-large"\} 1/);
		expect(metrics).toMatch(/hearth_relay_rejected_frames_total\{reason="quota-exceeded"\} 2/);
		client.close();
	});

	it('closes a connection that stops answering, pings only the silent ones, and leaves busy ones be', async () => {
		const r = await relay({ HEARTH_HEARTBEAT_MS: '1000' });
		const pings = (c: RawRelayClient) => {
			const seen = { count: 0 };
			c.ws.on('ping', () => seen.count++);
			return seen;
		};
		// Busy: sends a frame every 100 ms, so it never needs pinging.
		const busy = await RawRelayClient.connect(r.url);
		const busyPings = pings(busy);
		let rid = 0;
		const chatter = setInterval(() => busy.send({ type: 'sync', rid: ++rid, docs: [] }), 100);
		// Its turn may have come once before it first spoke.
		await busy.next((m) => m.type === 'catchup');
		busyPings.count = 0;
		// Quiet: says nothing, but its WebSocket answers pings as every browser's does.
		const quiet = await RawRelayClient.connect(r.url);
		const quietPings = pings(quiet);
		// Gone: a client that vanished without closing: it neither speaks nor answers.
		const gone = new WebSocket(r.url, { autoPong: false });
		const goneClosed = new Promise<number>((resolve) => gone.once('close', (code) => resolve(code)));
		await new Promise((resolve, reject) => (gone.once('open', resolve), gone.once('error', reject)));
		try {
			await eventually(() => quietPings.count >= 2, 5_000, 'the quiet client to be pinged every interval');
			expect(await goneClosed).toBe(1006);
			expect(busyPings.count).toBe(0);
			expect(busy.closed).toBeUndefined();
			expect(quiet.closed).toBeUndefined();
			expect(r.logs()).toMatch(/"event":"connection_timeout"/);
		} finally {
			clearInterval(chatter);
			busy.close();
			quiet.close();
			gone.terminate();
		}
	});

	it('refuses to start on storage a newer relay has migrated, saying what to do, and leaves it as it was', async () => {
		const r = await relay();
		const { client, docId, kp } = await writerOn(r);
		client.send({ type: 'push', rid: 2, entry: signedEntry(docId, kp, marker(1)) });
		await client.reply(2, 'ack');
		client.close();
		await r.stop();
		// Someone ran a newer relay on this storage, then went back to this version.
		const newer = r.store === 'sqlite' ? SQLITE_SCHEMA_VERSION + 1 : POSTGRES_MIGRATIONS.length + 1;
		if (r.store === 'sqlite') await r.query(`PRAGMA user_version = ${newer}`);
		else await r.query('INSERT INTO hearth_schema_migrations (version) VALUES (?)', [newer]);

		await expect(r.start()).rejects.toThrow(/^relay exited with 1:/);
		const said = r.logs().trim().split('\n').at(-1);
		expect(said).toMatch(new RegExp(`^Hearth relay: could not open ${r.store} storage: its \\w+ data has schema version ${newer}, made by a newer version of Hearth’s relay`));
		expect(said).toMatch(/Nothing was changed\. Upgrade Hearth’s relay .*, or restore a backup made for this version/);
		const version = r.store === 'sqlite' ? await r.query<{ user_version: number }>('PRAGMA user_version') : await r.query<{ v: number }>('SELECT MAX(version) AS v FROM hearth_schema_migrations');
		expect(Object.values(version[0])).toEqual([newer]);
		expect(await r.query('SELECT seq FROM entries WHERE doc_id = ?', [docId])).toEqual([{ seq: 1 }]);
	});

	it('refuses to start with a clear message when PostgreSQL is chosen without a URL', async () => {
		await expect(startRelay({ store: 'sqlite', env: { HEARTH_STORE: 'postgres', HEARTH_PG_URL: '', DATABASE_URL: '' } })).rejects.toThrow(/HEARTH_PG_URL/);
	});
});
