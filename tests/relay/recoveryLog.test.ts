// Issue 19, item 8: a recovery kit keeps an encrypted copy of a person's identity and keys on
// the relay, refreshed as things change. The relay kept every copy, for ever: each one a full
// bundle of every key this person ever held. It keeps only the newest now, replaced in one
// commit (so a crash in between never leaves none), and recovery still works.
import { afterEach, describe, expect, it } from 'vitest';
import { cryptoReady, sign } from '$lib/crypto';
import { encryptBundle, recoveryKeys } from '$lib/keys/deviceLink';
import { createSpace } from '$lib/keys/spaceOps';
import { opSigningBytes, toBase64Url, type DeviceKey, type SignedOp, type SpaceId } from '$lib/protocol';
import { actor } from '$tests/helpers/membershipStory';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { eventually, openDevice, setup, type Scenario } from '$tests/helpers/scenario';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

async function copiesOn(s: Scenario, logId: SpaceId) {
	const [row] = await s.relay.query<{ copies: number; newest: number | null }>('SELECT COUNT(*) AS copies, MAX(idx) AS newest FROM space_ops WHERE space_id = ?', [logId]);
	return { copies: Number(row.copies), newest: row.newest === null ? -1 : Number(row.newest) };
}

function signed(logId: SpaceId, body: unknown, signer: { publicKey: Uint8Array; secretKey: Uint8Array }): SignedOp {
	const unsigned = { spaceId: logId, author: toBase64Url(signer.publicKey) as DeviceKey, body: JSON.stringify(body) };
	return { ...unsigned, sig: toBase64Url(sign(opSigningBytes(unsigned), signer.secretKey)) };
}

describe('the recovery copy on the relay', () => {
	it('is only the newest after many membership changes, and recovery still works', async () => {
		const s = await setup('olive');
		scenario = s;
		const { olive } = s;
		const { spaceId, circles } = await olive.engine.createSpace(1);
		const kit = await olive.engine.createRecoveryKit();
		const { logId } = recoveryKeys(kit);
		await eventually(async () => (await copiesOn(s, logId)).newest >= 0, 10_000, 'the first recovery copy');

		// Each invitation changes the space's membership, and a fresh full copy is written.
		let invites = 0;
		for (let round = 1; round <= 4; round++) {
			await olive.engine.invite(spaceId, { circles, info: { space: 'Olive’s team', from: 'Olive' } });
			invites++;
			await eventually(async () => (await copiesOn(s, logId)).newest >= round, 10_000, `recovery copy ${round}`);
		}
		await olive.engine.whenSynced();
		const { copies, newest } = await copiesOn(s, logId);
		expect(newest).toBeGreaterThanOrEqual(4);
		expect(copies).toBe(1);
		await olive.engine.close();

		// Every device is lost: the one copy left is the newest, with every invitation in it.
		const fresh = await openDevice('fresh', s.relay);
		s.devices.fresh = fresh;
		fresh.engine.connect();
		await fresh.engine.recover(kit);
		await eventually(() => fresh.engine.spaceState(spaceId)?.members.get(fresh.engine.personKey()!)?.devices.has(fresh.engine.deviceKey) === true, 15_000, 'the recovered device to join');
		expect(fresh.engine.spaceState(spaceId)!.invites.size).toBe(invites);
	});

	it('drops the copies an older relay kept, at the next refresh, and recovers from the newest', async () => {
		await cryptoReady();
		const s = await setup('olive');
		scenario = s;
		const { olive } = s;
		const { spaceId } = await olive.engine.createSpace(1);
		const kit = await olive.engine.createRecoveryKit();
		const keys = recoveryKeys(kit);
		await eventually(async () => (await copiesOn(s, keys.logId)).newest >= 0, 10_000, 'the first recovery copy');
		await olive.engine.whenSynced();

		// A store from before this change: stale copies below the real one, as the old relay kept
		// them (its rows are rewritten under the relay while it is stopped).
		await s.relay.stop();
		const before = await copiesOn(s, keys.logId);
		await s.relay.query('UPDATE space_ops SET idx = idx + 100 WHERE space_id = ?', [keys.logId]);
		for (const [i, person] of [[0, 'stale one'], [1, 'stale two']] as const) {
			const stale = signed(keys.logId, { backup: encryptBundle({ person: { stale: person } as never, docs: [], spaces: [], createdAt: i }, keys) }, keys.signing);
			await s.relay.query('INSERT INTO space_ops (space_id, idx, author, body, sig, at) VALUES (?, ?, ?, ?, ?, ?)', [keys.logId, i, stale.author, stale.body, stale.sig, 1]);
		}
		const length = before.newest + 101;
		if (process.env.HEARTH_TEST_STORE === 'postgres') await s.relay.query('UPDATE spaces SET length = ? WHERE space_id = ?', [length, keys.logId]);
		await s.relay.restart();
		expect((await copiesOn(s, keys.logId)).copies).toBe(before.copies + 2);

		// The next refresh replaces them all.
		await olive.engine.invite(spaceId, { circles: [...olive.engine.spaceState(spaceId)!.circles.keys()], info: { space: 'Olive’s team', from: 'Olive' } });
		await eventually(async () => (await copiesOn(s, keys.logId)).newest >= length, 10_000, 'the refreshed copy');
		expect((await copiesOn(s, keys.logId)).copies).toBe(1);
		await olive.engine.close();
		const fresh = await openDevice('fresh', s.relay);
		s.devices.fresh = fresh;
		fresh.engine.connect();
		await fresh.engine.recover(kit);
		expect(fresh.engine.spaceState(spaceId)?.invites.size).toBe(1);
	});

	it('is never a way to wipe a space’s log: an op dressed as a recovery copy deletes nothing else', async () => {
		// Someone holding the only device of a space (a thief) signs an op shaped like a
		// recovery copy into that space's log. The space's own ops stay.
		await cryptoReady();
		const s = await setup();
		scenario = s;
		const thief = actor('Thief');
		const space = createSpace(thief.person, thief.device, 1);
		const raw = await RawRelayClient.connect(s.relay.url);
		await raw.append(1, space.op);
		await raw.append(2, signed(space.spaceId, { backup: 'x' }, thief.device.signing));
		await raw.append(3, signed(space.spaceId, { backup: 'y' }, thief.device.signing));
		raw.close();
		expect((await copiesOn(s, space.spaceId)).copies).toBe(3);
	});
});
