// The profile's sections and fields named in the reader's own words, looked up by the model's
// keys; a field the words don't know yet keeps the model's label.
import type { ProfileFieldSpec, ProfileSectionKey } from '$lib/model/profile';
import { words } from '$lib/words';

export function sectionWords(key: ProfileSectionKey): { title: string; prompt: string } {
	return words.team.profileSections[key];
}

export function fieldLabel(field: ProfileFieldSpec): string {
	return (words.team.profileFields as Record<string, string | undefined>)[field.key] ?? field.label;
}
