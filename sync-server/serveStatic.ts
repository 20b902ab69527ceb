// Serves the built app (a static single-page app) from the relay's port, so a newcomer
// starts one process and opens one URL.
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json',
	'.webmanifest': 'application/manifest+json',
	'.wasm': 'application/wasm',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.ico': 'image/x-icon',
	'.txt': 'text/plain; charset=utf-8',
	'.woff2': 'font/woff2'
};

const SECURITY_HEADERS = {
	// Share links carry secrets in the fragment; never leak the page address anywhere.
	'referrer-policy': 'no-referrer',
	'x-content-type-options': 'nosniff',
	'x-frame-options': 'DENY',
	'cross-origin-opener-policy': 'same-origin'
};

function fileAt(root: string, path: string): string | undefined {
	const full = resolve(root, '.' + normalize(decodeURIComponent(path)));
	if (full !== root && !full.startsWith(root + sep)) return undefined;
	try {
		const stat = statSync(full);
		if (stat.isFile()) return full;
		if (stat.isDirectory()) {
			const index = join(full, 'index.html');
			if (statSync(index).isFile()) return index;
		}
	} catch {
		return undefined;
	}
	return undefined;
}

/**
 * How long browsers may keep a file. Hashed build files never change, so they are kept for a
 * year; everything else (the app shell, service-worker.js, the manifest, version.json) is
 * checked with the server on every use, so a new version is noticed at once.
 */
export function cacheControl(path: string): string {
	return path.startsWith('/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/** The build writes .br and .gz copies of each file; send the smallest the browser accepts. */
function compressed(file: string, acceptEncoding: string): { file: string; encoding?: 'br' | 'gzip' } {
	const accepts = new Set(acceptEncoding.split(',').map((e) => e.split(';')[0].trim().toLowerCase()));
	for (const [encoding, ext] of [['br', '.br'], ['gzip', '.gz']] as const) {
		if (!accepts.has(encoding)) continue;
		try {
			if (statSync(file + ext).isFile()) return { file: file + ext, encoding };
		} catch {
			// No precompressed copy: try the next.
		}
	}
	return { file };
}

export function serveStatic(dir: string, path: string, req: IncomingMessage, res: ServerResponse): void {
	const root = resolve(dir);
	let file: string | undefined;
	try {
		file = fileAt(root, path);
	} catch {
		file = undefined;
	}
	// Client-side routes fall back to the app shell, but a missing build file is a plain 404:
	// answering a missing script with the shell's HTML would only fail later and less clearly.
	if (!file && !path.startsWith('/_app/')) file = fileAt(root, '/index.html');
	if (!file) {
		res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-cache', ...SECURITY_HEADERS }).end('Not found');
		return;
	}
	const sent = compressed(file, String(req.headers['accept-encoding'] ?? ''));
	res.writeHead(200, {
		'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
		'cache-control': cacheControl(path),
		vary: 'accept-encoding',
		'content-length': String(statSync(sent.file).size),
		...(sent.encoding ? { 'content-encoding': sent.encoding } : {}),
		...SECURITY_HEADERS
	});
	if (req.method === 'HEAD') res.end();
	else createReadStream(sent.file).pipe(res);
}
