// The medication administration record (MAR), kept in the Team's *care records* circle: the
// medicines a person takes and an append-only log of what happened at each dose. A MAR is
// evidence people rely on (a dose wrongly shown as given can mean a dose missed; a dose wrongly
// shown as due can mean a double dose), so every log entry is signed by its author's device
// over every field, is never edited, and links to the device's previous entry so that a
// deleted entry leaves a visible gap. Corrections are new entries that point at the one they
// correct; both stay on the record.
//
// Times that people read as "when" (due, given, a medicine's start and stop) are local wall
// clock strings, 'YYYY-MM-DDTHH:MM', like the rest of the Team documents (see calendar.ts): a
// dose due at 08:00 is due at 08:00 on every device, whatever its time zone. Each entry also
// carries `recordedAt`, the writing device's clock in milliseconds, for the audit trail.
import { ImmutableString, isImmutableString } from '@automerge/automerge';
import { hash, sign, verify, type SigningKeyPair } from '$lib/crypto';
import { framed, fromBase64Url, isPublicKey, toBase64Url, type DeviceKey } from '$lib/protocol';
import { words } from '$lib/words';
import { addDays, isIsoDate, isTimeOfDay, monthOf, type IsoDate, type IsoMonth, type TimeOfDay } from './calendar';
import type { PersonKey } from './ids';

const msg = words.messages.model.mar;

// ── shapes ─────────────────────────────────────────────────────────────────────────────

export type MedicineId = string & { readonly __brand: 'MedicineId' };
export type MarEntryId = string & { readonly __brand: 'MarEntryId' };
/** A local wall-clock moment, 'YYYY-MM-DDTHH:MM'. Sorts as text. */
export type LocalDateTime = string & { readonly __brand: 'LocalDateTime' };

export type MedicineStatus = 'active' | 'stopped';

export type Medicine = {
	id: MedicineId;
	name: string;
	dose: string;
	/** Times of day a regular dose is due; empty for as-needed medicines. */
	times: TimeOfDay[];
	/** As needed (PRN): never "due", given when the person needs it, up to `maxPerDay`. */
	asNeeded: boolean;
	maxPerDay: number | null;
	notes: string;
	status: MedicineStatus;
	/** From when doses are due. */
	from: LocalDateTime;
	/** When it was stopped: doses from then on are not due. */
	until: LocalDateTime | null;
};

/**
 * given / refused / not-given are outcomes of a dose. in-error only appears in a correction:
 * it says the corrected entry should not have been written (wrong person, wrong medicine),
 * and leaves the dose without an outcome again.
 */
export type MarOutcome = 'given' | 'refused' | 'not-given' | 'in-error';
export const MAR_OUTCOMES: readonly MarOutcome[] = ['given', 'refused', 'not-given', 'in-error'];

/** What a person records; the device, chain links and signature are added by `signMarEntry`. */
export type MarEntryDraft = {
	id: MarEntryId;
	medicine: MedicineId;
	/** The medicine's name and dose as they were, so a later edit of the list can't change the record. */
	medicineName: string;
	dose: string;
	outcome: MarOutcome;
	/** Why a dose was not given (required), refused (optional) or a correction was made (required). */
	reason: string | null;
	/** The dose slot this answers; null for an as-needed dose. */
	due: LocalDateTime | null;
	/** When it actually happened. */
	at: LocalDateTime;
	author: PersonKey;
	/** The entry this one corrects, which stays on the record, superseded. */
	corrects: MarEntryId | null;
};

export type MarEntry = MarEntryDraft & {
	/** The signing device (Ed25519 public key). */
	device: DeviceKey;
	/** The writing device's clock, in milliseconds. */
	recordedAt: number;
	/** This device's running count of entries in this record: 1, 2, 3… */
	seq: number;
	/** Hash of this device's previous entry (seq − 1); null for its first. */
	prev: string | null;
	/** Hash of the newest entry in the log when this one was written; null if it was empty. */
	seen: string | null;
	sig: string;
};

