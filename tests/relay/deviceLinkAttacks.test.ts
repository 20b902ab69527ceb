// Mallory has seen the device link Olive's laptop shows (over her shoulder, or a forwarded
// screenshot). With it she tries to get her own device linked in place of Olive's phone, or
// to hand Olive's phone an identity she controls.
import { afterEach, describe, expect, it } from 'vitest';
import { linkFragment, parseLinkOffer, sealBundle, type LinkOffer, type PersonBundle } from '$lib/keys/deviceLink';
import { createPerson, personKey, storePerson } from '$lib/keys/identity';
import { newSigningKeyPair, sign } from '$lib/crypto';
import { opSigningBytes, toBase64Url, type DeviceKey, type SignedOp } from '$lib/protocol';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { eventually, setup, type Scenario } from '$tests/helpers/scenario';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

type KeyPair = { publicKey: Uint8Array; secretKey: Uint8Array };

function signedBy(kp: KeyPair, offer: LinkOffer, body: unknown): SignedOp {
	const unsigned = { spaceId: offer.pairingId, author: toBase64Url(kp.publicKey) as DeviceKey, body: JSON.stringify(body) };
	return { ...unsigned, sig: toBase64Url(sign(opSigningBytes(unsigned), kp.secretKey)) };
}

/** Everything on the pairing log so far, as Mallory (or the relay) reads it. */
async function pairingLog(client: RawRelayClient, rid: number, offer: LinkOffer): Promise<Array<{ author: string; body: Record<string, string> }>> {
	const frames = await client.sync(rid, [{ spaceId: offer.pairingId, since: 0 }]);
	return frames.flatMap((f) => f.logs.flatMap((l) => l.entries)).map((e) => ({ author: e.op.author, body: JSON.parse(e.op.body) as Record<string, string> }));
}

describe('a device link in the wrong hands', () => {
	it('a second device asking on the same link stops the linking, and Olive is told why', async () => {
		const s = await setup('laptop', 'phone', 'mallory');
		scenario = s;
		const { laptop, phone, mallory } = s;
		await laptop.engine.createSpace(1);

		const requests: string[] = [];
		let stopped = '';
		const { offer } = await laptop.engine.offerDeviceLink(
			(r) => requests.push(r.sign),
			(why) => (stopped = why)
		);
		const shown = parseLinkOffer(`https://hearth.example/link#${linkFragment(offer)}`);
		const { linked } = await phone.engine.requestDeviceLink(shown);
		const phoneOutcome = linked.then(
			() => 'linked',
			(e: Error) => e.message
		);
		await eventually(() => requests.length === 1, 10_000, 'the laptop to see the phone');

		// Mallory asks too, hoping the laptop now shows her request (the old page showed the latest).
		const mallorys = mallory.engine.requestDeviceLink(shown).then(
			() => 'asked',
			(e: Error) => e.message
		);
		await eventually(() => stopped !== '', 10_000, 'the laptop to stop the linking');
		expect(stopped).toMatch(/more than one device/i);
		expect(requests).toEqual([phone.engine.deviceKey]); // Mallory's request was never offered
		await expect(laptop.engine.confirmDeviceLink(offer, { sign: mallory.engine.deviceKey, box: '' })).rejects.toThrow(/more than one device/i);
		// Both new devices are told the link was stopped; neither gets anything.
		expect(await phoneOutcome).toMatch(/stopped/i);
		expect(await mallorys).toMatch(/stopped/i);
		expect(phone.engine.personKey()).toBeUndefined();
		expect(mallory.engine.personKey()).toBeUndefined();
	});

	it('a grant written by anyone but the laptop named in the link is refused by the phone', async () => {
		const s = await setup('laptop', 'phone');
		scenario = s;
		const { laptop, phone } = s;
		await laptop.engine.createSpace(1);

		let request: { sign: string; box: string } | undefined;
		const { offer } = await laptop.engine.offerDeviceLink((r) => (request = r));
		const { linked } = await phone.engine.requestDeviceLink(parseLinkOffer(`https://hearth.example/link#${linkFragment(offer)}`));
		await eventually(() => request !== undefined, 10_000, 'the laptop to see the phone');

		// Mallory, holding the link and reading the pairing log, seals her own identity to the
		// phone first: were it adopted, everything the phone wrote would be hers to read.
		const mallory = newSigningKeyPair();
		const malloryPerson = createPerson();
		const bundle: PersonBundle = { person: storePerson(malloryPerson), docs: [], spaces: [], createdAt: Date.now() };
		const client = await RawRelayClient.connect(s.relay.url);
		const log = await pairingLog(client, 1, offer);
		const phoneRequest = log.find((e) => e.body.type === 'link-request')!.body;
		await client.append(2, signedBy(mallory, offer, { type: 'link-grant', to: phoneRequest.sign, sealed: sealBundle(bundle, phoneRequest.box) }));
		client.close();

		// Then Olive confirms on the laptop, as she meant to.
		await laptop.engine.confirmDeviceLink(offer, request!);
		await linked;
		expect(phone.engine.personKey()).toBe(laptop.engine.personKey());
		expect(phone.engine.personKey()).not.toBe(personKey(malloryPerson));
	});
});
