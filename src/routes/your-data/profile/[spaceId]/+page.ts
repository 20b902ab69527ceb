import type { PageLoad } from './$types';
import { isSpaceId, type SpaceId } from '$lib/protocol';
import { error } from '@sveltejs/kit';
import { words } from '$lib/words';

export const load: PageLoad = ({ params }) => {
	if (!isSpaceId(params.spaceId)) error(404, words.team.notFound);
	return { spaceId: params.spaceId as SpaceId };
};
