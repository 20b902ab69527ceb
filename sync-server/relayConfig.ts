// The relay's settings, read from the environment so the same command works on a laptop
// and on a cluster of servers. Every limit has a default an operator rarely needs to touch;
// sync-server/README.md lists them all.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { MAX_CIPHERTEXT_BYTES, MAX_FRAME_BYTES } from '../src/lib/protocol';

export interface Limits {
	/** Largest WebSocket frame accepted; bigger closes that connection (1009). */
	maxFrameBytes: number;
	/** Largest a document's stored ciphertext may grow; a push beyond it is refused. */
	maxDocBytes: number;
	/** Frames per second a connection may send on average ... */
	framesPerSecond: number;
	/** ... with bursts up to this many. */
	frameBurst: number;
	/** Bytes per second a connection may send on average (bursts up to 4x the frame limit). */
	bytesPerSecond: number;
	/** Documents plus spaces one connection may follow at once. */
	maxSubscriptions: number;
	/** Frames waiting to be handled for one connection before new ones are refused. */
	maxQueuedFrames: number;
	/** Refused frames in a row (rate limit) before the connection is closed. */
	maxStrikes: number;
	/** How long a graceful shutdown waits for connections to finish their requests. */
	drainMs: number;
	/**
	 * How often a silent connection is pinged. One that answers nothing by the next time is
	 * closed, so a vanished client is noticed within one to two of these.
	 */
	heartbeatMs: number;
	/**
	 * Per space log: most ops and bytes (op bodies and relay fields), and most from any one
	 * author, so one member (or a removed one) cannot fill a space's log for everyone.
	 */
	spaceQuota: SpaceQuota;
}

export interface SpaceQuota {
	maxOps: number;
	maxBytes: number;
	maxOpsPerAuthor: number;
	maxBytesPerAuthor: number;
}

export interface RelayConfig {
	port: number;
	host: string;
	store: { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string; poolSize: number };
	staticDir?: string;
	frameLog?: string;
	logLevel: 'debug' | 'info' | 'warn' | 'error';
	limits: Limits;
	/** Paths of a PEM certificate (chain) and its key: serve HTTPS and WSS instead of HTTP and WS. */
	tls?: { certFile: string; keyFile: string };
}

export const DEFAULT_LIMITS: Limits = {
	maxFrameBytes: MAX_FRAME_BYTES,
	maxDocBytes: 1024 * 1024 * 1024,
	framesPerSecond: 200,
	frameBurst: 2000,
	bytesPerSecond: 8 * 1024 * 1024,
	maxSubscriptions: 20_000,
	maxQueuedFrames: 5000,
	maxStrikes: 50,
	drainMs: 10_000,
	heartbeatMs: 30_000,
	// A busy team's log holds a few thousand ops in years; a device's recovery log one per change.
	spaceQuota: { maxOps: 100_000, maxBytes: 256 * 1024 * 1024, maxOpsPerAuthor: 50_000, maxBytesPerAuthor: 128 * 1024 * 1024 }
};

