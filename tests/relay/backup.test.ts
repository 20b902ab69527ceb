// An operator backs up a running SQLite relay with `npm run relay:backup`, while clients keep
// writing, then restores the copy on a fresh relay: every entry acknowledged before the backup
// started is there, in order, and the copy serves catch-up like the original.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady } from '$lib/crypto';
import type { ServerMessage, SpaceId, WireEntry } from '$lib/protocol';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { DocumentId } from '$lib/protocol';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { eventually, openDevice, setup, type Device } from '$tests/helpers/scenario';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { genesis, marker, randomDocId, signedEntry } from '$tests/helpers/signedFrames';

const run = promisify(execFile);
const relays: RelayProcess[] = [];

beforeAll(cryptoReady);
afterAll(async () => {
	for (const r of relays) await r.stop();
});

async function backup(dataDir: string, file: string, env: Record<string, string> = {}) {
	return run(process.execPath, ['--import', 'tsx', 'sync-server/backup.ts', file], {
		env: { ...process.env, HEARTH_STORE: 'sqlite', HEARTH_DATA: dataDir, ...env }
	}).then(
		({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
		(error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr })
	);
}

describe('backing up a running relay', () => {
	it('copies everything acknowledged so far while writes go on, and the copy restores', async () => {
		const relay = await startRelay({ store: 'sqlite' });
		relays.push(relay);
		const docId = randomDocId();
		const { kp, record } = genesis(docId);
		const writer = await RawRelayClient.connect(relay.url);
		writer.send({ type: 'auth', rid: 1, record });
		await writer.reply(1, 'auth-ok');
		for (let i = 0; i < 40; i++) writer.send({ type: 'push', rid: 100 + i, entry: signedEntry(docId, kp, marker(i)) });
		await writer.reply(139, 'ack');
		// More writes while the backup runs: the copy is a consistent snapshot either way.
		for (let i = 40; i < 80; i++) writer.send({ type: 'push', rid: 100 + i, entry: signedEntry(docId, kp, marker(i)) });
		const file = join(mkdtempSync(join(tmpdir(), 'hearth-backup-')), 'relay-copy.sqlite');
		const result = await backup(relay.dataDir, file);
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/^Backed up 1 documents, \d+ entries and 0 membership records to /);
		await writer.reply(179, 'ack');
		writer.close();

		// Restore: a fresh relay whose data folder holds the copy.
		const restoredDir = mkdtempSync(join(tmpdir(), 'hearth-restored-'));
		copyFileSync(file, join(restoredDir, 'relay.sqlite'));
		const restored = await startRelay({ store: 'sqlite', dataDir: restoredDir });
		relays.push(restored);
		const reader = await RawRelayClient.connect(restored.url);
		reader.send({ type: 'sync', rid: 1, docs: [{ docId, since: 0, authSince: 0 }] });
		await reader.next((m) => m.type === 'catchup' && m.rid === 1 && m.done);
		const entries = reader.messages
			.filter((m): m is Extract<ServerMessage, { type: 'catchup' }> => m.type === 'catchup')
			.flatMap((m) => m.docs.flatMap((d) => d.entries as WireEntry[]));
		expect(entries.length).toBeGreaterThanOrEqual(40);
		expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
		expect(entries.slice(0, 40).map((e) => e.ct)).toEqual(Array.from({ length: 40 }, (_, i) => marker(i)));
		// The restored relay takes new writes after what it holds.
		const again = await RawRelayClient.connect(restored.url);
		again.send({ type: 'push', rid: 1, entry: signedEntry(docId, kp, marker(500)) });
		expect((await again.reply(1, 'ack')).seq).toBe(entries.length + 1);
		reader.close();
		again.close();
	});

	it('refuses to overwrite a file, to run without data, or to copy a PostgreSQL relay, saying why', async () => {
		const relay = await startRelay({ store: 'sqlite' });
		relays.push(relay);
		const folder = mkdtempSync(join(tmpdir(), 'hearth-backup-'));
		const first = join(folder, 'one.sqlite');
		expect((await backup(relay.dataDir, first)).code).toBe(0);
		const twice = await backup(relay.dataDir, first);
		expect(twice.code).toBe(1);
		expect(twice.stderr).toContain('already exists');
		const empty = await backup(mkdtempSync(join(tmpdir(), 'hearth-empty-')), join(folder, 'two.sqlite'));
		expect(empty.code).toBe(1);
		expect(empty.stderr).toContain('There is no relay data');
		expect(existsSync(join(folder, 'two.sqlite'))).toBe(false);
		const pg = await backup(relay.dataDir, join(folder, 'three.sqlite'), { HEARTH_STORE: 'postgres', HEARTH_PG_URL: 'postgres://127.0.0.1:1/x' });
		expect(pg.code).toBe(2);
		expect(pg.stderr).toContain('pg_dump');
		const usage = await backup(relay.dataDir, '');
		expect(usage.code).toBe(2);
	});
});

