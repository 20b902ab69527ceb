import type { PageLoad } from './$types';
import { isDocumentId, type DocumentId } from '$lib/protocol';
import { error } from '@sveltejs/kit';

export const load: PageLoad = ({ params }) => {
	if (!isDocumentId(params.id)) error(404, 'There is no space at this address.');
	return { docId: params.id as DocumentId };
};
