// Whether the browser keeps Hearth's data, and how full its storage is, as the person is told.
import { describe, expect, it } from 'vitest';
import { DeviceStorage } from '$lib/state/DeviceStorage.svelte';

const MB = 1024 * 1024;

function browser(answers: { persisted?: boolean; grants?: boolean; usage?: number; quota?: number }) {
	let asked = 0;
	const manager = {
		persisted: async () => answers.persisted ?? false,
		persist: async () => {
			asked++;
			return answers.grants ?? false;
		},
		estimate: async () => ({ usage: answers.usage, quota: answers.quota })
	};
	return { manager, asked: () => asked };
}

describe('storage on this device', () => {
	it('asks the browser to keep the data once per session at start, and again when the person presses the button', async () => {
		const b = browser({ persisted: false, grants: false });
		const storage = new DeviceStorage(b.manager);
		await storage.check();
		expect(storage.persisted).toBe(false);
		await storage.ask(true);
		await storage.ask(true);
		expect(b.asked()).toBe(1);
		await storage.ask();
		expect(b.asked()).toBe(2);
	});

	it('does not ask again once the browser has promised', async () => {
		const b = browser({ persisted: false, grants: true });
		const storage = new DeviceStorage(b.manager);
		expect(await storage.ask()).toBe(true);
		expect(await storage.ask()).toBe(true);
		expect(b.asked()).toBe(1);
	});

	it('is nearly full with under 50 MB left, or over nine tenths used', async () => {
		const roomy = new DeviceStorage(browser({ usage: 100 * MB, quota: 10_000 * MB }).manager);
		await roomy.check();
		expect(roomy.nearlyFull).toBe(false);
		const tight = new DeviceStorage(browser({ usage: 970 * MB, quota: 1000 * MB }).manager);
		await tight.check();
		expect(tight.nearlyFull).toBe(true);
		expect(DeviceStorage.size(tight.free!)).toBe('30 MB');
		const small = new DeviceStorage(browser({ usage: 10 * MB, quota: 40 * MB }).manager);
		await small.check();
		expect(small.nearlyFull).toBe(true);
	});

	it('knows nothing where the browser cannot say, and says nothing alarming', async () => {
		const none = new DeviceStorage(undefined);
		await none.check();
		expect(none.supported).toBe(false);
		expect(none.persisted).toBeUndefined();
		expect(none.nearlyFull).toBe(false);
		expect(await none.ask()).toBeUndefined();
	});

	it('sizes read as a person would say them', () => {
		expect(DeviceStorage.size(0.2 * MB)).toBe('less than 1 MB');
		expect(DeviceStorage.size(12.4 * MB)).toBe('12 MB');
		expect(DeviceStorage.size(1536 * MB)).toBe('1.5 GB');
	});
});
