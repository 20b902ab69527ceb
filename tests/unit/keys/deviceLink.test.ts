// The pure device-link exchange: what a link must name, and which grants a new device opens.
import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, randomBytes, sign } from '$lib/crypto';
import { createDevice, deviceKey } from '$lib/keys/device';
import { createPerson, storePerson } from '$lib/keys/identity';
import {
	confirmationCode,
	grantMessage,
	linkCommitment,
	linkFragment,
	openGrant,
	pairingMessages,
	parseLinkOffer,
	revealMatches,
	type LinkExchange,
	type LinkOffer,
	type PairingMessage,
	type PersonBundle
} from '$lib/keys/deviceLink';
import { fromBase64Url, opSigningBytes, toBase64Url, type DeviceKey } from '$lib/protocol';
import { newSpaceId } from '$lib/keys/spaceOps';

beforeAll(async () => {
	await cryptoReady();
});

function story() {
	const laptop = createDevice();
	const phone = createDevice();
	const offer: LinkOffer = { pairingId: newSpaceId(), secret: toBase64Url(randomBytes(32)), device: deviceKey(laptop) };
	const requestNonce = toBase64Url(randomBytes(32));
	const sign_ = deviceKey(phone) as string;
	const box = toBase64Url(phone.box.publicKey);
	const exchange: LinkExchange = {
		offering: offer.device,
		sign: sign_,
		box,
		commit: linkCommitment(sign_, box, requestNonce),
		offeringNonce: toBase64Url(randomBytes(32)),
		requestNonce
	};
	const bundle: PersonBundle = { person: storePerson(createPerson()), docs: [], spaces: [], createdAt: 1 };
	return { laptop, phone, offer, exchange, bundle };
}

describe('a device link', () => {
	it('names the offering device, and a link without it (made by an older version) is refused plainly', () => {
		const { offer } = story();
		expect(parseLinkOffer(`https://hearth.example/link#${linkFragment(offer)}`)).toEqual(offer);
		const old = new URLSearchParams({ p: offer.pairingId, k: offer.secret }).toString();
		expect(() => parseLinkOffer(`https://hearth.example/link#${old}`)).toThrow(/older version of Hearth/);
		const bent = new URLSearchParams({ p: offer.pairingId, k: offer.secret, d: 'not-a-key' }).toString();
		expect(() => parseLinkOffer(bent)).toThrow(/changed or damaged/);
	});

	it('takes a reveal only if it is the nonce the request committed to', () => {
		const { exchange } = story();
		expect(revealMatches(exchange, exchange.requestNonce)).toBe(true);
		expect(revealMatches(exchange, toBase64Url(randomBytes(32)))).toBe(false);
	});

	it('gives both devices the same digits from the same exchange', () => {
		const { offer, exchange } = story();
		expect(confirmationCode(offer, { ...exchange })).toBe(confirmationCode(offer, exchange));
		expect(confirmationCode(offer, exchange)).toMatch(/^\d{3} \d{3}$/);
	});
});

describe('a grant', () => {
	it('opens on the new device when it comes from the named laptop, for this exchange', () => {
		const { offer, exchange, bundle, phone } = story();
		const grant = grantMessage(offer, exchange, bundle);
		expect(openGrant(offer, exchange, offer.device, grant, phone.box)).toEqual(bundle);
	});

	it('is refused when its sealed bundle was changed on the way', () => {
		const { offer, exchange, bundle, phone } = story();
		const grant = grantMessage(offer, exchange, bundle) as Extract<PairingMessage, { type: 'link-grant' }>;
		const bytes = fromBase64Url(grant.sealed);
		bytes[40] ^= 1;
		expect(openGrant(offer, exchange, offer.device, { ...grant, sealed: toBase64Url(bytes) }, phone.box)).toBeUndefined();
	});

	it('is refused when it was made for another exchange, another device, or by anyone but the named laptop', () => {
		const { offer, exchange, bundle, phone } = story();
		const grant = grantMessage(offer, exchange, bundle);
		// A genuine grant from another exchange (another nonce): its MAC does not fit this one.
		const other = grantMessage(offer, { ...exchange, offeringNonce: toBase64Url(randomBytes(32)) }, bundle);
		expect(openGrant(offer, exchange, offer.device, other, phone.box)).toBeUndefined();
		// Addressed to another device.
		expect(openGrant(offer, exchange, offer.device, { ...grant, to: deviceKey(createDevice()) } as PairingMessage, phone.box)).toBeUndefined();
		// Right in every byte, but written by someone who is not the laptop the link names.
		expect(openGrant(offer, exchange, deviceKey(createDevice()), grant, phone.box)).toBeUndefined();
	});
});

describe('pairing messages', () => {
	it('drops an op whose signature does not verify, whatever the relay says', () => {
		const { laptop, offer } = story();
		const unsigned = { spaceId: offer.pairingId, author: deviceKey(laptop) as DeviceKey, body: JSON.stringify({ type: 'link-stop' }) };
		const signed = { ...unsigned, sig: toBase64Url(sign(opSigningBytes(unsigned), laptop.signing.secretKey)) };
		expect(pairingMessages([{ op: signed }])).toHaveLength(1);
		const forged = { ...signed, author: deviceKey(createDevice()) as DeviceKey };
		expect(pairingMessages([{ op: forged }])).toEqual([]);
	});
});
