// Mallory has seen the device link Olive's laptop shows (over her shoulder, or a forwarded
// screenshot). With it she tries to get her own device linked in place of Olive's phone, or
// to hand Olive's phone an identity she controls.
import { afterEach, describe, expect, it } from 'vitest';
import { grantMessage, linkCommitment, linkFragment, pairingWriteKey, parseLinkOffer, requestMac, type LinkExchange, type LinkOffer, type PersonBundle } from '$lib/keys/deviceLink';
import { createDevice, deviceKey } from '$lib/keys/device';
import { createPerson, personKey, storePerson } from '$lib/keys/identity';
import { writeCap } from '$lib/keys/spaceOps';
import { newSigningKeyPair, randomBytes, sign } from '$lib/crypto';
import { opSigningBytes, toBase64Url, type DeviceKey, type SignedOp } from '$lib/protocol';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { eventually, setup, type Scenario } from '$tests/helpers/scenario';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

type KeyPair = { publicKey: Uint8Array; secretKey: Uint8Array };

/** Mallory holds the link, so the relay lets her write to its pairing log as the devices do. */
function signedBy(kp: KeyPair, offer: LinkOffer, body: unknown): SignedOp {
	const author = toBase64Url(kp.publicKey) as DeviceKey;
	const linkKey = pairingWriteKey(offer);
	const relay = { admits: [toBase64Url(linkKey.publicKey)], cap: writeCap(offer.pairingId, author, linkKey) };
	const unsigned = { spaceId: offer.pairingId, author, body: JSON.stringify(body), ...relay };
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
		// phone first: were it adopted, everything the phone wrote would be hers to read. She
		// knows the link's secret and every nonce on the log, so her grant's MAC is right; only
		// the signature, hers and not the laptop's, gives her away.
		const mallory = newSigningKeyPair();
		const malloryPerson = createPerson();
		const bundle: PersonBundle = { person: storePerson(malloryPerson), docs: [], spaces: [], createdAt: Date.now() };
		const client = await RawRelayClient.connect(s.relay.url);
		const log = await pairingLog(client, 1, offer);
		const req = log.find((e) => e.body.type === 'link-request')!.body;
		const exchange: LinkExchange = {
			offering: offer.device,
			sign: req.sign,
			box: req.box,
			commit: req.commit,
			offeringNonce: log.find((e) => e.body.type === 'link-reply')!.body.nonce,
			requestNonce: log.find((e) => e.body.type === 'link-reveal')!.body.nonce
		};
		await client.append(2, signedBy(mallory, offer, grantMessage(offer, exchange, bundle)));
		client.close();

		// Then Olive confirms on the laptop, as she meant to.
		await laptop.engine.confirmDeviceLink(offer, request!);
		await linked;
		expect(phone.engine.personKey()).toBe(laptop.engine.personKey());
		expect(phone.engine.personKey()).not.toBe(personKey(malloryPerson));
	});

	it('a link holder who sees the laptop’s nonce before revealing her own cannot choose the digits', async () => {
		const s = await setup('laptop');
		scenario = s;
		const { laptop } = s;
		await laptop.engine.createSpace(1);

		const requests: string[] = [];
		let stopped = '';
		const { offer } = await laptop.engine.offerDeviceLink(
			(r) => requests.push(r.code),
			(why) => (stopped = why)
		);

		// Mallory's relay keeps Olive's phone away, and Mallory asks in its place, committing to
		// a nonce. Once the laptop has answered with its own, she reveals a different nonce, one
		// she could have ground to make the laptop show the digits on Olive's phone.
		const device = createDevice();
		const me = { sign: deviceKey(device) as string, box: toBase64Url(device.box.publicKey) };
		const committed = toBase64Url(randomBytes(32));
		const commit = linkCommitment(me.sign, me.box, committed);
		const client = await RawRelayClient.connect(s.relay.url);
		await client.append(1, signedBy(device.signing, offer, { type: 'link-request', ...me, commit, mac: requestMac(offer, me.sign, me.box, commit) }));
		let rid = 2;
		await eventually(async () => (await pairingLog(client, rid++, offer)).some((e) => e.body.type === 'link-reply' && e.author === offer.device), 10_000, 'the laptop’s nonce');
		await client.append(rid++, signedBy(device.signing, offer, { type: 'link-reveal', nonce: toBase64Url(randomBytes(32)) }));

		await eventually(() => stopped !== '', 10_000, 'the laptop to stop the linking');
		expect(stopped).toMatch(/did not answer as it promised/i);
		expect(requests).toEqual([]); // no digits were ever shown for Mallory's device
		await expect(laptop.engine.confirmDeviceLink(offer, me)).rejects.toThrow(/did not answer as it promised/i);
		client.close();
	});
});
