import type { PageLoad } from './$types';
import { isPlainId } from '$lib/model/ids';
import { error } from '@sveltejs/kit';

export const load: PageLoad = ({ params }) => {
	if (!isPlainId(params.proposalId)) error(404, 'There is no proposal at this address.');
	return { proposalId: params.proposalId };
};
