// A standard hat is named in the reader's own words, looked up by its kind; a hat the team
// made up keeps the title and description the team gave it. (The team document also stores a
// standard hat's English title, which is what the model sorts and reports by.)
import type { HatKind } from '$lib/model/team';
import { words } from '$lib/words';

type Named = { kind: HatKind; title: string; description: string };

export function hatTitle(hat: Pick<Named, 'kind' | 'title'>): string {
	return hat.kind === 'custom' ? hat.title : (words.team.hats[hat.kind]?.title ?? hat.title);
}

export function hatDescription(hat: Pick<Named, 'kind' | 'description'>): string {
	return hat.kind === 'custom' ? hat.description : (words.team.hats[hat.kind]?.description ?? hat.description);
}
