// A Chromium the test starts itself, as its own process group with a profile folder of its
// own, driven over the DevTools protocol. Playwright's own launch hides the process; the
// crash-safety tests need it, to kill the browser the way a crash, a flat battery or the
// system does (SIGKILL: no unload, no shutdown, nothing flushed), then start it again on the
// same profile and see what survived.
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { chromiumArgs, chromiumPath } from './chromiumPath';

export class OwnChromium {
	readonly browser: Browser;
	readonly context: BrowserContext;
	readonly #child: ChildProcess;

	private constructor(child: ChildProcess, browser: Browser) {
		this.#child = child;
		this.browser = browser;
		this.context = browser.contexts()[0];
	}

	static async launch(profile: string): Promise<OwnChromium> {
		const executable = chromiumPath ?? chromium.executablePath();
		const child = spawn(executable, [...chromiumArgs, '--headless', `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], {
			detached: true,
			stdio: ['ignore', 'ignore', 'pipe']
		});
		const endpoint = await new Promise<string>((resolve, reject) => {
			let seen = '';
			const timer = setTimeout(() => reject(new Error(`Chromium did not start within 20 s:\n${seen.slice(-2000)}`)), 20_000);
			child.stderr!.on('data', (chunk: Buffer) => {
				seen += chunk.toString();
				const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
				if (match) {
					clearTimeout(timer);
					resolve(match[1]);
				}
			});
			child.once('exit', (code) => {
				clearTimeout(timer);
				reject(new Error(`Chromium exited (${code}) before it started:\n${seen.slice(-2000)}`));
			});
		});
		// Keep reading so a full pipe never blocks the browser.
		child.stderr!.resume();
		return new OwnChromium(child, await chromium.connectOverCDP(endpoint));
	}

	/**
	 * A fresh tab, reporting its page errors as the other browser tests do. A browser reached
	 * over CDP has no base address, so relative addresses given to `goto` are resolved against
	 * `base` here, and the shared story helpers work unchanged.
	 */
	async newPage(name: string, base: string): Promise<Page> {
		const page = await this.context.newPage();
		page.on('pageerror', (e) => console.error(`[${name}] page error:`, e.message));
		const goto = page.goto.bind(page);
		page.goto = (url, options) => goto(new URL(url, base).href, options);
		return page;
	}

	/** SIGKILL to the whole process group: the browser and every helper process it started. */
	async kill(): Promise<void> {
		const exited = new Promise<void>((resolve) => {
			if (this.#child.exitCode !== null || this.#child.signalCode !== null) resolve();
			else this.#child.once('exit', () => resolve());
		});
		try {
			process.kill(-this.#child.pid!, 'SIGKILL');
		} catch {
			// Already gone.
		}
		await exited;
		// Helper processes can outlive the leader by a moment; the profile is free once they go.
		await waitForGroupToEnd(this.#child.pid!);
	}

	/**
	 * The end of a test, where the abrupt end was the page's, not the browser's. Over CDP,
	 * `browser.close()` only disconnects, so the process group is asked to stop (SIGTERM), and
	 * killed if it has not within a few seconds.
	 */
	async close(): Promise<void> {
		await this.browser.close().catch(() => {});
		try {
			process.kill(-this.#child.pid!, 'SIGTERM');
		} catch {
			return; // already gone
		}
		await waitForGroupToEnd(this.#child.pid!);
	}
}

async function waitForGroupToEnd(pgid: number): Promise<void> {
	for (let i = 0; i < 200; i++) {
		try {
			process.kill(-pgid, 0);
		} catch {
			return;
		}
		await new Promise((r) => setTimeout(r, 25));
	}
	try {
		process.kill(-pgid, 'SIGKILL');
	} catch {
		// gone
	}
}
