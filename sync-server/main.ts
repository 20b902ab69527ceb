// Starts the relay (and serves the built app if it exists). Settings come from the
// environment so the same command works on a laptop and a server; see sync-server/README.md.
// The default is one process with an embedded SQLite file: `npm start` needs nothing else.
import { jsonLogger } from './jsonLog';
import { PostgresStore } from './PostgresStore';
import { readConfig } from './relayConfig';
import { RelayServer } from './RelayServer';
import type { RelayStore } from './RelayStore';
import { SqliteStore } from './SqliteStore';

let config;
try {
	config = readConfig();
} catch (error) {
	console.error(`Hearth relay: ${(error as Error).message}`);
	process.exit(2);
}
const log = jsonLogger(config.logLevel);
const store: RelayStore =
	config.store.kind === 'postgres'
		? new PostgresStore({ url: config.store.url, poolSize: config.store.poolSize, log: (event, fields) => log(event, fields, 'warn') })
		: new SqliteStore(config.store.dataDir);

try {
	await store.open();
} catch (error) {
	// The message may name a host or a database user, which is configuration, not content.
	console.error(`Hearth relay: could not open ${config.store.kind} storage: ${(error as Error).message}`);
	process.exit(1);
}

const relay = new RelayServer({
	store,
	port: config.port,
	host: config.host,
	staticDir: config.staticDir,
	frameLog: config.frameLog,
	log,
	limits: config.limits
});

const bound = await relay.listen();
const host = config.host;
const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${bound}`;
console.log(config.staticDir ? `Hearth is running at ${url}` : `Hearth relay listening at ${url.replace('http', 'ws')}/sync`);
console.log(config.store.kind === 'sqlite' ? `Relay data folder: ${config.store.dataDir}` : 'Relay storage: PostgreSQL');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		// A second signal while draining means "now".
		if (relay.draining) process.exit(1);
		void relay.shutdown(signal).then(
			() => process.exit(0),
			() => process.exit(1)
		);
	});
}
