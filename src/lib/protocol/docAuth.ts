// Who may write to a document, derived by replaying its signed auth log. The relay and every
// client run this same pure reducer, each with its own signature check, so a relay can order
// records but cannot forge one: a record that fails here is ignored by everyone.
import { fromBase64Url } from './bytes';
import type { DeviceKey, JoinKey } from './ids';
import type { AuthRecord, PolicyRecord } from './messages';
import { joinSigningBytes, policySigningBytes } from './signing';

export type VerifyFn = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

export interface EpochRules {
	writers: ReadonlySet<DeviceKey>;
	admins: ReadonlySet<DeviceKey>;
	joinKeys: ReadonlySet<JoinKey>;
	/** Set once a later epoch opened with `closesAt`: no entry of this epoch comes after that seq. */
	closedAfter?: number;
	/**
	 * Writers taken off this epoch by a policy of the same epoch with `retiresAt` (a removal, sent
	 * at once rather than after the new keys): each wrote nothing of this epoch after its seq.
	 * Their earlier entries stay theirs; anything later is not.
	 */
	retiredAfter?: ReadonlyMap<DeviceKey, number>;
	/**
	 * For writers taken off this epoch (retired, or left out when the next epoch opened) by a
	 * policy that listed what they wrote: the marks of those entries (`entryMark`). Their entries
	 * in this epoch are these and no others, wherever a relay numbers them.
	 */
	written?: ReadonlyMap<DeviceKey, ReadonlySet<string>>;
}

export interface DocAuthState {
	/** The epoch new writes must use. Older epochs are sealed. */
	readonly epoch: number;
	readonly epochs: ReadonlyMap<number, EpochRules>;
	/** How many records have been accepted. */
	readonly count: number;
}

export type AuthRejection = 'bad-signature' | 'not-an-admin' | 'epoch-closed' | 'unknown-document' | 'already-exists';

export type AuthResult = { ok: true; state: DocAuthState } | { ok: false; code: AuthRejection; message: string };

export function emptyAuth(): DocAuthState | undefined {
	return undefined;
}

/**
 * Applies one record. `trustedRoot`, when known (the creator's key from a share link),
 * pins who may sign the very first policy, so a relay cannot substitute its own.
 */
export function applyAuthRecord(
	state: DocAuthState | undefined,
	record: AuthRecord,
	verify: VerifyFn,
	trustedRoot?: DeviceKey
): AuthResult {
	if (record.kind === 'policy') {
		const { sig, ...unsigned } = record;
		if (!state) {
			// A document may start at any epoch: one created inside an access circle starts at
			// the circle's current epoch, so document and circle epochs move together.
			if (!record.admins.includes(record.signer)) return fail('not-an-admin', 'The first policy must be signed by one of its admins');
			if (trustedRoot && record.signer !== trustedRoot) return fail('not-an-admin', 'The first policy was not signed by the document creator');
		} else {
			const current = state.epochs.get(state.epoch);
			if (!current?.admins.has(record.signer)) return fail('not-an-admin', 'Only an admin may change who can write');
			if (record.epoch !== state.epoch && record.epoch !== state.epoch + 1) {
				return fail('epoch-closed', `Policy for epoch ${record.epoch} does not follow epoch ${state.epoch}`);
			}
		}
		if (!verify(fromBase64Url(sig), policySigningBytes(unsigned), fromBase64Url(record.signer))) {
			return fail('bad-signature', 'The policy signature does not verify');
		}
		const epochs = new Map(state?.epochs ?? []);
		const closing = state && record.epoch === state.epoch + 1 ? epochs.get(state.epoch) : undefined;
		if (closing && record.closesAt !== undefined) {
			epochs.set(state!.epoch, { ...closing, closedAfter: record.closesAt, ...commitments(closing, record.writers, record.written) });
		}
		const same = state && record.epoch === state.epoch ? epochs.get(state.epoch) : undefined;
		epochs.set(record.epoch, {
			writers: new Set(record.writers),
			admins: new Set(record.admins),
			joinKeys: new Set(record.joinKeys),
			...retirements(same, record.writers, record.retiresAt),
			...(same && record.retiresAt !== undefined ? commitments(same, record.writers, record.written) : same?.written ? { written: same.written } : {})
		});
		return { ok: true, state: { epoch: record.epoch, epochs, count: (state?.count ?? 0) + 1 } };
	}
	if (!state) return fail('unknown-document', 'Cannot join a document that does not exist');
	const current = state.epochs.get(state.epoch)!;
	if (record.epoch !== state.epoch) return fail('epoch-closed', 'That invitation is for an earlier epoch');
	if (!current.joinKeys.has(record.joinKey)) return fail('not-an-admin', 'That join key is not accepted for this document');
	const { sig, ...unsigned } = record;
	if (!verify(fromBase64Url(sig), joinSigningBytes(unsigned), fromBase64Url(record.joinKey))) {
		return fail('bad-signature', 'The join signature does not verify');
	}
	const epochs = new Map(state.epochs);
	epochs.set(state.epoch, { ...current, writers: new Set([...current.writers, record.device]) });
	return { ok: true, state: { epoch: state.epoch, epochs, count: state.count + 1 } };
}

export function mayWrite(state: DocAuthState | undefined, epoch: number, author: DeviceKey): boolean {
	return state?.epochs.get(epoch)?.writers.has(author) ?? false;
}

/**
 * Whether an entry the relay stored at `seq` may be from `author`: a writer now, or one retired
 * from this epoch after that point. A new write (no seq yet) needs a writer now.
 */
export function mayHaveWritten(state: DocAuthState | undefined, epoch: number, author: DeviceKey, seq: number | undefined): boolean {
	const rules = state?.epochs.get(epoch);
	if (!rules) return false;
	if (rules.writers.has(author)) return true;
	const until = rules.retiredAfter?.get(author);
	return until !== undefined && seq !== undefined && seq <= until;
}

/**
 * The entries a former writer of `epoch` may have there, if a policy listed them (see
 * `EpochRules.written`); undefined if none did (then the seq points decide).
 */
export function writtenBy(state: DocAuthState | undefined, epoch: number, author: DeviceKey): ReadonlySet<string> | undefined {
	return state?.epochs.get(epoch)?.written?.get(author);
}

/** `rules.written`, plus what `written` lists for writers of `rules` that `writers` leaves out. */
function commitments(rules: EpochRules, writers: readonly DeviceKey[], written: PolicyRecord['written']): Pick<EpochRules, 'written'> {
	const out = new Map(rules.written ?? []);
	const kept = new Set(writers);
	for (const [w, marks] of written ?? []) if (rules.writers.has(w) && !kept.has(w) && !out.has(w)) out.set(w, new Set(marks));
	return out.size > 0 ? { written: out } : {};
}

/**
 * What a policy of the open epoch keeps of earlier retirements, plus the writers it takes off
 * with `retiresAt`. Without it a writer dropped in the same epoch is simply gone (the rule
 * before retirements existed), so logs written then replay as they did.
 */
function retirements(current: EpochRules | undefined, writers: readonly DeviceKey[], retiresAt: number | undefined): Pick<EpochRules, 'retiredAfter'> {
	if (!current) return {};
	const retired = new Map(current.retiredAfter ?? []);
	if (retiresAt !== undefined) {
		const kept = new Set(writers);
		for (const w of current.writers) if (!kept.has(w) && !retired.has(w)) retired.set(w, retiresAt);
	}
	return retired.size > 0 ? { retiredAfter: retired } : {};
}

function fail(code: AuthRejection, message: string): AuthResult {
	return { ok: false, code, message };
}
