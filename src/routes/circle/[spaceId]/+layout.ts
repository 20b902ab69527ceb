import type { LayoutLoad } from './$types';
import { isSpaceId, type SpaceId } from '$lib/protocol';
import { error } from '@sveltejs/kit';
import { words } from '$lib/words';

export const load: LayoutLoad = ({ params }) => {
	if (!isSpaceId(params.spaceId)) error(404, words.circle.notFound.circle);
	return { spaceId: params.spaceId as SpaceId };
};
