// Bea's relay is hostile. Olive invites her to Olive's team, but the relay Bea talks to serves
// its own copy of the space: a new genesis by a key the relay chose, with Olive's invitation
// copied in. Were Bea to join it, the keys she got and everything she wrote would be the
// relay's. The link pins the real space's genesis and Olive's device, so Bea refuses.
import { afterEach, describe, expect, it } from 'vitest';
import { hash, newSymmetricKey } from '$lib/crypto';
import { createDevice } from '$lib/keys/device';
import { certifyDevice, createPerson, personKey, type MemberCard } from '$lib/keys/identity';
import { opHash, type Action, type MembershipState } from '$lib/keys/membership';
import { invitationFragment, parseInvitationLink, sealTo, signOp } from '$lib/keys/spaceOps';
import type { SpaceId } from '$lib/protocol';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { openDevice, setup, type Scenario } from '$tests/helpers/scenario';

let scenario: Scenario | undefined;
let hostile: RelayProcess | undefined;
afterEach(async () => {
	await scenario?.teardown();
	await hostile?.stop();
	scenario = undefined;
	hostile = undefined;
});

/** The relay operator's own copy of the space, under the same id, with Olive's invite in it. */
async function forgeSpace(relay: RelayProcess, real: MembershipState, inviteId: string) {
	const spaceId: SpaceId = real.spaceId;
	const invite = real.invites.get(inviteId)!;
	const mallory = createPerson();
	const device = createDevice();
	const owner: MemberCard = { id: personKey(mallory), devices: [certifyDevice(mallory, device)] };
	// The same circle ids as the real space, with keys the relay chose.
	const lockboxes = invite.circles.map((c) => sealTo(newSymmetricKey(), c, 0, owner.devices[0]));
	const create = signOp(spaceId, device, [], { type: 'create', owner, circles: invite.circles, lockboxes });
	const createHash = opHash(create, (b) => hash(b));
	// Olive's invite, copied field for field, signed by the relay's owner so the space accepts it.
	const copied: Action = { type: 'invite', invite: invite.id, key: invite.key, expiresAt: invite.expiresAt, role: invite.role, circles: invite.circles, info: invite.info };
	const client = await RawRelayClient.connect(relay.url);
	await client.append(1, create);
	await client.append(2, signOp(spaceId, device, [createHash], copied));
	return { client };
}

describe('an invitation on a hostile relay', () => {
	it('is refused when the relay serves its own copy of the space, and the invitee asks for nothing', async () => {
		const s = await setup('olive');
		scenario = s;
		const { olive } = s;
		const { spaceId, circles } = await olive.engine.createSpace(2);
		const link = await olive.engine.invite(spaceId, { circles, info: { space: 'Olive’s team', from: 'Olive' } });
		await olive.engine.whenSynced();

		hostile = await startRelay();
		const { client } = await forgeSpace(hostile, olive.engine.spaceState(spaceId)!, link.invite);
		const bea = await openDevice('bea', hostile);
		s.devices.bea = bea;
		bea.engine.connect();

		const received = parseInvitationLink(`https://hearth.example/invite#${invitationFragment(link)}`);
		await expect(bea.engine.acceptInvitation(received)).rejects.toThrow(/does not lead to the space it was made for/);

		// Bea never asked to join the relay's space, so it has nobody to admit and no keys to give.
		const frames = await client.sync(3, [{ spaceId, since: 0 }]);
		const bodies = frames.flatMap((f) => f.logs.flatMap((l) => l.entries)).map((e) => JSON.parse(e.op.body) as { action: Action });
		expect(bodies.map((b) => b.action.type)).toEqual(['create', 'invite']);
		expect(bea.engine.spaceState(spaceId)?.members.has(bea.engine.personKey() ?? ('' as never))).not.toBe(true);
		client.close();
	});
});
