import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, newSymmetricKey } from '$lib/crypto';
import { createDevice, deviceKey } from '$lib/keys/device';
import { genesisPolicy, joinRecord, newDocAccess, parseShareLink, shareFragment, ShareLinkError } from '$lib/keys/access';
import { applyAuthRecord, mayWrite, type DocumentId } from '$lib/protocol';
import { verify } from '$lib/crypto';

beforeAll(cryptoReady);

const docId = '4NMNnkMhL8jXrdJ9jamS7Z7me7Ms' as DocumentId;

describe('share links', () => {
	it('round-trip every secret through the fragment only', () => {
		const owner = createDevice();
		const access = newDocAccess(docId, deviceKey(owner), newSymmetricKey());
		const link = `https://hearth.example/open#${shareFragment(access)}`;
		expect(link.split('#')[0]).toBe('https://hearth.example/open');
		expect(parseShareLink(link)).toEqual(access);
	});

	it('explain what is wrong with incomplete or damaged links', () => {
		expect(() => parseShareLink('https://x/open#d=abc')).toThrow(ShareLinkError);
		expect(() => parseShareLink('https://x/open#d=abc')).toThrow(/incomplete/);
		expect(() => parseShareLink(`d=${docId}&k=short&r=${'A'.repeat(43)}`)).toThrow(/changed or damaged/);
		expect(() => parseShareLink(`d=not-a-doc!&k=${'A'.repeat(43)}&r=${'A'.repeat(43)}`)).toThrow(/changed or damaged/);
	});
});

describe('auth log', () => {
	it('admits a device holding the join capability, and nobody else', () => {
		const owner = createDevice();
		const guest = createDevice();
		const access = newDocAccess(docId, deviceKey(owner), newSymmetricKey());
		const genesis = genesisPolicy(access, owner);
		let r = applyAuthRecord(undefined, genesis, verify, deviceKey(owner));
		expect(r.ok).toBe(true);
		const state = r.ok ? r.state : undefined;
		expect(mayWrite(state, 0, deviceKey(guest))).toBe(false);

		r = applyAuthRecord(state, joinRecord(access, guest, 0)!, verify);
		expect(r.ok && mayWrite(r.state, 0, deviceKey(guest))).toBe(true);

		// A link for a different document carries a different join key.
		const other = newDocAccess(docId, deviceKey(owner), newSymmetricKey());
		expect(applyAuthRecord(state, joinRecord(other, guest, 0)!, verify)).toMatchObject({ ok: false, code: 'not-an-admin' });
		// A relay cannot substitute its own genesis when the creator is pinned.
		const impostor = createDevice();
		expect(applyAuthRecord(undefined, genesisPolicy(access, impostor), verify, deviceKey(owner))).toMatchObject({ ok: false });
		// Tampering with a signed policy breaks it.
		expect(applyAuthRecord(undefined, { ...genesis, writers: [...genesis.writers, deviceKey(impostor)] }, verify)).toMatchObject({ ok: false, code: 'bad-signature' });
	});
});
