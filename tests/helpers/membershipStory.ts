// A small in-memory "relay" for membership stories: people with devices append signed ops
// to one log, and every device replays it with the real reducer and real cryptography.
import { hash, verify } from '$lib/crypto';
import { createDevice, deviceKey, type DeviceSecrets } from '$lib/keys/device';
import { createPerson, personKey, type PersonKey, type PersonSecrets } from '$lib/keys/identity';
import { replayMembership, type Action, type MembershipState } from '$lib/keys/membership';
import { createSpace, signOp } from '$lib/keys/spaceOps';
import type { LoggedOp, SignedOp, SpaceId } from '$lib/protocol';

export interface Actor {
	name: string;
	person: PersonSecrets;
	id: PersonKey;
	devices: DeviceSecrets[];
	device: DeviceSecrets;
}

export function actor(name: string, deviceCount = 1): Actor {
	const person = createPerson();
	const devices = Array.from({ length: deviceCount }, () => createDevice());
	return { name, person, id: personKey(person), devices, device: devices[0] };
}

export class StoryLog {
	readonly entries: LoggedOp[] = [];
	clock = 1_000_000;

	constructor(readonly spaceId: SpaceId) {}

	append(op: SignedOp, at = this.clock++): void {
		this.entries.push({ index: this.entries.length, op, at });
	}

	state(upTo = this.entries.length): MembershipState {
		return replayMembership(this.spaceId, this.entries.slice(0, upTo), verify, (b) => hash(b));
	}

	heads(upTo = this.entries.length): string[] {
		return this.state(upTo).heads;
	}

	/** `who` does `action` having seen the log up to `seen` (default: all of it). */
	act(who: Actor, action: Action, seen = this.entries.length, device = who.device): SignedOp {
		const op = signOp(this.spaceId, device, this.heads(seen), action, this.clock);
		this.append(op);
		return op;
	}
}

export function newStory(owner: Actor, circleCount = 2) {
	const created = createSpace(owner.person, owner.device, circleCount);
	const log = new StoryLog(created.spaceId);
	log.append(created.op);
	return { log, circles: created.circles, keys: created.keys };
}

export { deviceKey };
