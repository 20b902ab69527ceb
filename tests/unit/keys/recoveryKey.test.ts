// A person's identity key names them; their recovery key (its secret only in the recovery kit)
// is what lets a new device add itself. Stories about a lost phone, a thief holding its copy of
// the identity secret, and logs written before recovery keys existed.
import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, newSigningKeyPair } from '$lib/crypto';
import { createDevice } from '$lib/keys/device';
import { certifyDevice } from '$lib/keys/identity';
import { mayStillSign, needsRecoveryKit } from '$lib/keys/membership';
import { recoverySignature, signOp } from '$lib/keys/spaceOps';
import { toBase64Url, type DeviceKey } from '$lib/protocol';
import { actor, deviceKey, newStory, type Actor, type StoryLog } from '$tests/helpers/membershipStory';

beforeAll(cryptoReady);

/** A new device of `who`, certified by their identity key, adding itself having seen the log up to `seen`. */
function selfAdd(log: StoryLog, who: Actor, seen = log.entries.length, recovery?: { secretKey: Uint8Array }) {
	const device = createDevice();
	const info = certifyDevice(who.person, device);
	const signature = recovery ? recoverySignature(log.spaceId, who.id, info, recovery) : undefined;
	const op = signOp(log.spaceId, device, log.heads(seen), { type: 'add-device', person: who.id, device: info, lockboxes: [], ...(signature ? { recovery: signature } : {}) }, log.clock);
	log.append(op);
	return deviceKey(device);
}

const devicesOf = (log: StoryLog, who: Actor) => [...(log.state().members.get(who.id)?.devices.keys() ?? [])];

