// Readable copies of documents for the person who owns the data: a title and kind for any
// document, and a plain Markdown rendering of its contents (headings for top-level parts,
// nested lists below). Pure: takes plain values (Automerge's toJS output), returns text.
import { words } from '$lib/words';

const msg = words.messages.model.readable;

export function kindOfDoc(doc: unknown): string {
	const kind = (doc as { kind?: unknown } | undefined)?.kind;
	return typeof kind === 'string' ? kind : 'document';
}

export function kindName(kind: string): string {
	return msg.kinds[kind] ?? msg.document;
}

/** The document's own name where it has one, else what kind of document it is. */
export function docTitle(doc: unknown): string {
	const d = doc as { title?: unknown; name?: unknown; section?: unknown } | undefined;
	const own = typeof d?.title === 'string' ? d.title : typeof d?.name === 'string' ? d.name : '';
	const kind = kindName(kindOfDoc(doc));
	if (own.trim()) return kindOfDoc(doc) === 'space' ? own.trim() : msg.named(own.trim(), kind);
	return typeof d?.section === 'string' ? msg.section(kind, d.section) : kind;
}

function label(key: string): string {
	const spaced = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[-_]/g, ' ');
	return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function scalar(value: unknown): string {
	if (value === null || value === undefined || value === '') return '—';
	if (typeof value === 'string') return value.replace(/\n/g, ' ');
	return String(value);
}

function lines(value: unknown, depth: number): string[] {
	const pad = '  '.repeat(depth);
	if (Array.isArray(value)) {
		if (value.length === 0) return [`${pad}- ${msg.none}`];
		return value.flatMap((v) => (typeof v === 'object' && v !== null ? [`${pad}-`, ...lines(v, depth + 1)] : [`${pad}- ${scalar(v)}`]));
	}
	if (typeof value === 'object' && value !== null) {
		const entries = Object.entries(value);
		if (entries.length === 0) return [`${pad}- ${msg.none}`];
		return entries.flatMap(([k, v]) => (typeof v === 'object' && v !== null ? [`${pad}- **${label(k)}**`, ...lines(v, depth + 1)] : [`${pad}- **${label(k)}**: ${scalar(v)}`]));
	}
	return [`${pad}- ${scalar(value)}`];
}

/** One document as Markdown: its title, then each top-level part. */
export function toMarkdown(doc: unknown): string {
	const out = [`# ${docTitle(doc)}`, ''];
	if (typeof doc !== 'object' || doc === null) return [...out, scalar(doc), ''].join('\n');
	for (const [key, value] of Object.entries(doc)) {
		if (key === 'kind') continue;
		if (typeof value === 'string' && value.includes('\n')) out.push(`## ${label(key)}`, '', value, '');
		else if (typeof value === 'object' && value !== null) out.push(`## ${label(key)}`, '', ...lines(value, 0), '');
		else out.push(`**${label(key)}**: ${scalar(value)}`, '');
	}
	return out.join('\n');
}
