// When a change is on this device for good. automerge-repo writes a document to storage on
// a 100 ms throttle, and nothing tells the app when that write has finished: a page closed
// in between lost what it had just said was recorded. This subsystem owns the answer instead.
//
// A change is **durable** once the IndexedDB transaction holding it has completed (with
// strict durability: flushed to disk). Every change to a tracked document, local or merged
// from the relay, is written at once (changes made in the same tick go together, and a
// burst during a write goes in the next one), so nothing waits on a timer that may never
// fire. `whenDurable` is what a page awaits before it says "saved"; `flushAll` is what the
// app calls when the page is hidden or closed; `durableHeads` is what the sync status counts
// against, so "N changes waiting to sync" only ever counts changes that are on the device.
//
// A write that fails (a full disk, storage cleared) keeps the change in memory, rejects
// whoever is waiting with the reason, and is reported to `StorageHealth`, which says so at
// once and has it tried again on a backoff (or when asked) until it fits.
import * as A from '@automerge/automerge';
import type { DocHandle } from '@automerge/automerge-repo';
import type { DocumentId } from '$lib/protocol';
import type { StorageHealth } from './StorageHealth';
import type { StorageWriteError } from './StorageWriteError';

export type DurabilityEvent =
	/** The document has a change not on disk (said synchronously, before anything can paint). */
	| { type: 'unsaved'; docId: DocumentId }
	| { type: 'durable'; docId: DocumentId; gapMs: number };

export interface LocalDurabilityOptions {
	/** Writes the document as it is now (the repo's storage subsystem, for one document). */
	write(docId: DocumentId): Promise<void>;
	/**
	 * Called just before each write, synchronously: anything it starts (the write-ahead
	 * "has unsaved changes" mark) is issued first and must succeed too.
	 */
	before?(docId: DocumentId): Promise<void> | undefined;
	/** Where failures are reported, and which asks for retries. */
	health: StorageHealth;
	/** A clock for gaps (performance.now in the browser). */
	now?: () => number;
}

/** How long changes waited to be durable, for the benchmark and the crash-safety tests. */
export interface DurabilityStats {
	writes: number;
	maxGapMs: number;
	/** The most recent gaps, oldest first (at most 1,000). */
	recentGapsMs: number[];
}

const MEASURE = 'hearth:durable';
const RECENT = 1000;

interface Waiter {
	version: number;
	resolve: () => void;
	reject: (error: StorageWriteError) => void;
}

class Tracked {
	readonly handle: DocHandle<unknown>;
	/** Bumped by every change; `durableVersion` is the last one known to be on disk. */
	version = 0;
	durableVersion = 0;
	/** The document's heads at `durableVersion` (undefined: nothing of it is on disk yet). */
	durableHeads: string[] | undefined;
	/** When the oldest change not yet on disk was made. */
	unsavedSince: number | undefined;
	writing: Promise<void> | undefined;
	queued = false;
	again = false;
	waiters: Waiter[] = [];
	off: () => void = () => {};

	constructor(handle: DocHandle<unknown>) {
		this.handle = handle;
	}

	get unsaved(): boolean {
		return this.version > this.durableVersion;
	}
}

export class LocalDurability {
	readonly #docs = new Map<DocumentId, Tracked>();
	readonly #listeners = new Set<(event: DurabilityEvent) => void>();
	readonly #write: LocalDurabilityOptions['write'];
	readonly #before: LocalDurabilityOptions['before'];
	readonly #health: StorageHealth;
	readonly #now: () => number;
	readonly #stats: DurabilityStats = { writes: 0, maxGapMs: 0, recentGapsMs: [] };

