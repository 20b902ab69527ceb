// A TCP proxy on loopback between clients and a relay that misbehaves like a bad network:
// it delays every chunk, and cuts connections (all of them, or at random) on demand.
import { createServer, connect, type Server, type Socket } from 'node:net';

export class FlakyProxy {
	readonly #server: Server;
	readonly #pairs = new Set<[Socket, Socket]>();
	/** Milliseconds added to every chunk in each direction (plus up to `jitterMs`). */
	delayMs = 0;
	jitterMs = 0;
	/** Chance (0..1) that a chunk makes the proxy cut its connection instead of forwarding it. */
	dropChance = 0;
	cuts = 0;
	port = 0;

	private constructor(readonly target: number) {
		this.#server = createServer((client) => this.#onClient(client));
	}

	static async start(targetPort: number): Promise<FlakyProxy> {
		const proxy = new FlakyProxy(targetPort);
		await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', () => resolve()));
		const address = proxy.#server.address();
		proxy.port = typeof address === 'object' && address ? address.port : 0;
		return proxy;
	}

	get url(): string {
		return `ws://127.0.0.1:${this.port}/sync`;
	}

	#onClient(client: Socket): void {
		const upstream = connect(this.target, '127.0.0.1');
		const pair: [Socket, Socket] = [client, upstream];
		this.#pairs.add(pair);
		const cut = () => {
			this.#pairs.delete(pair);
			client.destroy();
			upstream.destroy();
		};
		const pipe = (from: Socket, to: Socket) => {
			// Chunks keep their order: each waits for the one before it.
			let last = Promise.resolve();
			from.on('data', (chunk) => {
				if (this.dropChance > 0 && Math.random() < this.dropChance) {
					this.cuts++;
					cut();
					return;
				}
				const wait = this.delayMs + Math.random() * this.jitterMs;
				last = last.then(() => new Promise<void>((r) => (wait > 0 ? setTimeout(r, wait) : r()))).then(() => {
					if (!to.destroyed) to.write(chunk);
				});
			});
		};
		pipe(client, upstream);
		pipe(upstream, client);
		client.on('error', cut);
		upstream.on('error', cut);
		client.on('close', cut);
		upstream.on('close', cut);
	}

	/** Cuts every connection now, as if the network went away for a moment. */
	cutAll(): void {
		for (const [a, b] of this.#pairs) {
			this.cuts++;
			a.destroy();
			b.destroy();
		}
		this.#pairs.clear();
	}

	async close(): Promise<void> {
		this.cutAll();
		await new Promise<void>((resolve) => this.#server.close(() => resolve()));
	}
}
