// Crash safety, tested the way databases are: make edits, then end the page abruptly at a
// varied moment (0 ms to 2 s after the last keystroke), by closing the tab, reloading it,
// navigating away with a full page load, or killing the browser process itself (SIGKILL of
// Chromium's whole process group: no unload, nothing flushed). On reopening, every edit the
// app had shown as saved on the device must be there, none twice, and the document must still
// sync. Online and offline, for a space's notes, a visit note, a MAR entry and the circle
// minutes. Each run prints how many edits were made, how many were shown as saved when the end
// came, how many survived, and the longest gap between a keystroke and its durability.
//
// "Shown as saved", for a live text box, is the sync bar saying nothing is left to save on this
// device (data-unsaved="0"); an observer in the page keeps the text as it was at the last such
// moment. For a form (a visit note, a dose), it is the page's own confirmation, which the page
// clears when a new record is submitted and shows again only once that record is on disk.
import { expect, test, type Locator, type Page } from '@playwright/test';
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

/** How edits are made in one kind of place, and how to read what the app says about them. */
interface Writer {
	/** Makes edits numbered `first`…, each handed to the app; all but the last are awaited until shown as saved. */
	write(page: Page, first: number, count: number): Promise<void>;
	/** The edits of the last `write` the app shows as saved right now. */
	shownAsSaved(page: Page): Promise<number[]>;
	/** Every edit present on the page (a number twice if it is there twice). */
	present(page: Page): Promise<number[]>;
	/** Something on the page that is there once it has loaded. */
	ready(page: Page): Locator;
	/** Text boxes only: the text must be exactly what was typed, up to some point. */
	inOrder?: boolean;
}

interface Surface {
	name: string;
	/** Gets Ada (in her own Chromium) to the place she writes; returns its address. */
	open(ada: Page, bea: Person): Promise<string>;
	writer(): Writer;
	/** After the runs: someone else's device shows exactly these edits (or, with nobody else, the relay's confirmation is the proof). */
	othersSee?(edits: number[], bea: Person, url: string): Promise<void>;
}

/** A live text box: each edit is a word " w<n>" typed key by key. */
function textWriter(box: (page: Page) => Locator): Writer {
	let firstOfRun = 0;
	const numbers = (text: string) => [...text.matchAll(/\bw(\d+)\b/g)].map((m) => Number(m[1]));
	return {
		inOrder: true,
		ready: box,
		async write(page, first, count) {
			firstOfRun = first;
			const editor = box(page);
			// Kept in the page: the text at the last moment the sync bar said nothing was left to save.
			await page.evaluate((id) => {
				const w = window as unknown as { __saved?: string; __savedTimer?: number };
				const read = () => {
					const status = document.querySelector<HTMLElement>('[data-testid="sync-status"]');
					const editor = document.getElementById(id) as HTMLTextAreaElement | null;
					if (status && editor && status.dataset.unsaved === '0' && status.dataset.storage === 'ok') w.__saved = editor.value;
				};
				read();
				clearInterval(w.__savedTimer);
				w.__savedTimer = window.setInterval(read, 1);
			}, (await editor.getAttribute('id'))!);
			await editor.click();
			await page.keyboard.press('ControlOrMeta+End');
			for (let n = first; n < first + count; n++) await page.keyboard.type(` w${n}`);
		},
		async shownAsSaved(page) {
			const saved = await page.evaluate(() => (window as unknown as { __saved?: string }).__saved ?? '');
			return numbers(saved).filter((n) => n >= firstOfRun);
		},
		present: async (page) => numbers(await box(page).inputValue())
	};
}

/** A form that adds one record per submission and confirms it once it is on disk. */
function formWriter(options: {
	ready: (page: Page) => Locator;
	fill: (page: Page, n: number) => Promise<void>;
	submit: (page: Page) => Locator;
	confirmation: (page: Page) => Locator;
	records: (page: Page) => Locator;
	marker: RegExp;
}): Writer {
	let last = -1;
	let awaited: number[] = [];
	return {
		ready: options.ready,
		async write(page, first, count) {
			awaited = [];
			for (let n = first; n < first + count; n++) {
				await options.fill(page, n);
				await options.submit(page).click();
				last = n;
				if (n < first + count - 1) {
					await expect(options.confirmation(page)).toBeVisible();
					awaited.push(n);
				}
			}
		},
		async shownAsSaved(page) {
			return (await options.confirmation(page).isVisible()) ? [...awaited, last] : awaited;
		},
		async present(page) {
			const texts = await options.records(page).allInnerTexts();
			return texts.flatMap((t) => [...t.matchAll(options.marker)].map((m) => Number(m[1])));
		}
	};
}

