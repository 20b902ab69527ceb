// Starts a server as a child process (node --import tsx <script>) on a free loopback port,
// with its own temporary data folder, and stops it again. Both the Hearth relay and the stock
// automerge-repo server are started this way so they get the same treatment: a process of
// their own, a clean data folder, and the same readiness check on stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ChildServer {
	name: string;
	port: number;
	dataDir: string;
	pid: number;
	stop(): Promise<void>;
}

export interface ChildServerOptions {
	name: string;
	/** Path of the entry script, relative to the repo root (the bench runs from there). */
	script: string;
	/** Extra environment for the child; DATA_DIR_VAR names the variable that gets the data folder. */
	env: Record<string, string>;
	dataDirVar: string;
	/** Matched against stdout; group 1 must be the bound port. */
	ready: RegExp;
	startTimeoutMs?: number;
	/** Extra Node flags for the child (e.g. --cpu-prof when looking for a bottleneck). */
	nodeArgs?: string[];
}

const running = new Set<ChildProcess>();

// A crash or Ctrl-C in the bench must not leave servers behind: kill the children we started
// (by their own pid, nothing else) on any exit path.
process.once('exit', () => {
	for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
});

export async function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
	const dataDir = mkdtempSync(join(tmpdir(), `bench-${options.name}-`));
	const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, [options.dataDirVar]: dataDir, PORT: '0', HOST: '127.0.0.1' };
	// The relay's frame log is a test aid that appends every frame to a file; it must not
	// slow the relay down in a benchmark.
	delete env.HEARTH_FRAME_LOG;
	const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', options.script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
	running.add(child);
	let stderr = '';
	child.stderr!.on('data', (d: Buffer) => {
		// Keep only the tail: enough to explain a crash without growing without bound.
		stderr = (stderr + d.toString()).slice(-4000);
	});
	let port: number;
	try {
		port = await new Promise<number>((resolve, reject) => {
			let out = '';
			const timer = setTimeout(() => reject(new Error(`${options.name} did not start within ${options.startTimeoutMs ?? 30_000} ms: ${stderr}`)), options.startTimeoutMs ?? 30_000);
			child.stdout!.on('data', (d: Buffer) => {
				out += d.toString();
				const m = options.ready.exec(out);
				if (m) {
					clearTimeout(timer);
					resolve(Number(m[1]));
				}
			});
			child.once('exit', (code) => {
				clearTimeout(timer);
				reject(new Error(`${options.name} exited with ${code}: ${stderr}`));
			});
		});
	} catch (error) {
		child.kill('SIGKILL');
		rmSync(dataDir, { recursive: true, force: true });
		throw error;
	}

	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			const exited = new Promise((r) => child.once('exit', r));
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
			await exited;
			clearTimeout(timer);
		}
		running.delete(child);
		rmSync(dataDir, { recursive: true, force: true });
	};
	return { name: options.name, port, dataDir, pid: child.pid!, stop };
}
