import { beforeAll, describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import { cryptoReady } from '$lib/crypto';
import { createDevice, deviceKey, type DeviceSecrets } from '$lib/keys/device';
import type { PersonKey } from '$lib/model/ids';
import {
	agreementStatus,
	editPromise,
	hasAgreedToCurrent,
	newSupportPromise,
	promiseAgreements,
	recordAgreement,
	signPromiseAgreement,
	type PromiseAgreementId,
	type SupportPromise
} from '$lib/model/promise';
import { changedSinceReview, editTrustArea, markTrustReviewed, newTrustAssessment, trustAreas, type TrustAssessment } from '$lib/model/trustAssessment';

const owner = 'owner-key' as PersonKey;
const worker = 'worker-key' as PersonKey;
let ownerPhone: DeviceSecrets;
let workerPhone: DeviceSecrets;

beforeAll(async () => {
	await cryptoReady();
	ownerPhone = createDevice(0);
	workerPhone = createDevice(0);
});

function change<T>(doc: A.Doc<T>, fn: A.ChangeFn<T>): A.Doc<T> {
	return A.change(A.clone(doc), fn);
}

function agree(doc: A.Doc<SupportPromise>, device: DeviceSecrets, person: PersonKey, id: string, at: number): A.Doc<SupportPromise> {
	return change(doc, (d) => recordAgreement(d, signPromiseAgreement(device, d, id as PromiseAgreementId, person, at)));
}

describe('the Getting Support Promise', () => {
	it('records who agreed, when and to which version, signed by their device', () => {
		let doc = A.from<SupportPromise>(newSupportPromise('promise-1', 'We arrive on time and tell you if we can’t.', 0));
		doc = agree(doc, ownerPhone, owner, 'a1', 10);
		doc = agree(doc, workerPhone, worker, 'a2', 20);
		const views = promiseAgreements(doc);
		expect(views.map((v) => [v.person, v.status, v.versionNumber, v.at])).toEqual([
			[owner, 'agreed', 1, 10],
			[worker, 'agreed', 1, 20]
		]);
		expect(views[0].device).toBe(deviceKey(ownerPhone));
		expect(views[0].agreedText).toBe('We arrive on time and tell you if we can’t.');
	});

	it('a changed text makes earlier agreements show as agreed to an earlier version, until re-agreed', () => {
		let doc = A.from<SupportPromise>(newSupportPromise('promise-1', 'We arrive on time.', 0));
		doc = agree(doc, ownerPhone, owner, 'a1', 10);
		doc = agree(doc, workerPhone, worker, 'a2', 20);
		doc = change(doc, (d) => editPromise(d, 'We arrive on time. We knock first.'));
		expect(promiseAgreements(doc).map((v) => v.status)).toEqual(['earlier-version', 'earlier-version']);
		expect(promiseAgreements(doc)[0].agreedText).toBe('We arrive on time.');
		expect(hasAgreedToCurrent(doc, owner)).toBe(false);

		doc = agree(doc, ownerPhone, owner, 'a3', 30);
		const views = promiseAgreements(doc);
		expect(views.find((v) => v.person === owner)).toMatchObject({ status: 'agreed', versionNumber: 2 });
		expect(views.find((v) => v.person === worker)).toMatchObject({ status: 'earlier-version', versionNumber: 1 });
		expect(hasAgreedToCurrent(doc, owner)).toBe(true);
		// Even a one-character change is a new version.
		doc = change(doc, (d) => editPromise(d, 'We arrive on time. We knock first!'));
		expect(hasAgreedToCurrent(doc, owner)).toBe(false);
	});

	it('an altered agreement, or one moved to another promise, fails verification', () => {
		let doc = A.from<SupportPromise>(newSupportPromise('promise-1', 'We arrive on time.', 0));
		doc = agree(doc, workerPhone, worker, 'a1', 10);
		const backdated = change(doc, (d) => void (d.agreements.a1.at = 5));
		expect(promiseAgreements(backdated)[0].status).toBe('invalid');
		const otherPerson = change(doc, (d) => void (d.agreements.a1.person = owner));
		expect(promiseAgreements(otherPerson)[0].status).toBe('invalid');

		const other = A.from<SupportPromise>(newSupportPromise('promise-2', 'We arrive on time.', 0));
		expect(agreementStatus(other, doc.agreements.a1)).toBe('invalid');
		// The device hook: a valid signature by a device that isn't theirs.
		expect(agreementStatus(doc, doc.agreements.a1, (d) => d === deviceKey(ownerPhone))).toBe('unknown-device');
		// A kept snapshot that was edited isn't shown as what they agreed to.
		const snap = change(doc, (d) => {
			for (const v of Object.values(d.versions)) v.text = 'We arrive whenever.';
		});
		expect(promiseAgreements(snap)[0]).toMatchObject({ status: 'agreed', agreedText: null });
	});

	it('there is nothing to agree to before the text is written', () => {
		expect(() => signPromiseAgreement(ownerPhone, newSupportPromise('p', '  '), 'x' as PromiseAgreementId, owner)).toThrow();
	});
});

describe('the Trust Assessment', () => {
	it('keeps each area’s text, merges two writers, and shows what changed since the last review', () => {
		let base = A.from<TrustAssessment>(newTrustAssessment(0));
		base = change(base, (d) => editTrustArea(d, 'goingOut', owner, 'I go to the shops alone', 1));
		base = change(base, (d) => markTrustReviewed(d, owner, 2));
		expect(changedSinceReview(base)).toEqual([]);
		const a = change(base, (d) => editTrustArea(d, 'goingOut', owner, 'I go to the shops alone on weekdays', 3));
		const b = change(base, (d) => editTrustArea(d, 'infectionControl', worker, 'Gloves for personal care', 3));
		const merged = A.merge(a, b);
		expect(trustAreas(merged).filter((x) => x.written).map((x) => x.title)).toEqual(['Going out', 'Infection control']);
		expect(changedSinceReview(merged)).toEqual(['goingOut', 'infectionControl']);
		expect(trustAreas(merged).map((x) => x.key)).toEqual(['medication', 'mobility', 'goingOut', 'boundaries', 'mentalHealth', 'infectionControl', 'other']);
	});
});
