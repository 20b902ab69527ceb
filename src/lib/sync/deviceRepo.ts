// The Repo a device runs on: automerge-repo for documents in memory and on disk, with no
// network of its own (the SyncEngine syncs, encrypted, through the relay).
//
// Its own save-on-change is effectively switched off: LocalDurability writes every change at
// once and knows when it is on disk, which the repo's 100 ms throttled save does not, and a
// failure of that throttled save (a full disk) would only surface as an unhandled rejection.
// Every document reaches the repo through the SyncEngine, which tracks it; `repo.flush()`
// and `shutdown()` still write everything.
import { Repo, type StorageAdapterInterface } from '@automerge/automerge-repo';

/** Longer than any session: the throttled save never comes due (and stays within a timer's range). */
const REPO_SAVE_THROTTLE_MS = 24 * 3600_000;

export function deviceRepo(storage: StorageAdapterInterface): Repo {
	return new Repo({ storage, network: [], sharePolicy: async () => false, saveDebounceRate: REPO_SAVE_THROTTLE_MS });
}
