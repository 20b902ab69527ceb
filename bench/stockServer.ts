// The stock automerge-repo sync server, as a child process: a Repo with the WebSocket server
// adapter and file-system storage, set up the way automerge-repo-sync-server does it
// (plaintext, no access control). Env: PORT (0 = any free port), HOST, STOCK_DATA.
import { once } from 'node:events';
import { Repo, type PeerId } from '@automerge/automerge-repo';
import { NodeWSServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { WebSocketServer } from 'ws';

const host = process.env.HOST ?? '127.0.0.1';
const dataDir = process.env.STOCK_DATA;
if (!dataDir) throw new Error('STOCK_DATA must name the data folder');

const wss = new WebSocketServer({ host, port: Number(process.env.PORT ?? 0) });
await once(wss, 'listening');
const address = wss.address();
const port = typeof address === 'object' && address ? address.port : Number(process.env.PORT);

const repo = new Repo({
	// The adapter is typed against isomorphic-ws's view of the same `ws` server class; the
	// two declarations differ only in the module shape, not in the object.
	network: [new NodeWSServerAdapter(wss as unknown as ConstructorParameters<typeof NodeWSServerAdapter>[0])],
	storage: new NodeFSStorageAdapter(dataDir),
	peerId: `stock-sync-server-${process.pid}` as PeerId,
	// As in automerge-repo-sync-server: only sync documents a client asks for, rather than
	// announcing every document to every client that connects.
	sharePolicy: async () => false
});

console.log(`stock sync server listening at ws://${host}:${port}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		// Flush pending saves so shutdown is clean, then go.
		void repo
			.shutdown()
			.catch(() => undefined)
			.finally(() => {
				wss.close();
				process.exit(0);
			});
	});
}
