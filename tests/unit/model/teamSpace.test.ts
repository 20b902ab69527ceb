import { describe, expect, it } from 'vitest';
import type { IsoDate } from '$lib/model/calendar';
import type { PersonKey } from '$lib/model/ids';
import { addMember, newTeam } from '$lib/model/team';
import { readersOf, recentMonths, teamCircleNames, type TeamDoc } from '$lib/model/teamSpace';
import { words } from '$lib/words';

describe('the months a team page reads first', () => {
	it('is this month and last, across a year end', () => {
		expect(recentMonths('2026-11-25' as IsoDate)).toEqual(['2026-11', '2026-10']);
		expect(recentMonths('2027-01-01' as IsoDate)).toEqual(['2027-01', '2026-12']);
		expect(recentMonths('2028-03-31' as IsoDate)).toEqual(['2028-03', '2028-02']);
	});
});

describe('who reads something shared with some of a team’s circles', () => {
	const owner = 'rose' as PersonKey;
	const circles = ['c-whole', 'c-care', 'c-money', 'c-emergency'];
	const [whole, care, money, emergency] = circles;
	function team(): TeamDoc {
		const t: TeamDoc = { ...newTeam('Rose’s team', owner, 'Rose', 0), circles: teamCircleNames(circles) };
		expect(addMember(t, 'sam' as PersonKey, { name: 'Sam', kind: 'employed-worker' }, 0).ok).toBe(true);
		expect(addMember(t, 'ali' as PersonKey, { name: 'Ali', kind: 'independent-worker' }, 0).ok).toBe(true);
		expect(addMember(t, 'jo' as PersonKey, { name: 'Jo', kind: 'family-friend' }, 0).ok).toBe(true);
		return t;
	}
	const members = [
		{ person: 'rose', circles: circles },
		{ person: 'sam', circles: [whole, care] },
		{ person: 'ali', circles: [whole, care] },
		{ person: 'jo', circles: [whole, money, emergency] },
		// Not in the whole team, so the team document knows nothing of them.
		{ person: 'nina', circles: [emergency] },
		{ person: 'new', circles: [whole] }
	];

	it('counts each person once, under the first chosen circle they are in, by the kind the team knows them as', () => {
		const readers = readersOf(team(), circles, [emergency, whole], members);
		expect(readers).toEqual([
			{ circle: whole, role: 'whole-team', name: 'Whole team', kinds: { 'employed-worker': 1, 'independent-worker': 1, 'family-friend': 1 }, others: 1 },
			{ circle: emergency, role: 'emergency-contact', name: 'Emergency contact only', kinds: {}, others: 1 }
		]);
		expect(words.team.profile.readersNow(readers)).toBe(
			'Who reads it: you, 2 care workers, a family member or friend and someone else in the whole team, and your emergency contact.'
		);
	});

	it('says who reads care records and emergency contacts, and when nobody but the Owner does yet', () => {
		expect(words.team.profile.readersNow(readersOf(team(), circles, [care, emergency], members))).toBe(
			'Who reads it: you, 2 care workers with care records, and your 2 emergency contacts.'
		);
		expect(words.team.profile.readersNow(readersOf(team(), circles, [care], members))).toBe('Who reads it: you and 2 care workers with care records.');
		const alone = readersOf(newTeam('Rose’s team', owner, 'Rose', 0), circles, [whole, emergency], [{ person: 'rose', circles }]);
		expect(words.team.profile.readersNow(alone)).toBe(
			'Who reads it: only you for now. Anyone you invite to “Whole team” and “Emergency contact only” will read it too.'
		);
	});
});