function num(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not "${raw}"`);
	return value;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
	const kind = (env.HEARTH_STORE ?? 'sqlite').toLowerCase();
	let store: RelayConfig['store'];
	if (kind === 'postgres' || kind === 'postgresql') {
		const url = env.HEARTH_PG_URL ?? env.DATABASE_URL;
		if (!url) throw new Error('HEARTH_STORE=postgres needs HEARTH_PG_URL (or DATABASE_URL), e.g. postgres://hearth@db.internal/hearth');
		store = { kind: 'postgres', url, poolSize: num(env, 'HEARTH_PG_POOL', 16) };
	} else if (kind === 'sqlite') {
		store = { kind: 'sqlite', dataDir: resolve(env.HEARTH_DATA ?? 'data') };
	} else {
		throw new Error(`HEARTH_STORE must be "sqlite" or "postgres", not "${kind}"`);
	}
	const maxFrameBytes = Math.min(num(env, 'HEARTH_MAX_FRAME_BYTES', DEFAULT_LIMITS.maxFrameBytes), MAX_FRAME_BYTES);
	const level = (env.HEARTH_LOG_LEVEL ?? 'info') as RelayConfig['logLevel'];
	const certFile = env.HEARTH_TLS_CERT || undefined;
	const keyFile = env.HEARTH_TLS_KEY || undefined;
	if (Boolean(certFile) !== Boolean(keyFile)) {
		throw new Error('HTTPS needs both HEARTH_TLS_CERT (the certificate file) and HEARTH_TLS_KEY (its private key file); only one is set');
	}
	return {
		port: Number(env.PORT ?? 8787),
		host: env.HOST ?? '127.0.0.1',
		store,
		staticDir: env.HEARTH_STATIC ?? (existsSync('build/index.html') ? 'build' : undefined),
		frameLog: env.HEARTH_FRAME_LOG || undefined,
		logLevel: ['debug', 'info', 'warn', 'error'].includes(level) ? level : 'info',
		...(certFile && keyFile ? { tls: { certFile: resolve(certFile), keyFile: resolve(keyFile) } } : {}),
		limits: {
			maxFrameBytes,
			maxDocBytes: num(env, 'HEARTH_MAX_DOC_BYTES', DEFAULT_LIMITS.maxDocBytes),
			framesPerSecond: num(env, 'HEARTH_RATE_FRAMES_PER_SEC', DEFAULT_LIMITS.framesPerSecond),
			frameBurst: num(env, 'HEARTH_RATE_FRAME_BURST', DEFAULT_LIMITS.frameBurst),
			bytesPerSecond: num(env, 'HEARTH_RATE_BYTES_PER_SEC', DEFAULT_LIMITS.bytesPerSecond),
			maxSubscriptions: num(env, 'HEARTH_MAX_SUBSCRIPTIONS', DEFAULT_LIMITS.maxSubscriptions),
			maxQueuedFrames: num(env, 'HEARTH_MAX_QUEUED_FRAMES', DEFAULT_LIMITS.maxQueuedFrames),
			maxStrikes: num(env, 'HEARTH_MAX_STRIKES', DEFAULT_LIMITS.maxStrikes),
			drainMs: num(env, 'HEARTH_DRAIN_MS', DEFAULT_LIMITS.drainMs),
			heartbeatMs: num(env, 'HEARTH_HEARTBEAT_MS', DEFAULT_LIMITS.heartbeatMs),
			spaceQuota: {
				maxOps: num(env, 'HEARTH_SPACE_MAX_OPS', DEFAULT_LIMITS.spaceQuota.maxOps),
				maxBytes: num(env, 'HEARTH_SPACE_MAX_BYTES', DEFAULT_LIMITS.spaceQuota.maxBytes),
				maxOpsPerAuthor: num(env, 'HEARTH_SPACE_MAX_OPS_PER_AUTHOR', DEFAULT_LIMITS.spaceQuota.maxOpsPerAuthor),
				maxBytesPerAuthor: num(env, 'HEARTH_SPACE_MAX_BYTES_PER_AUTHOR', DEFAULT_LIMITS.spaceQuota.maxBytesPerAuthor)
			}
		}
	};
}

/**
 * Reads the certificate and key files named in the settings. Read again on SIGHUP, so a
 * renewed certificate is taken without a restart. Errors name the file and what is wrong.
 */
export function readTlsFiles(tls: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
	const read = (file: string, what: string, marker: RegExp) => {
		let text: Buffer;
		try {
			text = readFileSync(file);
		} catch (error) {
			throw new Error(`could not read the ${what} at ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
		}
		if (!marker.test(text.toString('latin1'))) throw new Error(`${file} does not hold a PEM ${what} (a "-----BEGIN …-----" block)`);
		return text;
	};
	const files = {
		cert: read(tls.certFile, 'certificate (HEARTH_TLS_CERT)', /-----BEGIN CERTIFICATE-----/),
		key: read(tls.keyFile, 'private key (HEARTH_TLS_KEY)', /-----BEGIN [A-Z ]*PRIVATE KEY-----/)
	};
	try {
		createSecureContext(files);
	} catch (error) {
		throw new Error(`the certificate ${tls.certFile} and the private key ${tls.keyFile} do not go together, or one is damaged (${(error as Error).message})`);
	}
	return files;
}

/** Whether only this machine can reach the address (where browsers count http:// as secure). */
export function isLoopback(host: string): boolean {
	return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Ciphertext an entry may carry so that its frame still fits the frame limit. */
export function maxCiphertextFor(limits: Limits): number {
	// Base64 grows by 4/3; leave room for the JSON around it.
	return Math.min(MAX_CIPHERTEXT_BYTES, Math.floor(((limits.maxFrameBytes - 4096) * 3) / 4));
}
