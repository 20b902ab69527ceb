// Starts a real, throwaway PostgreSQL server for relay tests: initdb into a temporary folder,
// listen on a free loopback port (and a unix socket in that folder), stop and delete it after.
// PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (runuser).
// Missing binaries are an error, not a skip: `.ci/run` installs Debian's postgresql package.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresProcess {
	/** Connection URL for the `postgres` database as the superuser `hearth`. */
	url: string;
	port: number;
	/** The cluster's data folder (every byte PostgreSQL stored lives under it). */
	dataDir: string;
	/** Creates a fresh database and returns its URL. */
	createDatabase(): Promise<string>;
	/** Stops the server (fast shutdown: connections are cut, committed data is kept). */
	stop(): void;
	/** Starts it again on the same port and data. */
	start(): void;
	/** Stops it for good and deletes its folder. */
	remove(): void;
}

/** Finds initdb/pg_ctl: $HEARTH_PG_BIN, Debian's /usr/lib/postgresql/<newest>/bin, or PATH. */
export function postgresBinDir(): string {
	const candidates: string[] = [];
	if (process.env.HEARTH_PG_BIN) candidates.push(process.env.HEARTH_PG_BIN);
	if (existsSync('/usr/lib/postgresql')) {
		const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
		candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
	}
	const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
	if (onPath) candidates.push(onPath.replace(/\/initdb$/, ''));
	const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
	if (!found) {
		throw new Error(
			'PostgreSQL is not installed, so the relay tests cannot run against it. Install it (Debian: apt-get install postgresql; .ci/run does this) or set HEARTH_PG_BIN to the folder holding initdb and pg_ctl.'
		);
	}
	return found;
}

const live = new Set<string>();
// A test run that dies must not leave servers behind: stop ours (by the pid in their own
// postmaster.pid, nothing else) on any exit path.
process.once('exit', () => {
	for (const dataDir of live) {
		try {
			const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
			if (pid > 0) process.kill(pid, 'SIGQUIT');
		} catch {
			// Already stopped.
		}
	}
});

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

export async function startPostgres(): Promise<PostgresProcess> {
	const bin = postgresBinDir();
	const root = mkdtempSync(join(tmpdir(), 'hearth-pg-'));
	const dataDir = join(root, 'data');
	const asRoot = process.getuid?.() === 0;
	// As root, run PostgreSQL as the `postgres` user, who must own the folder.
	const run = (command: string, args: string[]) => {
		const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args];
		const result = spawnSync(file, argv, { encoding: 'utf8', cwd: root });
		if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr || result.stdout}${logTail()}`);
	};
	const logTail = () => (existsSync(join(root, 'log')) ? `\n--- server log ---\n${readFileSync(join(root, 'log'), 'utf8').slice(-2000)}` : '');
	if (asRoot) {
		const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
		chownSync(root, uid, gid);
	}
	run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'hearth', '-E', 'UTF8', '--locale=C', '--no-sync']);
	let port = 0;
	const start = () =>
		run('pg_ctl', [
			'-D',
			dataDir,
			'-l',
			join(root, 'log'),
			'-w',
			'-t',
			'30',
			'-o',
			`-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=64MB`,
			'start'
		]);
	for (let attempt = 0; ; attempt++) {
		port = await freePort();
		try {
			start();
			break;
		} catch (error) {
			// Someone took the port between our check and the server's bind: try another.
			if (attempt >= 3) throw error;
		}
	}
	live.add(dataDir);
	const url = `postgres://hearth@127.0.0.1:${port}/postgres`;
	return {
		url,
		port,
		dataDir,
		createDatabase: () => createDatabase(url),
		stop() {
			run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
		},
		start,
		remove() {
			if (existsSync(join(dataDir, 'postmaster.pid'))) run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
			live.delete(dataDir);
			rmSync(root, { recursive: true, force: true });
		}
	};
}

let databases = 0;

/** Creates a fresh, empty database on the server at `serverUrl` and returns its URL. */
export async function createDatabase(serverUrl: string): Promise<string> {
	const name = `relay_${process.pid}_${databases++}_${Math.random().toString(36).slice(2, 8)}`;
	const client = new pg.Client({ connectionString: serverUrl });
	await client.connect();
	try {
		await client.query(`CREATE DATABASE ${name}`);
	} finally {
		await client.end();
	}
	const url = new URL(serverUrl);
	url.pathname = `/${name}`;
	return url.toString();
}
