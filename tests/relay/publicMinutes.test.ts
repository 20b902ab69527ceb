// Public minutes: a circle shares selected minutes with its wider circle by writing a copy into
// the wider circle's space, encrypted to that circle's key. Through a real relay: a member of
// the wider circle who is not in the circle reads the copy but never the circle's logbook; a
// member of the circle who is not in the wider circle never gets the copy.
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentId } from '$lib/protocol';
import type { Logbook } from '$lib/model/logbook';
import { editMinutes } from '$lib/model/logbook';
import { newCircle, type Circle } from '$lib/model/circle';
import { publication, type PublishedMinutes } from '$lib/model/circleSpace';
import type { PersonKey } from '$lib/model/ids';
import { eventually, setup, type Scenario } from '$tests/helpers/scenario';
import { startCircle } from '$tests/helpers/circleStory';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

describe('public minutes', () => {
	it('reach the wider circle re-encrypted to its key, and nobody else', async () => {
		const s = await setup('ana', 'cy', 'dee');
		scenario = s;
		const { ana, cy, dee } = s;
		// The wider circle: Ana (the Delegate) and Dee. The local circle: Ana and Cy.
		const wider = await startCircle(ana, [dee]);
		const local = await startCircle(ana, [cy]);
		const me = ana.engine.personKey() as unknown as PersonKey;
		const book = ana.engine.handle<Logbook>(local.logbook)!;
		book.change((b) => {
			editMinutes(b, local.meetingId, '## March\n- Cy’s private worry about rota gaps\n- Budget agreed');
		});
		const circle: Circle = newCircle('North Local Circle', me, 'Ana', { parent: { spaceId: wider.spaceId, name: 'Members’ Circle' } });
		const made = publication(circle, local.spaceId, book.doc(), local.meetingId, { minutes: true, decisions: [] }, me);
		expect(made.ok).toBe(true);
		if (!made.ok) return;
		const copy = await ana.engine.createInSpace<PublishedMinutes>(wider.spaceId, wider.everyone, made.doc);
		const copyId = copy.documentId as unknown as DocumentId;
		await ana.engine.whenSynced();

		await eventually(() => dee.engine.handle<PublishedMinutes>(copyId)?.doc()?.minutes?.includes('Budget agreed') === true, 15_000, 'the copy on Dee’s device');
		expect(dee.engine.spaceOf(copyId)).toEqual({ spaceId: wider.spaceId, circle: wider.everyone });
		// Dee never holds the local circle's logbook or a key to it.
		expect(dee.engine.access(local.logbook)).toBeUndefined();
		expect(dee.engine.handle(local.logbook)).toBeUndefined();
		// Cy, in the local circle but not the wider one, never gets the copy or its key.
		await cy.engine.whenSynced();
		expect(cy.engine.access(copyId)).toBeUndefined();
		expect(cy.engine.handle(copyId)).toBeUndefined();
		expect(cy.engine.spaceState(wider.spaceId)?.members.has(cy.engine.personKey()!) ?? false).toBe(false);
	}, 90_000);
});
