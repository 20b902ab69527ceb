import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A client-side app: every route renders in the browser from one shell.
		// precompress: .br and .gz copies beside each file, which the relay sends when accepted.
		adapter: adapter({ fallback: 'index.html', precompress: true }),
		alias: { $tests: 'tests', $bench: 'bench' },
		// Registered by AppUpdate instead, so a new version waits until the person says Reload.
		serviceWorker: { register: false }
	}
};

export default config;
