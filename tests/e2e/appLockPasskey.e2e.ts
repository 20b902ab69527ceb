// Unlocking the app lock with a passkey (WebAuthn's PRF extension), in Chromium with a virtual
// authenticator standing in for the phone's fingerprint, face or PIN: the passkey wraps the same
// storage key as the passphrase, so either unlocks; removing it or changing the passphrase keeps
// the other working; a device whose authenticator gives no PRF output is told so plainly.
//
// WebAuthn refuses IP addresses as the site's identity ("This is an invalid domain"), so this
// story opens the app at localhost rather than the usual 127.0.0.1.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { startSpace, waitUntilSynced } from './helpers';

const PASS = 'marmalade sky';

async function virtualAuthenticator(cdp: CDPSession, hasPrf: boolean): Promise<string> {
	const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
		options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, hasPrf, automaticPresenceSimulation: true }
	});
	return authenticatorId;
}

/** The app lock record as the device stores it (it is the one value kept unencrypted). */
async function lockRecord(page: Page): Promise<{ passkeys?: Array<{ credentialId: string }>; wrappedKey: string }> {
	return page.evaluate(
		() =>
			new Promise((resolve, reject) => {
				const open = indexedDB.open('hearth');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const request = open.result.transaction('documents').objectStore('documents').get(['hearth-lock']);
					request.onsuccess = () => resolve(JSON.parse(new TextDecoder().decode((request.result as { binary: Uint8Array }).binary)));
				};
			})
	);
}

