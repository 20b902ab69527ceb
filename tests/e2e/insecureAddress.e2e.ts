// Opened over plain http:// on a network address (what HOST=0.0.0.0 gives other devices),
// the browser switches off WebCrypto and the service worker, and Hearth used to half work:
// a checklist item silently not added, a backup showing a raw error. Now it says plainly what
// to do and starts nothing. Served over HTTPS (HEARTH_TLS_CERT, HEARTH_TLS_KEY), the same
// network address works: the app starts, a checklist item is added and syncs over wss://.
//
// http://127.0.0.1 and http://localhost count as secure, so the stories reach the relay as
// http://hearth.test, which Chromium is told (--host-resolver-rules) is this machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, expect, test, type Browser, type LaunchOptions } from '@playwright/test';
import { selfSignedCert } from '../helpers/selfSignedCert';
import { syncStatus, waitUntilSynced } from './helpers';

const root = resolve(import.meta.dirname, '../..');

/** Chromium as the config launches it, resolving hearth.test to this machine. */
async function browserWithHearthTest(): Promise<Browser> {
	const configured = (test.info().project.use.launchOptions ?? {}) as LaunchOptions;
	return chromium.launch({ ...configured, args: [...(configured.args ?? []), '--host-resolver-rules=MAP hearth.test 127.0.0.1'] });
}

test('opened over plain http:// on a network address, Hearth says plainly what to do and starts nothing', async ({ baseURL }) => {
	const port = new URL(baseURL!).port;
	const browser = await browserWithHearthTest();
	try {
		const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
		const page = await context.newPage();
		const errors: string[] = [];
		page.on('pageerror', (e) => errors.push(e.message));
		await page.goto(`http://hearth.test:${port}/`);
		expect(await page.evaluate(() => window.isSecureContext)).toBe(false);

		await expect(page.getByRole('heading', { level: 1, name: 'Open Hearth at a secure address' })).toBeVisible();
		const explanation = page.getByTestId('insecure-address');
		await expect(explanation).toContainText(`You opened Hearth at http://hearth.test:${port}, which is not a secure (https://) address.`);
		await expect(explanation).toContainText('ask whoever runs Hearth for its address that starts with https://');
		const local = explanation.getByRole('link', { name: `http://localhost:${port}` });
		await expect(local).toHaveAttribute('href', `http://localhost:${port}/`);
		// Nothing half-started: no spaces, no storage, no service worker, no raw errors.
		await expect(page.getByLabel('Name of the space')).toHaveCount(0);
		await expect(syncStatus(page)).toHaveCount(0);
		expect(await page.evaluate(async () => (await indexedDB.databases()).length)).toBe(0);
		expect(await page.evaluate(() => 'serviceWorker' in navigator)).toBe(false);
		expect(errors).toEqual([]);
		// Readable at 360 px without sideways scrolling, and nothing axe calls serious.
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
		const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
		expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

		// On the computer running Hearth, the link it gives works.
		await local.click();
		await expect(page).toHaveURL(`http://localhost:${port}/`);
		await expect(page.getByRole('heading', { level: 1, name: 'Your spaces' })).toBeVisible();
		expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
		await context.close();
	} finally {
		await browser.close();
	}
});

/** The real relay serving the built app over HTTPS on a free port. */
async function httpsRelay(): Promise<{ port: number; stop(): Promise<void> }> {
	const cert = selfSignedCert();
	const data = mkdtempSync(join(tmpdir(), 'hearth-e2e-tls-'));
	const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
		cwd: root,
		env: { ...process.env, PORT: '0', HOST: '127.0.0.1', HEARTH_DATA: data, HEARTH_STATIC: join(root, 'build'), HEARTH_TLS_CERT: cert.certFile, HEARTH_TLS_KEY: cert.keyFile },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let stderr = '';
	child.stderr!.on('data', (d) => (stderr += d));
	const port = await new Promise<number>((resolvePort, reject) => {
		let out = '';
		child.stdout!.on('data', (d) => {
			out += d;
			const m = /Hearth is running at https:\/\/127\.0\.0\.1:(\d+)/.exec(out);
			if (m) resolvePort(Number(m[1]));
		});
		child.once('exit', (code) => reject(new Error(`the HTTPS relay exited with ${code}: ${stderr}`)));
		setTimeout(() => reject(new Error(`the HTTPS relay did not start: ${stderr}`)), 30_000);
	});
	return {
		port,
		stop: async () => {
			if (child.exitCode === null) {
				const exited = new Promise((r) => child.once('exit', r));
				child.kill('SIGTERM');
				await exited;
			}
			rmSync(data, { recursive: true, force: true });
			rmSync(cert.dir, { recursive: true, force: true });
		}
	};
}

test('served over HTTPS, the same network address works: the app starts, and a checklist item is added and synced', async () => {
	const relay = await httpsRelay();
	const browser = await browserWithHearthTest();
	try {
		// The certificate is the test's own, so this browser is told to accept it.
		const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: `https://hearth.test:${relay.port}` });
		const page = await context.newPage();
		await page.goto('/');
		expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
		await expect(page.getByTestId('insecure-address')).toHaveCount(0);
		await page.getByLabel('Name of the space').fill('Hall lunch');
		await page.getByRole('button', { name: 'Start space' }).click();
		await expect(page).toHaveURL(/\/space\//);
		await page.getByLabel('Add to the checklist').fill('Bring the big pot');
		await page.getByRole('button', { name: 'Add', exact: true }).click();
		await expect(page.getByRole('checkbox', { name: 'Bring the big pot' })).toBeVisible();
		await waitUntilSynced(page);
		await context.close();
	} finally {
		await browser.close();
		await relay.stop();
	}
});
