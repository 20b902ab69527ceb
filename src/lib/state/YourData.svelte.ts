// "Your data": what this device holds, grouped by space, and the person's ways to take it with
// them: an encrypted backup, readable JSON or Markdown, restoring a backup (here or on another
// device), and removing a space from this device.
import * as A from '@automerge/automerge';
import type { DocHandle } from '@automerge/automerge-repo';
import { fromBase64Url, toBase64Url, type DocumentId, type SpaceId } from '$lib/protocol';
import { openBackup, sealBackup, type BackupContents, type BackupDoc } from '$lib/keys/backup';
import { cryptoReady } from '$lib/crypto';
import { docTitle, kindOfDoc, kindName, readableCopy, toMarkdown, type ReadableGroup } from '$lib/model/readable';
import { words } from '$lib/words';
import { DocState } from './DocState.svelte';
import type { HearthApp } from './HearthApp.svelte';

const msg = words.messages.state.yourData;

export interface DocEntry {
	docId: DocumentId;
	title: string;
	kind: string;
	heads: string[];
}

export interface DocGroup {
	/** The space id, or the document id for a document shared by link. */
	id: string;
	spaceId?: SpaceId;
	title: string;
	docs: DocEntry[];
}

/** A document restored from a backup that this device holds no key for: kept to read only. */
export interface RestoredCopy {
	docId: DocumentId;
	title: string;
	kind: string;
	heads: string[];
	bytes: string;
	restoredAt: number;
}

export type RestoreOutcome = { title: string; outcome: 'merged' | 'restored' | 'read-only' | 'damaged' };

const GROUP_KINDS = ['team', 'space'];

export class YourData {
	readonly app: HearthApp;
	restored = $state<RestoredCopy[]>([]);

	constructor(app: HearthApp) {
		this.app = app;
	}

	async load(): Promise<void> {
		this.restored = (await this.app.local.list<RestoredCopy>('restored')).sort((a, b) => a.title.localeCompare(b.title));
	}

	/** Every document this device can read, grouped by space (reactive). */
	groups(): DocGroup[] {
		const groups = new Map<string, DocGroup>();
		for (const docId of this.app.documents()) {
			const handle = this.app.handle<unknown>(docId);
			const doc = handle ? (this.app.state(handle).doc as A.Doc<unknown> | undefined) : undefined;
			if (!doc) continue;
			const spaceId = this.app.spaceOf(docId)?.spaceId;
			const id = spaceId ?? docId;
			const entry: DocEntry = { docId, title: docTitle(doc), kind: kindOfDoc(doc), heads: A.getHeads(doc) };
			const group = groups.get(id) ?? { id, spaceId, title: '', docs: [] };
			group.docs.push(entry);
			groups.set(id, group);
		}
		for (const group of groups.values()) {
			group.docs.sort((a, b) => a.title.localeCompare(b.title) || a.docId.localeCompare(b.docId));
			const named = GROUP_KINDS.map((k) => group.docs.find((d) => d.kind === k)).find((d) => d);
			group.title = named ? this.#plainName(named) : msg.aSpace;
		}
		return [...groups.values()].sort((a, b) => a.title.localeCompare(b.title));
	}

