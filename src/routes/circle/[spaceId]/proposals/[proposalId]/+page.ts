import type { PageLoad } from './$types';
import { isPlainId } from '$lib/model/ids';
import { error } from '@sveltejs/kit';
import { words } from '$lib/words';

export const load: PageLoad = ({ params }) => {
	if (!isPlainId(params.proposalId)) error(404, words.circle.notFound.proposal);
	return { proposalId: params.proposalId };
};