async function startTeamWithVisitAndMedicine(ada: Page): Promise<string> {
	await ada.goto('/');
	await ada.getByLabel('Name of the team').fill('Ada’s team');
	await ada.locator('#team-me').fill('Ada');
	await ada.getByRole('button', { name: 'Start care team' }).click();
	await expect(ada).toHaveURL(/\/team\//);
	const teamUrl = ada.url();
	await ada.goto(teamUrl + '/rota');
	await ada.getByLabel('What the visit is').fill('Day visit');
	await ada.getByLabel('Starts').fill('00:00');
	await ada.getByLabel('Ends').fill('23:59');
	await ada.getByRole('button', { name: 'Add visit' }).click();
	await expect(ada.getByRole('listitem', { name: 'Day visit, today 00:00' })).toBeVisible();
	await ada.goto(teamUrl + '/medication');
	await ada.getByLabel('Medicine', { exact: true }).fill('Paracetamol');
	await ada.getByLabel('Dose', { exact: true }).fill('500 mg');
	await ada.getByLabel('Times of day').fill('08:00');
	await ada.getByRole('button', { name: 'Add medicine' }).click();
	await expect(ada.getByRole('list', { name: 'Medicines' })).toContainText('Paracetamol');
	return teamUrl;
}

const surfaces: Surface[] = [
	{
		name: 'a space’s notes',
		open: async (ada, bea) => {
			const link = await startSpace({ name: 'Ada', page: ada } as Person, 'Hall lunch');
			await openLink(bea, link, 'Hall lunch');
			return ada.url();
		},
		writer: () => textWriter((page) => page.getByLabel('Notes')),
		othersSee: async (edits, bea) => {
			await expect.poll(async () => [...(await bea.page.getByLabel('Notes').inputValue()).matchAll(/\bw(\d+)\b/g)].map((m) => Number(m[1])), { timeout: 20_000 }).toEqual(edits);
		}
	},
	{
		name: 'a visit note',
		open: async (ada) => (await startTeamWithVisitAndMedicine(ada)) + '/visits',
		writer: () =>
			formWriter({
				ready: (page) => page.getByLabel('What happened'),
				fill: (page, n) => page.getByLabel('What happened').fill(`Crash note #${n}: lunch, then a walk.`),
				submit: (page) => page.getByRole('button', { name: 'Save note' }),
				confirmation: (page) => page.getByRole('status').filter({ hasText: 'Your note for Day visit is saved.' }),
				records: (page) => page.getByRole('list', { name: 'Recent visit notes' }).getByRole('listitem'),
				marker: /Crash note #(\d+)/g
			})
	},
	{
		name: 'a MAR entry',
		open: async (ada) => (await startTeamWithVisitAndMedicine(ada)) + '/medication',
		writer: () =>
			formWriter({
				ready: (page) => page.getByRole('button', { name: 'Record and sign' }),
				fill: async (page, n) => {
					await page.getByLabel('Refused', { exact: true }).check();
					await page.locator('#dose-reason').fill(`Crash entry #${n}`);
				},
				submit: (page) => page.getByRole('button', { name: 'Record and sign' }),
				confirmation: (page) => page.getByRole('status').filter({ hasText: /^Recorded: Paracetamol, refused at/ }),
				records: (page) => page.getByRole('list', { name: 'Record of doses' }).getByRole('listitem'),
				marker: /Crash entry #(\d+)/g
			})
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
		writer: () => textWriter((page) => page.getByRole('textbox', { name: 'Minutes' }))
	}
];

/** Every gap between a change and its durability this page has measured (the app's own User Timing). */
async function durabilityGaps(page: Page): Promise<number[]> {
	return page.evaluate(() => performance.getEntriesByName('hearth:durable').map((e) => e.duration));
}

function p99(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
}

for (const [index, surface] of surfaces.entries()) {
	test(`${surface.name}, online then offline: every edit shown as saved survives a closed tab, a reload, leaving, and a killed browser`, async ({ browser, baseURL }) => {
		const profile = mkdtempSync(join(tmpdir(), 'hearth-crash-'));
		const [bea] = await people(browser, 'Bea');
		const base = baseURL!;
		const writer = surface.writer();
		let chromium = await OwnChromium.launch(profile);
		let page = await chromium.newPage('Ada', base);
		try {
			const url = await surface.open(page, bea);
			await page.goto(url);
			await expect(writer.ready(page)).toBeVisible();
			await waitUntilSynced(page);
			// Offline runs open the app from its service worker, as in a hall with no signal.
			await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 20_000 }).toBe(true);
			let kept: number[] = [];
			let next = 0;
			for (const mode of ['online', 'offline'] as Mode[]) {
				const totals = { made: 0, shown: 0, survived: 0, runs: 0 };
				const gaps: number[] = [];
				if (mode === 'offline') {
					await chromium.context.setOffline(true);
					await page.reload();
					await expect(syncStatus(page)).toContainText('Offline');
				}
				// Each ending once per surface and mode; the delays are spread so that across the
				// suite every ending meets every delay.
				for (let run = 0; run < ENDINGS.length; run++) {
					const ending = ENDINGS[run];
					const delay = DELAYS[(index * 2 + (mode === 'offline' ? 1 : 0) + run) % DELAYS.length];
					await expect(writer.ready(page)).toBeVisible();
					const count = writer.inOrder ? 3 + (run % 4) : 1 + (run % 3);
					const first = next;
					await writer.write(page, first, count);
					next += count;
					totals.made += count;
					await page.waitForTimeout(delay);
					const shown = await writer.shownAsSaved(page);
					gaps.push(...(await durabilityGaps(page)));

					if (ending === 'close') {
						await page.close();
						page = await chromium.newPage('Ada', base);
					} else if (ending === 'reload') {
						await page.reload({ waitUntil: 'commit' });
					} else if (ending === 'navigate') {
						await page.goto('/devices', { waitUntil: 'commit' });
					} else {
						await chromium.kill();
						chromium = await OwnChromium.launch(profile);
						page = await chromium.newPage('Ada', base);
					}
					if (mode === 'offline') await chromium.context.setOffline(true);
					await page.goto(url);
					await expect(writer.ready(page)).toBeVisible();

					// Everything kept before and everything shown as saved is there…
					const must = [...kept, ...shown];
					const why = `${surface.name}, ${mode}: after ${ending} at ${delay} ms`;
					const missing = async () => {
						const present = await writer.present(page);
						return must.filter((n) => !present.includes(n));
					};
					await expect.poll(missing, { timeout: 10_000, message: `${why}: edits shown as saved are missing` }).toEqual([]);
					const present = await writer.present(page);
					// …nothing is there twice, nothing that was never made…
					expect(present.length, `${why}: an edit is there twice`).toBe(new Set(present).size);
					expect(present.every((n) => n < next), `${why}: an edit nobody made`).toBe(true);
					// …and a text is exactly what was typed, up to some point.
					if (writer.inOrder) expect(present, `${why}: the text is not what was typed`).toEqual([...present].sort((a, b) => a - b));
					totals.shown += shown.length;
					totals.survived += present.filter((n) => n >= first).length;
					totals.runs++;
					// What was lost was never shown as saved; the person would type it again.
					kept = present;
				}
				console.log(
					`crash safety, ${surface.name}, ${mode}: ${totals.runs} abrupt ends; ${totals.made} edits made, ${totals.shown} shown as saved when the end came, ` +
						`${totals.survived} survived; keystroke to disk over ${gaps.length} writes: p99 ${p99(gaps).toFixed(1)} ms, longest ${Math.max(0, ...gaps).toFixed(1)} ms`
				);
				expect(totals.survived).toBeGreaterThanOrEqual(totals.shown);
			}

			// And the document still syncs: the relay confirms everything, and someone else sees it.
			await chromium.context.setOffline(false);
			await waitUntilSynced(page);
			await surface.othersSee?.(kept, bea, url);
		} finally {
			await chromium.close();
			await bea.context.close();
			rmSync(profile, { recursive: true, force: true });
		}
	});
}
