import type { LayoutLoad } from './$types';
import { isSpaceId, type SpaceId } from '$lib/protocol';
import { error } from '@sveltejs/kit';

export const load: LayoutLoad = ({ params }) => {
	if (!isSpaceId(params.spaceId)) error(404, 'There is no circle at this address.');
	return { spaceId: params.spaceId as SpaceId };
};
