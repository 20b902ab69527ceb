// An invitation link pins the space it belongs to (the hash of its first operation) and the
// device that made it, so a relay cannot pass off a space of its own as the one invited to.
import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady } from '$lib/crypto';
import { deviceKey } from '$lib/keys/device';
import { certifyDevice } from '$lib/keys/identity';
import { checkInvitation, createInvitation, genesisHash, InvitationError, invitationFragment, parseInvitationLink, signOp, type InvitationLink } from '$lib/keys/spaceOps';
import { actor, newStory, StoryLog, type Actor } from '$tests/helpers/membershipStory';

beforeAll(cryptoReady);

function invite(log: StoryLog, by: Actor, circles: string[], pinned = true): InvitationLink {
	const genesis = pinned ? genesisHash(log.state()) : undefined;
	const { op, link } = createInvitation(log.spaceId, by.device, log.heads(), {
		role: 'member',
		circles,
		expiresAt: log.clock + 60_000,
		info: { space: 'Olive’s team', from: by.name },
		genesis
	});
	log.append(op);
	return link;
}

const received = (link: InvitationLink) => parseInvitationLink(`https://hearth.example/invite#${invitationFragment(link)}`);

function refusal(f: () => unknown): string | undefined {
	try {
		f();
	} catch (e) {
		return e instanceof InvitationError ? e.reason : String(e);
	}
	return undefined;
}

/** The relay's own space under the real id: its own owner, with the real invite's fields copied in. */
function forgedCopy(real: StoryLog, link: InvitationLink): StoryLog {
	const mallory = actor('Mallory');
	const invite = real.state().invites.get(link.invite)!;
	const copy = new StoryLog(real.spaceId);
	copy.append(signOp(real.spaceId, mallory.device, [], { type: 'create', owner: { id: mallory.id, devices: [certifyDevice(mallory.person, mallory.device)] }, circles: invite.circles, lockboxes: [] }));
	copy.act(mallory, { type: 'invite', invite: invite.id, key: invite.key, expiresAt: invite.expiresAt, role: invite.role, circles: invite.circles, info: invite.info });
	return copy;
}

describe('a pinned invitation link', () => {
	it('carries the space’s genesis and the inviting device through the fragment', () => {
		const olive = actor('Olive');
		const { log, circles } = newStory(olive);
		const link = received(invite(log, olive, [circles[0]]));
		expect(link.pin).toEqual({ genesis: genesisHash(log.state()), inviter: deviceKey(olive.device) });
		expect(checkInvitation(log.state(), link, log.clock).status).toBe('open');
	});

	it('is refused against a copy of the space made by someone else, with the invite copied in', () => {
		const olive = actor('Olive');
		const { log, circles } = newStory(olive);
		const link = received(invite(log, olive, [circles[0]]));
		const copy = forgedCopy(log, link);
		// Everything else about the invite matches: only the pin tells the copy apart.
		expect(copy.state().invites.get(link.invite)?.status).toBe('open');
		expect(refusal(() => checkInvitation(copy.state(), link, log.clock))).toBe('wrong-space');
	});

	it('is refused when the invite in the space was made by another device than the one it names', () => {
		const olive = actor('Olive');
		const { log, circles } = newStory(olive);
		const link = received(invite(log, olive, [circles[0]]));
		const otherDevice = actor('Olive’s old phone').device;
		const lying = { ...link, pin: { ...link.pin!, inviter: deviceKey(otherDevice) } };
		expect(refusal(() => checkInvitation(log.state(), lying, log.clock))).toBe('wrong-space');
	});

	it('a half or bent pin is damage, not an older link', () => {
		const olive = actor('Olive');
		const { log, circles } = newStory(olive);
		const fragment = new URLSearchParams(invitationFragment(invite(log, olive, [circles[0]])));
		const half = new URLSearchParams(fragment);
		half.delete('d');
		expect(refusal(() => parseInvitationLink(half.toString()))).toBe('damaged');
		const bent = new URLSearchParams(fragment);
		bent.set('g', 'not-a-hash');
		expect(refusal(() => parseInvitationLink(bent.toString()))).toBe('damaged');
	});
});

describe('an older invitation link, made before links were pinned', () => {
	it('still opens (it is in inboxes and call-outs already), and says it has no pin', () => {
		const olive = actor('Olive');
		const { log, circles } = newStory(olive);
		const old = invite(log, olive, [circles[0]], false);
		const fragment = new URLSearchParams(invitationFragment(old));
		expect(fragment.has('g') || fragment.has('d')).toBe(false); // what links looked like before
		const parsed = parseInvitationLink(fragment.toString());
		expect(parsed.pin).toBeUndefined();
		expect(checkInvitation(log.state(), parsed, log.clock).status).toBe('open');
	});
});
