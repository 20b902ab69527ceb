// Sealing a trial invitation to one person: each of their devices (as the space lists them,
// with a valid certificate) can open it; anyone else's device, or an altered seal, cannot.
import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady } from '$lib/crypto';
import { createDevice, deviceKey } from '$lib/keys/device';
import { certifyDevice, createPerson, personKey } from '$lib/keys/identity';
import type { MembershipState } from '$lib/keys/membership';
import { openSealedForDevice, sealForPerson } from '$lib/keys/personSeal';
import { toBase64Url, fromBase64Url } from '$lib/protocol';

beforeAll(cryptoReady);

function spaceWith(members: Array<{ person: ReturnType<typeof createPerson>; devices: ReturnType<typeof certifyDevice>[] }>): MembershipState {
	const map = new Map();
	for (const m of members) {
		map.set(personKey(m.person), { id: personKey(m.person), role: 'member', devices: new Map(m.devices.map((d) => [d.sign, d])), circles: new Set(), joinedAt: 0 });
	}
	return { members: map } as unknown as MembershipState;
}

describe('sealing to one person', () => {
	it('opens on each of their devices and nowhere else', () => {
		const wes = createPerson();
		const phone = createDevice();
		const laptop = createDevice();
		const amy = createPerson();
		const amyPhone = createDevice();
		const state = spaceWith([
			{ person: wes, devices: [certifyDevice(wes, phone), certifyDevice(wes, laptop)] },
			{ person: amy, devices: [certifyDevice(amy, amyPhone)] }
		]);
		const sealed = sealForPerson(state, personKey(wes), 'the-link');
		expect(Object.keys(sealed).sort()).toEqual([deviceKey(phone), deviceKey(laptop)].sort());
		expect(openSealedForDevice(sealed, phone)).toBe('the-link');
		expect(openSealedForDevice(sealed, laptop)).toBe('the-link');
		expect(openSealedForDevice(sealed, amyPhone)).toBeUndefined();
		// Amy copies Wes's seal under her own device key: it still does not open for her.
		expect(openSealedForDevice({ [deviceKey(amyPhone)]: sealed[deviceKey(phone)] }, amyPhone)).toBeUndefined();
		// An altered seal does not open.
		const bytes = fromBase64Url(sealed[deviceKey(phone)]);
		bytes[bytes.length - 1] ^= 1;
		expect(openSealedForDevice({ [deviceKey(phone)]: toBase64Url(bytes) }, phone)).toBeUndefined();
	});

	it('skips a device whose certificate is not from that person, and someone not in the space', () => {
		const wes = createPerson();
		const mallory = createPerson();
		const real = createDevice();
		const planted = createDevice();
		// A device certified by someone else, listed under Wes.
		const state = spaceWith([{ person: wes, devices: [certifyDevice(wes, real), certifyDevice(mallory, planted)] }]);
		expect(Object.keys(sealForPerson(state, personKey(wes), 'x'))).toEqual([deviceKey(real)]);
		expect(sealForPerson(state, personKey(mallory), 'x')).toEqual({});
	});
});
