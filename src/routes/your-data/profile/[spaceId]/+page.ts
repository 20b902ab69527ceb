import type { PageLoad } from './$types';
import { isSpaceId, type SpaceId } from '$lib/protocol';
import { error } from '@sveltejs/kit';

export const load: PageLoad = ({ params }) => {
	if (!isSpaceId(params.spaceId)) error(404, 'There is no team at this address.');
	return { spaceId: params.spaceId as SpaceId };
};
