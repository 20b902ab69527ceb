// The writer thread of the embedded store (see SqliteWriter). It owns the only connection
// that writes relay.sqlite. Writes that arrive while it is committing wait and go into the
// next commit together, so a busy relay makes fewer, larger commits.
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteFile } from './sqliteSchema';
import { commitWrites, prepareWrites, type SqliteWrite, type SqliteWriteOutcome } from './sqliteWrites';

/** From SqliteWriter: writes to commit, by id; or the order to finish. */
export type WriterRequest = { writes: Array<[id: number, write: SqliteWrite]> } | { close: true };
/** To SqliteWriter: each write's outcome, by id, once its commit is on disk. */
export type WriterReply = { ready: true } | { done: Array<[id: number, outcome: SqliteWriteOutcome]> };

const port = parentPort!;
const db = openSqliteFile((workerData as { file: string }).file);
const stmts = prepareWrites(db);
let queue: Array<[number, SqliteWrite]> = [];
let scheduled = false;
port.postMessage({ ready: true } satisfies WriterReply);

function flush(): void {
	scheduled = false;
	const batch = queue;
	queue = [];
	const outcomes = commitWrites(db, stmts, batch.map(([, write]) => write));
	port.postMessage({ done: batch.map(([id], i) => [id, outcomes[i]]) } satisfies WriterReply);
}

port.on('message', (request: WriterRequest) => {
	if ('close' in request) {
		if (queue.length > 0) flush();
		db.close();
		port.close();
		return;
	}
	queue.push(...request.writes);
	if (!scheduled) {
		scheduled = true;
		// Messages that queued up during the last commit are all delivered before this runs.
		setImmediate(flush);
	}
});
