import type { PageLoad } from './$types';
import { isPlainId } from '$lib/model/ids';
import { error } from '@sveltejs/kit';

export const load: PageLoad = ({ params }) => {
	if (!isPlainId(params.meetingId)) error(404, 'There is no meeting at this address.');
	return { meetingId: params.meetingId };
};
