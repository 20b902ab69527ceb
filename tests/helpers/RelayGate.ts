// A WebSocket gate on loopback in front of a real relay, for stories about relays that
// misbehave at the connection level: it passes frames both ways, or accepts each connection
// and drops it at once, or lets a session go as far as the relay's welcome and then cuts it
// (a relay that falls over on every catch-up); it can also lose chosen frames from clients.
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export type GateMode = 'pass' | 'drop' | 'cut-after-welcome';

export class RelayGate {
	readonly #server: WebSocketServer;
	readonly #open = new Set<WebSocket>();
	mode: GateMode = 'pass';
	/** Frames from clients that this answers true for are swallowed (a network that loses them). */
	withhold: (frame: { type: string } & Record<string, unknown>) => boolean = () => false;
	withheld = 0;
	/** Connections accepted, whatever became of them. */
	accepted = 0;

	private constructor(
		server: WebSocketServer,
		readonly target: string
	) {
		this.#server = server;
		server.on('connection', (client) => this.#onClient(client));
	}

	static async start(targetUrl: string): Promise<RelayGate> {
		const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
		await new Promise<void>((resolve) => server.once('listening', () => resolve()));
		return new RelayGate(server, targetUrl);
	}

	get url(): string {
		return `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}/sync`;
	}

	#onClient(client: WebSocket): void {
		this.accepted++;
		if (this.mode === 'drop') {
			client.close(1011, 'gone');
			return;
		}
		const cutAfterWelcome = this.mode === 'cut-after-welcome';
		const upstream = new WebSocket(this.target);
		const queued: string[] = [];
		this.#open.add(client);
		const cut = () => {
			this.#open.delete(client);
			if (client.readyState === WebSocket.OPEN || client.readyState === WebSocket.CONNECTING) client.close(1011, 'gone');
			if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
		};
		client.on('message', (data) => {
			if (this.withhold(JSON.parse(String(data)) as { type: string })) {
				this.withheld++;
				return;
			}
			if (upstream.readyState === WebSocket.OPEN) upstream.send(String(data));
			else queued.push(String(data));
		});
		upstream.on('open', () => {
			for (const frame of queued.splice(0)) upstream.send(frame);
		});
		upstream.on('message', (data) => {
			if (client.readyState !== WebSocket.OPEN) return;
			client.send(String(data));
			if (cutAfterWelcome && (JSON.parse(String(data)) as { type: string }).type === 'welcome') cut();
		});
		client.on('close', cut);
		upstream.on('close', cut);
		client.on('error', cut);
		upstream.on('error', cut);
	}

	/** Cuts every session that is passing frames now. */
	cutAll(): void {
		for (const client of [...this.#open]) client.close(1011, 'gone');
	}

	async close(): Promise<void> {
		this.cutAll();
		await new Promise<void>((resolve) => this.#server.close(() => resolve()));
	}
}