	#plainName(entry: DocEntry): string {
		const doc = this.app.handle<{ title?: string; name?: string }>(entry.docId)?.doc();
		return (doc?.name ?? doc?.title ?? '').trim() || kindName(entry.kind);
	}

	/** The backup of the chosen documents, as the text of an encrypted file. */
	async backup(docIds: DocumentId[], passphrase: string): Promise<string> {
		const docs: BackupDoc[] = [];
		for (const docId of docIds) {
			const copy = this.app.engine.exportCopy(docId);
			const access = this.app.engine.access(docId);
			if (!copy || !access) continue;
			const doc = A.load<unknown>(copy.bytes);
			docs.push({
				docId,
				title: docTitle(doc),
				kind: kindOfDoc(doc),
				heads: copy.heads,
				bytes: toBase64Url(copy.bytes),
				// Keys only for documents shared by link; a space's keys come with membership.
				...(access.space ? {} : { access })
			});
		}
		const contents: BackupContents = { format: 'hearth-backup-contents', version: 1, createdAt: Date.now(), docs };
		return sealBackup(contents, passphrase);
	}

	#plain(docIds: DocumentId[]): Array<{ title: string; doc: unknown }> {
		const out: Array<{ title: string; doc: unknown }> = [];
		for (const docId of docIds) {
			const doc = this.app.handle<unknown>(docId)?.doc();
			if (doc) out.push({ title: docTitle(doc), doc: A.toJS(doc as A.Doc<unknown>) });
			const restored = this.restored.find((r) => r.docId === docId);
			if (restored) out.push({ title: restored.title, doc: A.toJS(A.load<unknown>(fromBase64Url(restored.bytes))) });
		}
		return out;
	}

	readableJson(docIds: DocumentId[]): string {
		return JSON.stringify({ exportedAt: new Date().toISOString(), documents: this.#plain(docIds) }, null, 2);
	}

	/**
	 * The chosen documents as a care record a person can read (see `$lib/model/readable`),
	 * grouped by space. Names, visits and the names of a team's parts come from everything
	 * this device holds in the same space, chosen or not; signatures are checked on the way.
	 */
	async readableMarkdown(docIds: DocumentId[]): Promise<string> {
		await cryptoReady();
		const plainOf = async (docId: DocumentId) => {
			const handle = this.app.engine.handle<unknown>(docId) ?? (await this.app.engine.load<unknown>(docId));
			const doc = handle?.isReady() ? handle.doc() : undefined;
			return doc ? A.toJS(doc as A.Doc<unknown>) : undefined;
		};
		const groups = new Map<string, ReadableGroup & { docs: unknown[]; known: unknown[] }>();
		const titles = new Map(this.groups().map((g) => [g.id, g.title]));
		for (const docId of docIds) {
			const spaceId = this.app.engine.spaceOf(docId)?.spaceId;
			const id = spaceId ?? docId;
			let group = groups.get(id);
			if (!group) {
				const known: unknown[] = [];
				const members = spaceId ? [...(this.app.engine.spaceState(spaceId)?.docs.keys() ?? [])] : [docId];
				for (const other of members) {
					const doc = await plainOf(other as DocumentId);
					if (doc) known.push(doc);
				}
				group = { title: titles.get(id) ?? msg.aSpace, docs: [], known };
				groups.set(id, group);
			}
			const doc = await plainOf(docId);
			if (doc) group.docs.push(doc);
			const restored = this.restored.find((r) => r.docId === docId);
			if (restored) group.docs.push(A.toJS(A.load<unknown>(fromBase64Url(restored.bytes))));
		}
		return readableCopy([...groups.values()], { madeAt: Date.now() });
	}

	/**
	 * Restores a backup: documents this device has keys for are merged in (nothing is lost on
	 * either side); documents shared by link are added with their keys; the rest are kept as
	 * read-only copies on this device.
	 */
	async restore(text: string, passphrase: string): Promise<{ ok: true; results: RestoreOutcome[] } | { ok: false; error: string }> {
		const opened = await openBackup(text, passphrase);
		if (!opened.ok) return opened;
		const results: RestoreOutcome[] = [];
		for (const entry of opened.contents.docs) {
			let bytes: Uint8Array;
			try {
				bytes = fromBase64Url(entry.bytes);
				A.load(bytes);
			} catch {
				results.push({ title: entry.title, outcome: 'damaged' });
				continue;
			}
			if (!this.app.engine.access(entry.docId) && entry.access && entry.access.docId === entry.docId && !entry.access.space) {
				await this.app.engine.add(entry.access);
			}
			if (this.app.engine.access(entry.docId)) {
				results.push({ title: entry.title, outcome: await this.app.engine.importCopy(entry.docId, bytes) });
				continue;
			}
			const copy: RestoredCopy = { docId: entry.docId, title: entry.title, kind: entry.kind, heads: entry.heads, bytes: entry.bytes, restoredAt: Date.now() };
			const existing = this.restored.find((r) => r.docId === entry.docId);
			if (existing) {
				// Merge with the copy restored before, so restoring twice never loses either.
				const merged = A.merge(A.load<unknown>(fromBase64Url(existing.bytes)), A.load<unknown>(bytes));
				copy.bytes = toBase64Url(A.save(merged));
				copy.heads = A.getHeads(merged);
			}
			await this.app.local.put(copy, 'restored', entry.docId);
			results.push({ title: entry.title, outcome: 'read-only' });
		}
		await this.load();
		return { ok: true, results };
	}

	/** A copy kept from a backup, to read; names come from the other copies kept with it. */
	restoredMarkdown(copy: RestoredCopy): string {
		const open = (c: RestoredCopy) => A.toJS(A.load<unknown>(fromBase64Url(c.bytes)));
		return toMarkdown(open(copy), this.restored.map(open));
	}

	async dropRestored(docId: DocumentId): Promise<void> {
		await this.app.local.remove('restored', docId);
		await this.load();
	}

	/** Changes in the group not yet on the relay: removing now would lose them. */
	pendingIn(group: DocGroup): number {
		void this.app.status;
		return group.docs.reduce((n, d) => n + this.app.engine.pendingFor(d.docId), 0);
	}

	async remove(group: DocGroup): Promise<void> {
		if (group.spaceId) await this.app.engine.forgetSpace(group.spaceId);
		else for (const d of group.docs) await this.app.engine.forget(d.docId);
	}
}
