import { expect, test } from '@playwright/test';
import { people } from './helpers';

test('link a second device with a matching code; it gets every private space', async ({ browser }) => {
	const [laptop, phone] = await people(browser, 'laptop', 'phone');
	await laptop.page.goto('/');
	await laptop.page.getByLabel('Name of your private space').fill('Dad’s care team');
	await laptop.page.getByLabel('Your name').fill('Sam');
	await laptop.page.getByRole('button', { name: 'Start private space' }).click();
	await expect(laptop.page).toHaveURL(/\/space\//);
	await laptop.page.getByLabel('Notes').fill('Keys are under the blue pot.');

	await laptop.page.goto('/devices');
	await laptop.page.getByRole('button', { name: 'Link a new device' }).click();
	const link = await laptop.page.getByLabel('Link for your new device').inputValue();
	await phone.page.goto(link);
	const phoneCode = await phone.page.getByTestId('link-code').textContent();
	await expect(laptop.page.getByTestId('link-code')).toHaveText(phoneCode!);
	await laptop.page.getByRole('button', { name: `Yes, it shows ${phoneCode}` }).click();
	await expect(phone.page.getByText('This device is linked')).toBeVisible();
	await phone.page.getByRole('button', { name: 'Go to your spaces' }).click();
	await expect(phone.page.getByRole('heading', { name: 'Dad’s care team' })).toBeVisible();
	await phone.page.getByRole('link', { name: /Shared notes/ }).first().click();
	await expect(phone.page.getByLabel('Notes')).toHaveValue('Keys are under the blue pot.');

	// Both devices are listed on each.
	await laptop.page.goto('/devices');
	await expect(laptop.page.getByRole('button', { name: 'Remove this device' })).toHaveCount(1);
	await laptop.context.close();
	await phone.context.close();
});

test('a recovery kit is shown once and restores the spaces on a new device', async ({ browser }) => {
	const [old, fresh] = await people(browser, 'old', 'fresh');
	await old.page.goto('/');
	await old.page.getByLabel('Name of your private space').fill('Allotment circle');
	await old.page.getByLabel('Your name').fill('Jo');
	await old.page.getByRole('button', { name: 'Start private space' }).click();
	await expect(old.page).toHaveURL(/\/space\//);
	await old.page.getByLabel('Notes').fill('Seeds arrive in March.');
	await old.page.goto('/devices');
	await old.page.getByRole('button', { name: 'Make a recovery kit' }).click();
	const key = (await old.page.getByTestId('recovery-key').textContent())!;
	expect(key).toMatch(/^([A-Z2-9]{4}-){13}[A-Z2-9]$/);
	await old.page.getByRole('button', { name: 'I have saved it' }).click();
	await expect(old.page.getByTestId('recovery-key')).toHaveCount(0);
	await old.page.waitForTimeout(2000); // the encrypted backup is refreshed after edits settle
	await old.context.close();

	await fresh.page.goto('/recover');
	await fresh.page.getByLabel('Recovery key').fill('WRONG-KEY');
	await fresh.page.getByRole('button', { name: 'Restore my spaces' }).click();
	await expect(fresh.page.getByRole('alert')).toContainText('typing mistake');
	await fresh.page.getByLabel('Recovery key').fill(key.toLowerCase());
	await fresh.page.getByRole('button', { name: 'Restore my spaces' }).click();
	await expect(fresh.page).toHaveURL(/\/$/);
	await expect(fresh.page.getByRole('heading', { name: 'Allotment circle' })).toBeVisible();
	await fresh.page.getByRole('link', { name: /Shared notes/ }).first().click();
	await expect(fresh.page.getByLabel('Notes')).toHaveValue('Seeds arrive in March.');
	await fresh.context.close();
});
