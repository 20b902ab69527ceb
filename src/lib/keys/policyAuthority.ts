// Which signed policies of a space document a device follows. The relay checks a policy only
// against the policy before it and cannot know who a space has since removed, so a thief with
// the identity secret (every device of a person held it) could sign one in the moment before
// the owner's next policy drops that key. Devices know the space: they refuse a policy signed
// by the identity key of a person who has lost a device, and any policy built on a refused one
// by a signer the space does not trust, unless a trusted signer accepted a later policy after
// it (then it was built on, and refusing it would split devices from the relay).
//
// A removed device's own key is not refused here: its last honest policy looks exactly like
// one its thief signs in the same moment, and refusing it would strand the person's remaining
// devices (they sign on top of it). The next policy drops it, and the relay enforces that.
import { applyAuthRecord, type AuthRecord, type DeviceKey, type DocAuthState, type VerifyFn } from '$lib/protocol';
import { identityWithoutAuthority, mayStillSign, type MembershipState } from './membership';

export interface FollowedAuth {
	state: DocAuthState | undefined;
	/** Positions of policies refused because their signer has no authority in the space. */
	refused: number[];
}

export function followAuth(records: ReadonlyArray<AuthRecord | null>, verify: VerifyFn, root: DeviceKey | undefined, space: MembershipState | undefined): FollowedAuth {
	const trusted = (r: AuthRecord | null) => r?.kind === 'policy' && (!space || mayStillSign(space, r.signer));
	let lastTrusted = -1;
	records.forEach((r, i) => {
		if (trusted(r)) lastTrusted = i;
	});
	let state: DocAuthState | undefined;
	const refused: number[] = [];
	records.forEach((record, i) => {
		if (!record) return;
		// The first policy is pinned by the document's creator instead; refusing it would leave nothing to follow.
		const suspect = !!space && record.kind === 'policy' && (identityWithoutAuthority(space, record.signer) || refused.length > 0);
		if (state && suspect && i > lastTrusted && !trusted(record)) {
			refused.push(i);
			return;
		}
		const result = applyAuthRecord(state, record, verify, root);
		if (result.ok) state = result.state;
	});
	return { state, refused };
}

/**
 * What `followAuth` asks of the space about these records' signers, in one string: the same
 * string means the same answers, so a cached verdict stands while the space changes otherwise.
 */
export function signerVerdicts(records: ReadonlyArray<AuthRecord | null>, space: MembershipState): string {
	const seen = new Set<string>();
	let out = '';
	for (const r of records) {
		if (r?.kind !== 'policy' || seen.has(r.signer)) continue;
		seen.add(r.signer);
		out += `${mayStillSign(space, r.signer) ? 1 : 0}${identityWithoutAuthority(space, r.signer) ? 1 : 0}`;
	}
	return out;
}
