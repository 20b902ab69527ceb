// Presence in live minutes: who is here and where their cursor is reaches the others within a
// second, goes away when someone leaves (at once when they close the page, within a few
// seconds when their device just goes quiet), and travels encrypted: the relay's log of every
// frame it saw holds none of the names.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as A from '@automerge/automerge';
import { editMinutes, type Logbook } from '$lib/model/logbook';
import { PresenceChannel } from '$lib/sync/PresenceChannel';
import { eventually, setup, type Scenario } from '$tests/helpers/scenario';
import { startCircle } from '$tests/helpers/circleStory';

let scenario: Scenario | undefined;
const channels: PresenceChannel[] = [];
afterEach(async () => {
	for (const c of channels.splice(0)) c.close();
	await scenario?.teardown();
	scenario = undefined;
});

const names = { ana: 'Anastasia Quillfeather', ben: 'Benedikt Marchbanks', cy: 'Cyrilla Thornwhistle' };

describe('presence in live minutes', () => {
	it('shows within a second with the cursor in the right place, disappears after leaving, and the relay sees no names', async () => {
		const s = await setup('ana', 'ben', 'cy');
		scenario = s;
		const { ana, ben, cy } = s;
		const story = await startCircle(ana, [ben, cy]);
		const field = `minutes:${story.meetingId}`;
		const path = ['meetings', story.meetingId, 'minutes'];
		const anaDoc = ana.engine.handle<Logbook>(story.logbook)!;
		anaDoc.change((b) => {
			editMinutes(b, story.meetingId, 'Welcome and check-in round');
		});
		await ana.engine.whenSynced();
		await eventually(() => ben.engine.handle<Logbook>(story.logbook)!.doc().meetings[story.meetingId].minutes.length > 0, 10_000, 'the minutes on Ben’s device');

		const benHere = new PresenceChannel(ben.engine, story.logbook, { name: names.ben, colour: 1 });
		channels.push(benHere);

		// Ana arrives and puts her cursor after "Welcome".
		const started = Date.now();
		const anaHere = new PresenceChannel(ana.engine, story.logbook, { name: names.ana, colour: 0 });
		channels.push(anaHere);
		const cursor = A.getCursor(anaDoc.doc(), path, 7);
		anaHere.move({ field, anchor: cursor, head: cursor });
		await eventually(() => benHere.peers.some((p) => p.name === names.ana && p.spot?.anchor === cursor), 1000, 'Ana’s presence on Ben’s screen within 1 s');
		expect(Date.now() - started).toBeLessThan(1000);
		// Ben's copy places her cursor at the same character, even after Ben types before it.
		const benDoc = ben.engine.handle<Logbook>(story.logbook)!;
		benDoc.change((b) => {
			A.splice(b, path, 0, 0, 'Hello. ');
		});
		const seen = benHere.peers.find((p) => p.name === names.ana)!;
		expect(A.getCursorPosition(benDoc.doc(), path, seen.spot!.anchor!)).toBe(7 + 'Hello. '.length);
		// Ana sees Ben too: a newcomer is answered at once.
		await eventually(() => anaHere.peers.some((p) => p.name === names.ben), 1000, 'Ben on Ana’s screen');

		// Cy joins, then Ana closes the page: she says goodbye and is gone at once.
		const cyHere = new PresenceChannel(cy.engine, story.logbook, { name: names.cy, colour: 2 });
		channels.push(cyHere);
		await eventually(() => benHere.peers.length === 2, 1000, 'Cy on Ben’s screen');
		anaHere.close();
		const closedAt = Date.now();
		await eventually(() => !benHere.peers.some((p) => p.name === names.ana), 1000, 'Ana gone after she closed the page');
		expect(Date.now() - closedAt).toBeLessThan(1000);

		// Cy's laptop just drops off (no goodbye): she disappears within a few seconds.
		await cy.engine.close();
		const droppedAt = Date.now();
		await eventually(() => benHere.peers.length === 0, 5000, 'Cy gone after her device went quiet');
		expect(Date.now() - droppedAt).toBeLessThan(5000);

		// Every frame the relay saw: no names, no text of the minutes.
		await s.relay.stop();
		const frames = readFileSync(s.relay.frameLog);
		expect(frames.length).toBeGreaterThan(0);
		expect(frames.includes(Buffer.from('"type":"ephemeral"'))).toBe(true);
		for (const name of [...Object.values(names), 'Ana Secretname']) {
			expect(frames.includes(Buffer.from(name)), name).toBe(false);
			expect(frames.includes(Buffer.from(name.split(' ')[1])), name).toBe(false);
		}
		expect(frames.includes(Buffer.from('check-in round'))).toBe(false);
	}, 90_000);
});
