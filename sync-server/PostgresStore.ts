// PostgreSQL storage, for running several relay nodes against one database. The schema is
// the SQLite one; every check that decides a seq or an index runs inside the statement or
// transaction that writes it, so nodes never need to trust each other's caches. Each write
// is announced to the other nodes after it commits (a batched NOTIFY with ids and positions,
// plus a small change's stored fields: ciphertext, never plaintext); they fan out what the
// notice carried and read the rest from the database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { isWireEntry, RECOVERY_COPY_PREFIX, type AuthRecord, type DocumentId, type LoggedOp, type SignedOp, type SpaceId, type WireEntry } from '../src/lib/protocol';
import type { AppendGuard, AppendResult, CatchupRead, DocSizeSummary, EntryRange, RelayStore, StoredDoc, StoreEvent, StoreListener } from './RelayStore';
import { POSTGRES_MIGRATIONS } from './postgresMigrations';
import { SchemaTooNewError } from './SchemaTooNewError';
import { newLineage } from './newLineage';
import { relayFieldsOf, toLoggedOp, toWireEntry, type EntryRow, type OpRow } from './storedRows';

const CHANNEL = 'hearth_relay';
/** PostgreSQL's NOTIFY payload limit is 8000 bytes. */
const NOTIFY_PAYLOAD_LIMIT = 7900;
const NOTIFY_SQL = "SELECT pg_notify($1, $2), set_config('synchronous_commit', 'off', true)";
/**
 * Notices from one node start at least this far apart; what is written in between waits and
 * goes in the next one. Sent as soon as the last one was back, a node under the two-node
 * load benchmark sent about 490 a second carrying two changes each: half of all PostgreSQL's
 * transactions. A quiet node's first notice still goes at once.
 */
const NOTICE_GAP_MS = 4;
/**
 * A change whose ciphertext is at most this long (base64url characters) is carried in the
 * notice itself, so at least three fit in one, and other nodes need not read it back. Under
 * the two-node load benchmark those reads were most of the cross-node work.
 */
const CARRY_CT_LIMIT = 2_000;
// Any fixed number: only relay nodes migrating this schema take this advisory lock.
const MIGRATION_LOCK = 7_246_801;

const INT8 = 20;
// Seqs, indexes and times fit easily in a double; strings would leak into the protocol.
const types = {
	getTypeParser: (oid: number, format?: 'text' | 'binary') =>
		oid === INT8 ? (v: string) => Number(v) : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format)
} as pg.CustomTypesConfig;

interface QueuedAppend {
	entry: WireEntry;
	guard: AppendGuard;
	resolve: (result: AppendResult) => void;
	reject: (error: unknown) => void;
	/** Batches this append sat out because another node held its document. */
	skipped?: number;
}

interface QueuedRead {
	range: EntryRange;
	resolve: (entries: WireEntry[]) => void;
	reject: (error: unknown) => void;
}

/** entriesBetween queries in flight at once; more requests wait and go together. */
const READS_IN_FLIGHT = 2;
/** Ranges read in one query at most. */
const MAX_READ_BATCH = 200;

/** After this many skips an append waits for its document like a single write does. */
const MAX_SKIPS = 5;

/** Appends stored in one transaction at most. */
const MAX_BATCH = 100;
/**
 * Queues of appends, each with at most one transaction in flight. A document always uses the
 * same lane, so this node's transactions never wait on each other's row locks (with shared
 * documents, concurrent batches queued behind one another's commits and ran one at a time).
 * Two, not more: every lane's batch is a commit (a flush to disk), and fewer, larger batches
 * beat more, smaller ones. Measured at 1,000 clients on one node: six lanes gave fan-out p50
 * 45 ms / p99 333 ms, two gave 12 ms / 93–177 ms, one 8–11 ms / 195–270 ms (a second lane lets
 * one batch's round trip overlap the other's commit).
 */
const LANES = 2;

// One round trip: bump the head under the row lock only if the auth state and size quota still
// hold, and store the entry at that seq.
const APPEND_SQL = `WITH d AS (
		UPDATE docs SET head = head + 1, bytes = bytes + $2
		WHERE doc_id = $1 AND auth_count = $3 AND bytes + $2 <= $4
		RETURNING head
	), i AS (
		INSERT INTO entries (doc_id, seq, epoch, kind, covers, author, nonce, ct, sig)
		SELECT $1, head, $5, 'change', NULL::bigint, $6, $7, $8, $9 FROM d RETURNING seq
	)
	SELECT seq FROM i`;

