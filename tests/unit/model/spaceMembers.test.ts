// The people view of a private space, read from real membership logs.
import { beforeAll, describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import { cryptoReady } from '$lib/crypto';
import { createInvitation, requestToJoin, sealTo } from '$lib/keys/spaceOps';
import { closureOf, removals, spaceMembers, safetyGroups, describeRole } from '$lib/model/spaceMembers';
import { shutOut } from '$lib/keys/membership';
import { circleName, invitedName, nameOf, newPrivateSpace, noteInvitation, setPersonName, type Space } from '$lib/model/space';
import { actor, deviceKey, newStory, type Actor, type StoryLog } from '$tests/helpers/membershipStory';

beforeAll(cryptoReady);

function invite(log: StoryLog, by: Actor, circles: string[], expiresAt = log.clock + 60_000) {
	const { op, link } = createInvitation(log.spaceId, by.device, log.heads(), { role: 'member', circles, expiresAt, info: { space: 'Lunch club', from: by.name } });
	log.append(op);
	return link;
}

function accept(log: StoryLog, who: Actor, link: ReturnType<typeof invite>) {
	log.append(requestToJoin(log.state(), link, who.person, who.devices, who.device, log.heads()));
}

function letIn(log: StoryLog, by: Actor, link: ReturnType<typeof invite>, keys: Map<string, Uint8Array>) {
	const invite = log.state().invites.get(link.invite)!;
	const lockboxes = invite.circles.flatMap((c) => invite.requester!.devices.map((d) => sealTo(keys.get(c)!, c, 0, d)));
	log.act(by, { type: 'admit', invite: link.invite, lockboxes });
}

describe('who is in a private space', () => {
	it('follows one person from invitation to waiting, in, and removed', () => {
		const olive = actor('Olive');
		const bea = actor('Bea');
		const { log, circles, keys } = newStory(olive);
		log.act(olive, { type: 'add-doc', doc: 'notesDoc' as never, circle: circles[0] });
		log.act(olive, { type: 'add-doc', doc: 'careDoc' as never, circle: circles[1] });

		const owner = spaceMembers(log.state(), olive.id);
		expect(owner).toMatchObject({ standing: 'member', myRole: 'owner', canManage: true, mainDoc: 'notesDoc', circles });
		expect(owner.docs.map((d) => d.docId)).toEqual(['notesDoc', 'careDoc']);
		expect(owner.members).toHaveLength(1);
		expect(owner.members[0]).toMatchObject({ id: olive.id, isMe: true, removable: false, circles });

		const link = invite(log, olive, [circles[0]]);
		expect(spaceMembers(log.state(), olive.id, log.clock).invitations).toMatchObject([{ inviteId: link.invite, expired: false, circles: [circles[0]] }]);
		expect(spaceMembers(log.state(), bea.id).standing).toBe('outside');

		accept(log, bea, link);
		const waiting = spaceMembers(log.state(), bea.id);
		expect(waiting).toMatchObject({ standing: 'waiting', canManage: false, myInvite: link.invite, myInviter: olive.id });
		// Only those who can let people in see requests and open invitations.
		expect(waiting.requests).toEqual([]);
		const asked = spaceMembers(log.state(), olive.id);
		expect(asked.invitations).toEqual([]);
		expect(asked.requests).toEqual([{ inviteId: link.invite, person: bea.id, role: 'member', circles: [circles[0]] }]);

		letIn(log, olive, link, keys);
		const inside = spaceMembers(log.state(), bea.id);
		expect(inside).toMatchObject({ standing: 'member', myRole: 'member', canManage: false });
		expect(inside.members.map((m) => m.id)).toEqual([olive.id, bea.id]);
		expect(inside.members.every((m) => !m.removable)).toBe(true);
		const ownerView = spaceMembers(log.state(), olive.id);
		expect(ownerView.members[1]).toMatchObject({ id: bea.id, inviteId: link.invite, removable: true, circles: [circles[0]] });
		expect(ownerView.requests).toEqual([]);

		log.act(olive, { type: 'remove', person: bea.id });
		expect(spaceMembers(log.state(), bea.id).standing).toBe('removed');
		expect(spaceMembers(log.state(), olive.id).members).toHaveLength(1);
	});

	it('says when someone was not let in, and marks expired invitations', () => {
		const olive = actor('Olive');
		const cal = actor('Cal');
		const { log, circles } = newStory(olive);
		const declined = invite(log, olive, [circles[0]]);
		accept(log, cal, declined);
		log.act(olive, { type: 'decline', invite: declined.invite });
		expect(spaceMembers(log.state(), cal.id).standing).toBe('turnedAway');

		const soon = invite(log, olive, [circles[0]], log.clock + 10);
		const view = spaceMembers(log.state(), olive.id, log.clock + 1000);
		expect(view.invitations).toMatchObject([{ inviteId: soon.invite, expired: true }]);
	});

	it('only the owner may remove someone the owner chose to help run the space', () => {
		const olive = actor('Olive');
		const ada = actor('Ada');
		const bea = actor('Bea');
		const { log, circles, keys } = newStory(olive);
		for (const who of [ada, bea]) {
			const link = invite(log, olive, circles);
			accept(log, who, link);
			letIn(log, olive, link, keys);
		}
		log.act(olive, { type: 'set-role', person: ada.id, role: 'admin' });
		const adaView = spaceMembers(log.state(), ada.id);
		expect(adaView.canManage).toBe(true);
		const removable = Object.fromEntries(adaView.members.map((m) => [m.id, m.removable]));
		expect(removable).toEqual({ [olive.id]: false, [ada.id]: false, [bea.id]: true });
		expect(spaceMembers(log.state(), olive.id).members.find((m) => m.id === ada.id)?.removable).toBe(true);
	});
});

describe('who can no longer add anything, and why', () => {
	function spaceWith(...names: Array<[string, number]>) {
		const olive = actor('Olive');
		const { log, circles, keys } = newStory(olive);
		const others = names.map(([name, devices]) => {
			const who = actor(name, devices);
			const link = invite(log, olive, circles);
			accept(log, who, link);
			letIn(log, olive, link, keys);
			return who;
		});
		return { olive, log, others };
	}

	it('Olive removes Bea: Bea is told by whom and when, and her device is shut out for good', () => {
		const { olive, log, others: [bea] } = spaceWith(['Bea', 1]);
		expect(closureOf(log.state(), bea.id, deviceKey(bea.device))).toBeUndefined();
		expect(shutOut(log.state(), bea.id, deviceKey(bea.device))).toBe(false);
		const at = log.clock;
		log.act(olive, { type: 'remove', person: bea.id });
		const state = log.state();
		expect(removals(state)).toEqual([{ person: bea.id, by: olive.id, at, left: false }]);
		expect(closureOf(state, bea.id, deviceKey(bea.device))).toEqual({ kind: 'removed', by: olive.id, at });
		expect(shutOut(state, bea.id, deviceKey(bea.device))).toBe(true);
		// Olive, who removed her, can still write.
		expect(closureOf(state, olive.id, deviceKey(olive.device))).toBeUndefined();
		expect(shutOut(state, olive.id, deviceKey(olive.device))).toBe(false);
		// Someone who never joined is not "removed".
		expect(closureOf(state, actor('Stranger').id, undefined)).toBeUndefined();
	});

	it('someone who takes themself out has left, not been removed', () => {
		const { log, others: [cal] } = spaceWith(['Cal', 1]);
		const at = log.clock;
		log.act(cal, { type: 'remove', person: cal.id });
		expect(removals(log.state())).toEqual([{ person: cal.id, by: cal.id, at, left: true }]);
		expect(closureOf(log.state(), cal.id, deviceKey(cal.device))).toEqual({ kind: 'left', at });
	});

	it('a lost device is shut out while its person stays in on their other device', () => {
		const { olive, log, others: [dan] } = spaceWith(['Dan', 2]);
		const [phone, laptop] = dan.devices.map(deviceKey);
		const at = log.clock;
		log.act(olive, { type: 'remove-device', person: dan.id, device: phone });
		const state = log.state();
		expect(closureOf(state, dan.id, phone)).toEqual({ kind: 'device-removed', by: olive.id, at });
		expect(shutOut(state, dan.id, phone)).toBe(true);
		expect(closureOf(state, dan.id, laptop)).toBeUndefined();
		expect(shutOut(state, dan.id, laptop)).toBe(false);
		expect(removals(state)).toEqual([]);
	});
});

describe('names in the shared notes document', () => {
	it('each person names themself; concurrent names all survive', () => {
		let a = A.from<Space>(newPrivateSpace(' Lunch club ', 'olive', ' Olive ', ['c0', 'c1'], 0));
		expect(a.title).toBe('Lunch club');
		expect(nameOf(a, 'olive')).toBe('Olive');
		expect(circleName(a, 'c0', 0)).toBe('Everyone');
		expect(circleName(a, 'c1', 1)).toBe('Care records');
		expect(circleName(a, 'c9', 5)).toBe('Part 6');
		let b = A.clone(a);
		a = A.change(a, (d) => noteInvitation(d, 'inv1', 'Bea'));
		b = A.change(b, (d) => setPersonName(d, 'bea', '  Bea   Smith '));
		a = A.change(a, (d) => setPersonName(d, 'cal', 'Cal'));
		const merged = A.merge(a, b);
		expect(merged.people).toEqual({ olive: 'Olive', bea: 'Bea Smith', cal: 'Cal' });
		expect(invitedName(merged, 'inv1')).toBe('Bea');
		expect(invitedName(merged, undefined)).toBeUndefined();
		expect(nameOf(merged, 'nobody')).toBeUndefined();
	});

	it('ignores blank names and still works on documents made before names existed', () => {
		let s = A.from<Space>({ kind: 'space', title: 'Old', notes: '', items: [], createdAt: 0 });
		s = A.change(s, (d) => setPersonName(d, 'x', '   '));
		expect(s.people).toBeUndefined();
		s = A.change(s, (d) => setPersonName(d, 'x', 'Xan'));
		expect(nameOf(s, 'x')).toBe('Xan');
		expect(circleName(s, 'c0', 0)).toBe('Everyone');
	});

	it('shows plain words for roles and groups safety numbers', () => {
		expect(describeRole('owner')).toBe('Owner');
		expect(describeRole('admin')).toBe('Can invite and remove people');
		expect(safetyGroups('12345 67890  00001')).toEqual(['12345', '67890', '00001']);
	});
});
