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
		include: ['tests/unit/**/*.test.ts', 'tests/relay/**/*.test.ts'],
		environment: 'node',
		testTimeout: 30_000,
		hookTimeout: 30_000,
		pool: 'forks'
	}
});
