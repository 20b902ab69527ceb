// A storage writer thread that dies at its first batch of writes, the way a thread does when
// it runs out of memory or hits a bug: once per data file (a marker file beside it says it
// already did), and from then on it is the real writer.
import { existsSync, writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const marker = `${(workerData as { file: string }).file}.crashed`;
if (!existsSync(marker)) {
	writeFileSync(marker, '');
	// Registered before the real writer's own listener, so it runs first.
	parentPort!.on('message', (message: object) => {
		if ('writes' in message) process.exit(1);
	});
}
await import('../../sync-server/sqliteWriterWorker');
