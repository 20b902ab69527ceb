// Starts the real relay as a child process on a free loopback port, with its own data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RelayProcess {
	url: string;
	port: number;
	dataDir: string;
	frameLog: string;
	stop(): Promise<void>;
	/** Stop and start again on the same port and data folder (a restart or crash). */
	restart(): Promise<void>;
}

export async function startRelay(options: { port?: number; dataDir?: string } = {}): Promise<RelayProcess> {
	const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hearth-relay-'));
	const frameLog = join(dataDir, '..', `${dataDir.split('/').pop()}-frames.log`);
	let child: ChildProcess;
	let port = options.port ?? 0;

	const launch = async () => {
		child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
			env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', HEARTH_DATA: dataDir, HEARTH_STATIC: '', HEARTH_FRAME_LOG: frameLog },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let stderr = '';
		child.stderr!.on('data', (d) => (stderr += d));
		port = await new Promise<number>((resolve, reject) => {
			let out = '';
			child.stdout!.on('data', (d) => {
				out += d;
				const m = /listening at ws:\/\/[^:]+:(\d+)/.exec(out);
				if (m) resolve(Number(m[1]));
			});
			child.once('exit', (code) => reject(new Error(`relay exited with ${code}: ${stderr}`)));
			setTimeout(() => reject(new Error(`relay did not start: ${stderr}`)), 20_000);
		});
	};
	await launch();

	const stop = async () => {
		if (child.exitCode !== null) return;
		const exited = new Promise((r) => child.once('exit', r));
		child.kill('SIGTERM');
		await exited;
	};

	return {
		get url() {
			return `ws://127.0.0.1:${port}/sync`;
		},
		get port() {
			return port;
		},
		dataDir,
		frameLog,
		stop: async () => {
			await stop();
		},
		restart: async () => {
			await stop();
			await launch();
		}
	} as RelayProcess;
}

export function removeDir(dir: string): void {
	rmSync(dir, { recursive: true, force: true });
}
