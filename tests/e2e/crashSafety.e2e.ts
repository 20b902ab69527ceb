// Crash safety, tested the way databases are: make edits, then end the page abruptly at a
// varied moment (0 ms to 2 s after the last keystroke), by closing the tab, reloading it,
// navigating away with a full page load, or killing the browser process itself (SIGKILL of
// Chromium's whole process group: no unload, nothing flushed). On reopening, every edit the
// app had shown as saved on the device must be there, none twice, and the document must still
// sync. Online and offline, for each kind of thing people write. Each run prints how many edits
// were made, how many survived, and the longest gap between a keystroke and its durability.
//
// "Shown as saved", for a live text box, is the sync bar saying nothing is left to save on
// this device (data-unsaved="0"); an observer in the page keeps the text as it was at the
// last such moment. For a form, it is the page's own confirmation.
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OwnChromium } from './OwnChromium';
import { openLink, people, startSpace, syncStatus, waitUntilSynced, type Person } from './helpers';

type Ending = 'close' | 'reload' | 'navigate' | 'kill';
type Mode = 'online' | 'offline';
const ENDINGS: Ending[] = ['close', 'reload', 'navigate', 'kill'];
/** Milliseconds between the last keystroke and the end, varied across runs. */
const DELAYS = [0, 15, 60, 250, 700, 2000];

test.describe.configure({ timeout: 240_000 });

interface Surface {
	name: string;
	/** Gets Ada (in her own Chromium) to the place she writes; returns its address. */
	open(ada: Page, base: string, bea: Person): Promise<string>;
	/** The text box the edits go into. */
	editor(page: Page): ReturnType<Page['getByRole']>;
	/** After the runs: someone else's device (or the relay's confirmation) has exactly this text. */
	othersSee(text: string, bea: Person, url: string): Promise<void>;
}

/** Keeps, in the page, the editor's text at the last moment the sync bar said nothing was left to save. */
async function watchSaved(page: Page, editorSelector: string): Promise<void> {
	await page.evaluate((selector) => {
		const w = window as unknown as { __saved?: string; __savedTimer?: number };
		const read = () => {
			const status = document.querySelector<HTMLElement>('[data-testid="sync-status"]');
			const editor = document.querySelector<HTMLTextAreaElement>(selector);
			if (!status || !editor) return;
			if (status.dataset.unsaved === '0' && status.dataset.storage === 'ok') w.__saved = editor.value;
		};
		read();
		clearInterval(w.__savedTimer);
		w.__savedTimer = window.setInterval(read, 1);
	}, editorSelector);
}

async function shownAsSaved(page: Page): Promise<string> {
	return page.evaluate(() => (window as unknown as { __saved?: string }).__saved ?? '');
}

/** Every gap between a change and its durability this page has measured (the app's own User Timing). */
async function durabilityGaps(page: Page): Promise<number[]> {
	return page.evaluate(() => performance.getEntriesByName('hearth:durable').map((e) => e.duration));
}

function p99(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
}

const words = (text: string) => text.split(/\s+/).filter((w) => /^w\d+$/.test(w));

const surfaces: Surface[] = [
	{
		name: 'a space’s notes',
		open: async (ada, base, bea) => {
			const link = await startSpace({ name: 'Ada', page: ada } as Person, 'Hall lunch');
			await openLink(bea, link, 'Hall lunch');
			return ada.url();
		},
		editor: (page) => page.getByLabel('Notes'),
		othersSee: async (text, bea) => {
			await expect(bea.page.getByLabel('Notes')).toHaveValue(text, { timeout: 20_000 });
		}
	},
	{
		name: 'the circle minutes',
		open: async (ada) => {
			await ada.goto('/');
			await ada.getByLabel('Name of the circle').fill('North Local Circle');
			await ada.getByLabel('What the circle is for (its aim)').fill('Good care in the north of the town');
			await ada.getByLabel('What the circle should call you').fill('Ada');
			await ada.getByRole('button', { name: 'Start circle' }).click();
			await expect(ada.getByRole('heading', { level: 1 })).toHaveText('North Local Circle');
			await ada.getByRole('navigation', { name: 'North Local Circle sections' }).getByRole('link', { name: 'Meetings' }).click();
			await ada.getByLabel('What the meeting is').fill('December circle meeting');
			await ada.getByRole('button', { name: 'Start meeting page' }).click();
			await expect(ada.getByRole('heading', { level: 1 })).toHaveText('December circle meeting');
			return ada.url();
		},
		editor: (page) => page.getByRole('textbox', { name: 'Minutes' }),
		// Nobody else is in this circle: the relay confirming every change is the proof.
		othersSee: async () => {}
	}
];

