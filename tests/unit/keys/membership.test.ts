import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady } from '$lib/crypto';
import { certifyDevice } from '$lib/keys/identity';
import { circleDevices, owedRotations } from '$lib/keys/membership';
import { checkInvitation, createInvitation, InvitationError, invitationFragment, lockboxesFor, openCircleKeys, parseInvitationLink, requestToJoin, sealTo } from '$lib/keys/spaceOps';
import { newSymmetricKey } from '$lib/crypto';
import { actor, newStory, type Actor } from '$tests/helpers/membershipStory';
import type { StoryLog } from '$tests/helpers/membershipStory';

beforeAll(cryptoReady);

function invite(log: StoryLog, by: Actor, circles: string[], expiresAt = log.clock + 60_000, role: 'admin' | 'member' = 'member') {
	const { op, link } = createInvitation(log.spaceId, by.device, log.heads(), { role, circles, expiresAt, info: { space: 'Olive’s team', from: by.name } });
	log.append(op);
	return link;
}

function join(log: StoryLog, who: Actor, link: ReturnType<typeof invite>) {
	log.append(requestToJoin(log.state(), link, who.person, who.devices, who.device, log.heads()));
}

function admit(log: StoryLog, by: Actor, link: ReturnType<typeof invite>, keys: Map<string, Uint8Array>) {
	const invitee = log.state().invites.get(link.invite)!.requester!;
	const lockboxes = [...keys].flatMap(([circle, key]) => invitee.devices.map((d) => sealTo(key, circle, 0, d)));
	log.act(by, { type: 'admit', invite: link.invite, lockboxes });
}

