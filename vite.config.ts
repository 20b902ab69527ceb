import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import wasm from 'vite-plugin-wasm';

export default defineConfig({
	plugins: [wasm(), sveltekit()],
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
