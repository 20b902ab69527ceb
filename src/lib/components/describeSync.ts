// Turns the engine's status into a short, calm sentence.
import type { ProblemKind, SyncStatus } from '$lib/sync/SyncEngine';
import { words } from '$lib/words';

export interface SyncSummary {
	tone: 'ok' | 'busy' | 'off';
	headline: string;
	detail?: string;
}

const w = words.sync;

export function describeSync(status: SyncStatus, paused: boolean, now = Date.now()): SyncSummary {
	const last = status.lastSyncedAt ? w.lastSynced(timeAgo(status.lastSyncedAt, now)) : undefined;
	const waiting = status.pendingChanges > 0 ? w.waiting(status.pendingChanges) : undefined;
	// Offline, both matter: what is still to send, and how fresh the rest is.
	const offlineDetail = waiting && last ? `${waiting} · ${last}` : (waiting ?? last ?? w.savedHere);
	if (paused) return { tone: 'off', headline: w.paused, detail: waiting ?? w.savedHere };
	if (status.connection === 'online') {
		if (status.pendingChanges > 0) return { tone: 'busy', headline: w.syncing, detail: w.sending(status.pendingChanges) };
		return { tone: 'ok', headline: w.online, detail: w.allSynced };
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
