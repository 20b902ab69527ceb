// Playwright runs the built app served by the real relay process, in Chromium. On machines
// where Playwright cannot download its own browser, Debian's /usr/bin/chromium is used.
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromiumArgs, chromiumPath as executablePath } from './chromiumPath';

const root = resolve(import.meta.dirname, '../..');
const port = Number(process.env.HEARTH_E2E_PORT ?? 4319);

export default defineConfig({
	testDir: '.',
	testMatch: '**/*.e2e.ts',
	outputDir: join(root, 'test-results'),
	fullyParallel: false,
	workers: 1,
	// No retries, in CI or anywhere: a test that passes only sometimes is a bug to find.
	retries: 0,
	timeout: 60_000,
	expect: { timeout: 10_000 },
	reporter: [['list']],
	use: {
		baseURL: `http://127.0.0.1:${port}`,
		browserName: 'chromium',
		trace: 'retain-on-failure',
		launchOptions: {
			...(executablePath ? { executablePath } : {}),
			args: chromiumArgs
		}
	},
	webServer: {
		command: 'node --import tsx sync-server/main.ts',
		cwd: root,
		url: `http://127.0.0.1:${port}/healthz`,
		reuseExistingServer: false,
		timeout: 60_000,
		env: {
			PORT: String(port),
			HOST: '127.0.0.1',
			HEARTH_DATA: mkdtempSync(join(tmpdir(), 'hearth-e2e-')),
			HEARTH_STATIC: join(root, 'build')
		}
	}
});