export type MarRecord = {
	kind: 'mar';
	/** Random; bound into every signature so entries can't be copied into someone else's MAR. */
	id: string;
	medicines: Record<string, Medicine>;
	/** Append-only: only ever `push` (see `appendMarEntry`); read with `readMarLog`. */
	log: StoredMarEntry[];
	createdAt: number;
	/**
	 * Set on a month's log: the entries for doses of that month (see `marPeriodOf`), with no
	 * medicines. The record without a period holds the medicines list (and, in teams started
	 * before months were split, older entries). Each has its own id, so entries can't be moved
	 * between months without breaking their signatures.
	 */
	period?: IsoMonth;
};

/** The signing half of a device's keys (`DeviceSecrets` from `$lib/keys/device` fits). */
export type SigningDevice = { signing: SigningKeyPair };

/** Says whether a device key belongs to a member of the Team (and, where known, to `author`). */
export type DeviceCheck = (device: DeviceKey, author: PersonKey) => boolean;

export const MEDICINE_NAME_MAX = 120;
export const DOSE_MAX = 120;
export const NOTES_MAX = 2000;
export const REASON_MAX = 500;

const ENTRY_TAG = 'hearth/mar-entry/v1';
const LINK_TAG = 'hearth/mar-link/v1';

export function isLocalDateTime(value: unknown): value is LocalDateTime {
	if (typeof value !== 'string' || value.length !== 16 || value[10] !== 'T') return false;
	return isIsoDate(value.slice(0, 10)) && isTimeOfDay(value.slice(11));
}

export function localDateTime(date: IsoDate, time: TimeOfDay): LocalDateTime {
	return `${date}T${time}` as LocalDateTime;
}

export function newMarRecord(id: string, now = Date.now(), period?: IsoMonth): MarRecord {
	const record: MarRecord = { kind: 'mar', id, medicines: {}, log: [], createdAt: now };
	if (period) record.period = period;
	return record;
}

/**
 * Which month's log an entry belongs in: the month of the dose it answers (or of when it
 * happened, for as-needed doses). A correction goes beside the entry it corrects, so the two
 * are always read together.
 */
export function marPeriodOf(draft: Pick<MarEntryDraft, 'due' | 'at'>, corrected?: Pick<MarEntry, 'due' | 'at'>): IsoMonth {
	const basis = corrected ?? draft;
	return monthOf((basis.due ?? basis.at).slice(0, 10) as IsoDate);
}

export function isMarRecord(doc: unknown): doc is MarRecord {
	const d = doc as MarRecord;
	return (
		typeof d === 'object' &&
		d !== null &&
		d.kind === 'mar' &&
		typeof d.id === 'string' &&
		typeof d.medicines === 'object' &&
		d.medicines !== null &&
		Array.isArray(d.log)
	);
}

// ── medicines (changes; call inside handle.change) ─────────────────────────────────────

export type MedicineInput = {
	name: string;
	dose: string;
	times?: string[];
	asNeeded?: boolean;
	maxPerDay?: number | null;
	notes?: string;
	from: LocalDateTime;
};

/** Why a medicine can't be saved as typed, in words the app can show; undefined when fine. */
export function medicineProblem(input: MedicineInput): string | undefined {
	if (!clean(input.name, MEDICINE_NAME_MAX)) return msg.medicineName;
	if (!clean(input.dose, DOSE_MAX)) return msg.dose;
	if (!isLocalDateTime(input.from)) return msg.starts;
	const times = input.times ?? [];
	if (times.some((t) => !isTimeOfDay(t))) return msg.times;
	if (!input.asNeeded && times.length === 0) return msg.timeOrAsNeeded;
	const max = input.maxPerDay ?? null;
	if (max !== null && (!Number.isInteger(max) || max < 1)) return msg.maxPerDay;
	return undefined;
}

export function addMedicine(doc: MarRecord, id: MedicineId, input: MedicineInput): void {
	if (medicineProblem(input) || doc.medicines[id]) return;
	const asNeeded = input.asNeeded === true;
	doc.medicines[id] = {
		id,
		name: clean(input.name, MEDICINE_NAME_MAX),
		dose: clean(input.dose, DOSE_MAX),
		// As-needed medicines have no schedule: a time of day would make them look "due".
		times: asNeeded ? [] : uniqueSorted(input.times ?? []),
		asNeeded,
		maxPerDay: asNeeded ? (input.maxPerDay ?? null) : null,
		notes: (input.notes ?? '').slice(0, NOTES_MAX),
		status: 'active',
		from: input.from,
		until: null
	};
}

