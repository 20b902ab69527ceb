// Starts the real relay as a child process on a free loopback port, with its own storage:
// a fresh SQLite data folder, or a fresh PostgreSQL database. The backend is chosen by the
// `store` option, else by HEARTH_TEST_STORE (the `relay-postgres` Vitest project sets it,
// and its global setup runs one PostgreSQL server for the whole run).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createDatabase } from './postgresProcess';

export type TestStore = 'sqlite' | 'postgres';

export interface RelayProcess {
	/** ws://127.0.0.1:port/sync (wss:// when started with HEARTH_TLS_CERT). */
	url: string;
	/** http://127.0.0.1:port, for /healthz, /readyz and /metrics (https:// with HEARTH_TLS_CERT). */
	httpUrl: string;
	port: number;
	store: TestStore;
	dataDir: string;
	/** PostgreSQL only: the relay's database. */
	pgUrl?: string;
	frameLog: string;
	/** Everything the relay wrote to stderr (its JSON log lines) since it was started. */
	logs(): string;
	pid(): number;
	/** Every file holding what the relay stored (its SQLite folder, or the PostgreSQL cluster's). */
	storageFiles(): string[];
	/** Runs SQL against the relay's storage (`?` placeholders on both backends). */
	query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
	stop(): Promise<void>;
	/** Stop and start again on the same port and storage (a restart or crash). */
	restart(): Promise<void>;
	/** SIGKILL: no draining, no cleanup, as in a crash. Start it again with start(). */
	kill(): Promise<void>;
	start(): Promise<void>;
}

export interface RelayProcessOptions {
	port?: number;
	dataDir?: string;
	store?: TestStore;
	/** PostgreSQL database to use (several nodes share one); a fresh one if omitted. */
	pgUrl?: string;
	/** Folder of the PostgreSQL cluster, for storageFiles(). */
	pgDataDir?: string;
	env?: Record<string, string>;
}

export function testStore(): TestStore {
	return process.env.HEARTH_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
}

const INT8 = 20;
const pgTypes = {
	getTypeParser: (oid: number, format?: 'text' | 'binary') =>
		oid === INT8 ? (v: string) => Number(v) : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format)
} as pg.CustomTypesConfig;

export async function startRelay(options: RelayProcessOptions = {}): Promise<RelayProcess> {
	const store = options.store ?? testStore();
	const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hearth-relay-'));
	const frameLog = join(dataDir, '..', `${dataDir.split('/').pop()}-frames.log`);
	let pgUrl = options.pgUrl;
	let pgDataDir = options.pgDataDir;
	if (store === 'postgres' && !pgUrl) {
		// Only inside Vitest (benchmarks import this helper too, and always pass a store).
		const { inject } = await import('vitest');
		const cluster = inject('hearthPostgres');
		if (!cluster) throw new Error('HEARTH_TEST_STORE=postgres needs the relay-postgres Vitest project (its global setup starts PostgreSQL)');
		pgUrl = await createDatabase(cluster.url);
		pgDataDir = cluster.dataDir;
	}
	const secure = Boolean(options.env?.HEARTH_TLS_CERT);
	let child: ChildProcess;
	let port = options.port ?? 0;
	let stderr = '';

	const launch = async () => {
		const storeEnv: Record<string, string> =
			store === 'postgres' ? { HEARTH_STORE: 'postgres', HEARTH_PG_URL: pgUrl!, HEARTH_PG_POOL: '4' } : { HEARTH_STORE: 'sqlite' };
		child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
			env: {
				...process.env,
				PORT: String(port),
				HOST: '127.0.0.1',
				HEARTH_DATA: dataDir,
				HEARTH_STATIC: '',
				HEARTH_FRAME_LOG: frameLog,
				...storeEnv,
				...options.env
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		child.stderr!.on('data', (d) => (stderr += d));
		port = await new Promise<number>((resolve, reject) => {
			let out = '';
			child.stdout!.on('data', (d) => {
				out += d;
				const m = /listening at wss?:\/\/[^:]+:(\d+)/.exec(out);
				if (m) resolve(Number(m[1]));
			});
			child.once('exit', (code) => reject(new Error(`relay exited with ${code}: ${stderr}`)));
			setTimeout(() => reject(new Error(`relay did not start: ${stderr}`)), 20_000);
		});
	};
	await launch();

	const running = () => child.exitCode === null && child.signalCode === null;
	const stop = async () => {
		if (!running()) return;
		const exited = new Promise((r) => child.once('exit', r));
		child.kill('SIGTERM');
		await exited;
	};

	const query = async <T,>(sql: string, params: unknown[] = []): Promise<T[]> => {
		if (store === 'sqlite') {
			const db = new Database(join(dataDir, 'relay.sqlite'));
			try {
				const statement = db.prepare(sql);
				return statement.reader ? (statement.all(...params) as T[]) : (statement.run(...params), []);
			} finally {
				db.close();
			}
		}
		let n = 0;
		const client = new pg.Client({ connectionString: pgUrl, types: pgTypes });
		await client.connect();
		try {
			return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
		} finally {
			await client.end();
		}
	};

	return {
		get url() {
			return `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}/sync`;
		},
		get httpUrl() {
			return `${secure ? 'https' : 'http'}://127.0.0.1:${port}`;
		},
		get port() {
			return port;
		},
		store,
		dataDir,
		pgUrl,
		frameLog,
		logs: () => stderr,
		pid: () => child.pid!,
		storageFiles: () => listFiles(store === 'postgres' && pgDataDir ? pgDataDir : dataDir),
		query,
		stop,
		restart: async () => {
			await stop();
			await launch();
		},
		kill: async () => {
			if (!running()) return;
			const exited = new Promise((r) => child.once('exit', r));
			child.kill('SIGKILL');
			await exited;
		},
		start: launch
	};
}

function listFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const full = join(dir, name);
		try {
			return statSync(full).isDirectory() ? listFiles(full) : [full];
		} catch {
			return []; // removed while listing (PostgreSQL's temporary files)
		}
	});
}

export function removeDir(dir: string): void {
	rmSync(dir, { recursive: true, force: true });
}
