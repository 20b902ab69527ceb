// `npm run relay:restored`: run once after restoring the relay's storage by other means than
// a `relay:backup` copy (e.g. pg_dump, a PostgreSQL base backup, a disk snapshot), before
// starting the relays. It gives the storage a new lineage, so every device knows the relay
// may lack what it acknowledged after the backup, and sends that back.
import { PostgresStore } from './PostgresStore';
import { readConfig } from './relayConfig';
import type { RelayStore } from './RelayStore';
import { SqliteStore } from './SqliteStore';

async function main(): Promise<void> {
	const config = readConfig();
	const store: RelayStore = config.store.kind === 'postgres' ? new PostgresStore({ url: config.store.url, poolSize: 1 }) : new SqliteStore(config.store.dataDir);
	await store.open();
	try {
		await store.renewLineage();
		console.log('Marked the relay storage as restored: devices will send back anything it is missing when they next connect.');
	} finally {
		await store.close();
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(`Hearth relay: could not mark the storage as restored: ${(error as Error).message}`);
		process.exit(1);
	}
);