/**
 * A whole batch in one statement (one round trip, one commit). Per document: its rows are
 * locked in document order (so two nodes' batches cannot deadlock), the head moves on by the
 * number of entries if the auth state and the size quota hold for all of them, and they take
 * consecutive seqs in queue order. A document whose check fails stores none of its entries.
 * A document another node's transaction holds is skipped, not waited for (`held` false): its
 * entries go in the lane's next batch, so two nodes' batches never queue behind each other's
 * commits. Each document's row is locked through its own index lookup (LATERAL): written as
 * `doc_id IN (...)`, PostgreSQL planned it as a full scan of `docs` on every batch while the
 * table was small or had no statistics, and the scan was a third of the statement's time.
 */
export const APPEND_BATCH_SQL = `WITH input AS (
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::bigint[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[])
			WITH ORDINALITY AS t(doc_id, len, auth_count, max_bytes, epoch, author, nonce, ct, sig, ord)
	), per_doc AS (
		SELECT doc_id, COUNT(*) AS n, SUM(len) AS total, MIN(auth_count) AS auth_min, MAX(auth_count) AS auth_max, MIN(max_bytes) AS max_bytes
		FROM input GROUP BY doc_id
	), locked AS (
		SELECT l.doc_id FROM (SELECT doc_id FROM per_doc ORDER BY doc_id) p
		CROSS JOIN LATERAL (SELECT doc_id FROM docs WHERE docs.doc_id = p.doc_id FOR UPDATE SKIP LOCKED) l
	), d AS (
		UPDATE docs SET head = docs.head + p.n, bytes = docs.bytes + p.total
		FROM per_doc p, locked l
		WHERE docs.doc_id = p.doc_id AND l.doc_id = p.doc_id AND p.auth_min = p.auth_max
			AND docs.auth_count = p.auth_min AND docs.bytes + p.total <= p.max_bytes
		RETURNING docs.doc_id, docs.head - p.n AS base
	), numbered AS (
		SELECT i.*, d.base + row_number() OVER (PARTITION BY i.doc_id ORDER BY i.ord) AS seq
		FROM input i JOIN d ON d.doc_id = i.doc_id
	), stored AS (
		INSERT INTO entries (doc_id, seq, epoch, kind, covers, author, nonce, ct, sig)
		SELECT doc_id, seq, epoch, 'change', NULL, author, nonce, ct, sig FROM numbered
	)
	SELECT i.ord, n.seq, l.doc_id IS NOT NULL AS held
	FROM input i LEFT JOIN locked l ON l.doc_id = i.doc_id LEFT JOIN numbered n ON n.ord = i.ord`;

/**
 * Entries in several documents' seq ranges, in one read: one index range scan per document,
 * whatever the table's statistics say. Written as a plain join, a table not yet analysed (a new
 * relay's first minutes, or after a bulk load) was planned as a hash join over a full scan of
 * `entries`: under the two-node load benchmark these reads took 3–8 ms each, growing with the
 * table, and were half of PostgreSQL's time. The ordered LIMIT (a range holds at most
 * up_to - after entries) leaves the index as the only sensible plan.
 */
export const ENTRIES_IN_RANGES_SQL = `SELECT r.doc_id, e.seq, e.epoch, e.kind, e.covers, e.author, e.nonce, e.ct, e.sig
	FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS r(doc_id, after, up_to)
	CROSS JOIN LATERAL (
		SELECT * FROM entries e WHERE e.doc_id = r.doc_id AND e.seq > r.after AND e.seq <= r.up_to
		ORDER BY e.seq LIMIT GREATEST(r.up_to - r.after, 0)
	) e
	ORDER BY r.doc_id, e.seq`;

function laneOf(docId: string): number {
	let h = 0;
	for (let i = 0; i < docId.length; i++) h = (h * 31 + docId.charCodeAt(i)) | 0;
	return Math.abs(h) % LANES;
}

function appendParams({ entry, guard }: Pick<QueuedAppend, 'entry' | 'guard'>): unknown[] {
	return [entry.docId, entry.ct.length, guard.authCount, guard.maxDocBytes, entry.epoch, entry.author, entry.nonce, entry.ct, entry.sig];
}

export interface PostgresStoreOptions {
	url: string;
	/** Connections in this node's pool. */
	poolSize?: number;
	log?: (event: string, fields?: Record<string, unknown>) => void;
}

