import { describe, expect, it } from 'vitest';
import type { IsoDate } from '$lib/model/calendar';
import { recentMonths } from '$lib/model/teamSpace';

describe('the months a team page reads first', () => {
	it('is this month and last, across a year end', () => {
		expect(recentMonths('2026-11-25' as IsoDate)).toEqual(['2026-11', '2026-10']);
		expect(recentMonths('2027-01-01' as IsoDate)).toEqual(['2027-01', '2026-12']);
		expect(recentMonths('2028-03-31' as IsoDate)).toEqual(['2028-03', '2028-02']);
	});
});
