import { describe, expect, it } from 'vitest';
import { describeSync, whatToDo } from '$lib/components/describeSync';

const base = { problems: [], unsavedChanges: 0, strandedChanges: 0 };

describe('sync status in plain words', () => {
	it('says how many changes are waiting when offline', () => {
		expect(describeSync({ ...base, connection: 'offline', pendingChanges: 3 }, false)).toMatchObject({ headline: 'Offline', detail: '3 changes waiting to sync' });
		expect(describeSync({ ...base, connection: 'offline', pendingChanges: 1 }, false).detail).toBe('1 change waiting to sync');
	});
	it('reassures when everything is synced', () => {
		expect(describeSync({ ...base, connection: 'online', pendingChanges: 0 }, false)).toMatchObject({ tone: 'ok', detail: 'all changes synced' });
	});
	it('tells a paused user their work is safe', () => {
		expect(describeSync({ ...base, connection: 'offline', pendingChanges: 0 }, true).detail).toBe('your changes are saved on this device');
	});
	it('shows when it last synced', () => {
		const now = Date.now();
		expect(describeSync({ ...base, connection: 'offline', pendingChanges: 0, lastSyncedAt: now - 120_000 }, false, now).detail).toBe('last synced 2 minutes ago');
	});
});

describe('sync status: syncing, waiting and problems', () => {
	it('says it is syncing while changes are being sent', () => {
		expect(describeSync({ ...base, connection: 'online', pendingChanges: 2 }, false)).toMatchObject({ tone: 'busy', headline: 'Syncing', detail: 'sending 2 changes…' });
	});
	it('offline, shows both what is waiting and when it last synced', () => {
		const now = Date.now();
		expect(describeSync({ ...base, connection: 'offline', pendingChanges: 2, lastSyncedAt: now - 3 * 3600_000 }, false, now).detail).toBe('2 changes waiting to sync · last synced 3 hours ago');
		expect(describeSync({ ...base, connection: 'offline', pendingChanges: 0, lastSyncedAt: now - 50 * 3600_000 }, false, now).detail).toBe('last synced 2 days ago');
	});
	it('says "saved on this device" only once it is, and while storage refuses, says nothing else', () => {
		expect(describeSync({ ...base, connection: 'offline', pendingChanges: 0, unsavedChanges: 1 }, false).detail).toBe('saving on this device…');
		expect(describeSync({ ...base, connection: 'offline', pendingChanges: 2, unsavedChanges: 1 }, false).detail).toBe('saving on this device… · 2 changes waiting to sync');
		expect(describeSync({ ...base, connection: 'offline', pendingChanges: 0, unsavedChanges: 1 }, true).detail).toBe('saving on this device…');
		expect(describeSync({ ...base, connection: 'online', pendingChanges: 0, unsavedChanges: 1 }, false)).toMatchObject({ tone: 'busy', detail: 'saving on this device…' });
		const storage = { kind: 'full' as const, detail: 'QuotaExceededError', since: 0 };
		expect(describeSync({ ...base, connection: 'online', pendingChanges: 3, unsavedChanges: 1, storage }, false)).toEqual({
			tone: 'bad',
			headline: 'Not saved on this device',
			detail: 'this device’s storage is full'
		});
	});
	it('never says "sending" for changes that can’t be sent because this person was removed, and says they are kept', () => {
		const removed = { ...base, strandedChanges: 1 };
		const online = describeSync({ ...removed, connection: 'online', pendingChanges: 0 }, false);
		expect(online).toEqual({
			tone: 'ok',
			headline: 'Online',
			detail: '1 change can’t be sent, because you were removed from the team or space it belongs to. It is kept on this device.'
		});
		expect(online.detail).not.toMatch(/sending|synced/);
		// Other changes still on their way are said as before, with the stranded ones beside them.
		expect(describeSync({ ...removed, strandedChanges: 3, connection: 'online', pendingChanges: 2 }, false).detail).toBe(
			'sending 2 changes… · 3 changes can’t be sent, because you were removed from the team or space they belong to. They are kept on this device.'
		);
		expect(describeSync({ ...removed, connection: 'offline', pendingChanges: 0 }, false).detail).toMatch(/^1 change can’t be sent/);
		expect(describeSync({ ...removed, connection: 'offline', pendingChanges: 0 }, true).detail).toMatch(/^1 change can’t be sent/);
	});
	it('gives something to do for every kind of problem the engine reports', () => {
		for (const kind of ['tampered', 'replayed', 'foreign', 'unreadable', 'refused', 'relay'] as const) {
			expect(whatToDo(kind).length).toBeGreaterThan(10);
		}
	});
});