/** Changes the dose, times or notes. Past log entries keep the name and dose they were given at. */
export function updateMedicine(doc: MarRecord, id: MedicineId, patch: Partial<Omit<MedicineInput, 'from'>>): void {
	const m = doc.medicines[id];
	if (!m) return;
	const next: MedicineInput = {
		name: patch.name ?? m.name,
		dose: patch.dose ?? m.dose,
		times: patch.times ?? [...m.times],
		asNeeded: patch.asNeeded ?? m.asNeeded,
		maxPerDay: patch.maxPerDay === undefined ? m.maxPerDay : patch.maxPerDay,
		notes: patch.notes ?? m.notes,
		from: m.from
	};
	if (medicineProblem(next)) return;
	const name = clean(next.name, MEDICINE_NAME_MAX);
	const dose = clean(next.dose, DOSE_MAX);
	if (m.name !== name) m.name = name;
	if (m.dose !== dose) m.dose = dose;
	const asNeeded = next.asNeeded === true;
	if (m.asNeeded !== asNeeded) m.asNeeded = asNeeded;
	const times = asNeeded ? [] : uniqueSorted(next.times ?? []);
	if (times.join() !== m.times.join()) m.times = times;
	const max = asNeeded ? (next.maxPerDay ?? null) : null;
	if (m.maxPerDay !== max) m.maxPerDay = max;
	const notes = (next.notes ?? '').slice(0, NOTES_MAX);
	if (m.notes !== notes) m.notes = notes;
}

/** Stopped medicines stay in the list (the log refers to them) and are no longer due. */
export function stopMedicine(doc: MarRecord, id: MedicineId, at: LocalDateTime): void {
	const m = doc.medicines[id];
	if (!m || m.status === 'stopped' || !isLocalDateTime(at)) return;
	m.status = 'stopped';
	m.until = at;
}

export function restartMedicine(doc: MarRecord, id: MedicineId, from: LocalDateTime): void {
	const m = doc.medicines[id];
	if (!m || m.status === 'active' || !isLocalDateTime(from)) return;
	m.status = 'active';
	m.from = from;
	m.until = null;
}

// ── the log: signing and appending ─────────────────────────────────────────────────────

/**
 * How a correction fails to be about the entry it corrects. A correction answers the same dose
 * of the same medicine as its entry (it may say the dose was refused, or not given, or that the
 * entry was recorded in error); one naming another medicine would read "Corrected: Amlodipine"
 * under a Paracetamol entry and put a dose on the wrong line.
 * - missing: the entry it names is not there (or is not the one given).
 * - other-medicine: another medicine, or the medicine's name or dose differ from the entry's.
 * - other-dose: it answers a different dose time from the entry's.
 */
export type CorrectionMismatch = 'missing' | 'other-medicine' | 'other-dose';

type CorrectionFields = Pick<MarEntryDraft, 'id' | 'medicine' | 'medicineName' | 'dose' | 'due' | 'corrects'>;

/** Why a correction does not match the entry it corrects; undefined when it does (or it is no correction). */
export function correctionMismatch(correction: CorrectionFields, corrected: CorrectionFields | undefined): CorrectionMismatch | undefined {
	if (correction.corrects === null) return undefined;
	if (!corrected || corrected.id !== correction.corrects || corrected.id === correction.id) return 'missing';
	if (correction.medicine !== corrected.medicine || correction.medicineName !== corrected.medicineName || correction.dose !== corrected.dose) {
		return 'other-medicine';
	}
	if (correction.due !== corrected.due) return 'other-dose';
	return undefined;
}

/**
 * Why a draft can't be recorded, in words the app can show; undefined when fine. A correction
 * must be checked against the entry it corrects: pass that entry as `corrected` (without it a
 * correction is refused as `missing`).
 */
