// Starts the relay (and serves the built app if it exists). Settings come from the
// environment so the same command works on a laptop and a server:
//   PORT (default 8787), HOST (default 127.0.0.1), HEARTH_DATA (default ./data),
//   HEARTH_STATIC (default ./build if present), HEARTH_FRAME_LOG (tests only).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { RelayServer } from './RelayServer';
import { SqliteStore } from './SqliteStore';

const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? '127.0.0.1';
const dataDir = resolve(process.env.HEARTH_DATA ?? 'data');
const staticDir = process.env.HEARTH_STATIC ?? (existsSync('build/index.html') ? 'build' : undefined);

const relay = new RelayServer({
	store: new SqliteStore(dataDir),
	port,
	host,
	staticDir,
	frameLog: process.env.HEARTH_FRAME_LOG,
	log: (line) => console.error(line)
});

const bound = await relay.listen();
const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${bound}`;
console.log(staticDir ? `Hearth is running at ${url}` : `Hearth relay listening at ${url.replace('http', 'ws')}/sync`);
console.log(`Relay data folder: ${dataDir}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		void relay.close().then(() => process.exit(0));
	});
}