	constructor(options: LocalDurabilityOptions) {
		this.#write = options.write;
		this.#before = options.before;
		this.#health = options.health;
		this.#now = options.now ?? (() => performance.now());
		this.#health.addRetrier(() => this.#retryAll());
		// Once storage takes writes again, everything held back goes at once.
		this.#health.on((event) => {
			if (event.type === 'recovered') this.#retryAll();
		});
	}

	on(listener: (event: DurabilityEvent) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/**
	 * Starts watching a document. `onDisk` says its current state came from storage (so it is
	 * durable already); otherwise it is written at once.
	 */
	track(docId: DocumentId, handle: DocHandle<unknown>, onDisk: boolean): void {
		this.untrack(docId);
		const t = new Tracked(handle);
		if (onDisk) t.durableHeads = A.getHeads(handle.doc() as A.Doc<unknown>);
		// 'heads-changed', not 'change': the handle emits 'change' only when a diff has patches,
		// and a merge can move the heads with none (an insert and its deletion arriving together).
		const onChange = () => this.#changed(docId, t);
		handle.on('heads-changed', onChange);
		t.off = () => handle.off('heads-changed', onChange);
		this.#docs.set(docId, t);
		if (!onDisk) this.#changed(docId, t);
	}

	/** Stops watching (the document was forgotten); whoever waits on it is released. */
	untrack(docId: DocumentId): void {
		const t = this.#docs.get(docId);
		if (!t) return;
		t.off();
		this.#docs.delete(docId);
		for (const w of t.waiters.splice(0)) w.resolve();
	}

	/** The heads known to be on disk, or undefined if nothing of the document is yet. */
	durableHeads(docId: DocumentId): string[] | undefined {
		return this.#docs.get(docId)?.durableHeads;
	}

	/** Whether some change to the document is not on disk yet. */
	hasUnsaved(docId: DocumentId): boolean {
		return this.#docs.get(docId)?.unsaved ?? false;
	}

	/**
	 * Resolves once every change made to the document so far is on disk; rejects with the
	 * reason if the write fails (the change stays in memory and is tried again).
	 */
	whenDurable(docId: DocumentId): Promise<void> {
		const t = this.#docs.get(docId);
		if (!t || !t.unsaved) return Promise.resolve();
		return new Promise<void>((resolve, reject) => {
			t.waiters.push({ version: t.version, resolve, reject });
			// Someone is waiting on this one: try now even while writes are failing.
			this.#schedule(docId, t, true);
		});
	}

	/** Writes every document with unsaved changes now (the page is being hidden or closed). */
	flushAll(): Promise<void> {
		const writes: Array<Promise<void>> = [];
		for (const [docId, t] of this.#docs) {
			if (!t.unsaved && !t.writing) continue;
			if (!t.writing) this.#start(docId, t);
			else t.again = true;
			writes.push(t.writing!);
		}
		return Promise.all(writes).then(() => undefined);
	}

	/** Writes this one document now if it needs it, and waits (failures are reported, not thrown). */
	async saveNow(docId: DocumentId): Promise<void> {
		const t = this.#docs.get(docId);
		if (!t) return;
		if (t.unsaved && !t.writing) this.#start(docId, t);
		else if (t.unsaved) t.again = true;
		while (t.writing) await t.writing;
	}

	stats(): DurabilityStats {
		return { ...this.#stats, recentGapsMs: [...this.#stats.recentGapsMs] };
	}

	#changed(docId: DocumentId, t: Tracked): void {
		const wasSaved = !t.unsaved;
		t.version++;
		t.unsavedSince ??= this.#now();
		if (wasSaved) this.#emit({ type: 'unsaved', docId });
		// While the disk refuses writes, the retry timer (or someone waiting) drives them.
		this.#schedule(docId, t, false);
	}

	#schedule(docId: DocumentId, t: Tracked, evenIfFailing: boolean): void {
		if (this.#health.failing && !evenIfFailing) return;
		if (t.writing) {
			t.again = true;
			return;
		}
		if (t.queued) return;
		t.queued = true;
		// A microtask, so changes made in the same tick are written together.
		queueMicrotask(() => {
			t.queued = false;
			if (!t.writing && this.#docs.get(docId) === t) this.#start(docId, t);
		});
	}

	#start(docId: DocumentId, t: Tracked): void {
		t.writing = this.#writeLoop(docId, t).finally(() => {
			t.writing = undefined;
		});
	}

	async #writeLoop(docId: DocumentId, t: Tracked): Promise<void> {
		do {
			t.again = false;
			if (!t.unsaved) break;
			// Captured synchronously with the write below, which takes the document as it is now.
			const version = t.version;
			const heads = A.getHeads(t.handle.doc() as A.Doc<unknown>);
			const since = t.unsavedSince ?? this.#now();
			const capturedAt = this.#now();
			t.unsavedSince = undefined;
			try {
				const ahead = this.#before?.(docId);
				await Promise.all([ahead, this.#write(docId)]);
			} catch (error) {
				// Changes made since stay marked too; the oldest decides the gap.
				t.unsavedSince = Math.min(since, t.unsavedSince ?? since);
				const failure = this.#health.failed(error);
				for (const w of t.waiters.splice(0)) w.reject(failure);
				return;
			}
			if (this.#docs.get(docId) !== t) return;
			t.durableVersion = Math.max(t.durableVersion, version);
			t.durableHeads = heads;
			const gapMs = this.#now() - since;
			this.#record(docId, since, capturedAt, gapMs);
			for (const w of t.waiters.filter((w) => w.version <= version)) w.resolve();
			t.waiters = t.waiters.filter((w) => w.version > version);
			this.#health.succeeded();
			this.#emit({ type: 'durable', docId, gapMs });
		} while (t.again || t.unsaved);
	}

	/** Writes again every document holding unsaved changes; says whether there was any. */
	#retryAll(): boolean {
		let any = false;
		for (const [docId, t] of this.#docs) {
			if (!t.unsaved) continue;
			any = true;
			this.#schedule(docId, t, true);
		}
		return any;
	}

	/** `since`: the oldest change in the write; `capturedAt`: when the write took the document (it holds every change up to then). */
	#record(docId: DocumentId, since: number, capturedAt: number, gapMs: number): void {
		const s = this.#stats;
		s.writes++;
		s.maxGapMs = Math.max(s.maxGapMs, gapMs);
		s.recentGapsMs.push(gapMs);
		if (s.recentGapsMs.length > RECENT) s.recentGapsMs.shift();
		// A standard User Timing entry, so tools and tests can read it without hooks of ours.
		if (typeof performance !== 'undefined' && typeof performance.measure === 'function') {
			try {
				if (s.writes % RECENT === 0) performance.clearMeasures(MEASURE);
				// Local to this page (never sent anywhere); which document, and when the write took it.
				performance.measure(MEASURE, { start: since, duration: gapMs, detail: { docId, capturedAt } });
			} catch {
				// A clock that is not performance.now (tests): nothing to measure against.
			}
		}
	}

	#emit(event: DurabilityEvent): void {
		for (const l of this.#listeners) l(event);
	}
}
