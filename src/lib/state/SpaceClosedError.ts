// Thrown when a page tries to add or change something in a space this person (or this device)
// was removed from. The change is not made: it could never be sent to anyone, so accepting it
// would only make "saved" untrue in the way that matters. The message is the plain reason.
import type { SpaceId } from '$lib/protocol';

export class SpaceClosedError extends Error {
	readonly spaceId: SpaceId;

	constructor(spaceId: SpaceId, message: string) {
		super(message);
		this.name = 'SpaceClosedError';
		this.spaceId = spaceId;
	}
}
