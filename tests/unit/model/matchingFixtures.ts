// Fixture people offering support around Hebden Bridge, for ranking tests and the call-out
// stories. Locations are real towns in the Calder Valley, rounded as profiles store them.
import type { PersonKey } from '$lib/model/ids';
import type { IsoDate } from '$lib/model/calendar';
import { emptyProfileContent, type GivingProfileContent, type SlotKey } from '$lib/model/givingProfile';
import type { DirectoryEntry } from '$lib/model/matching';

export const PLACES = {
	hebdenBridge: { lat: 53.74, lon: -2.01 },
	mytholmroyd: { lat: 53.73, lon: -1.98 },
	todmorden: { lat: 53.71, lon: -2.1 },
	halifax: { lat: 53.72, lon: -1.86 },
	leeds: { lat: 53.8, lon: -1.55 }
};

function person(name: string, patch: Partial<GivingProfileContent>): DirectoryEntry {
	return { id: `doc-${name.toLowerCase()}`, person: `${name.toLowerCase()}-key` as PersonKey, profile: { ...emptyProfileContent(name), ...patch } };
}

const slots = (...s: SlotKey[]) => Object.fromEntries(s.map((k) => [k, true])) as Partial<Record<SlotKey, true>>;

/** Knows dementia (accredited), free Tuesday and Thursday mornings, 3 miles away in Mytholmroyd. */
export const ada = person('Ada', {
	area: 'Mytholmroyd',
	location: PLACES.mytholmroyd,
	skills: { dementia: true, 'personal-care': true },
	qualifications: { q1: { title: 'Dementia Care Level 3', skill: 'dementia', accredited: true, date: '2024-05-01' as IsoDate } },
	availability: slots('2-morning', '4-morning', '5-afternoon'),
	supportKinds: { 'personal-care': true, companionship: true },
	independent: true,
	hourlyRatePence: 1650,
	travelMiles: 8,
	driver: true,
	approach: 'Calm and patient. I follow your lead and love being outdoors.',
	languages: { english: 'English' },
	surroundings: { cooking: true, garden: true }
});

/** Knows dementia (not accredited), free Tuesday mornings only, lives in Todmorden, no pets. */
export const ben = person('Ben', {
	area: 'Todmorden',
	location: PLACES.todmorden,
	skills: { dementia: true },
	availability: slots('2-morning'),
	supportKinds: { companionship: true },
	travelMiles: 10,
	preferences: { 'no-pets': true },
	approach: 'Chatty, cheerful, good with routines.',
	languages: { english: 'English', polish: 'Polish' }
});

/** Mental health and autism, evenings, Halifax, expensive. */
export const cara = person('Cara', {
	area: 'Halifax',
	location: PLACES.halifax,
	skills: { 'mental-health': true, autism: true },
	availability: slots('1-evening', '3-evening'),
	supportKinds: { 'out-and-about': true },
	independent: true,
	hourlyRatePence: 2400,
	travelMiles: 15,
	driver: true,
	approach: 'Person-led and practical.'
});

/** Dementia and end of life, Tuesday and Thursday mornings, but lives in Leeds and travels 5 miles. */
export const dev = person('Dev', {
	area: 'Leeds',
	location: PLACES.leeds,
	skills: { dementia: true, 'end-of-life': true },
	availability: slots('2-morning', '4-morning'),
	supportKinds: { 'personal-care': true },
	travelMiles: 5
});

/** Learning disabilities, weekends, Hebden Bridge itself, no location given. */
export const eve = person('Eve', {
	area: 'Hebden Bridge',
	location: null,
	skills: { 'learning-disabilities': true },
	availability: slots('6-morning', '7-morning'),
	supportKinds: { companionship: true, household: true },
	languages: { english: 'English', welsh: 'Welsh' }
});

export const FIXTURES: DirectoryEntry[] = [eve, dev, cara, ben, ada];
