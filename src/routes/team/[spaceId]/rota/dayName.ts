// How the rota names a day: "today", "tomorrow", or "Monday 3 March" in the person's own language.
import { addDays, type IsoDate } from '$lib/model/calendar';
import { words } from '$lib/words';

export function dayName(date: IsoDate, today: IsoDate): string {
	if (date === today) return words.team.days.today;
	if (date === addDays(today, 1)) return words.team.days.tomorrow;
	if (date === addDays(today, -1)) return words.team.days.yesterday;
	return new Date(`${date}T12:00:00`).toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
}
