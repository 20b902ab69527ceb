// A person's devices: linking a new one brings the full history; a recovery kit restores
// everything when every device is lost; a lost device can be removed from another.
import { afterEach, describe, expect, it } from 'vitest';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import { linkFragment, parseLinkOffer } from '$lib/keys/deviceLink';
import type { DocumentId } from '$lib/protocol';
import { eventually, openDevice, setup, type Device, type Scenario } from '$tests/helpers/scenario';

interface Notes {
	items: string[];
}

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.teardown();
	scenario = undefined;
});

function items(d: Device, docId: DocumentId): string[] | undefined {
	return d.engine.handle<Notes>(docId)?.doc().items;
}

async function withHistory(owner: Device) {
	const { spaceId, circles } = await owner.engine.createSpace(2);
	const care = await owner.engine.createInSpace<Notes>(spaceId, circles[1], { items: [] });
	for (let i = 0; i < 30; i++) {
		care.change((d) => d.items.push(`visit ${i}`));
		await new Promise((r) => setTimeout(r, 2));
	}
	const linked = await owner.engine.create<Notes>({ items: ['shopping list'] });
	await owner.engine.whenSynced();
	return { spaceId, circles, careId: care.documentId as unknown as DocumentId, linkedId: linked.documentId as unknown as DocumentId };
}

describe('a person’s devices', () => {
	it('links a second device, which gets the identity and the full history of every document', async () => {
		const s = await setup('laptop', 'phone');
		scenario = s;
		const { laptop, phone } = s;
		const { careId, linkedId, spaceId } = await withHistory(laptop);

		let laptopCode = '';
		let request: { sign: string; box: string } | undefined;
		const { offer } = await laptop.engine.offerDeviceLink((r) => {
			laptopCode = r.code;
			request = r;
		});
		const shown = parseLinkOffer(`https://hearth.example/link#${linkFragment(offer)}`);
		const { code, linked } = await phone.engine.requestDeviceLink(shown);
		await eventually(() => request !== undefined, 10_000, 'the laptop to see the request');
		expect(laptopCode).toBe(code); // the person compares these two screens
		await laptop.engine.confirmDeviceLink(offer, request!);
		await linked;

		expect(phone.engine.personKey()).toBe(laptop.engine.personKey());
		await eventually(() => items(phone, careId)?.length === 30, 10_000, 'care history on the phone');
		await eventually(() => items(phone, linkedId)?.[0] === 'shopping list', 10_000, 'link-shared doc on the phone');
		expect(laptop.engine.spaceState(spaceId)!.members.get(laptop.engine.personKey()!)!.devices.size).toBe(2);

		// The phone can write, once the laptop (an owner device) has added it as a writer.
		await eventually(() => phone.engine.isCaughtUp(careId));
		phone.engine.handle<Notes>(careId)!.change((d) => d.items.push('from the phone'));
		await eventually(() => items(laptop, careId)?.includes('from the phone') === true, 10_000, 'phone edit on the laptop');

		// The phone is lost: remove it from the laptop. New writes are locked away from it.
		phone.engine.disconnect();
		await laptop.engine.removeDevice(phone.engine.deviceKey);
		await eventually(() => laptop.engine.spaceState(spaceId)!.circles.get(laptop.engine.spaceOf(careId)!.circle)!.epoch === 1, 15_000, 'rotation after removing the phone');
		await eventually(() => laptop.engine.epochOf(careId) === 1, 15_000, 'the relay to close the old epoch');
		await laptop.engine.whenSynced();
		laptop.engine.handle<Notes>(careId)!.change((d) => d.items.push('after the phone was lost'));
		await laptop.engine.whenSynced();
		phone.engine.connect();
		await eventually(() => phone.engine.status.problems.some((p) => p.kind === 'unreadable'), 10_000, 'the phone to be locked out');
		expect(items(phone, careId)).not.toContain('after the phone was lost');
	});

	it('restores everything from a recovery kit after every device is lost', async () => {
		const s = await setup('old');
		scenario = s;
		const { old } = s;
		const { careId, linkedId, spaceId } = await withHistory(old);
		const kit = await old.engine.createRecoveryKit();
		expect(kit).toMatch(/^([A-Z2-9]{4}-){13}[A-Z2-9]$/);
		old.engine.handle<Notes>(careId)!.change((d) => d.items.push('written after the kit was made'));
		await old.engine.whenSynced(); // includes the refreshed recovery copy
		const person = old.engine.personKey();
		await old.engine.close(); // the only device is gone

		const fresh = await openDevice('fresh', s.relay);
		s.devices.fresh = fresh;
		fresh.engine.connect();
		await expect(fresh.engine.recover('AAAA-BBBB')).rejects.toThrow(/typing mistake/);
		await fresh.engine.recover(kit.toLowerCase().replace(/-/g, ' '));
		expect(fresh.engine.personKey()).toBe(person);
		await eventually(() => items(fresh, careId)?.length === 31, 15_000, 'care history restored');
		await eventually(() => items(fresh, linkedId)?.[0] === 'shopping list', 10_000, 'link-shared doc restored');
		await eventually(() => fresh.engine.spaceState(spaceId)!.members.get(person!)!.devices.has(fresh.engine.deviceKey), 10_000);
		// And it can carry on writing.
		await eventually(() => fresh.engine.isCaughtUp(careId));
		fresh.engine.handle<Notes>(careId)!.change((d) => d.items.push('after recovery'));
		await fresh.engine.whenSynced();
		const check = await openDevice('check', s.relay);
		s.devices.check = check;
		await check.engine.add(parseShareLink(shareFragment(fresh.engine.access(linkedId)!)));
		check.engine.connect();
		await eventually(() => items(check, linkedId)?.[0] === 'shopping list', 10_000);
	});
});
