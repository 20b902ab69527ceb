// Story helpers for circles through a real relay: a circle laid out as CircleState.create lays
// it out (one access circle holding the space's notes, the circle and its logbook), and people
// brought in by invitation with consent on both sides.
import { invitationFragment, parseInvitationLink } from '$lib/keys/spaceOps';
import type { DocumentId, SpaceId } from '$lib/protocol';
import { newPrivateSpace } from '$lib/model/space';
import { newCircle } from '$lib/model/circle';
import { addMeeting, newLogbook, type Logbook } from '$lib/model/logbook';
import type { IsoDate } from '$lib/model/calendar';
import type { PersonKey } from '$lib/model/ids';
import { eventually, type Device } from './scenario';

export interface CircleStory {
	spaceId: SpaceId;
	everyone: string;
	logbook: DocumentId;
	meetingId: string;
}

/** Owner invites, the person accepts, the owner admits; then the person holds the logbook. */
export async function bringIn(owner: Device, person: Device, spaceId: SpaceId, circles: string[], name: string): Promise<void> {
	const link = await owner.engine.invite(spaceId, { circles, info: { space: 'North Local Circle', from: 'Ana' } });
	await owner.engine.whenSynced();
	const received = parseInvitationLink(`https://hearth.example/invite#${invitationFragment(link)}`);
	await person.engine.acceptInvitation(received);
	await eventually(() => owner.engine.spaceState(spaceId)?.invites.get(link.invite)?.status === 'requested', 10_000, `${name}’s request`);
	await owner.engine.admit(spaceId, link.invite);
	await eventually(() => person.engine.spaceState(spaceId)?.members.has(person.engine.personKey()!) === true, 10_000, `${name}’s admission`);
}

/** Starts a circle on `owner` with one meeting, and brings `others` in. Everyone ends holding the logbook. */
export async function startCircle(owner: Device, others: Device[]): Promise<CircleStory> {
	await owner.engine.person();
	const me = owner.engine.personKey() as unknown as PersonKey;
	const { spaceId, circles } = await owner.engine.createSpace(1);
	const [everyone] = circles;
	await owner.engine.createInSpace(spaceId, everyone, newPrivateSpace('North Local Circle', me, 'Ana Secretname', circles));
	await owner.engine.createInSpace(spaceId, everyone, newCircle('North Local Circle', me, 'Ana Secretname'));
	const handle = await owner.engine.createInSpace<Logbook>(spaceId, everyone, newLogbook());
	const meetingId = 'm1';
	handle.change((b) => {
		addMeeting(b, meetingId, me, 'March circle meeting', '2026-03-03' as IsoDate);
	});
	const logbook = handle.documentId as unknown as DocumentId;
	await owner.engine.whenSynced();
	for (const person of others) {
		await person.engine.person();
		await bringIn(owner, person, spaceId, [everyone], person.name);
	}
	for (const person of others) {
		await eventually(() => person.engine.handle<Logbook>(logbook)?.doc()?.meetings?.[meetingId] !== undefined, 15_000, `${person.name} to hold the logbook`);
	}
	return { spaceId, everyone, logbook, meetingId };
}