export class PostgresStore implements RelayStore {
	readonly kind = 'postgres' as const;
	/** Tells this node's own notifications apart from other nodes'. */
	readonly nodeId = randomBytes(6).toString('hex');
	readonly #options: PostgresStoreOptions;
	readonly #pool: pg.Pool;
	#listener?: StoreListener;
	#feed?: pg.Client;
	#feedRetry?: ReturnType<typeof setTimeout>;
	#closed = false;
	readonly #outbox: string[] = [];
	#sending = false;
	/** When the last notice went out (performance.now()), for NOTICE_GAP_MS. */
	#lastNotice = -Infinity;
	readonly #lanes = Array.from({ length: LANES }, () => ({ queue: [] as QueuedAppend[], busy: false }));
	readonly #reads: QueuedRead[] = [];
	#readsInFlight = 0;

	constructor(options: PostgresStoreOptions) {
		this.#options = options;
		this.#pool = new pg.Pool({
			connectionString: options.url,
			max: options.poolSize ?? 16,
			types,
			// A database that is down must fail requests quickly (the client retries), not hang them.
			connectionTimeoutMillis: 5_000,
			idleTimeoutMillis: 30_000,
			application_name: 'hearth-relay'
		});
		// An idle pooled connection that dies (a database restart) must not crash the relay.
		this.#pool.on('error', (error) => this.#options.log?.('storage_connection_lost', { error: error.message }));
	}

	async open(): Promise<void> {
		const client = await this.#pool.connect();
		try {
			await client.query('BEGIN');
			// Several nodes starting at once: one migrates, the others wait and find it done.
			await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
			await client.query('CREATE TABLE IF NOT EXISTS hearth_schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
			const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM hearth_schema_migrations');
			// A database a newer relay has migrated further: touch nothing (the ROLLBACK below
			// undoes even the CREATE TABLE IF NOT EXISTS, which found the table there anyway).
			if ((rows[0].v ?? 0) > POSTGRES_MIGRATIONS.length) throw new SchemaTooNewError('PostgreSQL', rows[0].v!, POSTGRES_MIGRATIONS.length);
			for (let v = rows[0].v ?? 0; v < POSTGRES_MIGRATIONS.length; v++) {
				await client.query(POSTGRES_MIGRATIONS[v]);
				await client.query('INSERT INTO hearth_schema_migrations (version) VALUES ($1)', [v + 1]);
			}
			await client.query("INSERT INTO hearth_meta (key, value) VALUES ('lineage', $1) ON CONFLICT DO NOTHING", [newLineage()]);
			await client.query('COMMIT');
		} catch (error) {
			await client.query('ROLLBACK').catch(() => {});
			throw error;
		} finally {
			client.release();
		}
		await this.#connectFeed();
	}

	async lineage(): Promise<string> {
		const { rows } = await this.#pool.query<{ value: string }>("SELECT value FROM hearth_meta WHERE key = 'lineage'");
		return rows[0].value;
	}

	async renewLineage(): Promise<string> {
		const lineage = newLineage();
		await this.#pool.query("UPDATE hearth_meta SET value = $1 WHERE key = 'lineage'", [lineage]);
		return lineage;
	}

	listen(listener: StoreListener): void {
		this.#listener = listener;
	}

	/** One dedicated connection LISTENs; if it drops, it reconnects and asks for a resync. */
	async #connectFeed(): Promise<void> {
		const feed = new pg.Client({ connectionString: this.#options.url, types, application_name: 'hearth-relay-feed' });
		const lost = (error?: Error) => {
			if (this.#feed !== feed) return;
			this.#feed = undefined;
			feed.removeAllListeners('notification');
			void feed.end().catch(() => {});
			if (this.#closed) return;
			this.#options.log?.('feed_lost', { error: error?.message ?? 'ended' });
			this.#scheduleFeedRetry(500);
		};
		feed.on('error', lost);
		feed.on('end', () => lost());
		feed.on('notification', (n) => {
			if (n.channel === CHANNEL && n.payload) this.#onNotification(n.payload);
		});
		await feed.connect();
		await feed.query(`LISTEN ${CHANNEL}`);
		this.#feed = feed;
	}

	#scheduleFeedRetry(delayMs: number): void {
		clearTimeout(this.#feedRetry);
		this.#feedRetry = setTimeout(() => {
			this.#connectFeed().then(
				() => {
					this.#options.log?.('feed_restored');
					this.#listener?.onResync();
				},
				() => this.#scheduleFeedRetry(Math.min(delayMs * 2, 5_000))
			);
		}, delayMs);
		this.#feedRetry.unref();
	}

	/**
	 * Payload: the node id, then one `kind id position sentAt [authCount [entry fields]]` per
	 * line. Ids are random; an entry's fields are what the database holds (ciphertext, never
	 * content), all base64url or numbers, so they contain no spaces or newlines.
	 */
	#onNotification(payload: string): void {
		// Every node hears its own notices too (about half of what arrives): drop them before
		// splitting kilobytes of carried changes.
		if (payload.startsWith(`${this.nodeId}\n`) || !this.#listener) return;
		const [, ...lines] = payload.split('\n');
		const events: StoreEvent[] = [];
		for (const line of lines) {
			const [kind, id, position, sentAt, authCount, ...fields] = line.split(' ');
			const n = Number(position);
			const at = Number(sentAt);
			let event: StoreEvent | undefined;
			if (kind === 'e') {
				event = { kind: 'entry', docId: id as DocumentId, seq: n, authCount: Number(authCount ?? 0), sentAt: at };
				const entry = fields.length > 0 ? carriedEntry(id, n, fields) : undefined;
				if (entry) event.entry = entry;
			} else if (kind === 'a') event = { kind: 'auth', docId: id as DocumentId, index: n, sentAt: at };
			else if (kind === 'o') event = { kind: 'op', spaceId: id as SpaceId, index: n, sentAt: at };
			if (event) events.push(event);
		}
		if (events.length > 0) this.#listener.onEvents(events);
	}

	/**
	 * Tells the other nodes about a committed write. A NOTIFY inside the writing transaction
	 * would serialise every commit in the cluster on PostgreSQL's notify queue lock (appends/s
	 * capped at one fsync each), so notifications go out after commit, batched: one small
	 * NOTIFY carries up to a few hundred events, and only one is in flight per node at a time.
	 */
	#announce(kind: 'e' | 'a' | 'o', id: string, position: number, authCount?: number, entry?: WireEntry): void {
		if (this.#outbox.length >= 100_000) this.#outbox.shift(); // the database is away; resync covers it
		let line = `${kind} ${id} ${position} ${Date.now()}${authCount === undefined ? '' : ` ${authCount}`}`;
		// A change small enough rides along, so other nodes fan it out without reading it back.
		if (entry && authCount !== undefined && entry.kind === 'change' && entry.ct.length <= CARRY_CT_LIMIT) {
			line += ` ${entry.epoch} ${entry.author} ${entry.nonce} ${entry.sig} ${entry.ct}`;
		}
		this.#outbox.push(line);
		if (!this.#sending) void this.#sendOutbox();
	}

	async #sendOutbox(): Promise<void> {
		this.#sending = true;
		try {
			while (this.#outbox.length > 0 && !this.#closed) {
				const wait = this.#lastNotice + NOTICE_GAP_MS - performance.now();
				if (wait > 0) {
					await new Promise((r) => setTimeout(r, wait));
					if (this.#closed) break;
				}
				this.#lastNotice = performance.now();
				let size = this.nodeId.length;
				let count = 0;
				while (count < this.#outbox.length && size + this.#outbox[count].length + 1 < NOTIFY_PAYLOAD_LIMIT) size += this.#outbox[count++].length + 1;
				const batch = this.#outbox.slice(0, count);
				try {
					// A NOTIFY makes its transaction write a commit record, and by default the
					// commit waits for that record to reach the disk. Here nothing depends on it:
					// the entries it names are already durable, and other nodes hear it at commit
					// either way. Not waiting takes a flush out of every cross-node fan-out.
					await this.#pool.query({ name: 'hearth_notify', text: NOTIFY_SQL, values: [CHANNEL, [this.nodeId, ...batch].join('\n')] });
					this.#outbox.splice(0, count);
				} catch (error) {
					this.#options.log?.('notify_failed', { code: (error as { code?: string }).code ?? 'unknown' });
					await new Promise((r) => setTimeout(r, 500));
				}
			}
		} finally {
			this.#sending = false;
		}
	}

	/**
	 * PostgreSQL keeps every notice until each listening node has read it (8 GB by default).
	 * A node that is connected but no longer reading holds that space; once the queue is full,
	 * NOTIFY fails and other nodes' clients stop hearing of writes live.
	 */
	async noticeQueueUsage(): Promise<number> {
		const { rows } = await this.#pool.query<{ usage: number }>('SELECT pg_notification_queue_usage() AS usage');
		return rows[0].usage;
	}

	async ping(): Promise<void> {
		await this.#pool.query('SELECT 1');
	}

	async getDoc(docId: DocumentId): Promise<StoredDoc | undefined> {
		const { rows } = await this.#pool.query<StoredDoc>(
			'SELECT head, snapshot_seq AS "snapshotSeq", snapshot_covers AS "snapshotCovers", auth_count AS "authCount", bytes FROM docs WHERE doc_id = $1',
			[docId]
		);
		return rows[0];
	}

	async appendAuth(docId: DocumentId, index: number, record: AuthRecord): Promise<boolean> {
		// A policy closing an epoch at `closesAt` goes in only if nothing was stored after it.
		const closesAt = record.kind === 'policy' ? record.closesAt : undefined;
		const claim =
			index === 0
				? 'INSERT INTO docs (doc_id, auth_count) VALUES ($1, 1) ON CONFLICT DO NOTHING RETURNING 0 AS idx'
				: `UPDATE docs SET auth_count = auth_count + 1 WHERE doc_id = $1 AND auth_count = $3${closesAt === undefined ? '' : ' AND head <= $4'} RETURNING auth_count - 1 AS idx`;
		// One statement: claim the index and store the record, all or nothing.
		const params: unknown[] = index === 0 ? [docId, JSON.stringify(record)] : [docId, JSON.stringify(record), index];
		if (index !== 0 && closesAt !== undefined) params.push(closesAt);
		const { rows } = await this.#pool.query(
			`WITH c AS (${claim})
			 INSERT INTO auth (doc_id, idx, record) SELECT $1, idx, $2 FROM c RETURNING idx`,
			params
		);
		if (rows.length === 1) this.#announce('a', docId, index);
		return rows.length === 1;
	}

	async authSince(docId: DocumentId, index: number): Promise<Array<{ index: number; record: AuthRecord }>> {
		const { rows } = await this.#pool.query<{ idx: number; record: string }>('SELECT idx, record FROM auth WHERE doc_id = $1 AND idx >= $2 ORDER BY idx', [
			docId,
			index
		]);
		return rows.map((r) => ({ index: r.idx, record: JSON.parse(r.record) as AuthRecord }));
	}

	/**
	 * Appends wait in a queue and go to the database in batches: each batch is one transaction,
	 * so one commit (one flush to disk) makes many appends durable at once. A quiet relay sends
	 * each append on its own straight away; under load the queue fills while earlier batches
	 * commit, and batches grow by themselves.
	 */
	append(entry: WireEntry, guard: AppendGuard): Promise<AppendResult> {
		if (entry.kind === 'snapshot') return this.#appendSnapshot(entry, guard);
		return new Promise((resolve, reject) => {
			const lane = this.#lanes[laneOf(entry.docId)];
			lane.queue.push({ entry, guard, resolve, reject });
			this.#pump(lane);
		});
	}

	#pump(lane: { queue: QueuedAppend[]; busy: boolean }): void {
		if (lane.busy || lane.queue.length === 0) return;
		lane.busy = true;
		const batch = lane.queue.splice(0, MAX_BATCH);
		void this.#appendBatch(batch, lane)
			.catch((error: unknown) => {
				// Not expected (#appendBatch settles every append itself), but a lane must never
				// stay busy for good: whatever is still waiting is refused, and clients resend.
				for (const item of batch) item.reject(error);
				return false;
			})
			.then(async (allSkipped) => {
				// Everything was held elsewhere: give the other node's commit a moment.
				if (allSkipped) await new Promise((r) => setTimeout(r, 2));
				lane.busy = false;
				this.#pump(lane);
			});
	}

	/** Resolves true if every append in the batch was put back for the next one. */
	async #appendBatch(batch: QueuedAppend[], lane?: { queue: QueuedAppend[] }): Promise<boolean> {
		const seqs: Array<number | undefined> = new Array(batch.length);
		const putBack: QueuedAppend[] = [];
		try {
			if (batch.length === 1 || !lane) {
				// Named like the batch: at moderate load most appends go alone, and planning was
				// half of this statement's time in PostgreSQL (1,000 clients on two nodes).
				const { rows } = await this.#pool.query<{ seq: number }>({ name: 'hearth_append', text: APPEND_SQL, values: appendParams(batch[0]) });
				seqs[0] = rows[0]?.seq;
			} else {
				const column = <T>(f: (item: QueuedAppend) => T) => batch.map(f);
				// Named, so each pooled connection plans it once: under the two-node load
				// benchmark planning was a third of this statement's time in PostgreSQL.
				const { rows } = await this.#pool.query<{ ord: number; seq: number | null; held: boolean }>({
					name: 'hearth_append_batch',
					text: APPEND_BATCH_SQL,
					values: [
						column((a) => a.entry.docId),
						column((a) => a.entry.ct.length),
						column((a) => a.guard.authCount),
						column((a) => a.guard.maxDocBytes),
						column((a) => a.entry.epoch),
						column((a) => a.entry.author),
						column((a) => a.entry.nonce),
						column((a) => a.entry.ct),
						column((a) => a.entry.sig)
					]
				});
				for (const r of rows) {
					const item = batch[r.ord - 1];
					if (r.held) seqs[r.ord - 1] = r.seq ?? undefined;
					else if ((item.skipped = (item.skipped ?? 0) + 1) > MAX_SKIPS) await this.#appendBatch([item]);
					else putBack.push(item);
				}
				// Back to the front of the lane, in their order, ahead of anything newer.
				lane.queue.unshift(...putBack);
			}
		} catch (error) {
			const code = (error as { code?: string }).code;
			if (batch.length > 1 && (code === '40P01' || code === '40001')) {
				// Rolled back for certain (deadlock or serialisation): safe to try each on its own.
				for (const item of batch) await this.#appendBatch([item]);
				return false;
			}
			// Anything else (the database went away, perhaps mid-commit) is reported: the
			// clients keep their entries and send them again.
			for (const item of batch) item.reject(error);
			return false;
		}
		const refused: QueuedAppend[] = [];
		for (const [i, item] of batch.entries()) {
			if (putBack.includes(item)) continue;
			const seq = seqs[i];
			if (seq !== undefined) {
				this.#announce('e', item.entry.docId, seq, item.guard.authCount, item.entry);
				item.resolve({ ok: true, seq });
			} else refused.push(item);
		}
		// A document's entries go in together or not at all; if several were refused, one may
		// still fit on its own (the size quota), so those are tried one by one, in order.
		const several = new Set(refused.map((r) => r.entry.docId).filter((id, i, all) => all.indexOf(id) !== i));
		for (const item of refused) {
			if (several.has(item.entry.docId)) await this.#appendBatch([item]);
			else this.#refusalReason(item).then(item.resolve, item.reject);
		}
		return putBack.length === batch.length;
	}

	async #refusalReason({ entry, guard }: QueuedAppend): Promise<AppendResult> {
		const doc = await this.getDoc(entry.docId);
		if (!doc) return { ok: false, reason: 'unknown-document' };
		if (doc.authCount !== guard.authCount) return { ok: false, reason: 'auth-changed' };
		return { ok: false, reason: 'doc-too-large' };
	}

	async #appendSnapshot(entry: WireEntry, guard: AppendGuard): Promise<AppendResult> {
		const covers = entry.covers!;
		return this.#transaction<AppendResult>(async (client) => {
			const refuse = (reason: Extract<AppendResult, { ok: false }>['reason']) => ({ commit: false, value: { ok: false, reason } as const });
			const { rows } = await client.query<StoredDoc>(
				'SELECT head, snapshot_covers AS "snapshotCovers", auth_count AS "authCount" FROM docs WHERE doc_id = $1 FOR UPDATE',
				[entry.docId]
			);
			const doc = rows[0];
			if (!doc) return refuse('unknown-document');
			if (doc.authCount !== guard.authCount) return refuse('auth-changed');
			if (covers > doc.head || covers <= doc.snapshotCovers) return refuse('stale-snapshot');
			const seq = doc.head + 1;
			await client.query('INSERT INTO entries (doc_id, seq, epoch, kind, covers, author, nonce, ct, sig) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
				entry.docId,
				seq,
				entry.epoch,
				'snapshot',
				covers,
				entry.author,
				entry.nonce,
				entry.ct,
				entry.sig
			]);
			// What the snapshot covers can go (older snapshots included). Nothing above `covers`
			// is ever deleted, so devices can tell a catch-up with a hole in it (see SqliteStore).
			await client.query('DELETE FROM entries WHERE doc_id = $1 AND seq <= $2', [entry.docId, covers]);
			const { rows: sized } = await client.query<{ bytes: number }>(
				`UPDATE docs SET head = $2, snapshot_seq = $2, snapshot_covers = $3,
					bytes = (SELECT COALESCE(SUM(LENGTH(ct)), 0) FROM entries WHERE doc_id = $1)
				 WHERE doc_id = $1 RETURNING bytes`,
				[entry.docId, seq, covers]
			);
			if (sized[0].bytes > guard.maxDocBytes) return refuse('doc-too-large');
			return { commit: true, value: { ok: true, seq } as const };
		}).then((result) => {
			if (result.ok) this.#announce('e', entry.docId, result.seq, guard.authCount);
			return result;
		});
	}

	/** Runs `fn` in a transaction, committed only if it says so (a throw rolls back too). */
	async #transaction<T>(fn: (client: pg.PoolClient) => Promise<{ commit: boolean; value: T }>): Promise<T> {
		const client = await this.#pool.connect();
		try {
			await client.query('BEGIN');
			const result = await fn(client);
			await client.query(result.commit ? 'COMMIT' : 'ROLLBACK');
			return result.value;
		} catch (error) {
			await client.query('ROLLBACK').catch(() => {});
			throw error;
		} finally {
			client.release();
		}
	}

	/**
	 * One statement, so the document's snapshot position and its entries come from the same
	 * moment: with two reads, a snapshot stored in between (on any node) deletes what it covers
	 * while the first read still said there was no snapshot to send in its place.
	 */
	async entriesSince(docId: DocumentId, since: number): Promise<CatchupRead> {
		// Behind the newest snapshot: that snapshot leads, then everything after what it covers.
		// Any other snapshot holds only what the reader has or is sent here: its seq is named,
		// and its ciphertext is not even read out.
		const { rows } = await this.#pool.query<EntryRow & { lead: boolean }>(
			`SELECT e.seq, e.epoch, e.kind, e.covers, e.author, e.nonce, e.sig, lead,
				CASE WHEN e.kind = 'snapshot' AND NOT lead THEN '' ELSE e.ct END AS ct
			 FROM docs d JOIN entries e ON e.doc_id = d.doc_id,
				LATERAL (SELECT d.snapshot_seq > 0 AND $2 < d.snapshot_covers AS behind) b,
				LATERAL (SELECT b.behind AND e.seq = d.snapshot_seq AS lead) l
			 WHERE d.doc_id = $1 AND e.seq > CASE WHEN b.behind THEN d.snapshot_covers ELSE $2 END
			 ORDER BY lead DESC, e.seq`,
			[docId, since]
		);
		const skipped = rows.filter((r) => r.kind === 'snapshot' && !r.lead).map((r) => Number(r.seq));
		const entries = rows.filter((r) => r.kind !== 'snapshot' || r.lead).map((r) => toWireEntry(docId, r));
		return { entries, skipped };
	}

	async entriesInRanges(ranges: EntryRange[]): Promise<Map<DocumentId, WireEntry[]>> {
		const { rows } = await this.#pool.query<EntryRow & { doc_id: string }>({
			name: 'hearth_entries_in_ranges', // planned once per connection, like the batch append
			text: ENTRIES_IN_RANGES_SQL,
			values: [ranges.map((r) => r.docId), ranges.map((r) => r.after), ranges.map((r) => r.upTo)]
		});
		const found = new Map<DocumentId, WireEntry[]>(ranges.map((r) => [r.docId, []]));
		for (const r of rows) found.get(r.doc_id as DocumentId)?.push(toWireEntry(r.doc_id as DocumentId, r));
		return found;
	}

	/**
	 * A node whose documents are also written on other nodes often finds, as its own append
	 * commits, that the entry before it came from another node whose notice has not arrived
	 * yet, so it reads that entry itself. Under the two-node load benchmark that was 500–800
	 * one-row queries a second. Reads asked for while others are in flight wait and go
	 * together in the next query (a read asked for on a quiet relay goes at once).
	 */
	entriesBetween(docId: DocumentId, after: number, upTo: number): Promise<WireEntry[]> {
		return new Promise((resolve, reject) => {
			this.#reads.push({ range: { docId, after, upTo }, resolve, reject });
			this.#pumpReads();
		});
	}

	#pumpReads(): void {
		while (this.#readsInFlight < READS_IN_FLIGHT && this.#reads.length > 0) {
			const batch = this.#reads.splice(0, MAX_READ_BATCH);
			// One range per document, covering every request for it; each gets its own part.
			const union = new Map<DocumentId, EntryRange>();
			for (const { range } of batch) {
				const u = union.get(range.docId);
				union.set(range.docId, u ? { docId: range.docId, after: Math.min(u.after, range.after), upTo: Math.max(u.upTo, range.upTo) } : range);
			}
			this.#readsInFlight++;
			this.entriesInRanges([...union.values()])
				.then(
					(found) => {
						for (const { range, resolve } of batch) resolve(found.get(range.docId)!.filter((e) => e.seq! > range.after && e.seq! <= range.upTo));
					},
					(error: unknown) => {
						for (const { reject } of batch) reject(error);
					}
				)
				.finally(() => {
					this.#readsInFlight--;
					this.#pumpReads();
				});
		}
	}

	async appendOp(spaceId: SpaceId, op: SignedOp, at: number, replacesCopies = false): Promise<{ logged: LoggedOp; fresh: boolean }> {
		const existing = await this.#findOp(this.#pool, spaceId, op.sig);
		if (existing) return { logged: existing, fresh: false };
		return this.#transaction<{ logged: LoggedOp; fresh: boolean }>(async (client) => {
			// The counter row serialises appends to one space across nodes.
			const { rows } = await client.query<{ idx: number }>(
				`INSERT INTO spaces (space_id, length) VALUES ($1, 1)
				 ON CONFLICT (space_id) DO UPDATE SET length = spaces.length + 1 RETURNING length - 1 AS idx`,
				[spaceId]
			);
			const again = await this.#findOp(client, spaceId, op.sig);
			if (again) return { commit: false, value: { logged: again, fresh: false } };
			const index = rows[0].idx;
			await client.query('INSERT INTO space_ops (space_id, idx, author, body, sig, at, relay_fields) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
				spaceId,
				index,
				op.author,
				op.body,
				op.sig,
				at,
				relayFieldsOf(op)
			]);
			if (replacesCopies) {
				// A recovery copy replaces the older ones in this commit, if the log holds nothing else (see RelayStore).
				await client.query(
					`DELETE FROM space_ops WHERE space_id = $1 AND idx < $2 AND NOT EXISTS (
						SELECT 1 FROM space_ops WHERE space_id = $1 AND (author <> $3 OR substr(body, 1, length($4)) <> $4))`,
					[spaceId, index, op.author, RECOVERY_COPY_PREFIX]
				);
			}
			return { commit: true, value: { logged: { index, at, op }, fresh: true } };
		}).then((result) => {
			if (result.fresh) this.#announce('o', spaceId, result.logged.index);
			return result;
		});
	}

	async #findOp(client: pg.Pool | pg.PoolClient, spaceId: SpaceId, sig: string): Promise<LoggedOp | undefined> {
		const { rows } = await client.query<OpRow>('SELECT idx, author, body, sig, at, relay_fields FROM space_ops WHERE space_id = $1 AND sig = $2', [spaceId, sig]);
		return rows[0] && toLoggedOp(spaceId, rows[0]);
	}

	async opsSince(spaceId: SpaceId, since: number, limit?: number): Promise<LoggedOp[]> {
		const { rows } = await this.#pool.query<OpRow>(
			`SELECT idx, author, body, sig, at, relay_fields FROM space_ops WHERE space_id = $1 AND idx >= $2 ORDER BY idx${limit ? ' LIMIT $3' : ''}`,
			limit ? [spaceId, since, limit] : [spaceId, since]
		);
		return rows.map((r) => toLoggedOp(spaceId, r));
	}

	async docSizes(bounds: number[]): Promise<DocSizeSummary> {
		// One scan: bucket k holds documents larger than k bounds, so it belongs under bound k.
		const { rows } = await this.#pool.query<{ bucket: number; docs: number; total: number }>(
			'SELECT width_bucket(bytes - 1, $1::bigint[]) AS bucket, COUNT(*)::bigint AS docs, SUM(bytes)::bigint AS total FROM docs GROUP BY 1',
			[bounds]
		);
		const perBucket = new Array<number>(bounds.length + 1).fill(0);
		let docs = 0;
		let totalBytes = 0;
		for (const r of rows) {
			perBucket[r.bucket] += r.docs;
			docs += r.docs;
			totalBytes += r.total;
		}
		let running = 0;
		const cumulative = bounds.map((_, i) => (running += perBucket[i]));
		return { docs, totalBytes, cumulative };
	}

	async close(): Promise<void> {
		// Let the last announcements go out, so other nodes' clients hear of our final writes.
		for (let i = 0; i < 50 && (this.#sending || this.#outbox.length > 0); i++) await new Promise((r) => setTimeout(r, 20));
		this.#closed = true;
		clearTimeout(this.#feedRetry);
		const feed = this.#feed;
		this.#feed = undefined;
		await feed?.end().catch(() => {});
		await this.#pool.end();
	}
}

/**
 * A change carried in another node's notice (see #announce), or undefined if the fields are not
 * a well-formed entry: then it is read from the database like any other.
 */
function carriedEntry(docId: string, seq: number, fields: string[]): WireEntry | undefined {
	if (fields.length !== 5) return undefined;
	const [epoch, author, nonce, sig, ct] = fields;
	const entry = { docId, seq, epoch: Number(epoch), kind: 'change', author, nonce, ct, sig };
	return isWireEntry(entry) ? entry : undefined;
}
