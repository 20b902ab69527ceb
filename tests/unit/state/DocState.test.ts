// A document's state refuses changes once its space has shut this device out: the change is
// not made, the page is told why in plain words, and the app hears that one was turned away.
import { describe, expect, it } from 'vitest';
import { Repo } from '@automerge/automerge-repo';
import type { DocumentId, SpaceId } from '$lib/protocol';
import { DocState, type WriteGate } from '$lib/state/DocState.svelte';
import { SpaceClosedError } from '$lib/state/SpaceClosedError';

interface Notes {
	items: string[];
}

function story() {
	const repo = new Repo({ network: [] });
	const handle = repo.create<Notes>({ items: ['Tuesday: GP at 10'] });
	let closedIn: SpaceId | undefined;
	const refused: SpaceId[] = [];
	const gate: WriteGate = {
		closedSpace: (docId: DocumentId) => (docId === (handle.documentId as unknown as DocumentId) ? closedIn : undefined),
		refused: (spaceId) => void refused.push(spaceId)
	};
	const state = DocState.of({ whenDurable: async () => {} }, handle, gate);
	return { state, refused, close: (spaceId: SpaceId) => (closedIn = spaceId) };
}

describe('writing to a document of a space you were removed from', () => {
	it('works while the space is open, then refuses with a plain reason and changes nothing', () => {
		const { state, refused, close } = story();
		expect(state.closed).toBe(false);
		state.change((d) => void d.items.push('from Bea'));
		expect(state.attempt((d) => d.items.length)).toBe(2);

		close('space-1' as SpaceId);
		expect(state.closed).toBe(true);
		expect(() => state.change((d) => void d.items.push('after removal'))).toThrow(SpaceClosedError);
		let ran = false;
		const attempt = () => state.attempt(() => (ran = true));
		expect(attempt).toThrow('you were removed from this team or space, so nothing new can be added to it');
		expect(ran).toBe(false);
		expect(state.doc?.items).toEqual(['Tuesday: GP at 10', 'from Bea']);
		// Each refusal is reported, so the page can say so where the person is looking.
		expect(refused).toEqual(['space-1', 'space-1']);
	});
});