export function marDraftProblem(draft: MarEntryDraft, corrected?: MarEntry): string | undefined {
	if (!MAR_OUTCOMES.includes(draft.outcome)) return msg.whatHappened;
	if (!isLocalDateTime(draft.at)) return msg.when;
	if (draft.due !== null && !isLocalDateTime(draft.due)) return msg.dueTime;
	const reason = draft.reason?.trim() ?? '';
	if (draft.outcome === 'not-given' && !reason) return msg.whyNotGiven;
	if (draft.outcome === 'in-error' && draft.corrects === null) return msg.onlyCorrection;
	if (draft.corrects !== null && !reason) return msg.whyCorrects;
	if (reason.length > REASON_MAX) return msg.reasonTooLong;
	if (!draft.id || !draft.medicine || !draft.author) return msg.missingWho;
	const mismatch = correctionMismatch(draft, corrected);
	if (mismatch) return msg.correction[mismatch];
	return undefined;
}

/**
 * The exact bytes an entry's signature covers: every field but the signature, each framed
 * (length-prefixed) so no two different entries share an encoding. A null is framed as a
 * lone '0' and a value as '1' then the value, so null and '' differ.
 */
export function marEntryBytes(record: string, e: Omit<MarEntry, 'sig'>): Uint8Array {
	return framed([
		ENTRY_TAG,
		record,
		e.id,
		e.medicine,
		e.medicineName,
		e.dose,
		e.outcome,
		...optional(e.reason),
		...optional(e.due),
		e.at,
		e.author,
		...optional(e.corrects),
		fromBase64Url(e.device),
		e.recordedAt,
		e.seq,
		...optional(e.prev),
		...optional(e.seen)
	]);
}

/** What the next entry links to: its hash, as the following entry's `prev` or `seen`. */
export function marEntryHash(record: string, e: MarEntry): string {
	return toBase64Url(hash(framed([LINK_TAG, marEntryBytes(record, e), fromBase64Url(e.sig)])));
}

/** The newest entry a device wrote, as it remembers it (kept outside the document). */
export type MarHead = { seq: number; hash: string };

/**
 * Signs a draft with this device's key, linking it to the device's previous entry and to the
 * newest entry in the log. Pass `head` (what this device remembers of its own last entry) so
 * that if someone deleted that entry from the document, the new one exposes the gap instead
 * of quietly reusing its number. A correction is checked against the entry it corrects, found
 * in `mar` or passed as `corrected` (an entry from before months were split lives in another
 * log). Throws on a draft `marDraftProblem` would refuse: a MAR entry can't be fixed later, so
 * a bad one must never be signed.
 */
export function signMarEntry(
	device: SigningDevice,
	draft: MarEntryDraft,
	mar: Pick<MarRecord, 'id' | 'log'>,
	options: { head?: MarHead; now?: number; corrected?: MarEntry } = {}
): MarEntry {
	const log = readMarLog(mar);
	const corrected = draft.corrects === null ? undefined : (log.find((e) => e.id === draft.corrects) ?? options.corrected);
	const problem = marDraftProblem(draft, corrected);
	if (problem) throw new Error(problem);
	const me = toBase64Url(device.signing.publicKey) as DeviceKey;
	let last: MarHead | undefined = options.head;
	for (const e of log) {
		if (e.device === me && e.seq > (last?.seq ?? 0)) last = { seq: e.seq, hash: marEntryHash(mar.id, e) };
	}
	const tip = log.length ? marEntryHash(mar.id, log[log.length - 1]) : null;
	const unsigned: Omit<MarEntry, 'sig'> = {
		id: draft.id,
		medicine: draft.medicine,
		medicineName: draft.medicineName,
		dose: draft.dose,
		outcome: draft.outcome,
		reason: draft.reason?.trim() || null,
		due: draft.due,
		at: draft.at,
		author: draft.author,
		corrects: draft.corrects,
		device: me,
		recordedAt: Math.floor(options.now ?? Date.now()),
		seq: (last?.seq ?? 0) + 1,
		prev: last?.hash ?? null,
		seen: tip
	};
	const sig = toBase64Url(sign(marEntryBytes(mar.id, unsigned), device.signing.secretKey));
	return { ...unsigned, sig };
}

