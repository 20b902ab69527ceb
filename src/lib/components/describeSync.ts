// Turns the engine's status into a short, calm sentence.
import type { ProblemKind, SyncStatus } from '$lib/sync/SyncEngine';
import { words } from '$lib/words';

export interface SyncSummary {
	tone: 'ok' | 'busy' | 'off' | 'bad';
	headline: string;
	detail?: string;
}

const w = words.sync;

export function describeSync(status: SyncStatus, paused: boolean, now = Date.now()): SyncSummary {
	// Nothing else matters as much: what was typed is only in memory until this clears.
	if (status.storage) return { tone: 'bad', headline: w.notSavedHere, detail: status.storage.kind === 'full' ? w.storageFull : w.storageFailed };
	const last = status.lastSyncedAt ? w.lastSynced(timeAgo(status.lastSyncedAt, now)) : undefined;
	const waiting = status.pendingChanges > 0 ? w.waiting(status.pendingChanges) : undefined;
	// Changes for a space this person was removed from never go anywhere: say so, never "sending".
	const stranded = status.strandedChanges > 0 ? w.stranded(status.strandedChanges) : undefined;
	// "Saved on this device" only once it is: a change still being written says so.
	const here = status.unsavedChanges > 0 ? w.savingHere : undefined;
	// Offline, both matter: what is still to send, and how fresh the rest is.
	const offlineDetail = [here, waiting, stranded, last].filter(Boolean).join(' · ') || w.savedHere;
	const also = (first: string) => [first, stranded].filter(Boolean).join(' · ');
	if (paused) return { tone: 'off', headline: w.paused, detail: [here, waiting, stranded].filter(Boolean).join(' · ') || w.savedHere };
	if (status.connection === 'online') {
		if (status.pendingChanges > 0) return { tone: 'busy', headline: w.syncing, detail: also(w.sending(status.pendingChanges)) };
		if (here) return { tone: 'busy', headline: w.syncing, detail: also(here) };
		return { tone: 'ok', headline: w.online, detail: stranded ?? w.allSynced };
	}
	if (status.connection === 'connecting') return { tone: 'busy', headline: w.connecting, detail: offlineDetail };
	return { tone: 'off', headline: w.offline, detail: offlineDetail };
}

/** What the person can do about a problem, in one calm sentence. */
export function whatToDo(kind: ProblemKind): string {
	return w.whatToDo[kind];
}

export function timeAgo(then: number, now: number): string {
	const t = words.time;
	const s = Math.max(0, Math.round((now - then) / 1000));
	if (s < 10) return t.justNow;
	if (s < 60) return t.seconds(s);
	const m = Math.round(s / 60);
	if (m < 60) return t.minutes(m);
	const h = Math.round(m / 60);
	if (h < 24) return t.hours(h);
	return t.days(Math.round(h / 24));
}
