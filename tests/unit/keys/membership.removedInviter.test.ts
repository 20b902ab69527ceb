// Issue 19, item 8: an invitation lives only as long as its inviter's place in the space.
// Ada, an admin, invites people; Olive removes Ada. Whatever Ada sent out must stop working
// with her removal, or a removed admin (or anyone holding her links) keeps a door open.
import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, hash, verify } from '$lib/crypto';
import { replayMembership } from '$lib/keys/membership';
import { checkInvitation, createInvitation, requestToJoin, sealTo, type InvitationLink } from '$lib/keys/spaceOps';
import { actor, newStory, type Actor, type StoryLog } from '$tests/helpers/membershipStory';

beforeAll(cryptoReady);

function invite(log: StoryLog, by: Actor, circles: string[], role: 'admin' | 'member' = 'member'): InvitationLink {
	const { op, link } = createInvitation(log.spaceId, by.device, log.heads(), { role, circles, expiresAt: log.clock + 60_000, info: { space: 'Olive’s team', from: by.name } });
	log.append(op);
	return link;
}

function ask(log: StoryLog, who: Actor, link: InvitationLink) {
	log.append(requestToJoin(log.state(), link, who.person, who.devices, who.device, log.heads()));
}

function admit(log: StoryLog, by: Actor, link: InvitationLink, keys: Map<string, Uint8Array>, circles: string[]) {
	const invitee = log.state().invites.get(link.invite)!.requester!;
	log.act(by, { type: 'admit', invite: link.invite, lockboxes: circles.flatMap((c) => invitee.devices.map((d) => sealTo(keys.get(c)!, c, 0, d))) });
}

function withAdminAda() {
	const olive = actor('Olive');
	const ada = actor('Ada');
	const { log, circles, keys } = newStory(olive);
	const adaLink = invite(log, olive, [circles[0]], 'admin');
	ask(log, ada, adaLink);
	admit(log, olive, adaLink, keys, [circles[0]]);
	return { olive, ada, log, circles, keys };
}

describe('invitations made by an admin who is later removed', () => {
	it('stop working when she is removed: an invitee using her link afterwards is refused', () => {
		const { olive, ada, log, circles } = withAdminAda();
		const link = invite(log, ada, [circles[0]]);
		log.act(olive, { type: 'remove', person: ada.id });

		// The invitee's own check says so plainly before they even ask…
		expect(() => checkInvitation(log.state(), link, log.clock)).toThrow(/no longer in this space/);
		// …and a request sent anyway is refused by every device replaying the log.
		const mallory = actor('Mallory');
		ask(log, mallory, link);
		const state = log.state();
		expect(state.invites.get(link.invite)?.status).toBe('revoked');
		expect(state.rejected.at(-1)?.reason).toMatch(/cancelled/);
		expect(state.members.has(mallory.id)).toBe(false);
	});

	it('cancel a request still waiting on her invitation, so nobody can let that person in', () => {
		const { olive, ada, log, circles, keys } = withAdminAda();
		const link = invite(log, ada, [circles[0]]);
		const bea = actor('Bea');
		ask(log, bea, link);
		expect(log.state().invites.get(link.invite)?.status).toBe('requested');
		log.act(olive, { type: 'remove', person: ada.id });
		expect(log.state().invites.get(link.invite)?.status).toBe('revoked');

		// Olive, not noticing whose invitation it was, tries to let Bea in: refused.
		admit(log, olive, link, keys, [circles[0]]);
		const state = log.state();
		expect(state.members.has(bea.id)).toBe(false);
		expect(state.rejected.at(-1)?.reason).toMatch(/Nobody has accepted/);
	});

	it('leave other people’s invitations, and her earlier admissions, alone', () => {
		const { olive, ada, log, circles, keys } = withAdminAda();
		const cal = actor('Cal');
		const calLink = invite(log, ada, [circles[0]]);
		ask(log, cal, calLink);
		admit(log, ada, calLink, keys, [circles[0]]);
		const oliveLink = invite(log, olive, [circles[0]]);
		log.act(olive, { type: 'remove', person: ada.id });
		const state = log.state();
		expect(state.members.has(cal.id)).toBe(true);
		expect(state.invites.get(calLink.invite)?.status).toBe('admitted');
		expect(state.invites.get(oliveLink.invite)?.status).toBe('open');
	});

	it('is decided the same on every replay, and a removal that itself lost cancels nothing', () => {
		// Vic (admin) removes Ada; Olive, not having seen that, removes Vic. Vic's removal is
		// voided (made concurrently with his own removal), so Ada stays, and so does her invitation.
		const { olive, ada, log, circles, keys } = withAdminAda();
		const vic = actor('Vic');
		const vicLink = invite(log, olive, [circles[0]], 'admin');
		ask(log, vic, vicLink);
		admit(log, olive, vicLink, keys, [circles[0]]);
		const link = invite(log, ada, [circles[0]]);
		const seen = log.entries.length;
		log.act(vic, { type: 'remove', person: ada.id }, seen);
		log.act(olive, { type: 'remove', person: vic.id }, seen);
		const once = log.state();
		const again = replayMembership(log.spaceId, [...log.entries], verify, (b) => hash(b));
		expect(once.members.has(ada.id)).toBe(true);
		expect(once.invites.get(link.invite)?.status).toBe('open');
		expect(again.invites.get(link.invite)?.status).toBe('open');
		expect([...again.invites.values()].map((i) => i.status)).toEqual([...once.invites.values()].map((i) => i.status));
	});
});
