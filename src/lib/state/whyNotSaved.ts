// Why a change is not on this device's disk yet, in words a page puts inside its own sentence
// ("Your note is not saved yet: this device’s storage is full."). `DocState.saved()` rejects
// with a StorageWriteError; anything else that went wrong is passed on in its own words.
import { StorageWriteError } from '$lib/sync/StorageWriteError';
import { words } from '$lib/words';

export function whyNotSaved(error: unknown): string {
	if (error instanceof StorageWriteError) return error.kind === 'full' ? words.sync.storageFull : words.sync.storageFailed;
	const message = (error as { message?: unknown } | null)?.message;
	return typeof message === 'string' && message ? message : String(error);
}
