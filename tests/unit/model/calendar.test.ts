import { describe, expect, it } from 'vitest';
import { startOfWeek, type IsoDate } from '$lib/model/calendar';

const d = (s: string) => s as IsoDate;

describe('weeks', () => {
	it('start on the Monday, across months and years', () => {
		expect(startOfWeek(d('2025-03-03'))).toBe('2025-03-03'); // a Monday
		expect(startOfWeek(d('2025-03-09'))).toBe('2025-03-03'); // the Sunday after
		expect(startOfWeek(d('2025-03-01'))).toBe('2025-02-24');
		expect(startOfWeek(d('2026-01-01'))).toBe('2025-12-29');
	});
});