describe('recovery keys', () => {
	it('a log from before recovery keys replays as it always did: a recovery, then the lost phone removed', () => {
		const olive = actor('Olive', 2);
		const { log } = newStory(olive);
		const [laptop, phone] = olive.devices;
		log.act(olive, { type: 'add-device', person: olive.id, device: certifyDevice(olive.person, phone), lockboxes: [] });
		// Both are lost; a kit from before recovery keys brings a new laptop in, which removes them.
		const restored = createDevice();
		const info = certifyDevice(olive.person, restored);
		log.append(signOp(log.spaceId, restored, log.heads(), { type: 'add-device', person: olive.id, device: info, lockboxes: [] }, log.clock));
		log.act(olive, { type: 'remove-device', person: olive.id, device: deviceKey(laptop) }, undefined, restored);
		log.act(olive, { type: 'remove-device', person: olive.id, device: deviceKey(phone) }, undefined, restored);
		const state = log.state();
		expect(state.rejected).toEqual([]);
		expect(devicesOf(log, olive)).toEqual([deviceKey(restored)]);
		expect(state.members.get(olive.id)?.role).toBe('owner');
		// The old kit did its job once; from now on Olive is asked for a new one.
		expect(needsRecoveryKit(state, olive.id)).toBe(true);
	});

	it('once a device is removed, the identity key alone lets no device in, before or after the removal', () => {
		const olive = actor('Olive', 2);
		const { log } = newStory(olive);
		const [laptop, phone] = olive.devices;
		log.act(olive, { type: 'add-device', person: olive.id, device: certifyDevice(olive.person, phone), lockboxes: [] });
		const seenBefore = log.entries.length;
		const concurrent = selfAdd(log, olive, seenBefore); // the thief, racing the removal
		log.act(olive, { type: 'remove-device', person: olive.id, device: deviceKey(phone) }, seenBefore, laptop);
		const after = selfAdd(log, olive);
		const state = log.state();
		expect(devicesOf(log, olive)).toEqual([deviceKey(laptop)]);
		for (const d of [concurrent, after]) expect(state.deviceOwners.has(d)).toBe(false);
		expect(state.rejected.map((r) => r.reason)).toEqual([
			'A device added itself without the person’s recovery key',
			'A device added itself without the person’s recovery key'
		]);
	});

	it('a device adds itself with the kit’s recovery key, even after a removal; a key the removed device registered goes with it', () => {
		const olive = actor('Olive', 2);
		const { log } = newStory(olive);
		const [laptop, phone] = olive.devices;
		log.act(olive, { type: 'add-device', person: olive.id, device: certifyDevice(olive.person, phone), lockboxes: [] });
		const kit = newSigningKeyPair();
		log.act(olive, { type: 'set-recovery', person: olive.id, key: toBase64Url(kit.publicKey) }, undefined, laptop);
		expect(mayStillSign(log.state(), toBase64Url(kit.publicKey) as DeviceKey)).toBe(true);
		// Before it is removed, the stolen phone swaps in the thief's own recovery key.
		const thiefs = newSigningKeyPair();
		log.act(olive, { type: 'set-recovery', person: olive.id, key: toBase64Url(thiefs.publicKey) }, undefined, phone);
		log.act(olive, { type: 'remove-device', person: olive.id, device: deviceKey(phone) }, undefined, laptop);
		expect(log.state().recoveryKeys.has(olive.id)).toBe(false);
		const byThief = selfAdd(log, olive, undefined, thiefs);
		expect(log.state().deviceOwners.has(byThief)).toBe(false);
		expect(mayStillSign(log.state(), olive.id as string as DeviceKey)).toBe(false);
		expect(mayStillSign(log.state(), deviceKey(phone))).toBe(false);
		// Olive makes a new kit on her laptop; a device restored from it adds itself.
		log.act(olive, { type: 'set-recovery', person: olive.id, key: toBase64Url(kit.publicKey) }, undefined, laptop);
		expect(needsRecoveryKit(log.state(), olive.id)).toBe(false);
		const restored = selfAdd(log, olive, undefined, kit);
		expect(devicesOf(log, olive)).toEqual([deviceKey(laptop), restored]);
		// The thief's key can never come back, even from one of Olive's own devices.
		log.act(olive, { type: 'set-recovery', person: olive.id, key: toBase64Url(thiefs.publicKey) }, undefined, laptop);
		expect(log.state().rejected.at(-1)?.reason).toBe('That recovery kit was held by a removed device');
	});

	it('a kit is spent once any device holding its backup keys is removed: the one it was made on, or one it brought in', () => {
		const olive = actor('Olive', 2);
		const { log } = newStory(olive);
		const [laptop, phone] = olive.devices;
		log.act(olive, { type: 'add-device', person: olive.id, device: certifyDevice(olive.person, phone), lockboxes: [] });
		const kit = newSigningKeyPair();
		log.act(olive, { type: 'set-recovery', person: olive.id, key: toBase64Url(kit.publicKey) }, undefined, phone);
		const restored = selfAdd(log, olive, undefined, kit);
		expect(log.state().recoveryKeys.get(olive.id)?.holders).toEqual([deviceKey(phone), restored]);
		log.act(olive, { type: 'remove-device', person: olive.id, device: restored }, undefined, laptop);
		expect(log.state().recoveryKeys.has(olive.id)).toBe(false);
		expect(log.state().retiredRecovery.has(toBase64Url(kit.publicKey))).toBe(true);
		expect(needsRecoveryKit(log.state(), olive.id)).toBe(true);
		expect(selfAdd(log, olive, undefined, kit)).toBeDefined();
		expect(log.state().rejected.at(-1)?.reason).toBe('This person has no recovery key in this space');
	});

	it('only the person’s own devices register their recovery key', () => {
		const olive = actor('Olive');
		const bea = actor('Bea');
		const { log } = newStory(olive);
		const stranger = newSigningKeyPair();
		// Bea is not even in the space; Olive (the owner) cannot set Bea's key either.
		log.append(signOp(log.spaceId, bea.device, log.heads(), { type: 'set-recovery', person: olive.id, key: toBase64Url(stranger.publicKey) }));
		expect(log.state().recoveryKeys.size).toBe(0);
		expect(log.state().rejected.at(-1)?.reason).toBe('Sent by a device that is not in the space');
		log.act(olive, { type: 'set-recovery', person: bea.id, key: toBase64Url(stranger.publicKey) });
		expect(log.state().rejected.at(-1)?.reason).toBe('Only the person themself can set their recovery key');
	});
});
