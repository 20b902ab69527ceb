// Issue 19, item 8: an invitation's expiry is checked against the time the relay says it
// received the request. A hostile relay can simply say an old request came in on time; so the
// device that lets someone in also checks the expiry against its own clock, and refuses.
import { afterEach, describe, expect, it } from 'vitest';
import { cryptoReady } from '$lib/crypto';
import { requestToJoin } from '$lib/keys/spaceOps';
import { actor } from '$tests/helpers/membershipStory';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { eventually, setup, type Scenario } from '$tests/helpers/scenario';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

describe('an invitation’s expiry, on the admitting device’s own clock', () => {
	it('is not extended by a relay that backdates a late request', async () => {
		await cryptoReady();
		const s = await setup('olive');
		scenario = s;
		const { olive } = s;
		const { spaceId, circles } = await olive.engine.createSpace(1);
		const link = await olive.engine.invite(spaceId, { circles, expiresInMs: 200, info: { space: 'Olive’s team', from: 'Olive' } });
		await olive.engine.whenSynced();
		const expiresAt = olive.engine.spaceState(spaceId)!.invites.get(link.invite)!.expiresAt;
		olive.engine.disconnect();

		// Long after the invitation ran out, Mallory finds the link and asks to join anyway.
		await eventually(() => Date.now() > expiresAt + 50, 5_000, 'the invitation to run out');
		const mallory = actor('Mallory');
		const state = olive.engine.spaceState(spaceId)!;
		const raw = await RawRelayClient.connect(s.relay.url);
		const ok = await raw.append(1, requestToJoin(state, link, mallory.person, mallory.devices, mallory.device, state.heads));
		raw.close();
		expect(ok.at).toBeGreaterThan(expiresAt);

		// The relay's operator rewrites the time it received the request to before the expiry.
		await s.relay.stop();
		await s.relay.query('UPDATE space_ops SET at = ? WHERE space_id = ? AND idx = ?', [expiresAt - 1_000, spaceId, ok.index]);
		await s.relay.restart();
		olive.engine.connect();
		await eventually(() => olive.engine.spaceState(spaceId)?.invites.get(link.invite)?.status === 'requested', 10_000, 'the backdated request to reach Olive');

		// Olive presses "let them in": her device refuses, in plain words, and sends nothing.
		await expect(olive.engine.admit(spaceId, link.invite)).rejects.toThrow(/invitation ran out before they were let in/);
		await olive.engine.whenSynced();
		expect(olive.engine.spaceState(spaceId)?.members.has(mallory.id)).toBe(false);
	});
});
