// Live minutes: three secretaries type into the same meeting's minutes at once, character by
// character, through a real relay, while their connections drop and come back at random. When
// everyone is back online they all hold identical minutes containing every secretary's words.
import { afterEach, describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import type { Logbook } from '$lib/model/logbook';
import { eventually, setup, type Device, type Scenario } from '$tests/helpers/scenario';
import { startCircle } from '$tests/helpers/circleStory';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

/** A small seeded generator, so a failing run can be repeated from its printed seed. */
function rng(seed: number): () => number {
	let s = seed >>> 0 || 1;
	return () => {
		s ^= s << 13;
		s ^= s >>> 17;
		s ^= s << 5;
		return (s >>> 0) / 2 ** 32;
	};
}

const sentences: Record<string, string[]> = {
	ana: ['Ana: the budget for spring is agreed.', 'Ana: next meeting on the first Tuesday.'],
	ben: ['Ben: two new workers start in April.', 'Ben: the rota gap on Fridays is covered.'],
	cy: ['Cy: training day booked with the college.', 'Cy: care commons fund has room for one more.']
};

/**
 * Types the secretary's sentences into the minutes one character per change, as a text box
 * would. Each sentence starts at a line boundary chosen at random in the text as it is on
 * this device; every later character goes just after the one typed before it (an Automerge
 * cursor, so others' typing never moves it). Now and then a typo is typed and deleted, and the
 * connection drops or comes back.
 */
async function typeMinutes(d: Device, docId: string, meetingId: string, lines: string[], random: () => number): Promise<void> {
	const handle = d.engine.handle<Logbook>(docId as never)!;
	const path = ['meetings', meetingId, 'minutes'];
	for (const line of lines) {
		let last: A.Cursor | undefined;
		for (const ch of `${line}\n`) {
			handle.change((doc) => {
				const text = doc.meetings[meetingId].minutes;
				let at: number;
				if (last === undefined) {
					const boundaries = [0, ...[...text].flatMap((c, i) => (c === '\n' ? [i + 1] : []))];
					at = boundaries[Math.floor(random() * boundaries.length)];
				} else {
					at = A.getCursorPosition(doc, path, last) + 1;
				}
				A.splice(doc, path, at, 0, ch);
				last = A.getCursor(doc, path, at);
			});
			if (random() < 0.08) {
				// A typo, then backspace: a character-level delete.
				handle.change((doc) => {
					const at = A.getCursorPosition(doc, path, last!) + 1;
					A.splice(doc, path, at, 0, '#');
					A.splice(doc, path, at, 1);
				});
			}
			const r = random();
			if (r < 0.02) d.engine.disconnect();
			else if (r < 0.06) d.engine.connect();
			await new Promise((res) => setTimeout(res, Math.floor(random() * 12)));
		}
	}
}

describe('live minutes', () => {
	it('three secretaries typing at once with random disconnects end with identical minutes holding all their words', async () => {
		const s = await setup('ana', 'ben', 'cy');
		scenario = s;
		const story = await startCircle(s.ana, [s.ben, s.cy]);
		const devices = [s.ana, s.ben, s.cy];
		for (const run of [1, 2]) {
			const seed = Date.now() + run;
			const random = rng(seed);
			await Promise.all(devices.map((d) => typeMinutes(d, story.logbook, story.meetingId, sentences[d.name].map((x) => `${x} (${run})`), random)));
			for (const d of devices) d.engine.connect();
			for (const d of devices) await d.engine.whenSynced(20_000);
			await eventually(
				() => {
					const heads = devices.map((d) => JSON.stringify(A.getHeads(d.engine.handle<Logbook>(story.logbook)!.doc()).sort()));
					return heads.every((h) => h === heads[0]);
				},
				20_000,
				'identical heads'
			);
			const texts = devices.map((d) => d.engine.handle<Logbook>(story.logbook)!.doc().meetings[story.meetingId].minutes);
			expect(texts[1], `seed ${seed}`).toBe(texts[0]);
			expect(texts[2], `seed ${seed}`).toBe(texts[0]);
			for (const d of devices) for (const line of sentences[d.name]) expect(texts[0], `seed ${seed}`).toContain(`${line} (${run})\n`);
			expect(texts[0]).not.toContain('#');
		}
	}, 120_000);
});
