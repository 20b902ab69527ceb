// The signed fields a space log's flood guard reads: their shape, that the author's signature
// covers them, and which keys an op lets write (reading old ops' clear bodies).
import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, newSigningKeyPair, verify } from '$lib/crypto';
import { createDevice, deviceKey } from '$lib/keys/device';
import { createPerson, personKey } from '$lib/keys/identity';
import { createSpace, signOp, writeCap } from '$lib/keys/spaceOps';
import { fromBase64Url, isSignedOp, keysAdmittedBy, MAX_ADMITS_PER_OP, opSigningBytes, toBase64Url, type SignedOp } from '$lib/protocol';

beforeAll(cryptoReady);

const verifies = (op: SignedOp) => verify(fromBase64Url(op.sig), opSigningBytes(op), fromBase64Url(op.author));
const key = () => toBase64Url(newSigningKeyPair().publicKey);

describe('relay fields on a space-log op', () => {
	const person = createPerson();
	const device = createDevice();
	const { spaceId, op: create } = createSpace(person, device, 1);

	it('are covered by the author’s signature: changing who is admitted or who vouches breaks it', () => {
		expect(create.admits).toEqual([personKey(person), deviceKey(device)]);
		expect(verifies(create)).toBe(true);
		expect(verifies({ ...create, admits: [...create.admits!, key()] })).toBe(false);
		const { admits: _dropped, ...without } = create;
		expect(verifies(without)).toBe(false);
		const vouched = signOp(spaceId, createDevice(), [], { type: 'decline', invite: 'x' }, 1, { cap: writeCap(spaceId, deviceKey(device), device.signing) });
		expect(verifies(vouched)).toBe(true);
		expect(verifies({ ...vouched, cap: { ...vouched.cap!, by: key() } })).toBe(false);
	});

	it('have one spelling: absent or well-formed', () => {
		expect(isSignedOp(create)).toBe(true);
		expect(isSignedOp({ ...create, admits: [] })).toBe(false);
		expect(isSignedOp({ ...create, admits: ['not a key'] })).toBe(false);
		expect(isSignedOp({ ...create, admits: Array.from({ length: MAX_ADMITS_PER_OP + 1 }, key) })).toBe(false);
		expect(isSignedOp({ ...create, cap: { by: key() } })).toBe(false);
		expect(isSignedOp({ ...create, cap: { by: key(), sig: 'AAAA' } })).toBe(false);
	});

	it('say which keys an op lets write; ops from before them, through their clear body', () => {
		const newKey = key();
		expect(keysAdmittedBy({ ...create, admits: [newKey] })).toEqual([create.author, newKey]);
		// The same create op as a relay stored it before relay fields existed.
		const { admits: _a, ...legacy } = create;
		expect(new Set(keysAdmittedBy(legacy))).toEqual(new Set([deviceKey(device), personKey(person)]));
		const invite = { ...legacy, body: JSON.stringify({ v: 1, prev: [], at: 1, action: { type: 'invite', key: newKey } }) };
		expect(keysAdmittedBy(invite)).toContain(newKey);
		// Bodies that are not such ops (sealed ones, pairing messages, junk) admit only their author.
		for (const body of ['"x"', '{', '{"action":null}', JSON.stringify({ action: { type: 'remove', person: newKey } }), 'c2VhbGVk']) {
			expect(keysAdmittedBy({ ...legacy, body })).toEqual([legacy.author]);
		}
	});
});
