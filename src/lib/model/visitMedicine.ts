// Where the rota meets the medication record: the stretch of time a visit covers, as the
// MAR's local date-times, so `canCompleteVisit` can say which doses fell due during it. An
// overnight visit (ending earlier in the day than it starts) runs into the next day.
import { addDays, type IsoDate, type TimeOfDay } from './calendar';
import { localDateTime, type VisitWindow } from './mar';

export function visitWindow(o: { date: IsoDate; start: TimeOfDay; end: TimeOfDay }): VisitWindow {
	const endDate = o.end <= o.start ? addDays(o.date, 1) : o.date;
	return { from: localDateTime(o.date, o.start), to: localDateTime(endDate, o.end) };
}
