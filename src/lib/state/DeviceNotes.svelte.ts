// Small notes this device keeps for itself and never syncs: which invitation it accepted
// (so it can say "Waiting for Olive to let you in"), and whose safety numbers this person
// has checked. Kept in localStorage; reactive, and shared by every component on the page.

import { HearthApp } from './HearthApp.svelte';
import type { DeviceRecord } from './DeviceRecord.svelte';

/** What the invitation link said, kept after accepting it (the link itself is dropped). */
export interface Joining {
	inviteId: string;
	space: string;
	from: string;
	at: number;
}

/** Invitations accepted on this device, by space id. Call during component setup. */
export function joiningNotes(): DeviceRecord<Joining> {
	return HearthApp.current().notes.joining;
}

/** Safety numbers this person marked as checked, by the other person's key. Call during component setup. */
export function checkedNotes(): DeviceRecord<string> {
	return HearthApp.current().notes.checked;
}

export type { DeviceRecord };

/** When this device last read each team's chat (by space id): only decides the unread count. */
export function chatReadNotes(): DeviceRecord<number> {
	return HearthApp.current().notes.chatRead;
}