function base64url(base64: string): string {
	return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** No serious or critical axe findings, and no sideways scrolling on a 360 px screen or at 200% zoom. */
async function expectAccessible(page: Page): Promise<void> {
	const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
	expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
	const size = page.viewportSize()!;
	for (const viewport of [{ width: 360, height: 740 }, { width: 640, height: 450 }]) {
		await page.setViewportSize(viewport);
		expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(1);
	}
	await page.setViewportSize(size);
}

async function unlockWithPassphrase(page: Page, passphrase: string): Promise<void> {
	await page.getByLabel('Your app lock passphrase').fill(passphrase);
	await page.getByRole('button', { name: 'Unlock', exact: true }).click();
}

test('app lock: add a passkey, unlock with it, the passphrase still works, and remove it again', async ({ browser, baseURL }) => {
	test.setTimeout(150_000);
	const context = await browser.newContext({ baseURL: baseURL!.replace('127.0.0.1', 'localhost') });
	const page = await context.newPage();
	page.on('pageerror', (e) => console.error('[ada] page error:', e.message));
	const ada = { name: 'ada', context, page };
	const cdp = await context.newCDPSession(page);
	await cdp.send('WebAuthn.enable');
	let authenticatorId = await virtualAuthenticator(cdp, true);

	await startSpace(ada, 'Lunch club');
	await page.getByLabel('Notes').fill('Keys under the blue pot.');
	await waitUntilSynced(page);
	const spaceUrl = page.url();

	// Without the lock on there is nothing to add a passkey to.
	await page.goto('/your-data');
	await expect(page.getByRole('button', { name: /passkey/ })).toHaveCount(0);
	await page.getByLabel('Choose an app lock passphrase').fill(PASS);
	await page.getByLabel('Type the app lock passphrase again').fill(PASS);
	await page.getByRole('button', { name: 'Turn on app lock' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'The app lock is on' })).toBeVisible({ timeout: 20_000 });
	expect((await lockRecord(page)).passkeys).toBeUndefined();

	// Adding a passkey asks for the passphrase; a wrong one adds nothing.
	const addPasskey = page.getByRole('button', { name: 'Also unlock with this device’s fingerprint, face or PIN (passkey)' });
	await page.getByLabel('App lock passphrase (to add a passkey)').fill('marmalade');
	await addPasskey.click();
	await expect(page.getByRole('alert')).toContainText('does not unlock Hearth', { timeout: 20_000 });
	expect((await lockRecord(page)).passkeys).toBeUndefined();
	await page.getByLabel('App lock passphrase (to add a passkey)').fill(PASS);
	await addPasskey.click();
	await expect(page.getByRole('status').filter({ hasText: 'Passkey added' })).toBeVisible({ timeout: 20_000 });
	await expect(page.getByRole('list', { name: 'Passkeys that unlock Hearth on this device' }).getByRole('listitem')).toHaveCount(1);
	await expectAccessible(page);
	// The record names the very credential the authenticator made (a wrong-passphrase attempt
	// may have left another credential behind, but the record only holds the one added).
	const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
	const record = await lockRecord(page);
	expect(record.passkeys).toHaveLength(1);
	expect(credentials.map((c) => base64url(c.credentialId))).toContain(record.passkeys![0].credentialId);

	// Opening Hearth again: locked, and the lock screen offers the passkey first, with keyboard focus on it.
	await page.goto(spaceUrl);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hearth is locked');
	const unlockPasskey = page.getByRole('button', { name: 'Unlock with passkey' });
	await expect(unlockPasskey).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(page.getByLabel('Notes')).toHaveValue('Keys under the blue pot.', { timeout: 20_000 });

	// "Lock Hearth" (the same as being left alone): the passkey unlocks again.
	await page.getByRole('button', { name: 'Lock Hearth' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hearth is locked');
	await unlockPasskey.click();
	await expect(page.getByLabel('Notes')).toHaveValue('Keys under the blue pot.', { timeout: 20_000 });

	// The passphrase still unlocks.
	await page.getByRole('button', { name: 'Lock Hearth' }).click();
	await unlockWithPassphrase(page, PASS);
	await expect(page.getByLabel('Notes')).toHaveValue('Keys under the blue pot.', { timeout: 20_000 });

	// Changing the passphrase: the old one stops working, the new one works, and so does the passkey.
	await page.getByRole('link', { name: 'Your data' }).click();
	await page.getByLabel('Current app lock passphrase').fill(PASS);
	await page.getByLabel('New app lock passphrase').fill('kettle on the landing');
	await page.getByLabel('Type the new passphrase again').fill('kettle on the landing');
	await page.getByRole('button', { name: 'Change passphrase' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Passphrase changed' })).toBeVisible({ timeout: 20_000 });
	await page.reload();
	await unlockWithPassphrase(page, PASS);
	await expect(page.getByRole('alert')).toContainText('does not unlock Hearth', { timeout: 20_000 });
	await unlockPasskey.click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your data', { timeout: 20_000 });
	await page.reload();
	await unlockWithPassphrase(page, 'kettle on the landing');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your data', { timeout: 20_000 });

	// The person not verified (fingerprint not recognised, prompt dismissed): told plainly, still
	// locked, and the passphrase is there. (Last use of this passkey: Chromium's virtual
	// authenticator refuses every request after a failed verification.)
	await page.getByRole('button', { name: 'Lock Hearth' }).click();
	await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
	await unlockPasskey.click();
	await expect(page.getByRole('alert')).toContainText('The passkey was not used', { timeout: 20_000 });
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hearth is locked');
	await expect(unlockPasskey).toBeFocused();
	await expectAccessible(page);
	await unlockWithPassphrase(page, 'kettle on the landing');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your data', { timeout: 20_000 });

	// Removing the passkey: the lock screen asks for the passphrase only, which still unlocks.
	await page.getByRole('button', { name: /^Remove passkey added on / }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Passkey removed' })).toBeVisible();
	expect((await lockRecord(page)).passkeys).toBeUndefined();
	await page.reload();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hearth is locked');
	await expect(unlockPasskey).toHaveCount(0);
	await expect(page.getByLabel('Your app lock passphrase')).toBeFocused();
	await unlockWithPassphrase(page, 'kettle on the landing');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your data', { timeout: 20_000 });

	// A device whose authenticator verifies the person but gives no PRF output: explained, and
	// nothing changes (the passphrase stays the way in).
	await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
	authenticatorId = await virtualAuthenticator(cdp, false);
	await page.getByLabel('App lock passphrase (to add a passkey)').fill('kettle on the landing');
	await addPasskey.click();
	await expect(page.getByRole('alert')).toContainText('This device can’t unlock Hearth with a passkey', { timeout: 20_000 });
	await expectAccessible(page);
	expect((await lockRecord(page)).passkeys).toBeUndefined();
	await page.goto(spaceUrl);
	await unlockWithPassphrase(page, 'kettle on the landing');
	await expect(page.getByLabel('Notes')).toHaveValue('Keys under the blue pot.', { timeout: 20_000 });
	await context.close();
});