describe('restoring a relay from a backup', () => {
	const items = (d: Device, docId: DocumentId) => d.engine.handle<{ items: string[] }>(docId)?.doc().items ?? [];
	const opsOn = async (relay: RelayProcess, spaceId: SpaceId) =>
		(await relay.query<{ n: number }>('SELECT COUNT(*) AS n FROM space_ops WHERE space_id = ?', [spaceId]))[0].n;

	it('devices send back what was written after the backup, and nothing is reported as replayed', async () => {
		const s = await setup('alice', 'bob');
		try {
			const handle = await s.alice.engine.create<{ items: string[] }>({ items: ['before 1'] });
			const docId = handle.documentId as unknown as DocumentId;
			await s.bob.engine.add(parseShareLink(shareFragment(s.alice.engine.access(docId)!)));
			await eventually(() => items(s.bob, docId).length === 1, 15_000, 'bob has the document');
			s.bob.engine.handle<{ items: string[] }>(docId)!.change((d) => d.items.push('before 2'));
			const { spaceId, circles } = await s.alice.engine.createSpace(1);
			const notes = await s.alice.engine.createInSpace<{ items: string[] }>(spaceId, circles[0], { items: ['space before'] });
			await eventually(() => items(s.alice, docId).length === 2, 15_000, 'alice has bob’s edit');
			await s.alice.engine.whenSynced();
			await s.bob.engine.whenSynced();

			const file = join(mkdtempSync(join(tmpdir(), 'hearth-backup-')), 'nightly.sqlite');
			expect((await backup(s.relay.dataDir, file)).code).toBe(0);

			// After the backup: edits from both, a second document in the space (a new op).
			handle.change((d) => d.items.push('after alice'));
			s.bob.engine.handle<{ items: string[] }>(docId)!.change((d) => d.items.push('after bob'));
			notes.change((d) => d.items.push('space after'));
			const second = await s.alice.engine.createInSpace<{ items: string[] }>(spaceId, circles[0], { items: ['second doc'] });
			const secondId = second.documentId as unknown as DocumentId;
			await eventually(() => items(s.alice, docId).length === 4 && items(s.bob, docId).length === 4, 15_000, 'both have every edit');
			await s.alice.engine.whenSynced();
			await s.bob.engine.whenSynced();
			const opsBeforeRestore = await opsOn(s.relay, spaceId);

			// The disk is lost; last night's copy goes back in place.
			await s.relay.stop();
			for (const suffix of ['', '-wal', '-shm']) rmSync(join(s.relay.dataDir, `relay.sqlite${suffix}`), { force: true });
			copyFileSync(file, join(s.relay.dataDir, 'relay.sqlite'));
			await s.relay.start();
			expect(await opsOn(s.relay, spaceId)).toBeLessThan(opsBeforeRestore);

			// The devices reconnect by themselves and put back what the copy lacks.
			await eventually(async () => (await opsOn(s.relay, spaceId)) >= opsBeforeRestore, 20_000, 'the space log restored on the relay');
			const carol = await openDevice('carol', s.relay);
			carol.engine.connect();
			try {
				await carol.engine.add(parseShareLink(shareFragment(s.alice.engine.access(docId)!)));
				await eventually(() => items(carol, docId).length === 4, 20_000, 'a new device reads every edit, including those after the backup');
				expect([...items(carol, docId)].sort()).toEqual(['after alice', 'after bob', 'before 1', 'before 2']);
				await carol.engine.add(parseShareLink(shareFragment(s.alice.engine.access(secondId)!)));
				await eventually(() => items(carol, secondId)[0] === 'second doc', 20_000, 'the document made after the backup');
				// Life goes on: a new edit reaches everyone.
				handle.change((d) => d.items.push('after restore'));
				await eventually(() => items(carol, docId).length === 5 && items(s.bob, docId).length === 5, 15_000, 'an edit after the restore');
				for (const d of [s.alice, s.bob, carol]) {
					expect(d.engine.status.problems.map((p) => p.kind), `${d.name}'s problems`).toEqual([]);
				}
			} finally {
				await carol.engine.close();
			}
		} finally {
			await s.teardown();
		}
	});
});
