// A catch-up must account for every change the relay holds. If the relay skips some (a
// storage race, a damaged restore), the device must not move past them as if it had them:
// it asks again, and only after several tries reports the gap and carries on. And a catch-up
// too big for one frame must finish every document in it, not only those in the last frame.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { DocumentId, ServerMessage } from '$lib/protocol';
import type { SocketLike } from '$lib/sync/RelayConnection';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { eventually, openDevice, type Device } from '$tests/helpers/scenario';

type Notes = { items: string[] };

let relay: RelayProcess | undefined;
const open: Device[] = [];
afterEach(async () => {
	for (const d of open.splice(0)) await d.engine.close();
	await relay?.stop();
	relay = undefined;
});

const items = (d: Device, docId: DocumentId) => d.engine.handle<Notes>(docId)?.doc()?.items;

/**
 * A connection to the real relay whose catch-ups pass through `edit` on their way in: the
 * stand-in for a relay that makes a mistake. Counts the catch-up requests it sends.
 */
function editedCatchups(edit: (m: Extract<ServerMessage, { type: 'catchup' }>) => void) {
	const seen = { syncRequests: 0 };
	const factory = (url: string): SocketLike => {
		const ws = new WebSocket(url);
		const socket: SocketLike = {
			get readyState() {
				return ws.readyState;
			},
			send: (data) => {
				if ((JSON.parse(data) as { type: string }).type === 'sync') seen.syncRequests++;
				ws.send(data);
			},
			close: (code, reason) => ws.close(code, reason),
			onopen: null,
			onclose: null,
			onerror: null,
			onmessage: null
		};
		ws.onopen = (ev) => socket.onopen?.(ev);
		ws.onclose = (ev) => socket.onclose?.({ code: ev.code, reason: ev.reason });
		ws.onerror = (ev) => socket.onerror?.(ev);
		ws.onmessage = (ev) => {
			const message = JSON.parse(String(ev.data)) as ServerMessage;
			if (message.type === 'catchup') edit(message);
			socket.onmessage?.({ data: JSON.stringify(message) });
		};
		return socket;
	};
	return { factory, seen };
}

async function anaWrites(count: number, text: (i: number) => string = (i) => `note ${i}`) {
	relay ??= await startRelay();
	const ana = await openDevice('ana', relay);
	open.push(ana);
	ana.engine.connect();
	const handle = await ana.engine.create<Notes>({ items: [] });
	const docId = handle.documentId as unknown as DocumentId;
	for (let i = 0; i < count; i++) {
		handle.change((d) => d.items.push(text(i)));
		await ana.engine.whenSynced(20_000);
	}
	return { ana, docId, link: parseShareLink(shareFragment(ana.engine.access(docId)!)) };
}

describe('a catch-up with a hole in it', () => {
	it('is asked for again instead of skipped, so nothing is lost', async () => {
		const { docId, link } = await anaWrites(12);
		let dropped = 0;
		// The first catch-up that carries entries loses one from the middle, as the relay's
		// storage race did: later entries arrive, an earlier one does not.
		const { factory, seen } = editedCatchups((m) => {
			const part = m.docs.find((d) => d.docId === docId && d.entries.length > 6);
			if (part && dropped === 0) {
				part.entries.splice(4, 1);
				dropped++;
			}
		});
		const bo = await openDevice('bo', relay!, undefined, { socketFactory: factory });
		open.push(bo);
		await bo.engine.add(link);
		bo.engine.connect();
		await eventually(() => items(bo, docId)?.length === 12, 20_000, 'bo to have all twelve notes');
		expect(dropped).toBe(1);
		expect(seen.syncRequests).toBeGreaterThanOrEqual(2);
		expect(bo.engine.status.problems).toEqual([]);
		expect(bo.engine.isCaughtUp(docId)).toBe(true);
	}, 60_000);

	it('that never heals is reported after a few tries, and sync carries on', async () => {
		const { ana, docId, link } = await anaWrites(8);
		let catchups = 0;
		// This relay always leaves out the first entry after the device's position.
		const { factory } = editedCatchups((m) => {
			const part = m.docs.find((d) => d.docId === docId && d.entries.length > 0);
			if (part) {
				catchups++;
				part.entries.shift();
			}
		});
		const bo = await openDevice('bo', relay!, undefined, { socketFactory: factory });
		open.push(bo);
		await bo.engine.add(link);
		bo.engine.connect();
		await eventually(() => bo.engine.status.problems.length > 0, 20_000, 'the gap to be reported');
		expect(bo.engine.status.problems).toEqual([expect.objectContaining({ docId, kind: 'relay', message: expect.stringContaining('could not be fetched') })]);
		// One first try and three more, then it stops asking.
		expect(catchups).toBe(4);
		await eventually(() => bo.engine.isCaughtUp(docId), 5_000, 'bo to be caught up');
		// It has stopped asking: a new change comes as a live entry, with no catch-up again.
		ana.engine.handle<Notes>(docId)!.change((d) => d.items.push('after the gap'));
		await ana.engine.whenSynced(20_000);
		await new Promise((r) => setTimeout(r, 500));
		expect(catchups).toBe(4);
		expect(bo.engine.status.problems).toHaveLength(1);
	}, 60_000);
});

describe('a catch-up too big for one frame', () => {
	it('finishes every document in it, so live changes to each arrive afterwards', async () => {
		// Two documents of about 1.3 MB each: the relay splits the catch-up across frames, and
		// the first document's last part comes in a frame that is not the last one.
		const big = () => randomBytes(96 * 1024).toString('base64');
		const first = await anaWrites(10, big);
		const ana = first.ana;
		const second = await ana.engine.create<Notes>({ items: [] });
		const secondId = second.documentId as unknown as DocumentId;
		for (let i = 0; i < 10; i++) {
			second.change((d) => d.items.push(big()));
			await ana.engine.whenSynced(20_000);
		}
		let frames = 0;
		const { factory } = editedCatchups((m) => {
			if (m.docs.length > 0) frames++;
		});
		const bo = await openDevice('bo', relay!, undefined, { socketFactory: factory });
		open.push(bo);
		await bo.engine.add(first.link);
		await bo.engine.add(parseShareLink(shareFragment(ana.engine.access(secondId)!)));
		bo.engine.connect();
		await eventually(() => items(bo, first.docId)?.length === 10 && items(bo, secondId)?.length === 10, 30_000, 'bo to have both documents');
		expect(frames).toBeGreaterThanOrEqual(3);
		await eventually(() => bo.engine.isCaughtUp(first.docId) && bo.engine.isCaughtUp(secondId), 5_000, 'both documents caught up');
		ana.engine.handle<Notes>(first.docId)!.change((d) => d.items.push('a short one'));
		await eventually(() => items(bo, first.docId)?.length === 11, 10_000, 'the live change to reach bo');
		expect(bo.engine.status.problems).toEqual([]);
	}, 90_000);
});
