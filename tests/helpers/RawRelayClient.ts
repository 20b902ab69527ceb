// A bare WebSocket client for relay tests: sends raw frames, records every reply (checked
// against the app's own guard) and waits for the one a test expects.
import WebSocket from 'ws';
import { isServerMessage, type ServerMessage, type SignedOp, type SpaceId } from '$lib/protocol';

export class RawRelayClient {
	readonly messages: ServerMessage[] = [];
	closed?: { code: number; reason: string };

	constructor(readonly ws: WebSocket) {
		ws.on('message', (d) => {
			const message: unknown = JSON.parse(String(d));
			// Everything the relay sends must pass the app's own guard.
			if (!isServerMessage(message)) throw new Error(`relay sent an invalid message: ${String(d).slice(0, 200)}`);
			this.messages.push(message);
		});
		ws.on('close', (code, reason) => (this.closed = { code, reason: String(reason) }));
	}

	static async connect(url: string): Promise<RawRelayClient> {
		const ws = new WebSocket(url);
		const client = new RawRelayClient(ws);
		await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
		await client.next((m) => m.type === 'welcome');
		return client;
	}

	close(): void {
		this.ws.close();
	}

	send(message: unknown): void {
		this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
	}

	async next(predicate: (m: ServerMessage) => boolean): Promise<ServerMessage> {
		for (let i = 0; i < 1000; i++) {
			const found = this.messages.find(predicate);
			if (found) return found;
			await new Promise((r) => setTimeout(r, 10));
		}
		throw new Error('no such message');
	}

	async reply<T extends ServerMessage['type']>(rid: number, type: T): Promise<Extract<ServerMessage, { type: T }>> {
		const m = await this.next((m) => 'rid' in m && m.rid === rid && (m.type === type || m.type === 'error'));
		if (m.type !== type) throw new Error(`expected ${type}, got ${JSON.stringify(m)}`);
		return m as Extract<ServerMessage, { type: T }>;
	}

	async append(rid: number, op: SignedOp) {
		this.send({ type: 'log-append', rid, op });
		return this.reply(rid, 'log-ok');
	}

	/** Sends a sync and gathers every catch-up frame up to the one marked done. */
	async sync(rid: number, logs: Array<{ spaceId: SpaceId; since: number }>) {
		this.send({ type: 'sync', rid, docs: [], logs });
		await this.next((m) => m.type === 'catchup' && m.rid === rid && m.done);
		return this.messages.filter((m): m is Extract<ServerMessage, { type: 'catchup' }> => m.type === 'catchup' && m.rid === rid);
	}
}
