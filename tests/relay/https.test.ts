// The relay over HTTPS, for devices on a network: browsers switch off WebCrypto and service
// workers on plain http:// addresses other than localhost, so the app only works there over
// https:// (and its socket over wss://). Given a certificate and key (HEARTH_TLS_CERT,
// HEARTH_TLS_KEY), the real relay process serves everything on its one port over TLS only,
// takes a renewed certificate on SIGHUP, and refuses to start on files it cannot use.
import { X509Certificate } from 'node:crypto';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cryptoReady } from '$lib/crypto';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { DocumentId } from '$lib/protocol';
import type { SocketLike } from '$lib/sync/RelayConnection';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { eventually, openDevice, type Device } from '$tests/helpers/scenario';
import { selfSignedCert, type TestCertificate } from '$tests/helpers/selfSignedCert';

const cleanups: Array<() => Promise<unknown> | void> = [];
beforeAll(async () => cryptoReady());
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

function certificate(...args: Parameters<typeof selfSignedCert>): TestCertificate {
	const cert = selfSignedCert(...args);
	cleanups.push(() => rmSync(cert.dir, { recursive: true, force: true }));
	return cert;
}

async function httpsRelay(cert: TestCertificate): Promise<RelayProcess> {
	const relay = await startRelay({ env: { HEARTH_TLS_CERT: cert.certFile, HEARTH_TLS_KEY: cert.keyFile } });
	cleanups.push(() => relay.stop());
	return relay;
}

/** GET over HTTPS, trusting only `ca`. */
function fetchTrusting(url: string, ca: string): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		httpsGet(url, { ca }, (res) => {
			let body = '';
			res.on('data', (d) => (body += d));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
		}).on('error', reject);
	});
}

/** The certificate the relay presents to a new connection, by SHA-256 fingerprint. */
function presented(port: number): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
			resolve(socket.getPeerX509Certificate()!.fingerprint256);
			socket.end();
		});
		socket.on('error', reject);
	});
}

const fingerprint = (cert: TestCertificate) => new X509Certificate(cert.cert).fingerprint256;

/** A device whose sockets trust `ca`; `dials()` counts the sockets it has opened. */
async function deviceTrusting(name: string, relay: RelayProcess, ca: string): Promise<Device & { dials(): number }> {
	let dials = 0;
	const device = await openDevice(name, relay, undefined, {
		socketFactory: (url) => {
			dials++;
			return new WebSocket(url, { ca }) as unknown as SocketLike;
		}
	});
	cleanups.push(() => device.engine.close());
	device.engine.connect();
	return Object.assign(device, { dials: () => dials });
}

describe('the relay over HTTPS', () => {
	it('serves health checks and the sync socket over TLS only, and two devices sync through wss://', async () => {
		const cert = certificate();
		const relay = await httpsRelay(cert);
		expect(relay.url).toMatch(/^wss:/);
		expect(await fetchTrusting(`${relay.httpUrl}/healthz`, cert.cert)).toEqual({ status: 200, body: 'ok' });
		// Nothing is served in the clear on that port.
		const plain = await new Promise<string>((resolve) => {
			httpGet(`http://127.0.0.1:${relay.port}/healthz`, (res) => resolve(`answered ${res.statusCode}`)).on('error', (e) => resolve(`refused: ${e.message}`));
		});
		expect(plain).toMatch(/^refused/);
		// A client that does not trust the certificate is not let past the handshake.
		const untrusting = new WebSocket(relay.url);
		const refusal = await new Promise<string>((resolve) => {
			untrusting.once('open', () => resolve('opened'));
			untrusting.once('error', (e: NodeJS.ErrnoException) => resolve(String(e.code)));
		});
		expect(refusal).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');

		const alice = await deviceTrusting('alice', relay, cert.cert);
		const bob = await deviceTrusting('bob', relay, cert.cert);
		const handle = await alice.engine.create({ kind: 'notes', entries: ['Bins go out on Thursday'] });
		const docId = handle.documentId as unknown as DocumentId;
		await alice.engine.whenSynced();
		await bob.engine.add(parseShareLink(shareFragment(alice.engine.access(docId)!)));
		await eventually(() => (bob.engine.handle<{ entries: string[] }>(docId)?.doc()?.entries ?? []).length === 1, 15_000, 'the note to reach Bob');
		expect(bob.engine.handle<{ entries: string[] }>(docId)!.doc()!.entries).toEqual(['Bins go out on Thursday']);
	});

	it('takes a renewed certificate on SIGHUP without dropping open connections, and keeps the old one if the new files are unusable', async () => {
		const first = certificate();
		const relay = await httpsRelay(first);
		expect(await presented(relay.port)).toBe(fingerprint(first));
		const alice = await deviceTrusting('alice', relay, first.cert);
		const handle = await alice.engine.create({ kind: 'notes', entries: ['Before the renewal'] });
		const docId = handle.documentId as unknown as DocumentId;
		await alice.engine.whenSynced();

		// Renewed in place, as certbot does, then a reload.
		const renewed = certificate(first.dir, 'renewed');
		copyFileSync(renewed.certFile, first.certFile);
		copyFileSync(renewed.keyFile, first.keyFile);
		process.kill(relay.pid(), 'SIGHUP');
		await eventually(() => relay.logs().includes('"event":"tls_reloaded"'), 10_000, 'the relay to reload its certificate');
		expect(await presented(relay.port)).toBe(fingerprint(renewed));
		// Alice's socket, opened under the old certificate, carries on: no second dial.
		handle.change((d) => d.entries.push('After the renewal'));
		await alice.engine.whenSynced();
		expect(alice.dials()).toBe(1);
		const stored = await relay.query<{ n: number }>('SELECT COUNT(*) AS n FROM entries WHERE doc_id = ?', [docId]);
		expect(Number(stored[0].n)).toBe(2);

		// A half-written renewal: the relay says so and keeps serving the certificate it has.
		writeFileSync(first.keyFile, 'not a key');
		process.kill(relay.pid(), 'SIGHUP');
		await eventually(() => relay.logs().includes('"event":"tls_reload_failed"'), 10_000, 'the relay to refuse the broken files');
		expect(relay.logs()).toMatch(/"event":"tls_reload_failed".*does not hold a PEM private key/);
		expect(await presented(relay.port)).toBe(fingerprint(renewed));
		expect(await fetchTrusting(`${relay.httpUrl}/healthz`, renewed.cert)).toEqual({ status: 200, body: 'ok' });
	});

	it('refuses to start, saying why, on a certificate without its key, a missing file, or a key that belongs to another certificate', async () => {
		const cert = certificate();
		const other = certificate(cert.dir, 'other');
		const start = (env: Record<string, string>) => startRelay({ env }).then((r) => (cleanups.push(() => r.stop()), 'started'));
		await expect(start({ HEARTH_TLS_CERT: cert.certFile })).rejects.toThrow(/relay exited with 2: .*needs both HEARTH_TLS_CERT .* and HEARTH_TLS_KEY/s);
		await expect(start({ HEARTH_TLS_CERT: join(cert.dir, 'nowhere.pem'), HEARTH_TLS_KEY: cert.keyFile })).rejects.toThrow(
			/could not read the certificate \(HEARTH_TLS_CERT\) at .*nowhere\.pem \(ENOENT\)/
		);
		await expect(start({ HEARTH_TLS_CERT: cert.certFile, HEARTH_TLS_KEY: other.keyFile })).rejects.toThrow(
			/the certificate .*cert\.pem and the private key .*other-key\.pem do not go together/
		);
	});
});
