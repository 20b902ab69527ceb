// Ranking a Local Circle's directory against a team's needs: Rose in Hebden Bridge needs
// someone who knows dementia care on Tuesday and Thursday mornings, and has a dog.
import { describe, expect, it } from 'vitest';
import { emptyNeeds, describeSlots, milesBetween, prepareDirectory, rankAgainst, searchDirectory, type TeamNeeds } from '$lib/model/matching';
import { FIXTURES, PLACES, ada, ben, cara, dev, eve } from './matchingFixtures';

const roseNeeds: TeamNeeds = {
	...emptyNeeds(),
	skills: ['dementia'],
	slots: ['2-morning', '4-morning'],
	location: PLACES.hebdenBridge,
	area: 'Hebden Bridge',
	supportKinds: ['personal-care'],
	budgetPence: 1800,
	driverWanted: true,
	home: { pets: true, heavyLifting: false, smoking: false, overnight: false }
};

const names = (r: { matches: Array<{ profile: { name: string } }> }) => r.matches.map((m) => m.profile.name);

describe('directory ranking', () => {
	const directory = prepareDirectory(FIXTURES);

	it('puts the best fit first and says why, in plain words', () => {
		const result = searchDirectory(directory, roseNeeds);
		expect(result.total).toBe(5);
		expect(names(result)[0]).toBe('Ada');
		expect(names(result).slice(1, 3).sort()).toEqual(['Ben', 'Dev']);
		const first = result.matches[0];
		expect(first.reasons).toContain('Knows dementia care (accredited training, 2024)');
		expect(first.reasons).toContain('Free on Tuesday and Thursday mornings');
		expect(first.reasons).toContain('Lives 1 mile away');
		expect(first.reasons).toContain('Offers personal care');
		expect(first.reasons).toContain('Asks £16.50 an hour, within your budget');
		expect(first.reasons).toContain('Drives');
		expect(first.misses).toEqual([]);
		// Every result lists why it matched (or what did not).
		for (const m of result.matches) expect(m.reasons.length + m.misses.length).toBeGreaterThan(0);
	});

	it('shows what does not fit, so nobody is ranked down without a reason', () => {
		const result = searchDirectory(directory, roseNeeds);
		const benMatch = result.matches.find((m) => m.id === ben.id)!;
		expect(benMatch.reasons).toContain('Knows dementia care');
		expect(benMatch.reasons).toContain('Free on Tuesday mornings');
		expect(benMatch.misses).toContain('Not free on Thursday mornings');
		expect(benMatch.misses).toContain('Prefers homes without pets');
		expect(benMatch.misses).toContain('Does not drive');
		const devMatch = result.matches.find((m) => m.id === dev.id)!;
		expect(devMatch.misses.some((m) => /^Lives \d+ miles away, further than the 5 miles they travel$/.test(m))).toBe(true);
		const caraMatch = result.matches.find((m) => m.id === cara.id)!;
		expect(caraMatch.misses).toContain('Has not listed dementia care');
		expect(caraMatch.misses).toContain('Asks £24.00 an hour, more than your £18.00');
		// Those who know dementia care come before those who do not.
		expect(names(result).slice(3).sort()).toEqual(['Cara', 'Eve']);
	});

	it('weighs a worker’s own limits: living further than they travel ranks them down', () => {
		const far = searchDirectory(directory, roseNeeds);
		const near = searchDirectory(prepareDirectory([...FIXTURES.filter((e) => e !== dev), { ...dev, profile: { ...dev.profile, location: PLACES.mytholmroyd } }]), roseNeeds);
		const score = (r: typeof far) => r.matches.find((m) => m.id === dev.id)!.score;
		expect(score(near)).toBeGreaterThan(score(far) + 30);
		expect(names(near).slice(0, 2)).toEqual(['Ada', 'Dev']);
		expect(near.matches.find((m) => m.id === dev.id)!.reasons).toContain('Lives 1 mile away');
	});

	it('filters by skills, distance, availability, rate, languages and approach', () => {
		expect(names(searchDirectory(directory, roseNeeds, { skills: ['dementia'] })).sort()).toEqual(['Ada', 'Ben', 'Dev']);
		expect(names(searchDirectory(directory, roseNeeds, { skills: ['dementia', 'end-of-life'] }))).toEqual(['Dev']);
		expect(names(searchDirectory(directory, roseNeeds, { withinMiles: 5 })).sort()).toEqual(['Ada', 'Ben', 'Eve']);
		expect(names(searchDirectory(directory, roseNeeds, { slots: ['4-morning'] })).sort()).toEqual(['Ada', 'Dev']);
		// People without a rate (employed, volunteers) are not filtered out by a budget.
		expect(names(searchDirectory(directory, roseNeeds, { maxRatePence: 2000 })).sort()).toEqual(['Ada', 'Ben', 'Dev', 'Eve']);
		expect(names(searchDirectory(directory, roseNeeds, { languages: ['Polish', 'Welsh'] })).sort()).toEqual(['Ben', 'Eve']);
		expect(names(searchDirectory(directory, roseNeeds, { approach: 'outdoors calm' }))).toEqual(['Ada']);
		expect(names(searchDirectory(directory, roseNeeds, { driver: true })).sort()).toEqual(['Ada', 'Cara']);
		expect(names(searchDirectory(directory, roseNeeds, { supportKinds: ['household'] }))).toEqual(['Eve']);
	});

	it('ranks by the same area in words when there are no locations', () => {
		const needs: TeamNeeds = { ...emptyNeeds(), area: 'hebden bridge', skills: ['learning-disabilities'] };
		const result = searchDirectory(directory, needs, { withinMiles: 2 });
		expect(names(result)).toEqual(['Eve']);
		expect(result.matches[0].reasons).toEqual(['Knows supporting people with learning disabilities', 'Lives in Hebden Bridge']);
		// With nowhere to measure from, a distance leaves nobody out.
		expect(searchDirectory(directory, emptyNeeds(), { withinMiles: 2 }).total).toBe(5);
	});

	it('gives the same order on every device, whatever order the profiles arrived in', () => {
		const shuffled = prepareDirectory([ada, eve, ben, dev, cara]);
		expect(names(searchDirectory(shuffled, roseNeeds))).toEqual(names(searchDirectory(directory, roseNeeds)));
		expect(rankAgainst([cara, ben, ada], roseNeeds).map((m) => m.profile.name)).toEqual(['Ada', 'Ben', 'Cara']);
	});

	it('describes distances and times plainly', () => {
		expect(Math.round(milesBetween(PLACES.hebdenBridge, PLACES.leeds))).toBe(19);
		expect(describeSlots(['4-morning', '2-morning', '5-evening'])).toBe('Tuesday and Thursday mornings, Friday evenings');
		expect(describeSlots(['1-night', '3-night', '6-night'])).toBe('Monday, Wednesday and Saturday nights');
	});
});
