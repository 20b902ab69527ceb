// Which signed policies of a space document a device follows. The relay checks a policy only
// against the policy before it, and cannot know who a space has since removed: a thief with a
// removed device's keys (its own, or the identity secret every device holds) may sign one in
// the moment before the owner's next policy drops those keys. Devices know the space, so they
// refuse a policy whose signer the space no longer trusts, unless a trusted signer accepted a
// later policy after it (then it was built on, and refusing it would split devices).
import { applyAuthRecord, type AuthRecord, type DeviceKey, type DocAuthState, type VerifyFn } from '$lib/protocol';
import { mayStillSign, type MembershipState } from './membership';

export interface FollowedAuth {
	state: DocAuthState | undefined;
	/** Positions of policies refused because their signer has no authority in the space. */
	refused: number[];
}

export function followAuth(records: ReadonlyArray<AuthRecord | null>, verify: VerifyFn, root: DeviceKey | undefined, space: MembershipState | undefined): FollowedAuth {
	const trusted = (r: AuthRecord | null): r is AuthRecord & { kind: 'policy' } => r?.kind === 'policy' && (!space || mayStillSign(space, r.signer));
	let lastTrusted = -1;
	records.forEach((r, i) => {
		if (trusted(r)) lastTrusted = i;
	});
	let state: DocAuthState | undefined;
	const refused: number[] = [];
	records.forEach((record, i) => {
		if (!record) return;
		// The first policy is pinned by the document's creator instead; refusing it would leave nothing to follow.
		if (space && state && record.kind === 'policy' && i > lastTrusted && !trusted(record)) {
			refused.push(i);
			return;
		}
		const result = applyAuthRecord(state, record, verify, root);
		if (result.ok) state = result.state;
	});
	return { state, refused };
}