/** Appends a signed entry (once: the same id twice is ignored). The only change the log gets. */
export function appendMarEntry(doc: Pick<MarRecord, 'log'>, entry: MarEntry): void {
	if (readMarLog(doc).some((e) => e.id === entry.id)) return;
	doc.log.push(storedMarEntry(entry));
}

/**
 * An entry as stored: one immutable string holding the entry as JSON. Entries are never
 * edited, and Automerge keeps ordinary strings as editable text with an operation per
 * character, so a month of signed entries (keys, hashes, signatures) was slow to load. The
 * signature covers the fields, not this encoding: an entry altered in any form still fails.
 * Entries stored as objects by earlier versions still read.
 */
export type StoredMarEntry = ImmutableString | MarEntry;

export function storedMarEntry(entry: MarEntry): StoredMarEntry {
	return new ImmutableString(JSON.stringify(entry));
}

/** The log's entries as plain values, in log order (same indexes as `verifyMarLog`'s checks). */
export function readMarLog(mar: Pick<MarRecord, 'log'>): MarEntry[] {
	return mar.log.map((raw) => (plainEntry(raw) ?? raw) as MarEntry);
}

// ── verification ───────────────────────────────────────────────────────────────────────

/**
 * ok: signed, unaltered, by a member's device. tampered: altered after it was signed (or a
 * copy). unknown-device: signed by a device that is not the team's. wrong-correction: a
 * correction that does not match the entry it corrects (another medicine or dose time, see
 * `correctionMismatch`): it was signed, but it must not stand as a correction.
 */
export type MarEntryStatus = 'ok' | 'tampered' | 'unknown-device' | 'wrong-correction';

export type MarEntryCheck = {
	index: number;
	id: string;
	status: MarEntryStatus;
	/** Plain words for anything but ok. */
	why: string | null;
	/** For a wrong-correction: how it differs from the entry it corrects. */
	mismatch?: CorrectionMismatch;
};

/**
 * Evidence that entries were taken out of the log. missing: a device's count skips a number.
 * missing-tail: the device remembers writing more than the log holds. unseen: an entry was
 * written after one that is no longer there (or no longer as it was). fork: one device wrote
 * two different entries with the same number (only its key could do that: a restored or
 * cloned device).
 */
export type MarGap =
	| { kind: 'missing'; device: DeviceKey; seq: number }
	| { kind: 'missing-tail'; device: DeviceKey; seq: number }
	| { kind: 'unseen'; after: string; by: MarEntryId }
	| { kind: 'fork'; device: DeviceKey; seq: number };

export type MarLogCheck = {
	entries: MarEntryCheck[];
	gaps: MarGap[];
	/** Every entry ok and nothing missing. */
	intact: boolean;
};

export type MarVerifyOptions = {
	/** Whether a device belongs to a member; without it every validly signed entry is ok. */
	isMemberDevice?: DeviceCheck;
	/** The newest seq each device is known to have written (e.g. this device's own head). */
	knownHeads?: Record<string, number>;
	/**
	 * Hashes of entries whose signature already checked out (filled in as they do). The hash
	 * covers the record, every field and the signature, so a changed entry is never found
	 * here; only the signature check (the slow part) is skipped. Pass the same set on every
	 * render, so a new entry costs one check rather than the whole month again.
	 */
	verified?: Set<string>;
	/**
	 * Finds an entry that a correction in this log points at when it lives in another log read
	 * alongside (the medicines list's own log, from before months were split, or a second log
	 * of the same month), so the correction can be checked against it.
	 */
	findEntry?: (id: MarEntryId) => MarEntry | undefined;
};

const ENTRY_KEYS = new Set([
	'id', 'medicine', 'medicineName', 'dose', 'outcome', 'reason', 'due', 'at', 'author',
	'corrects', 'device', 'recordedAt', 'seq', 'prev', 'seen', 'sig'
]);

