// Whose device signed a record, as a space's membership log says. The records people rely on
// in shared documents (visit notes, visits marked done, rates, trial invitations, decisions,
// objections) are signed by their author's device (`$lib/model/authorship`); a signature only
// says who wrote it if its device is one the log admitted for that person. Devices stay
// listed after they, or their person, are removed: what they signed while in still stands.
import type { DeviceKey } from '$lib/protocol';
import type { PersonKey } from './identity';
import type { MembershipState } from './membership';

/** Whether `device` was admitted to the space as one of `author`'s devices. */
export function authorDevices(state: MembershipState | undefined): (device: DeviceKey, author: PersonKey) => boolean {
	return (device, author) => state?.deviceOwners.get(device) === author;
}
