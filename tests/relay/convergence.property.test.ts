// Property: whatever the interleaving of edits and dropped connections across three
// devices, once everyone is back online every device holds the identical document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as A from '@automerge/automerge';
import { parseShareLink, shareFragment } from '$lib/keys/access';
import type { DocumentId } from '$lib/protocol';
import { startRelay, type RelayProcess } from '$tests/helpers/relayProcess';
import { eventually, openDevice, type Device } from '$tests/helpers/scenario';

interface Shared {
	text: string;
	tally: Record<string, number>;
	log: string[];
}

let relay: RelayProcess;
let devices: Device[];
beforeAll(async () => {
	relay = await startRelay();
	devices = await Promise.all(['ann', 'ben', 'cat'].map((n) => openDevice(n, relay)));
	for (const d of devices) d.engine.connect();
});
afterAll(async () => {
	for (const d of devices) await d.engine.close();
	await relay.stop();
});

const op = fc.oneof(
	fc.record({ kind: fc.constant('insert' as const), who: fc.nat(2), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 4 }) }),
	fc.record({ kind: fc.constant('delete' as const), who: fc.nat(2), at: fc.nat(), count: fc.integer({ min: 1, max: 3 }) }),
	fc.record({ kind: fc.constant('tally' as const), who: fc.nat(2), key: fc.constantFrom('a', 'b', 'c'), by: fc.integer({ min: -3, max: 3 }) }),
	fc.record({ kind: fc.constant('log' as const), who: fc.nat(2), text: fc.string({ maxLength: 6 }) }),
	fc.record({ kind: fc.constant('offline' as const), who: fc.nat(2) }),
	fc.record({ kind: fc.constant('online' as const), who: fc.nat(2) }),
	fc.record({ kind: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 30 }) })
);

describe('convergence under random edits and disconnects', () => {
	it('three devices always end identical', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40 }), async (ops) => {
				const [first] = devices;
				const handle = await first.engine.create<Shared>({ text: '', tally: {}, log: [] });
				const docId = handle.documentId as unknown as DocumentId;
				const link = shareFragment(first.engine.access(docId)!);
				for (const d of devices.slice(1)) await d.engine.add(parseShareLink(link));
				await eventually(() => devices.every((d) => d.engine.handle(docId) && d.engine.isCaughtUp(docId)), 10_000, 'everyone has the doc');
				for (const d of devices) await eventually(() => d.engine.access(docId) !== undefined);

				for (const o of ops) {
					if (o.kind === 'pause') {
						await new Promise((r) => setTimeout(r, o.ms));
						continue;
					}
					const d = devices[o.who];
					const h = d.engine.handle<Shared>(docId)!;
					switch (o.kind) {
						case 'offline':
							d.engine.disconnect();
							break;
						case 'online':
							d.engine.connect();
							break;
						case 'insert':
							h.change((doc) => A.splice(doc, ['text'], o.at % (doc.text.length + 1), 0, o.text));
							break;
						case 'delete':
							h.change((doc) => {
								if (doc.text.length > 0) A.splice(doc, ['text'], o.at % doc.text.length, o.count);
							});
							break;
						case 'tally':
							h.change((doc) => {
								doc.tally[o.key] = (doc.tally[o.key] ?? 0) + o.by;
							});
							break;
						case 'log':
							h.change((doc) => {
								doc.log.push(o.text);
							});
							break;
					}
				}
				for (const d of devices) d.engine.connect();
				for (const d of devices) await d.engine.whenSynced(20_000);
				await eventually(
					() => {
						const heads = devices.map((d) => JSON.stringify(A.getHeads(d.engine.handle<Shared>(docId)!.doc()).sort()));
						return heads.every((h) => h === heads[0]);
					},
					20_000,
					'identical heads'
				);
				const docs = devices.map((d) => JSON.parse(JSON.stringify(d.engine.handle<Shared>(docId)!.doc())));
				expect(docs[1]).toEqual(docs[0]);
				expect(docs[2]).toEqual(docs[0]);
			}),
			{ numRuns: 30 }
		);
	}, 240_000);
});