/** Whether a stored value has exactly an entry's fields, each of the right type. */
export function isMarEntryShape(value: unknown): value is MarEntry {
	const e = value as MarEntry;
	if (typeof e !== 'object' || e === null) return false;
	// An extra field isn't covered by the signature, so an entry carrying one was altered.
	if (Object.keys(e).some((k) => !ENTRY_KEYS.has(k))) return false;
	const str = (v: unknown) => typeof v === 'string';
	const strOrNull = (v: unknown) => v === null || typeof v === 'string';
	const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
	return (
		str(e.id) && str(e.medicine) && str(e.medicineName) && str(e.dose) &&
		MAR_OUTCOMES.includes(e.outcome) && strOrNull(e.reason) && strOrNull(e.due) && str(e.at) &&
		str(e.author) && strOrNull(e.corrects) && isPublicKey(e.device) && count(e.recordedAt) &&
		count(e.seq) && e.seq >= 1 && strOrNull(e.prev) && strOrNull(e.seen) && str(e.sig)
	);
}

function signatureHolds(record: string, e: MarEntry): boolean {
	try {
		const { sig, ...rest } = e;
		return verify(fromBase64Url(sig), marEntryBytes(record, rest), fromBase64Url(e.device));
	} catch {
		return false;
	}
}

/**
 * Checks every entry's signature over all its fields, and the links between entries, so an
 * entry edited in the document (by hand, or by a buggy or hostile client) is flagged, and a
 * removed one leaves a gap. Needs `await cryptoReady()` first.
 */
export function verifyMarLog(mar: Pick<MarRecord, 'id' | 'log'>, options: MarVerifyOptions = {}): MarLogCheck {
	const entries: MarEntryCheck[] = [];
	const hashes = new Set<string>();
	const firstById = new Map<string, number>();
	// device → seq → hash of each validly signed entry
	const chains = new Map<string, Map<number, MarEntry[]>>();
	const claimed = new Set<string>();
	const valid: MarEntry[] = [];
	const checkOf = new Map<MarEntry, MarEntryCheck>();

	mar.log.forEach((raw, index) => {
		const plain = plainEntry(raw);
		const id = typeof plain?.id === 'string' ? plain.id : '';
		if (!plain || !isMarEntryShape(plain)) {
			entries.push({ index, id, status: 'tampered', why: msg.altered });
			return;
		}
		claimed.add(`${plain.device}|${plain.seq}`);
		const entryHash = marEntryHash(mar.id, plain);
		hashes.add(entryHash);
		if (!(options.verified?.has(entryHash) || signatureHolds(mar.id, plain))) {
			entries.push({ index, id, status: 'tampered', why: msg.alteredSinceSigned });
			return;
		}
		options.verified?.add(entryHash);
		if (firstById.has(plain.id)) {
			entries.push({ index, id, status: 'tampered', why: msg.copy });
			return;
		}
		firstById.set(plain.id, index);
		const check: MarEntryCheck =
			options.isMemberDevice && !options.isMemberDevice(plain.device, plain.author)
				? { index, id, status: 'unknown-device', why: msg.unknownDevice }
				: { index, id, status: 'ok', why: null };
		entries.push(check);
		valid.push(plain);
		checkOf.set(plain, check);
		let chain = chains.get(plain.device);
		if (!chain) chains.set(plain.device, (chain = new Map()));
		chain.set(plain.seq, [...(chain.get(plain.seq) ?? []), plain]);
	});

	// A correction is checked against the entry it corrects (when that is here or alongside):
	// one about another medicine or dose time is flagged, and so never counts as a correction.
	const byId = new Map<string, MarEntry>();
	for (const e of valid) if (!byId.has(e.id)) byId.set(e.id, e);
	for (const e of valid) {
		if (e.corrects === null) continue;
		const target = byId.get(e.corrects) ?? options.findEntry?.(e.corrects);
		if (!target) continue;
		const mismatch = correctionMismatch(e, target);
		const check = checkOf.get(e);
		if (mismatch && check?.status === 'ok') Object.assign(check, { status: 'wrong-correction', why: msg.correction[mismatch], mismatch });
	}

	const gaps: MarGap[] = [];
	const devices = new Set<string>([...chains.keys(), ...Object.keys(options.knownHeads ?? {})]);
	for (const device of devices) {
		const chain = chains.get(device) ?? new Map<number, MarEntry[]>();
		const top = Math.max(0, ...chain.keys());
		for (let seq = 1; seq <= top; seq++) {
			const here = chain.get(seq);
			// An altered entry is flagged on its own; only a number nobody claims is a deletion.
			if (!here && !claimed.has(`${device}|${seq}`)) gaps.push({ kind: 'missing', device: device as DeviceKey, seq });
			if (here && here.length > 1) gaps.push({ kind: 'fork', device: device as DeviceKey, seq });
			const before = chain.get(seq - 1);
			if (here && before && here.some((e) => !before.some((b) => marEntryHash(mar.id, b) === e.prev))) {
				gaps.push({ kind: 'fork', device: device as DeviceKey, seq: seq - 1 });
			}
		}
		const known = options.knownHeads?.[device] ?? 0;
		for (let seq = top + 1; seq <= known; seq++) {
			if (!claimed.has(`${device}|${seq}`)) gaps.push({ kind: 'missing-tail', device: device as DeviceKey, seq });
		}
	}
	for (const e of valid) {
		if (e.seen !== null && !hashes.has(e.seen)) gaps.push({ kind: 'unseen', after: e.seen, by: e.id });
	}
	return { entries, gaps, intact: gaps.length === 0 && entries.every((c) => c.status === 'ok') };
}