describe('membership by mutual consent', () => {
	it('admits an invitee only after they accept and the owner admits; they can open the circle keys', () => {
		const olive = actor('Olive');
		const bea = actor('Bea', 2);
		const { log, circles, keys } = newStory(olive);
		const link = invite(log, olive, [circles[0]]);
		const parsed = parseInvitationLink(`https://h/invite#${invitationFragment(link)}`);
		expect(checkInvitation(log.state(), parsed, log.clock).status).toBe('open');
		join(log, bea, parsed);
		expect(log.state().members.has(bea.id)).toBe(false);
		admit(log, olive, link, keys);
		const state = log.state();
		expect(state.members.get(bea.id)?.role).toBe('member');
		// Only the granted circle, on both of Bea's devices.
		for (const d of bea.devices) {
			const opened = openCircleKeys(state, d);
			expect(opened.get(circles[0])?.get(0)).toEqual(keys.get(circles[0]));
			expect(opened.has(circles[1])).toBe(false);
		}
	});

	it('refuses expired, reused, revoked and tampered invitations with clear reasons', () => {
		const olive = actor('Olive');
		const { log, circles, keys } = newStory(olive);
		const expired = invite(log, olive, [circles[0]], log.clock + 5);
		log.clock += 1000;
		expect(() => checkInvitation(log.state(), expired, log.clock)).toThrow(/expired/);
		// Even if someone sends the request anyway, the reducer refuses it (relay time is past expiry).
		const late = actor('Late');
		join(log, late, expired);
		expect(log.state().invites.get(expired.invite)?.status).toBe('open');
		expect(log.state().rejected.at(-1)?.reason).toMatch(/expired/);

		const once = invite(log, olive, [circles[0]]);
		join(log, actor('First'), once);
		admit(log, olive, once, keys);
		expect(() => checkInvitation(log.state(), once, log.clock)).toThrow(/already been used/);
		const second = actor('Second');
		join(log, second, once);
		expect(log.state().members.has(second.id)).toBe(false);

		const revoked = invite(log, olive, [circles[0]]);
		log.act(olive, { type: 'revoke-invite', invite: revoked.invite });
		expect(() => checkInvitation(log.state(), revoked, log.clock)).toThrow(/cancelled/);

		const good = invite(log, olive, [circles[0]]);
		expect(() => checkInvitation(log.state(), { ...good, info: { ...good.info, from: 'Your bank' } }, log.clock)).toThrow(/changed/);
		const otherSecret = invite(log, olive, [circles[0]]).secret;
		expect(() => checkInvitation(log.state(), { ...good, secret: otherSecret }, log.clock)).toThrow(InvitationError);
		expect(() => parseInvitationLink('https://h/invite#s=abc')).toThrow(/incomplete/);
		// A forged request without the secret is ignored.
		const mallory = actor('Mallory');
		join(log, mallory, { ...good, secret: otherSecret });
		expect(log.state().invites.get(good.invite)?.status).toBe('open');
	});

	it('lets only the owner and people they chose change membership', () => {
		const olive = actor('Olive');
		const bea = actor('Bea');
		const cal = actor('Cal');
		const { log, circles, keys } = newStory(olive);
		const l1 = invite(log, olive, [circles[0]]);
		join(log, bea, l1);
		admit(log, olive, l1, keys);
		// Bea is a member, not an admin: she cannot invite or remove.
		log.act(bea, { type: 'invite', invite: 'x', key: bea.id, expiresAt: log.clock + 1000, role: 'member', circles: [circles[0]], info: 'x' });
		expect(log.state().invites.has('x')).toBe(false);
		log.act(bea, { type: 'remove', person: olive.id });
		expect(log.state().members.has(olive.id)).toBe(true);
		// An outsider's ops are ignored entirely.
		log.act(cal, { type: 'grant', person: cal.id, circle: circles[1], lockboxes: [] });
		expect(log.state().members.has(cal.id)).toBe(false);
		// Olive nominates Bea; now Bea can invite.
		log.act(olive, { type: 'set-role', person: bea.id, role: 'admin' });
		const l2 = invite(log, bea, [circles[0]]);
		expect(log.state().invites.get(l2.invite)?.status).toBe('open');
	});

	it('owes a rotation after a removal, and the new key reaches only the remaining devices', () => {
		const olive = actor('Olive', 2);
		const bea = actor('Bea');
		const { log, circles, keys } = newStory(olive, 1);
		const circle = circles[0];
		log.act(olive, { type: 'add-device', person: olive.id, device: certifyDevice(olive.person, olive.devices[1]), lockboxes: lockboxesFor(new Map([[0, keys.get(circle)!]]), circle, [certifyDevice(olive.person, olive.devices[1])]) });
		const link = invite(log, olive, [circle]);
		join(log, bea, link);
		admit(log, olive, link, keys);
		log.act(olive, { type: 'remove', person: bea.id });
		let state = log.state();
		expect(owedRotations(state)).toEqual([circle]);
		const next = newSymmetricKey();
		const devices = circleDevices(state, circle).map((d) => [...state.members.values()].flatMap((m) => [...m.devices.values()]).find((i) => i.sign === d)!);
		log.act(olive, { type: 'rotate', circle, epoch: 1, lockboxes: devices.map((d) => sealTo(next, circle, 1, d)) });
		state = log.state();
		expect(owedRotations(state)).toEqual([]);
		expect(openCircleKeys(state, olive.devices[1]).get(circle)?.get(1)).toEqual(next);
		// Bea keeps what she had, and nothing after.
		const beas = openCircleKeys(state, bea.device).get(circle);
		expect(beas?.get(0)).toEqual(keys.get(circle));
		expect(beas?.has(1)).toBe(false);
	});

	it('lets a removal win over a concurrent action by the removed person', () => {
		const olive = actor('Olive');
		const bea = actor('Bea');
		const dan = actor('Dan');
		const { log, circles, keys } = newStory(olive);
		const l1 = invite(log, olive, [circles[0]]);
		join(log, bea, l1);
		admit(log, olive, l1, keys);
		log.act(olive, { type: 'set-role', person: bea.id, role: 'admin' });
		const seen = log.entries.length;
		// Bea, offline, invites Dan; Olive, not having seen that, removes Bea. The relay
		// happens to order Bea's invite first.
		const { op } = createInvitation(log.spaceId, bea.device, log.heads(seen), { role: 'member', circles: [circles[0]], expiresAt: log.clock + 9999, info: { space: 's', from: 'Bea' } });
		log.append(op);
		log.act(olive, { type: 'remove', person: bea.id }, seen);
		const state = log.state();
		expect(state.members.has(bea.id)).toBe(false);
		expect(state.invites.size).toBe(1); // only Olive's original invitation
		expect(state.rejected.some((r) => /same time/.test(r.reason))).toBe(true);
		expect(dan).toBeDefined();
	});
});
