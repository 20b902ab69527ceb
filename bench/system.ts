// What the workloads need from a sync system, so the very same workload code runs against
// Hearth (SyncEngine + relay) and the stock automerge-repo server. Both sides hand out plain
// automerge-repo DocHandles, so edits and "visible on the other device" are observed the
// same way on both.
import type { DocHandle } from '@automerge/automerge-repo';

/** The benchmark document: every change appends one short string. */
export interface BenchDoc {
	items: string[];
}

/** Two devices, both online, both already holding the same document. */
export interface Pair {
	writer: DocHandle<BenchDoc>;
	reader: DocHandle<BenchDoc>;
	close(): Promise<void>;
}

/** Documents written by a device and confirmed stored by the server. */
export interface Population {
	/** What another device needs to open each document: a share link or an automerge URL. */
	links: string[];
	changesPerDoc: number;
	close(): Promise<void>;
}

/** A device that has never been online, opened but not connected. */
export interface Reader {
	/** Connects and asks for every document in `links`. The measured clock starts just before this. */
	start(links: string[]): Promise<void>;
	/** Resolves with the local handle of links[index] as soon as this device holds the document. */
	handleOf(index: number): Promise<DocHandle<BenchDoc>>;
	close(): Promise<void>;
}

export interface BenchSystem {
	readonly name: string;
	/** Client and server settings used, printed next to the results. */
	readonly settings: string;
	openPair(): Promise<Pair>;
	/** A writer creates `docs` documents and makes `changesPerDoc` separate changes to each. */
	populate(docs: number, changesPerDoc: number): Promise<Population>;
	openReader(): Promise<Reader>;
}
