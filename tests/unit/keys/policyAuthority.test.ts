// Which of a space document's policies a device follows, once the space has taken authority
// from a key the relay still accepts (the identity key of a person who removed a device).
import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, newSigningKeyPair, verify } from '$lib/crypto';
import { genesisPolicy, newDocAccess, signedPolicy } from '$lib/keys/access';
import { certifyDevice } from '$lib/keys/identity';
import { followAuth } from '$lib/keys/policyAuthority';
import { toBase64Url, type DeviceKey, type DocumentId } from '$lib/protocol';
import { actor, deviceKey, newStory } from '$tests/helpers/membershipStory';

beforeAll(cryptoReady);

function oliveRemovesHerPhone() {
	const olive = actor('Olive', 2);
	const { log } = newStory(olive);
	const [laptop, phone] = olive.devices;
	log.act(olive, { type: 'add-device', person: olive.id, device: certifyDevice(olive.person, phone), lockboxes: [] });
	const before = log.state();
	log.act(olive, { type: 'remove-device', person: olive.id, device: deviceKey(phone) });
	const docId = 'notes' as DocumentId;
	const access = newDocAccess(docId, deviceKey(laptop), new Uint8Array(32));
	const identity = olive.id as string as DeviceKey;
	// A policy from before this fix: Olive's identity key is one of the admins.
	const records = [genesisPolicy(access, laptop), signedPolicy(docId, 0, [deviceKey(laptop)], [deviceKey(laptop), identity].sort(), laptop.signing)];
	return { olive, laptop, before, after: log.state(), docId, access, identity, records };
}

describe('following a space document’s policies', () => {
	it('refuses the thief’s identity-signed policy, and what they build on it, once a device was removed', () => {
		const { olive, before, after, docId, access, identity, records } = oliveRemovesHerPhone();
		const thiefDevice = newSigningKeyPair();
		const x = toBase64Url(thiefDevice.publicKey) as DeviceKey;
		const thiefs = signedPolicy(docId, 1, [x], [identity, x].sort(), olive.person.signing);
		const more = signedPolicy(docId, 1, [x], [x], thiefDevice);
		const all = [...records, thiefs, more];
		// The relay's view (and the view before the removal) follows the thief to epoch 1…
		expect(followAuth(all, verify, access.root, undefined).state?.epoch).toBe(1);
		expect(followAuth(all, verify, access.root, before).state?.epoch).toBe(1);
		// …but once the space shows the removal, devices keep to Olive's policy.
		const followed = followAuth(all, verify, access.root, after);
		expect(followed.refused).toEqual([2, 3]);
		expect(followed.state?.epoch).toBe(0);
		expect([...followed.state!.epochs.get(0)!.writers]).not.toContain(x);
	});

	it('follows a refused policy once one of the person’s own devices builds on it, so devices agree with the relay', () => {
		const { olive, laptop, after, docId, access, identity, records } = oliveRemovesHerPhone();
		// An honest policy signed with the identity key (a recovery from before recovery keys)…
		const recovered = signedPolicy(docId, 0, [deviceKey(laptop)], [deviceKey(laptop), identity].sort(), olive.person.signing);
		expect(followAuth([...records, recovered], verify, access.root, after).refused).toEqual([2]);
		// …that Olive's laptop then signs over: it counts again.
		const next = signedPolicy(docId, 1, [deviceKey(laptop)], [deviceKey(laptop)], laptop.signing);
		const followed = followAuth([...records, recovered, next], verify, access.root, after);
		expect(followed.refused).toEqual([]);
		expect(followed.state?.epoch).toBe(1);
	});
});
