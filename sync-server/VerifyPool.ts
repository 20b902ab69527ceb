// Ed25519 checks of pushed entries on a worker thread. They are about a quarter of the relay's
// CPU under load, and the relay is one JavaScript thread: on a machine with a spare core the
// event loop keeps up with twice the appends when they move off it. Checks are sent in batches
// (everything asked for in one event-loop turn), so the message passing costs little.
// Same checks as Ed25519Verifier (libsodium's rules first, then Node's native crypto); without
// worker threads it checks inline.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Ed25519Verifier } from './Ed25519Verifier';
import { refusedBySodium } from './sodiumRules';

type Check = [signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array];

interface Batch {
	worker: Worker;
	checks: Check[];
	answers: Array<(ok: boolean) => void>;
}

// Plain JavaScript evaluated in the worker, so it needs no TypeScript loader.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map();
function key(pub) {
	const id = Buffer.from(pub).toString('base64');
	let k = keys.get(id);
	if (!k) {
		k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]), format: 'der', type: 'spki' });
		if (keys.size >= 50000) keys.delete(keys.keys().next().value);
		keys.set(id, k);
	}
	return k;
}
parentPort.on('message', ({ id, items, warm }) => {
	if (warm) {
		for (const pub of warm) {
			try {
				if (pub.length === 32) key(pub);
			} catch {
				// Not a valid key: its entries fail their check when they come.
			}
		}
		return;
	}
	const results = new Uint8Array(items.length);
	items.forEach(([sig, msg, pub], i) => {
		try {
			results[i] = sig.length === 64 && pub.length === 32 && verify(null, msg, key(pub), sig) ? 1 : 0;
		} catch {
			results[i] = 0;
		}
	});
	parentPort.postMessage({ id, results });
});
`;

export class VerifyPool {
	readonly #workers: Worker[] = [];
	readonly #inline: Ed25519Verifier;
	/** Batches a worker is checking, by id. */
	readonly #batches = new Map<number, Batch>();
	#queue: Array<{ check: Check; answer: (ok: boolean) => void }> = [];
	#scheduled = false;
	#nextBatch = 1;
	#nextWorker = 0;

	/**
	 * `threads`: 0 checks inline. Defaults to one fewer than the machine's cores (at most 4).
	 * `inline` checks when no worker can (the relay passes its own, so its key cache serves both).
	 */
	constructor({ threads = Math.min(4, availableParallelism() - 1), inline = new Ed25519Verifier() }: { threads?: number; inline?: Ed25519Verifier } = {}) {
		this.#inline = inline;
		for (let i = 0; i < threads; i++) {
			try {
				const worker = new Worker(WORKER_SOURCE, { eval: true });
				worker.unref();
				worker.on('message', ({ id, results }: { id: number; results: Uint8Array }) => {
					const batch = this.#batches.get(id);
					this.#batches.delete(id);
					batch?.answers.forEach((answer, j) => answer(results[j] === 1));
				});
				// A worker that dies takes its batches' answers with it: those are checked inline.
				worker.on('error', () => this.#retire(worker));
				worker.on('exit', () => this.#retire(worker));
				this.#workers.push(worker);
			} catch {
				break;
			}
		}
	}

	verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
		// libsodium's rules are checked here, once, so the workers need only the equation.
		if (refusedBySodium(signature, publicKey)) return Promise.resolve(false);
		if (this.#workers.length === 0) return Promise.resolve(this.#inline.verify(signature, message, publicKey));
		return new Promise((answer) => {
			this.#queue.push({ check: [signature, message, publicKey], answer });
			if (!this.#scheduled) {
				this.#scheduled = true;
				setImmediate(() => this.#send());
			}
		});
	}

	/**
	 * Parses these writers' keys on every worker ahead of their entries. A key costs about as
	 * much to parse as a check, so when every device reconnects at once (after a restart) the
	 * first burst of writes would otherwise queue behind thousands of parses. Inline checks
	 * are not warmed: that would only move the same work onto the thread serving sockets.
	 */
	warm(publicKeys: Uint8Array[]): void {
		if (publicKeys.length === 0) return;
		for (const worker of this.#workers) worker.postMessage({ warm: publicKeys });
	}

	#send(): void {
		this.#scheduled = false;
		const queue = this.#queue;
		this.#queue = [];
		if (queue.length === 0) return;
		const worker = this.#workers[this.#nextWorker++ % Math.max(1, this.#workers.length)];
		if (!worker) {
			for (const { check, answer } of queue) answer(this.#inline.verify(...check));
			return;
		}
		const id = this.#nextBatch++;
		const checks = queue.map((q) => q.check);
		this.#batches.set(id, { worker, checks, answers: queue.map((q) => q.answer) });
		worker.postMessage({ id, items: checks });
	}

	#retire(worker: Worker): void {
		const at = this.#workers.indexOf(worker);
		if (at < 0) return;
		this.#workers.splice(at, 1);
		for (const [id, batch] of this.#batches) {
			if (batch.worker !== worker) continue;
			this.#batches.delete(id);
			batch.answers.forEach((answer, j) => answer(this.#inline.verify(...batch.checks[j])));
		}
	}

	async close(): Promise<void> {
		const workers = this.#workers.splice(0);
		for (const w of workers) w.removeAllListeners('exit');
		await Promise.all(workers.map((w) => w.terminate()));
	}
}
