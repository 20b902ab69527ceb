import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import wasm from 'vite-plugin-wasm';
import type { Plugin } from 'vite';

/**
 * libsodium ships its WebAssembly as a base64 string inside its JavaScript: 296 kB in the
 * app's main chunk that compress worse than the 222 kB binary (130 kB gzip against 100 kB),
 * and must be parsed as JavaScript first. In the browser build, this emits the binary as an
 * asset of its own (cached by the service worker like Automerge's) and has libsodium's loader,
 * which decodes the string in an async function just before WebAssembly.instantiate, fetch it
 * instead. If libsodium's code ever stops matching, the build fails rather than guess.
 */
function sodiumWasmAsset(): Plugin {
	const embedded = /\(([\w$]+)\?\?=\([\w$]+=>\{for\(var [^{}]*\}\)\("(AGFzbQ[A-Za-z0-9+/=]+)"\)/g;
	return {
		name: 'hearth-sodium-wasm-asset',
		apply: 'build',
		transform(code, id, options) {
			if (options?.ssr || !/libsodium[\\/]dist[\\/]modules-esm[\\/]libsodium\.mjs$/.test(id)) return;
			const found = [...code.matchAll(embedded)];
			if (found.length !== 1) this.error(`libsodium's embedded WebAssembly was found ${found.length} times, not once: update sodiumWasmAsset`);
			const [whole, target, base64] = found[0];
			const ref = this.emitFile({ type: 'asset', name: 'libsodium.wasm', source: Buffer.from(base64, 'base64') });
			const fetched = `(${target}??=new Uint8Array(await(await fetch(import.meta.ROLLUP_FILE_URL_${ref})).arrayBuffer())`;
			return { code: code.replace(whole, fetched), map: null };
		}
	};
}

export default defineConfig({
	plugins: [wasm(), sodiumWasmAsset(), sveltekit()],
	build: { target: 'esnext' },
	worker: { format: 'es', plugins: () => [wasm()] },
	server: {
		// `npm run dev` talks to a relay started separately with `npm run relay`.
		proxy: { '/sync': { target: 'ws://127.0.0.1:8787', ws: true } }
	},
	test: {
		environment: 'node',
		testTimeout: 30_000,
		hookTimeout: 30_000,
		pool: 'forks',
		projects: [
			{
				extends: true,
				// Relay tests here run against the embedded SQLite store (the default).
				test: { name: 'sqlite', include: ['tests/unit/**/*.test.ts', 'tests/relay/**/*.test.ts'] }
			},
			{
				extends: true,
				// The same relay suite against PostgreSQL: one server for the run, a fresh
				// database per relay. Tests that start their own PostgreSQL (several nodes,
				// faults) already run once above.
				test: {
					name: 'postgres',
					include: ['tests/relay/**/*.test.ts'],
					exclude: ['tests/relay/cluster.test.ts', 'tests/relay/faults.test.ts', 'tests/relay/backup.test.ts'],
					env: { HEARTH_TEST_STORE: 'postgres' },
					globalSetup: ['tests/helpers/postgresGlobalSetup.ts']
				}
			}
		]
	}
});
