// `npm run relay:backup -- <file>`: a consistent copy of the embedded SQLite store, taken
// while the relay keeps running (SQLite's online backup reads a snapshot page by page; in
// WAL mode the relay's writes carry on meanwhile). Copying relay.sqlite with `cp` instead
// can tear a page or miss what still sits in the -wal file. The copy holds what the relay
// holds: ciphertext, ids and public keys, never a key or plaintext.
// The copy gets a new lineage (see RelayStore.lineage): a relay started from it tells every
// device that it may lack what was written after the backup, and they send that back.
// To restore: stop the relay, put the copy at $HEARTH_DATA/relay.sqlite, start it.
// PostgreSQL deployments use the database's own tools (pg_dump, or base backups), then run
// `npm run relay:restored` once before starting the relays.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { newLineage } from './newLineage';
import { readConfig } from './relayConfig';

async function main(args: string[]): Promise<number> {
	const target = args[0];
	if (!target || args.length > 1) {
		console.error('Usage: npm run relay:backup -- <file to write>');
		return 2;
	}
	const config = readConfig();
	if (config.store.kind !== 'sqlite') {
		console.error('This relay stores its data in PostgreSQL: back it up with pg_dump or your database’s backups.');
		return 2;
	}
	const source = join(config.store.dataDir, 'relay.sqlite');
	const destination = resolve(target);
	if (!existsSync(source)) {
		console.error(`There is no relay data at ${source} (set HEARTH_DATA to the relay's data folder).`);
		return 1;
	}
	if (existsSync(destination)) {
		console.error(`${destination} already exists; choose a new file so no earlier backup is overwritten.`);
		return 1;
	}
	if (!existsSync(dirname(destination))) {
		console.error(`The folder ${dirname(destination)} does not exist.`);
		return 1;
	}
	const db = new Database(source, { readonly: true, fileMustExist: true });
	try {
		await db.backup(destination);
	} finally {
		db.close();
	}
	// Check the copy before calling it a backup.
	const copy = new Database(destination);
	try {
		copy.prepare("UPDATE relay_meta SET value = ? WHERE key = 'lineage'").run(newLineage());
		const check = copy.pragma('integrity_check', { simple: true });
		if (check !== 'ok') {
			console.error(`The copy at ${destination} failed its integrity check (${String(check)}); it is not a usable backup.`);
			return 1;
		}
		const count = (table: string) => (copy.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
		console.log(`Backed up ${count('docs')} documents, ${count('entries')} entries and ${count('space_ops')} membership records to ${destination}.`);
	} finally {
		copy.close();
	}
	return 0;
}

main(process.argv.slice(2)).then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(`Hearth relay backup failed: ${(error as Error).message}`);
		process.exit(1);
	}
);