for (const surface of surfaces) {
	for (const mode of ['online', 'offline'] as Mode[]) {
		test(`${surface.name}, ${mode}: every edit shown as saved survives a closed tab, a reload, leaving, and a killed browser`, async ({ browser, baseURL }) => {
			const profile = mkdtempSync(join(tmpdir(), 'hearth-crash-'));
			const [bea] = await people(browser, 'Bea');
			const base = baseURL!;
			let chromium = await OwnChromium.launch(profile);
			let page = await chromium.newPage('Ada', base);
			const totals = { made: 0, shown: 0, survived: 0, runs: 0 };
			const gaps: number[] = [];
			try {
				await page.goto(base + '/');
				const url = await surface.open(page, base, bea);
				await waitUntilSynced(page);
				// Offline runs open the app from its service worker, as in a hall with no signal.
				await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 20_000 }).toBe(true);
				const reopen = async () => {
					if (mode === 'offline') await chromium.context.setOffline(true);
					await page.goto(url);
					await expect(surface.editor(page)).toBeVisible();
				};
				if (mode === 'offline') {
					await chromium.context.setOffline(true);
					await page.reload();
					await expect(syncStatus(page)).toContainText('Offline');
				}
				let typed = '';
				let n = 0;
				for (let run = 0; run < ENDINGS.length * 2; run++) {
					const ending = ENDINGS[run % ENDINGS.length];
					const delay = DELAYS[(run * 5 + (mode === 'offline' ? 3 : 0)) % DELAYS.length];
					const editor = surface.editor(page);
					await expect(editor).toHaveValue(typed, { timeout: 10_000 });
					const id = await editor.getAttribute('id');
					await watchSaved(page, `#${id}`);
					const before = words(typed).length;
					await editor.click();
					await page.keyboard.press('End');
					const edits = 3 + (run % 4);
					for (let e = 0; e < edits; e++) {
						const word = ` w${n++}`;
						await page.keyboard.type(word);
						typed += word;
					}
					totals.made += edits;
					await page.waitForTimeout(delay);
					const saved = await shownAsSaved(page);
					gaps.push(...(await durabilityGaps(page)));

					if (ending === 'close') {
						await page.close();
						page = await chromium.newPage('Ada', base);
					} else if (ending === 'reload') {
						await page.reload({ waitUntil: 'commit' });
					} else if (ending === 'navigate') {
						await page.goto(base + '/devices', { waitUntil: 'commit' });
					} else {
						await chromium.kill();
						chromium = await OwnChromium.launch(profile);
						page = await chromium.newPage('Ada', base);
					}
					await reopen();
					// Everything shown as saved is there, in order; nothing is there twice or made up.
					await expect.poll(() => surface.editor(page).inputValue(), { timeout: 10_000, message: `after ${ending} at ${delay} ms` }).toMatch(new RegExp(`^${escape(saved)}`));
					const survived = await surface.editor(page).inputValue();
					expect(typed.startsWith(survived), `${ending} at ${delay} ms: "${survived}" is not what was typed`).toBe(true);
					// This run's edits: how many were shown as saved when the end came, how many survived.
					totals.shown += words(saved).length - before;
					totals.survived += words(survived).length - before;
					totals.runs++;
					// What was lost was never shown as saved; the person would type it again.
					typed = survived;
				}
				console.log(
					`crash safety, ${surface.name}, ${mode}: ${totals.runs} abrupt ends; ${totals.made} edits made, ${totals.shown} shown as saved when the end came, ` +
						`${totals.survived} survived; keystroke to disk over ${gaps.length} writes: p99 ${p99(gaps).toFixed(1)} ms, longest ${Math.max(0, ...gaps).toFixed(1)} ms`
				);
				expect(totals.survived).toBeGreaterThanOrEqual(totals.shown);

				// And the document still syncs.
				if (mode === 'offline') await chromium.context.setOffline(false);
				await waitUntilSynced(page);
				await surface.othersSee(typed, bea, url);
			} finally {
				await chromium.close();
				await bea.context.close();
				rmSync(profile, { recursive: true, force: true });
			}
		});
	}
}

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
