// The Trust Assessment: how the Team and the person manage the risks in their support, area by
// area, written together. Each area is text edited character by character, so two people
// filling it in at the same time both keep their words. It lives in whichever circle the
// Owner chooses (usually care records).
import { words } from '$lib/words';
import { setText } from './text';
import type { PersonKey } from './ids';

export type TrustArea = 'medication' | 'mobility' | 'goingOut' | 'boundaries' | 'mentalHealth' | 'infectionControl' | 'other';

export const TRUST_AREAS: readonly { key: TrustArea; title: string }[] = (Object.keys(words.team.trustAreas) as TrustArea[]).map((key) => ({
	key,
	title: words.team.trustAreas[key]
}));

export type TrustAreaEntry = {
	/** What could go wrong, and how we support the person to do it safely their way. */
	text: string;
	updatedAt: number | null;
	updatedBy: PersonKey | null;
};

export type TrustAssessment = {
	kind: 'trust-assessment';
	areas: Record<TrustArea, TrustAreaEntry>;
	/** When the Team last went through it together; null until the first review. */
	reviewedAt: number | null;
	reviewedBy: PersonKey | null;
	createdAt: number;
};

export function isTrustArea(value: unknown): value is TrustArea {
	return typeof value === 'string' && TRUST_AREAS.some((a) => a.key === value);
}

/** Every area exists from the start, so two people's first words in one area never collide. */
export function newTrustAssessment(now = Date.now()): TrustAssessment {
	const areas = {} as Record<TrustArea, TrustAreaEntry>;
	for (const a of TRUST_AREAS) areas[a.key] = { text: '', updatedAt: null, updatedBy: null };
	return { kind: 'trust-assessment', areas, reviewedAt: null, reviewedBy: null, createdAt: now };
}

export function isTrustAssessment(doc: unknown): doc is TrustAssessment {
	const d = doc as TrustAssessment;
	return typeof d === 'object' && d !== null && d.kind === 'trust-assessment' && typeof d.areas === 'object' && d.areas !== null;
}

// ── changes (call inside handle.change) ─────────────────────────────────────────────────

export function editTrustArea(doc: TrustAssessment, area: TrustArea, by: PersonKey, text: string, now = Date.now()): void {
	const entry = doc.areas[area];
	if (!entry || entry.text === text) return;
	setText(doc, ['areas', area, 'text'], text);
	entry.updatedAt = now;
	if (entry.updatedBy !== by) entry.updatedBy = by;
}

export function markTrustReviewed(doc: TrustAssessment, by: PersonKey, now = Date.now()): void {
	doc.reviewedAt = now;
	if (doc.reviewedBy !== by) doc.reviewedBy = by;
}

// ── selectors (read-only) ────────────────────────────────────────────────────────────────

/** The areas in order, with whether anything is written yet. */
export function trustAreas(doc: TrustAssessment): Array<{ key: TrustArea; title: string; text: string; written: boolean; updatedAt: number | null }> {
	return TRUST_AREAS.map((a) => {
		const e = doc.areas[a.key];
		const text = e?.text ?? '';
		return { key: a.key, title: a.title, text, written: text.trim().length > 0, updatedAt: e?.updatedAt ?? null };
	});
}

/** Areas changed since the last review: what the Team should look at together next. */
export function changedSinceReview(doc: TrustAssessment): TrustArea[] {
	return TRUST_AREAS.filter((a) => {
		const at = doc.areas[a.key]?.updatedAt;
		return at !== null && at !== undefined && (doc.reviewedAt === null || at > doc.reviewedAt);
	}).map((a) => a.key);
}