/** The entries that verify as ok: the only ones to count doses from. */
export function trustedEntries(mar: Pick<MarRecord, 'log'>, check: MarLogCheck): MarEntry[] {
	const ok = new Set(check.entries.filter((c) => c.status === 'ok').map((c) => c.index));
	return mar.log.filter((_, i) => ok.has(i)).map((e) => plainEntry(e) as MarEntry);
}

/** Entries to show with a warning, each with the plain reason. */
export function flaggedEntries(check: MarLogCheck): MarEntryCheck[] {
	return check.entries.filter((c) => c.status !== 'ok');
}

// ── selectors ──────────────────────────────────────────────────────────────────────────

export type MarEntryView = {
	entry: MarEntry;
	/** The entry this one corrects. */
	supersedes: MarEntryId | null;
	/** Corrections of this entry (more than one if two people corrected it at the same time). */
	supersededBy: MarEntryId[];
	/** Not superseded: what the record now says. */
	current: boolean;
	/** A correction that does not match the entry it corrects: it supersedes nothing and is not current. */
	mismatch: CorrectionMismatch | null;
};

/**
 * Every entry, oldest first, with corrections linked both ways: a corrected entry is still
 * shown, marked as superseded by the correction. A correction about another medicine or dose
 * time than its entry's supersedes nothing and answers no dose (`verifyMarLog` flags it too,
 * but entries read from several logs are checked against each other here as well). Pass
 * `trustedEntries(...)`, not the raw log.
 */
export function effectiveEntries(entries: readonly MarEntry[]): MarEntryView[] {
	const byId = new Map<string, MarEntry>();
	for (const e of entries) if (!byId.has(e.id)) byId.set(e.id, e);
	const by = new Map<string, MarEntryId[]>();
	const mismatched = new Map<string, CorrectionMismatch>();
	for (const e of entries) {
		if (!e.corrects || e.corrects === e.id) continue;
		const target = byId.get(e.corrects);
		if (!target) continue;
		const mismatch = correctionMismatch(e, target);
		if (mismatch) mismatched.set(e.id, mismatch);
		else by.set(e.corrects, [...(by.get(e.corrects) ?? []), e.id]);
	}
	return [...entries]
		.sort((a, b) => cmp(a.at, b.at) || a.recordedAt - b.recordedAt || cmp(a.id, b.id))
		.map((entry) => {
			const supersededBy = by.get(entry.id) ?? [];
			const mismatch = mismatched.get(entry.id) ?? null;
			return { entry, supersedes: mismatch ? null : entry.corrects, supersededBy, current: supersededBy.length === 0 && !mismatch, mismatch };
		});
}

export type VisitWindow = { from: LocalDateTime; to: LocalDateTime };

