// Turns the engine's status into a short, calm sentence.
import type { SyncStatus } from '$lib/sync/SyncEngine';

export interface SyncSummary {
	tone: 'ok' | 'busy' | 'off';
	headline: string;
	detail?: string;
}

function changes(n: number): string {
	return n === 1 ? '1 change' : `${n} changes`;
}

export function describeSync(status: SyncStatus, paused: boolean, now = Date.now()): SyncSummary {
	const last = status.lastSyncedAt ? `last synced ${timeAgo(status.lastSyncedAt, now)}` : undefined;
	if (paused) {
		return {
			tone: 'off',
			headline: 'Syncing paused',
			detail: status.pendingChanges > 0 ? `${changes(status.pendingChanges)} waiting to sync` : 'your changes are saved on this device'
		};
	}
	if (status.connection === 'online') {
		if (status.pendingChanges > 0) return { tone: 'busy', headline: 'Online', detail: `sending ${changes(status.pendingChanges)}…` };
		return { tone: 'ok', headline: 'Online', detail: 'all changes synced' };
	}
	const waiting = status.pendingChanges > 0 ? `${changes(status.pendingChanges)} waiting to sync` : last ?? 'your changes are saved on this device';
	if (status.connection === 'connecting') return { tone: 'busy', headline: 'Connecting…', detail: waiting };
	return { tone: 'off', headline: 'Offline', detail: waiting };
}

export function timeAgo(then: number, now: number): string {
	const s = Math.max(0, Math.round((now - then) / 1000));
	if (s < 10) return 'just now';
	if (s < 60) return `${s} seconds ago`;
	const m = Math.round(s / 60);
	if (m < 60) return m === 1 ? '1 minute ago' : `${m} minutes ago`;
	const h = Math.round(m / 60);
	return h === 1 ? '1 hour ago' : `${h} hours ago`;
}
