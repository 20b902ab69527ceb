// Everything the engine tracks for one space's membership log.
import type { LoggedOp, SignedOp, SpaceId } from '$lib/protocol';
import { emptyMembership, type MembershipState } from '$lib/keys/membership';

/** The persisted part. */
export interface SpaceSyncRecord {
	spaceId: SpaceId;
	/** Operations confirmed by the relay, in its order. */
	log: LoggedOp[];
	/** Our own operations not yet confirmed (made offline, or in flight). */
	pending: SignedOp[];
}

export class SpaceSync {
	readonly spaceId: SpaceId;
	log: LoggedOp[];
	pending: SignedOp[];
	/** Membership from the confirmed log plus our pending operations. */
	state: MembershipState;
	/** Circle keys this device can open: circle → epoch → key. */
	keys = new Map<string, Map<number, Uint8Array>>();
	inFlight?: { rid: number; op: SignedOp };
	/** The relay's storage was restored from a backup: its whole log, gathered from a catch-up, to compare with ours. */
	rewinding?: LoggedOp[];
	caughtUp = false;
	/** Replays in progress: while non-zero, keys and duties may be about to change. */
	reducing = 0;

	constructor(record: SpaceSyncRecord) {
		this.spaceId = record.spaceId;
		this.log = record.log;
		this.pending = record.pending;
		this.state = emptyMembership(record.spaceId);
	}

	toRecord(): SpaceSyncRecord {
		return { spaceId: this.spaceId, log: this.log, pending: this.pending };
	}
}
