// The relay refuses bad input with a clear error and keeps serving everyone else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cryptoReady, newSigningKeyPair, sign } from '$lib/crypto';
import { entrySigningBytes, policySigningBytes, toBase64Url, type DeviceKey, type DocumentId, type ServerMessage } from '$lib/protocol';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { RawRelayClient } from '$tests/helpers/RawRelayClient';
import { eventually } from '$tests/helpers/scenario';

let relay: RelayProcess;
beforeAll(async () => {
	await cryptoReady();
	relay = await startRelay();
});
afterAll(async () => relay.stop());

const Client = RawRelayClient;
type Client = RawRelayClient;

const randomDocId = () => {
	const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
	return Array.from({ length: 24 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('') as DocumentId;
};

function genesis(docId: DocumentId, kp = newSigningKeyPair()) {
	const me = toBase64Url(kp.publicKey) as DeviceKey;
	const unsigned = { kind: 'policy' as const, docId, epoch: 0, writers: [me], admins: [me], joinKeys: [], signer: me };
	return { kp, me, record: { ...unsigned, sig: toBase64Url(sign(policySigningBytes(unsigned), kp.secretKey)) } };
}

function entry(docId: DocumentId, kp: { secretKey: Uint8Array; publicKey: Uint8Array }, ct = 'AAAA') {
	const unsigned = { docId, epoch: 0, kind: 'change' as const, author: toBase64Url(kp.publicKey) as DeviceKey, nonce: toBase64Url(new Uint8Array(24)), ct };
	return { ...unsigned, sig: toBase64Url(sign(entrySigningBytes(unsigned), kp.secretKey)) };
}

describe('relay input checks', () => {
	it('answers malformed frames with an error and keeps the connection', async () => {
		const c = await Client.connect(relay.url);
		c.send('this is not json');
		c.send({ type: 'push', rid: 1, entry: { docId: 'x' } });
		c.send({ type: 'teleport' });
		const malformed = () => c.messages.filter((m) => m.type === 'error' && m.code === 'malformed');
		await eventually(() => malformed().length >= 3, 5_000, 'three refusals');
		expect(malformed()).toHaveLength(3);
		c.send({ type: 'sync', rid: 2, docs: [] });
		await c.next((m) => m.type === 'catchup' && m.rid === 2);
		c.ws.close();
	});

	it('refuses bad signatures, strangers and unknown documents', async () => {
		const c = await Client.connect(relay.url);
		const docId = randomDocId();
		const { kp, record } = genesis(docId);
		c.send({ type: 'push', rid: 1, entry: entry(docId, kp) });
		expect(await c.next((m) => m.type === 'error' && m.rid === 1)).toMatchObject({ code: 'unknown-document' });

		c.send({ type: 'auth', rid: 2, record: { ...record, writers: [] } }); // signature no longer matches
		expect(await c.next((m) => m.type === 'error' && m.rid === 2)).toMatchObject({ code: 'bad-signature' });
		c.send({ type: 'auth', rid: 3, record });
		await c.next((m) => m.type === 'auth-ok' && m.rid === 3);

		const stranger = newSigningKeyPair();
		c.send({ type: 'push', rid: 4, entry: entry(docId, stranger) });
		expect(await c.next((m) => m.type === 'error' && m.rid === 4)).toMatchObject({ code: 'not-a-writer' });

		const good = entry(docId, kp);
		c.send({ type: 'push', rid: 5, entry: { ...good, ct: 'AAAB' } });
		expect(await c.next((m) => m.type === 'error' && m.rid === 5)).toMatchObject({ code: 'bad-signature' });

		// A takeover attempt: someone else's genesis for an existing document.
		const other = genesis(docId);
		c.send({ type: 'auth', rid: 6, record: other.record });
		expect(await c.next((m) => m.type === 'error' && m.rid === 6)).toMatchObject({ code: 'not-an-admin' });

		c.send({ type: 'push', rid: 7, entry: good });
		expect(await c.next((m) => m.type === 'ack' && m.rid === 7)).toMatchObject({ seq: 1 });
		c.ws.close();
	});

	it('closes only the connection that sends an oversized frame', async () => {
		const bystander = await Client.connect(relay.url);
		const big = await Client.connect(relay.url);
		big.send('x'.repeat(17 * 1024 * 1024));
		for (let i = 0; i < 200 && !big.closed; i++) await new Promise((r) => setTimeout(r, 20));
		expect(big.closed?.code).toBe(1009);
		bystander.send({ type: 'sync', rid: 9, docs: [] });
		await bystander.next((m) => m.type === 'catchup' && m.rid === 9);
		bystander.ws.close();
	});

	it('fans entries out and serves catch-up for many documents in one request', async () => {
		const writer = await Client.connect(relay.url);
		const reader = await Client.connect(relay.url);
		const docs = Array.from({ length: 5 }, () => randomDocId());
		const kp = newSigningKeyPair();
		for (const [i, docId] of docs.entries()) {
			writer.send({ type: 'auth', rid: 100 + i, record: genesis(docId, kp).record });
			await writer.next((m) => m.type === 'auth-ok' && m.rid === 100 + i);
			for (let j = 0; j < 3; j++) writer.send({ type: 'push', rid: 1000 + i * 10 + j, entry: entry(docId, kp) });
		}
		await writer.next((m) => m.type === 'ack' && m.rid === 1042);
		reader.send({ type: 'sync', rid: 1, docs: docs.map((docId) => ({ docId, since: 1, authSince: 0 })) });
		const reply = await reader.next((m) => m.type === 'catchup' && m.rid === 1 && m.done);
		expect(reply.type === 'catchup' && reply.docs.map((d) => d.entries.map((e) => e.seq))).toEqual(docs.map(() => [2, 3]));
		writer.send({ type: 'push', rid: 2000, entry: entry(docs[0], kp) });
		const live = await reader.next((m) => m.type === 'entry');
		expect(live.type === 'entry' && live.entry.seq).toBe(4);
		writer.ws.close();
		reader.ws.close();
	});
});
