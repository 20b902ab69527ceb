// Why this device's own storage refused something. `full` is the browser's quota (or the disk)
// running out; `failed` is anything else (storage cleared under us, a broken profile, a
// browser bug). Either way what the person typed is still in memory and on screen, and
// `LocalDurability` keeps trying to write it.
export type StorageFailureKind = 'full' | 'failed';

export class StorageWriteError extends Error {
	readonly kind: StorageFailureKind;

	constructor(kind: StorageFailureKind, detail: string, options?: { cause?: unknown }) {
		super(detail, options);
		this.name = 'StorageWriteError';
		this.kind = kind;
	}

	/** Wraps whatever a storage call threw or rejected with, keeping the browser's own reason. */
	static from(error: unknown): StorageWriteError {
		if (error instanceof StorageWriteError) return error;
		const name = (error as { name?: unknown } | null)?.name;
		const message = (error as { message?: unknown } | null)?.message;
		const detail = typeof message === 'string' && message ? message : typeof name === 'string' ? name : String(error);
		return new StorageWriteError(name === 'QuotaExceededError' ? 'full' : 'failed', detail, { cause: error });
	}
}
