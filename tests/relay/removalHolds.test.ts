// Removal means removal: each story plays an attacker against a real relay with the project's
// own code (a thief holding a removed device, a stranger who knows an id, a removed member with
// every old key, a hostile relay) and checks the attack fails.
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '$lib/crypto';
import { linkFragment, parseLinkOffer } from '$lib/keys/deviceLink';
import type { DeviceInfo } from '$lib/keys/identity';
import { opSigningBytes, toBase64Url, type DeviceKey, type SignedOp, type SpaceId } from '$lib/protocol';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { eventually, setup, type Device, type Scenario } from '$tests/helpers/scenario';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Another spelling of the same bytes: the last character of a 43-character key carries two
 * bits that decode to nothing, so setting one gives a different string for the same key.
 */
export function aliasOf(key: string): string {
	const last = ALPHABET.indexOf(key[key.length - 1]);
	return key.slice(0, -1) + ALPHABET[last ^ 1];
}

/** Olive's laptop and phone, linked; a space she owns; then the phone is lost and removed. */
async function oliveLosesHerPhone() {
	const s = await setup('laptop', 'phone');
	scenario = s;
	const { laptop, phone } = s;
	const { spaceId } = await laptop.engine.createSpace(2);
	await laptop.engine.whenSynced();
	let request: { sign: string; box: string } | undefined;
	const { offer } = await laptop.engine.offerDeviceLink((r) => (request = r));
	const { linked } = await phone.engine.requestDeviceLink(parseLinkOffer(`https://hearth.example/link#${linkFragment(offer)}`));
	await eventually(() => request !== undefined, 10_000, 'the laptop to see the request');
	await laptop.engine.confirmDeviceLink(offer, request!);
	await linked;
	const person = laptop.engine.personKey()!;
	await eventually(() => phone.engine.spaceState(spaceId)?.members.get(person)?.devices.has(phone.engine.deviceKey) === true, 10_000, 'the phone in the space');
	// Everything a thief could read off the phone, or out of the public log, before it is removed.
	const phoneInfo = phone.engine.spaceState(spaceId)!.members.get(person)!.devices.get(phone.engine.deviceKey)! as DeviceInfo;
	const stolen = phone.engine.device;
	phone.engine.disconnect();
	await laptop.engine.removeDevice(phone.engine.deviceKey);
	await laptop.engine.whenSynced();
	expect(laptop.engine.spaceState(spaceId)!.members.get(person)!.devices.has(phone.engine.deviceKey)).toBe(false);
	return { s, laptop, phone, spaceId, person, phoneInfo, stolen };
}

/**
 * An op signed by a device, naming its author in another spelling: the attacker's own code
 * signs over the key's bytes (what a lenient decoder reads the alias as), not ours.
 */
function forgedOp(spaceId: SpaceId, device: { key: DeviceKey; secretKey: Uint8Array }, spelling: string, body: unknown): SignedOp {
	const unsigned = { spaceId, author: device.key, body: JSON.stringify(body) };
	return { ...unsigned, author: spelling as DeviceKey, sig: toBase64Url(sign(opSigningBytes(unsigned), device.secretKey)) };
}

function devicesOf(device: Device, spaceId: SpaceId, person: string): string[] {
	return [...(device.engine.spaceState(spaceId)?.members.get(person as never)?.devices.keys() ?? [])];
}

describe('a thief holding a removed device', () => {
	it('cannot re-enrol it under another spelling of its own key, with its old certificate', async () => {
		const { laptop, spaceId, person, phoneInfo, stolen, phone } = await oliveLosesHerPhone();
		const alias = aliasOf(phone.engine.deviceKey);
		expect(alias).not.toBe(phone.engine.deviceKey);
		const heads = laptop.engine.spaceState(spaceId)!.heads;
		const op = forgedOp(spaceId, { key: phone.engine.deviceKey, secretKey: stolen.signing.secretKey }, alias, {
			v: 1,
			prev: heads,
			at: Date.now(),
			action: { type: 'add-device', person, device: { ...phoneInfo, sign: alias }, lockboxes: [] }
		});
		const thief = await RawRelayClient.connect(scenario!.relay.url);
		thief.send({ type: 'log-append', rid: 1, op });
		const answer = await thief.next((m) => 'rid' in m && m.rid === 1);
		thief.close();
		// The relay refuses a key that is not in its one canonical spelling.
		expect(answer.type).toBe('error');
		// And whatever a relay passes on, Olive's own device never lets the alias in.
		await new Promise((r) => setTimeout(r, 500));
		expect(devicesOf(laptop, spaceId, person)).toEqual([laptop.engine.deviceKey]);
		expect(devicesOf(laptop, spaceId, person)).not.toContain(alias);
	});
});
