/** An error from the embedded store's writer thread, with SQLite's code (such as SQLITE_FULL) when it had one. */
export class SqliteWriteError extends Error {
	readonly code: string | undefined;
	constructor(message: string, code?: string) {
		super(message);
		this.name = 'SqliteWriteError';
		this.code = code;
	}
}
