// The rota meeting the medication record: which doses fall due during a visit, overnight
// stays included, so a visit can't be marked done while one of them has no outcome.
import { beforeAll, describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import { cryptoReady } from '$lib/crypto';
import { createDevice, type DeviceSecrets } from '$lib/keys/device';
import type { IsoDate, TimeOfDay } from '$lib/model/calendar';
import type { PersonKey } from '$lib/model/ids';
import {
	addMedicine, appendMarEntry, canCompleteVisit, newMarRecord, signMarEntry, trustedEntries, verifyMarLog,
	type LocalDateTime, type MarEntryId, type MarRecord, type MedicineId
} from '$lib/model/mar';
import { visitWindow } from '$lib/model/visitMedicine';

const amy = 'amy-person-key' as PersonKey;
const d = (s: string) => s as IsoDate;
const t = (s: string) => s as TimeOfDay;
let phone: DeviceSecrets;

beforeAll(async () => {
	await cryptoReady();
	phone = createDevice(0);
});

function mar(): A.Doc<MarRecord> {
	return A.change(A.from<MarRecord>(newMarRecord('mar-1', 0)), (m) => {
		addMedicine(m, 'sertraline' as MedicineId, { name: 'Sertraline', dose: '50 mg', times: ['08:00', '22:00'], from: '2025-03-01T00:00' as LocalDateTime });
	});
}

describe('a visit and the doses due in it', () => {
	it('covers the visit from start to end, and an overnight stay into the next morning', () => {
		expect(visitWindow({ date: d('2025-03-14'), start: t('07:30'), end: t('09:00') })).toEqual({ from: '2025-03-14T07:30', to: '2025-03-14T09:00' });
		expect(visitWindow({ date: d('2025-03-14'), start: t('21:00'), end: t('09:00') })).toEqual({ from: '2025-03-14T21:00', to: '2025-03-15T09:00' });
	});

	it('blocks an overnight visit until both its doses have an outcome, and only those', () => {
		let doc = mar();
		const night = visitWindow({ date: d('2025-03-14'), start: t('21:00'), end: t('09:00') });
		const before = canCompleteVisit(doc.medicines, trustedEntries(doc, verifyMarLog(doc)), night);
		expect(before.ok).toBe(false);
		expect(before.ok ? [] : before.due.map((x) => x.due)).toEqual(['2025-03-14T22:00', '2025-03-15T08:00']);

		for (const due of ['2025-03-14T22:00', '2025-03-15T08:00'] as LocalDateTime[]) {
			const entry = signMarEntry(phone, {
				id: `e-${due}` as MarEntryId, medicine: 'sertraline' as MedicineId, medicineName: 'Sertraline', dose: '50 mg',
				outcome: due.endsWith('08:00') ? 'refused' : 'given', reason: null, due, at: due, author: amy, corrects: null
			}, doc);
			doc = A.change(doc, (m) => appendMarEntry(m, entry));
		}
		expect(canCompleteVisit(doc.medicines, trustedEntries(doc, verifyMarLog(doc)), night)).toEqual({ ok: true });
		// A morning visit the day before has its own dose, still without an outcome.
		const morning = visitWindow({ date: d('2025-03-14'), start: t('07:30'), end: t('09:00') });
		expect(canCompleteVisit(doc.medicines, trustedEntries(doc, verifyMarLog(doc)), morning).ok).toBe(false);
	});
});
