import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, hash } from '$lib/crypto';
import { createDevice } from '$lib/keys/device';
import { createInvitation, infoHash } from '$lib/keys/spaceOps';
import { fromBase64Url, toBase64Url, utf8, type SpaceId } from '$lib/protocol';

beforeAll(cryptoReady);

describe('invitation display text', () => {
	it('is committed to with the link’s secret, so the relay cannot test guesses at the names', () => {
		const info = { space: 'Mum’s care team', from: 'Olive' };
		const { op, link } = createInvitation('4NMNnkMhL8jXrdJ9jamS7Z7me7Ms' as SpaceId, createDevice(), [], {
			role: 'member',
			circles: ['c'],
			expiresAt: Date.now() + 1000,
			info
		});
		const guess = toBase64Url(hash(utf8(JSON.stringify([info.space, info.from]))));
		expect(op.body).not.toContain(guess);
		expect(op.body).not.toContain('Olive');
		expect(op.body).toContain(infoHash(info, fromBase64Url(link.secret)));
	});
});
