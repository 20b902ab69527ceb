// The profile's sections named in the reader's own words, looked up by the model's keys.
import type { ProfileSectionKey } from '$lib/model/profile';
import { words } from '$lib/words';

export function sectionWords(key: ProfileSectionKey): { title: string; prompt: string } {
	return words.team.profileSections[key];
}
