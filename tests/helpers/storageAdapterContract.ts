// What every storage adapter Hearth runs on must do, as a reusable suite (the way
// automerge-repo ships runStorageAdapterTests). It covers the same cases as automerge-repo's
// suite, except that ranges come back in any order: IndexedDB returns them in key order, and
// nothing in the repo depends on order. Then Hearth's own needs: values are stored as given,
// byte for byte; keys that share a prefix as a string are still separate ranges; an empty
// prefix means everything; and removing a range leaves its neighbours alone.
import { describe, expect, it } from 'vitest';
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';

export type StorageSetup = () => Promise<{ adapter: StorageAdapterInterface; teardown?: () => void | Promise<void> }>;

const A = () => new Uint8Array([0, 1, 127, 99, 154, 235]);
const B = () => new Uint8Array([1, 76, 160, 53, 57, 10, 230]);
const C = () => new Uint8Array([2, 111, 74, 131, 236, 96, 142, 193]);

const byKey = (chunks: Chunk[]) => [...chunks].sort((x, y) => (JSON.stringify(x.key) < JSON.stringify(y.key) ? -1 : 1));

export function runStorageAdapterContract(title: string, setup: StorageSetup): void {
	const withAdapter = (name: string, body: (adapter: StorageAdapterInterface) => Promise<void>) =>
		it(name, async () => {
			const { adapter, teardown } = await setup();
			try {
				await body(adapter);
			} finally {
				await teardown?.();
			}
		});

	describe(`storage adapter contract: ${title}`, () => {
		withAdapter('loads nothing that was never saved', async (s) => {
			expect(await s.load(['AAAAA', 'sync-state', 'xxxxx'])).toBeUndefined();
			expect(await s.loadRange(['AAAAA'])).toEqual([]);
		});

		withAdapter('loads what was saved, under simple and composite keys, byte for byte', async (s) => {
			await s.save(['storage-adapter-id'], A());
			await s.save(['AAAAA', 'sync-state', 'xxxxx'], B());
			const large = new Uint8Array(100_000).map((_, i) => (i * 7919) % 256);
			await s.save(['AAAAA', 'snapshot', 'big'], large);
			expect(await s.load(['storage-adapter-id'])).toEqual(A());
			expect(await s.load(['AAAAA', 'sync-state', 'xxxxx'])).toEqual(B());
			expect(await s.load(['AAAAA', 'snapshot', 'big'])).toEqual(large);
		});

		withAdapter('a second save under a key replaces the first', async (s) => {
			await s.save(['AAAAA', 'snapshot', 'x'], A());
			await s.save(['AAAAA', 'snapshot', 'x'], B());
			expect(await s.load(['AAAAA', 'snapshot', 'x'])).toEqual(B());
			expect(await s.loadRange(['AAAAA'])).toHaveLength(1);
		});

		withAdapter('loads a range by prefix, whatever the order, and nothing outside it', async (s) => {
			await s.save(['AAAAA', 'sync-state', 'xxxxx'], A());
			await s.save(['AAAAA', 'snapshot', 'yyyyy'], B());
			await s.save(['AAAAA', 'sync-state', 'zzzzz'], C());
			await s.save(['BBBBB', 'sync-state', 'zzzzz'], C());
			// A key that only starts with the same letters is another document.
			await s.save(['AAAAAB', 'sync-state', 'zzzzz'], C());
			expect(byKey(await s.loadRange(['AAAAA']))).toEqual(
				byKey([
					{ key: ['AAAAA', 'sync-state', 'xxxxx'], data: A() },
					{ key: ['AAAAA', 'snapshot', 'yyyyy'], data: B() },
					{ key: ['AAAAA', 'sync-state', 'zzzzz'], data: C() }
				])
			);
			expect(byKey(await s.loadRange(['AAAAA', 'sync-state']))).toEqual(
				byKey([
					{ key: ['AAAAA', 'sync-state', 'xxxxx'], data: A() },
					{ key: ['AAAAA', 'sync-state', 'zzzzz'], data: C() }
				])
			);
			expect(await s.loadRange([])).toHaveLength(5);
		});

		withAdapter('removes one key, and a range, leaving the neighbours', async (s) => {
			await s.save(['AAAAA', 'snapshot', 'xxxxx'], A());
			await s.save(['AAAAA', 'snapshot', 'yyyyy'], B());
			await s.save(['AAAAA', 'sync-state', 'zzzzz'], C());
			await s.save(['BBBBB', 'snapshot', 'xxxxx'], A());
			await s.remove(['AAAAA', 'snapshot', 'xxxxx']);
			expect(await s.load(['AAAAA', 'snapshot', 'xxxxx'])).toBeUndefined();
			await s.removeRange(['AAAAA', 'snapshot']);
			const left: StorageKey[] = (await s.loadRange([])).map((c) => c.key);
			expect(byKey(left.map((key) => ({ key, data: undefined })))).toEqual(
				byKey([
					{ key: ['AAAAA', 'sync-state', 'zzzzz'], data: undefined },
					{ key: ['BBBBB', 'snapshot', 'xxxxx'], data: undefined }
				])
			);
			await s.remove(['nothing', 'here']);
		});
	});
}
