// The Getting Support Promise: the text the person and their Team agree to, and a record of
// each agreement, signed by the agreeing device over the hash of the exact text agreed. The
// text stays editable; an agreement to an earlier text still verifies but shows as "agreed to
// an earlier version", so nobody is held to words they never saw. A snapshot of each agreed
// text is kept so people can see what they agreed to.
import { hash, sign, verify } from '$lib/crypto';
import { framed, fromBase64Url, isPublicKey, toBase64Url, type DeviceKey } from '$lib/protocol';
import { words } from '$lib/words';
import { setText } from './text';
import type { PersonKey } from './ids';
import type { DeviceCheck, SigningDevice } from './mar';

const msg = words.messages.model.promise;

export type PromiseAgreementId = string & { readonly __brand: 'PromiseAgreementId' };

export type PromiseAgreement = {
	id: PromiseAgreementId;
	person: PersonKey;
	device: DeviceKey;
	/** When they agreed (the device's clock, milliseconds). */
	at: number;
	/** `promiseVersion` of the exact text agreed. */
	version: string;
	sig: string;
};

export type PromiseVersion = { text: string; firstAgreedAt: number };

export type SupportPromise = {
	kind: 'getting-support-promise';
	/** Random; bound into every signature so an agreement can't be moved to another Team's promise. */
	id: string;
	text: string;
	/** Each text someone agreed to, by its version hash. */
	versions: Record<string, PromiseVersion>;
	agreements: Record<string, PromiseAgreement>;
	createdAt: number;
};

export const PROMISE_MAX = 20_000;

export function newSupportPromise(id: string, text = '', now = Date.now()): SupportPromise {
	return { kind: 'getting-support-promise', id, text: text.slice(0, PROMISE_MAX), versions: {}, agreements: {}, createdAt: now };
}

export function isSupportPromise(doc: unknown): doc is SupportPromise {
	const d = doc as SupportPromise;
	return typeof d === 'object' && d !== null && d.kind === 'getting-support-promise' && typeof d.id === 'string' && typeof d.text === 'string';
}

/** The version of a text: a hash of exactly its characters (a changed space is a new version). */
export function promiseVersion(text: string): string {
	return toBase64Url(hash(framed(['hearth/promise-text/v1', text])));
}

export function agreementBytes(promise: string, a: Omit<PromiseAgreement, 'sig'>): Uint8Array {
	return framed([
		'hearth/promise-agreement/v1',
		promise,
		a.id,
		a.person,
		fromBase64Url(a.device),
		a.at,
		fromBase64Url(a.version)
	]);
}

/** Signs the promise's current text for `person` on this device. Needs `await cryptoReady()`. */
export function signPromiseAgreement(
	device: SigningDevice,
	promise: Pick<SupportPromise, 'id' | 'text'>,
	id: PromiseAgreementId,
	person: PersonKey,
	now = Date.now()
): PromiseAgreement {
	if (!promise.text.trim()) throw new Error(msg.nothingToAgree);
	const unsigned: Omit<PromiseAgreement, 'sig'> = {
		id,
		person,
		device: toBase64Url(device.signing.publicKey) as DeviceKey,
		at: Math.floor(now),
		version: promiseVersion(promise.text)
	};
	return { ...unsigned, sig: toBase64Url(sign(agreementBytes(promise.id, unsigned), device.signing.secretKey)) };
}

// ── changes (call inside handle.change) ─────────────────────────────────────────────────

/** Character-level edit. Existing agreements keep pointing at the text they agreed to. */
export function editPromise(doc: SupportPromise, text: string): void {
	const clean = text.slice(0, PROMISE_MAX);
	if (doc.text !== clean) setText(doc, ['text'], clean);
}

/**
 * Records an agreement, and a snapshot of the text it agreed to if the document still holds
 * that text (it should: sign and record in the same change).
 */
export function recordAgreement(doc: SupportPromise, agreement: PromiseAgreement): void {
	if (doc.agreements[agreement.id]) return;
	doc.agreements[agreement.id] = { ...agreement };
	if (!doc.versions[agreement.version] && promiseVersion(doc.text) === agreement.version) {
		doc.versions[agreement.version] = { text: doc.text, firstAgreedAt: agreement.at };
	}
}

// ── selectors (read-only) ────────────────────────────────────────────────────────────────

/**
 * agreed: a valid signature on today's text. earlier-version: a valid signature on a text
 * since changed. invalid: the signature fails (the record was altered). unknown-device:
 * valid, but by a device the hook doesn't know as the person's.
 */
export type AgreementStatus = 'agreed' | 'earlier-version' | 'invalid' | 'unknown-device';

export function agreementStatus(
	doc: Pick<SupportPromise, 'id' | 'text'>,
	a: PromiseAgreement,
	isPersonDevice?: DeviceCheck
): AgreementStatus {
	if (!signatureHolds(doc.id, a)) return 'invalid';
	if (isPersonDevice && !isPersonDevice(a.device, a.person)) return 'unknown-device';
	return a.version === promiseVersion(doc.text) ? 'agreed' : 'earlier-version';
}

function signatureHolds(promise: string, a: PromiseAgreement): boolean {
	try {
		if (!isPublicKey(a.device) || typeof a.sig !== 'string' || typeof a.version !== 'string') return false;
		const { sig, ...rest } = a;
		return verify(fromBase64Url(sig), agreementBytes(promise, { id: rest.id, person: rest.person, device: rest.device, at: rest.at, version: rest.version }), fromBase64Url(a.device));
	} catch {
		return false;
	}
}

export type AgreementView = {
	person: PersonKey;
	at: number;
	device: DeviceKey;
	status: AgreementStatus;
	/** 1 for the first text anyone agreed to, 2 for the next…; null if its text wasn't kept. */
	versionNumber: number | null;
	/** The text they agreed to, if kept and unaltered. */
	agreedText: string | null;
};

/** Versions in the order they were first agreed to. */
export function agreedVersions(doc: SupportPromise): string[] {
	return Object.entries(doc.versions)
		.sort(([a, x], [b, y]) => x.firstAgreedAt - y.firstAgreedAt || (a < b ? -1 : 1))
		.map(([v]) => v);
}

/**
 * Where each person stands: their newest agreement with a valid signature (or, if none is
 * valid, their newest, shown as invalid). Needs `await cryptoReady()`.
 */
export function promiseAgreements(doc: SupportPromise, isPersonDevice?: DeviceCheck): AgreementView[] {
	const order = agreedVersions(doc);
	const best = new Map<string, AgreementView>();
	const sorted = Object.values(doc.agreements).sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
	for (const a of sorted) {
		const status = agreementStatus(doc, a, isPersonDevice);
		const kept = doc.versions[a.version];
		const view: AgreementView = {
			person: a.person,
			at: a.at,
			device: a.device,
			status,
			versionNumber: kept ? order.indexOf(a.version) + 1 : null,
			// A snapshot whose hash no longer matches was altered: don't show it as what they agreed to.
			agreedText: kept && promiseVersion(kept.text) === a.version ? kept.text : null
		};
		const prior = best.get(a.person);
		if (!prior || status !== 'invalid' || prior.status === 'invalid') best.set(a.person, view);
	}
	return [...best.values()].sort((a, b) => a.at - b.at);
}

/** Whether `person` has agreed to the promise as it reads now. */
export function hasAgreedToCurrent(doc: SupportPromise, person: PersonKey, isPersonDevice?: DeviceCheck): boolean {
	return Object.values(doc.agreements).some((a) => a.person === person && agreementStatus(doc, a, isPersonDevice) === 'agreed');
}
