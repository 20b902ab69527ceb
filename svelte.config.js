import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A client-side app: every route renders in the browser from one shell.
		adapter: adapter({ fallback: 'index.html' }),
		alias: { $tests: 'tests' }
	}
};

export default config;
