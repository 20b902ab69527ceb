// A consent round, as Sociocracy For All runs one: each member says "I consent" or raises an
// objection with a reason. An objection is recorded, the proposal is amended around it, and
// the objector says when it is resolved (or withdraws it). Used by proposals (logbook.ts) and
// elections (circle.ts). Responses are keyed by person and objections by random id, so people
// answering on several devices at once all keep their answers after a merge. Nothing is ever
// deleted: a resolved objection stays, with how it was resolved.
//
// Anyone in the circle can write the document, so an objection is signed by the objector's
// device when raised (`signed`) and again when they close it (`closedSigned`), over the round
// it belongs to (`context`: the proposal or election id) and its words: an objection written
// in someone's name, reworded, or closed by anyone but its objector shows as altered
// (`objectionAuthorship`).
import { words } from '$lib/words';
import { OK, refuse, type PersonKey, type Result } from './ids';
import { authorship, signFields, type Authorship, type Signature } from './authorship';
import type { DeviceCheck, SigningDevice } from './mar';

const msg = words.messages.model.consent;

export type Answer = 'consent' | 'object';

export type ConsentResponse = { answer: Answer; reason: string; at: number };

export type ObjectionStatus = 'open' | 'resolved' | 'withdrawn';

export type Amendment = { text: string; by: PersonKey; at: number };

export type Objection = {
	by: PersonKey;
	reason: string;
	at: number;
	status: ObjectionStatus;
	/** How the proposal was changed to meet it, by random id (several people may suggest at once). */
	amendments: Record<string, Amendment>;
	closedAt: number | null;
	/** In the objector's words: what resolved it, or why they withdrew. */
	closingNote: string;
	/** The objector's device signature on raising it (absent on objections from before). */
	signed?: Signature;
	/** The objector's device signature on closing it. */
	closedSigned?: Signature;
};

/** Signs with this device, for the round of this proposal or election (`context`). */
export type RoundSigner = { device: SigningDevice; context: string };

const RAISED_TAG = 'hearth/objection/v1';
const CLOSED_TAG = 'hearth/objection-closed/v1';
const raisedFields = (context: string, id: string, o: Objection) => [context, id, o.by, o.reason, o.at];
const closedFields = (context: string, id: string, o: Objection) => [context, id, o.by, o.status, String(o.closedAt), o.closingNote];

/**
 * Whether an objection stands as its objector raised (and closed) it: signed by their devices
 * (as the space's membership says); altered if reworded, written in their name, or closed (or
 * reopened) without their signature; unsigned if raised before objections were signed and
 * never closed with a signature. Needs `await cryptoReady()`.
 */
export function objectionAuthorship(round: ConsentRound, id: string, context: string, isAuthorDevice?: DeviceCheck): Authorship | undefined {
	const o = round.objections[id];
	if (!o) return undefined;
	const raised = authorship(o.signed, RAISED_TAG, raisedFields(context, id, o), o.by, isAuthorDevice);
	if (o.status === 'open') return o.closedSigned !== undefined ? 'altered' : raised;
	const closed = authorship(o.closedSigned, CLOSED_TAG, closedFields(context, id, o), o.by, isAuthorDevice);
	if (raised === 'altered' || closed === 'altered') return 'altered';
	// Raised signed but closed unsigned: someone else talked it away.
	if (raised === 'signed' && closed === 'unsigned') return 'altered';
	return closed === 'signed' && raised === 'signed' ? 'signed' : 'unsigned';
}

export type ConsentRound = {
	responses: Record<string, ConsentResponse>;
	objections: Record<string, Objection>;
};

export const REASON_MAX = 2000;

export function newConsentRound(): ConsentRound {
	return { responses: {}, objections: {} };
}

function clean(text: string): string {
	return text.trim().slice(0, REASON_MAX);
}

export function openObjections(round: ConsentRound): Array<{ id: string } & Objection> {
	return Object.entries(round.objections)
		.filter(([, o]) => o.status === 'open')
		.map(([id, o]) => ({ id, ...o }))
		.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
}

export function objectionsOf(round: ConsentRound): Array<{ id: string } & Objection> {
	return Object.entries(round.objections)
		.map(([id, o]) => ({ id, ...o }))
		.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
}

export function consentsOf(round: ConsentRound): PersonKey[] {
	return Object.entries(round.responses)
		.filter(([, r]) => r.answer === 'consent')
		.map(([p]) => p as PersonKey);
}

/**
 * A member answers. Consent may carry a reason; an objection must (it is what the circle works
 * with). Someone with an objection still open must resolve or withdraw it before consenting,
 * so an objection is never quietly lost. `objectionId` is a fresh random id from the caller.
 */
export function respond(
	round: ConsentRound,
	person: PersonKey,
	answer: Answer,
	reason: string,
	objectionId: string,
	now = Date.now(),
	signer?: RoundSigner
): Result {
	const why = clean(reason);
	if (answer !== 'consent' && answer !== 'object') return refuse(msg.consentOrObject);
	if (answer === 'object' && !why) return refuse(msg.sayObjection);
	const mine = openObjections(round).filter((o) => o.by === person);
	if (answer === 'consent' && mine.length > 0) {
		return refuse(msg.stillOpen);
	}
	if (answer === 'object') {
		if (round.objections[objectionId]) return refuse(msg.alreadyRecorded);
		const objection: Objection = { by: person, reason: why, at: now, status: 'open', amendments: {}, closedAt: null, closingNote: '' };
		if (signer) objection.signed = signFields(signer.device, RAISED_TAG, raisedFields(signer.context, objectionId, objection));
		round.objections[objectionId] = objection;
	}
	round.responses[person] = { answer, reason: why, at: now };
	return OK;
}

/** Anyone in the circle suggests a change to the proposal that might meet an objection. */
export function amendAround(round: ConsentRound, objectionId: string, by: PersonKey, text: string, amendmentId: string, now = Date.now()): Result {
	const objection = round.objections[objectionId];
	const what = clean(text);
	if (!objection) return refuse(msg.noSuchObjection);
	if (objection.status !== 'open') return refuse(msg.alreadyClosed);
	if (!what) return refuse(msg.describeChange);
	objection.amendments[amendmentId] = { text: what, by, at: now };
	return OK;
}

/**
 * Closes an objection. Only the person who raised it can say it is resolved or withdraw it:
 * nobody else can talk an objection away. Their answer becomes consent.
 */
export function closeObjection(
	round: ConsentRound,
	objectionId: string,
	actor: PersonKey,
	how: 'resolved' | 'withdrawn',
	note: string,
	now = Date.now(),
	signer?: RoundSigner
): Result {
	const objection = round.objections[objectionId];
	if (!objection) return refuse(msg.noSuchObjection);
	if (objection.status !== 'open') return refuse(msg.alreadyClosed);
	if (objection.by !== actor) return refuse(msg.onlyObjector);
	if (how !== 'resolved' && how !== 'withdrawn') return refuse(msg.resolvedOrWithdrawn);
	objection.status = how;
	objection.closedAt = now;
	objection.closingNote = clean(note);
	if (signer) objection.closedSigned = signFields(signer.device, CLOSED_TAG, closedFields(signer.context, objectionId, objection));
	const stillOpen = openObjections(round).some((o) => o.by === actor);
	if (!stillOpen) round.responses[actor] = { answer: 'consent', reason: clean(note), at: now };
	return OK;
}
