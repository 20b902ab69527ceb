// Story helpers for private spaces on a real relay: bringing someone in the way the app does
// (an invitation link, their acceptance, the owner letting them in).
import { invitationFragment, parseInvitationLink } from '$lib/keys/spaceOps';
import type { DocumentId, SpaceId } from '$lib/protocol';
import { eventually, type Device } from './scenario';

export type Notes = { kind?: string; period?: string; items: string[] };

export async function bringIn(owner: Device, person: Device, spaceId: SpaceId, circles: string[]): Promise<void> {
	const link = await owner.engine.invite(spaceId, { circles, info: { space: 'Olive’s team', from: 'Olive' } });
	await owner.engine.whenSynced();
	await person.engine.acceptInvitation(parseInvitationLink(`https://hearth.example/invite#${invitationFragment(link)}`));
	await eventually(() => owner.engine.spaceState(spaceId)?.invites.get(link.invite)?.status === 'requested', 10_000, 'the request to reach the owner');
	await owner.engine.admit(spaceId, link.invite);
	await eventually(() => person.engine.spaceState(spaceId)?.members.has(person.engine.personKey()!) === true, 10_000, 'admission');
}

export const itemsOf = (d: Device, docId: DocumentId): string[] => d.engine.handle<Notes>(docId)?.doc()?.items ?? [];
