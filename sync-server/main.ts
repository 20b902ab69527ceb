// Starts the relay (and serves the built app if it exists). Settings come from the
// environment so the same command works on a laptop and a server; see sync-server/README.md.
// The default is one process with an embedded SQLite file: `npm start` needs nothing else.
import { jsonLogger } from './jsonLog';
import { PostgresStore } from './PostgresStore';
import { isLoopback, readConfig, readTlsFiles } from './relayConfig';
import { RelayServer, type TlsFiles } from './RelayServer';
import type { RelayStore } from './RelayStore';
import { SqliteStore } from './SqliteStore';

let config;
let tls: TlsFiles | undefined;
try {
	config = readConfig();
	tls = config.tls ? readTlsFiles(config.tls) : undefined;
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
	limits: config.limits,
	tls
});

let bound: number;
try {
	bound = await relay.listen();
} catch (error) {
	console.error(`Hearth relay: could not listen on ${config.host}:${config.port}: ${(error as Error).message}`);
	process.exit(1);
}
const host = config.host;
const scheme = tls ? 'https' : 'http';
const url = `${scheme}://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${bound}`;
console.log(config.staticDir ? `Hearth is running at ${url}` : `Hearth relay listening at ${url.replace(/^http/, 'ws')}/sync`);
console.log(config.store.kind === 'sqlite' ? `Relay data folder: ${config.store.dataDir}` : 'Relay storage: PostgreSQL');
if (!tls && !isLoopback(host) && config.staticDir) {
	// Browsers switch off WebCrypto and service workers on plain http:// addresses other than
	// localhost, so the app would not start on the other devices this address is for.
	console.log(
		'Other devices need HTTPS: browsers refuse what Hearth needs on plain http:// addresses other than localhost. ' +
			'Set HEARTH_TLS_CERT and HEARTH_TLS_KEY, or put a reverse proxy with HTTPS in front (see README.md, "Reaching it from other devices").'
	);
}

if (config.tls) {
	const files = config.tls;
	// certbot and friends renew certificates in place and then send SIGHUP (systemctl reload).
	process.on('SIGHUP', () => {
		try {
			relay.reloadTls(readTlsFiles(files));
			log('tls_reloaded');
		} catch (error) {
			// The file paths are configuration, not content; the old certificate stays in use.
			log('tls_reload_failed', { error: (error as Error).message }, 'error');
		}
	});
}

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