export type DueDose = {
	medicine: MedicineId;
	name: string;
	dose: string;
	due: LocalDateTime;
};

/**
 * Regular doses due within the window (both ends included) that have no outcome yet. Any of
 * given, refused or not-given is an outcome; an entry corrected as in-error is not. As-needed
 * medicines are never due. Pass `trustedEntries(...)`: an altered entry must not make a dose
 * look done.
 */
export function dueDoses(
	medicines: Record<string, Medicine> | readonly Medicine[],
	entries: readonly MarEntry[],
	window: VisitWindow
): DueDose[] {
	if (!isLocalDateTime(window.from) || !isLocalDateTime(window.to) || window.to < window.from) return [];
	const answered = new Set<string>();
	for (const v of effectiveEntries(entries)) {
		if (v.current && v.entry.due && v.entry.outcome !== 'in-error') answered.add(`${v.entry.medicine}|${v.entry.due}`);
	}
	const list = Array.isArray(medicines) ? medicines : Object.values(medicines);
	const out: DueDose[] = [];
	const first = window.from.slice(0, 10) as IsoDate;
	const last = window.to.slice(0, 10) as IsoDate;
	for (const m of list) {
		if (m.asNeeded) continue;
		for (let date = first; date <= last; date = addDays(date, 1)) {
			for (const time of m.times) {
				const due = localDateTime(date, time);
				if (due < window.from || due > window.to) continue;
				if (due < m.from || (m.until !== null && due >= m.until)) continue;
				if (answered.has(`${m.id}|${due}`)) continue;
				out.push({ medicine: m.id, name: m.name, dose: m.dose, due });
			}
		}
	}
	return out.sort((a, b) => cmp(a.due, b.due) || cmp(a.name, b.name));
}

export const DUE_DOSE_BLOCKS_VISIT = msg.dueDoseBlocksVisit;

export type VisitCompletion = { ok: true } | { ok: false; reason: string; due: DueDose[] };

/** A visit can be marked done once every dose due in it has an outcome (given, refused, not given). */
export function canCompleteVisit(
	medicines: Record<string, Medicine> | readonly Medicine[],
	entries: readonly MarEntry[],
	window: VisitWindow
): VisitCompletion {
	const due = dueDoses(medicines, entries, window);
	return due.length ? { ok: false, reason: DUE_DOSE_BLOCKS_VISIT, due } : { ok: true };
}

/** How many more as-needed doses may be given on a date, counting current 'given' entries. */
export function asNeededLeft(medicine: Medicine, entries: readonly MarEntry[], date: IsoDate): { given: number; left: number | null } {
	const given = effectiveEntries(entries).filter(
		(v) => v.current && v.entry.medicine === medicine.id && v.entry.outcome === 'given' && v.entry.at.startsWith(date)
	).length;
	return { given, left: medicine.maxPerDay === null ? null : Math.max(0, medicine.maxPerDay - given) };
}

/** Medicines in the list, active first, then by name. */
export function medicineList(doc: MarRecord): Medicine[] {
	return Object.values(doc.medicines).sort(
		(a, b) => (a.status === b.status ? 0 : a.status === 'active' ? -1 : 1) || cmp(a.name.toLowerCase(), b.name.toLowerCase())
	);
}

// ── helpers ────────────────────────────────────────────────────────────────────────────

function optional(value: string | null): string[] {
	return value === null ? ['0'] : ['1', value];
}

function clean(text: string, max: number): string {
	return (text ?? '').replace(/\s+/g, ' ').trim().slice(0, max);
}

function uniqueSorted(times: string[]): TimeOfDay[] {
	return [...new Set(times.filter(isTimeOfDay))].sort() as TimeOfDay[];
}

function cmp(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** A plain copy of a stored entry (Automerge hands out proxies), or undefined if it isn't an object. */
function plainEntry(raw: unknown): MarEntry | undefined {
	if (isImmutableString(raw)) {
		try {
			raw = JSON.parse(raw.val);
		} catch {
			return undefined;
		}
	}
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(raw)) out[k] = v;
	return out as MarEntry;
}
