// Sealing a short message to one person in a space: to each of their devices' box keys, as
// the space's membership state lists them (every device certificate is checked first). Used
// to hand a trial invitation link to the one person chosen from a call-out, inside a document
// the whole Local Circle can read: the others see that an invitation was made, never the link.
import { openSealed, seal } from '$lib/crypto';
import { fromBase64Url, toBase64Url } from '$lib/protocol';
import type { DeviceSecrets } from './device';
import { deviceKey } from './device';
import type { PersonKey } from './identity';
import { verifyDeviceInfo } from './identity';
import type { MembershipState } from './membership';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The message sealed to each of the person's devices in this space, by device key. Empty if they are not a member. */
export function sealForPerson(state: MembershipState, person: PersonKey, message: string): Record<string, string> {
	const member = state.members.get(person);
	const out: Record<string, string> = {};
	if (!member) return out;
	const bytes = encoder.encode(message);
	for (const [key, info] of member.devices) {
		if (!verifyDeviceInfo(person, info)) continue;
		out[key] = toBase64Url(seal(bytes, fromBase64Url(info.box)));
	}
	return out;
}

/** Opens what was sealed to this device, or undefined if nothing was (or it does not open). */
export function openSealedForDevice(sealed: Record<string, string>, device: DeviceSecrets): string | undefined {
	const mine = sealed[deviceKey(device)];
	if (typeof mine !== 'string') return undefined;
	try {
		const bytes = openSealed(fromBase64Url(mine), device.box);
		return bytes ? decoder.decode(bytes) : undefined;
	} catch {
		return undefined;
	}
}
