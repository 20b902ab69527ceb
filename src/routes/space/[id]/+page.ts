import type { PageLoad } from './$types';
import { isDocumentId, type DocumentId } from '$lib/protocol';
import { error } from '@sveltejs/kit';
import { words } from '$lib/words';

export const load: PageLoad = ({ params }) => {
	if (!isDocumentId(params.id)) error(404, words.spaces.space.notFound);
	return { docId: params.id as DocumentId };
};
