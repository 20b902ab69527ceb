// How long a device takes to replay a busy space's whole membership log. Every device does
// this when it opens a space, and the sync engine does it again whenever the log grows, so it
// must stay well under the time a person notices. Target: a full replay of 2,000 operations
// in under 200 ms.
//
//   node --import tsx bench/membershipReplay.ts      (after `svelte-kit sync`, as `npm run bench` does)
//
// The log is built with the real builders and real keys: an owner, 50 members with three
// devices each, invitations and admissions, promotions, grants, removals each followed by key
// rotations, device changes, and documents added throughout, with some authors offline for a
// while. Progress goes to stderr, results to stdout. Like the rest of the bench, missing the
// target never fails the run.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cryptoReady, hash, newSymmetricKey, verify } from '$lib/crypto';
import { createDevice, deviceKey, type DeviceSecrets } from '$lib/keys/device';
import { certifyDevice, createPerson, personKey, type DeviceInfo, type PersonKey, type PersonSecrets } from '$lib/keys/identity';
import { emptyMembership, opHash, replayMembership, type Action, type HashFn } from '$lib/keys/membership';
import { createInvitation, createSpace, lockboxesFor, requestToJoin, sealTo, signOp } from '$lib/keys/spaceOps';
import { opSigningBytes, type DocumentId, type LoggedOp, type SignedOp, type SpaceId } from '$lib/protocol';
import { CachedVerifier } from '$lib/sync/CachedVerifier';
import { median } from './report';

const TARGET_MS = 200;
const OPS = 2_000;
const MEMBERS = 50;
const DEVICES_EACH = 3;
const WARMUP = 2;
const RUNS = 7;

export interface MembershipReplayResult {
	ops: number;
	/** Median of RUNS full replays, every signature checked (a device opening the space). */
	medianMs: number;
	runs: number[];
	/** Context: the same replay with the sync engine's signature cache already warm, and where the time goes. */
	detail: Record<string, unknown>;
}

// ── building the log ────────────────────────────────────────────────────────────────────

interface Person {
	secrets: PersonSecrets;
	id: PersonKey;
	devices: DeviceSecrets[];
	infos: DeviceInfo[];
	circles: Set<string>;
	role: 'owner' | 'admin' | 'member';
	removed: boolean;
}

/** A seeded generator, so every run builds a log of the same shape. */
function random(seed: number): () => number {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function newPerson(role: Person['role'], deviceCount: number): Person {
	const secrets = createPerson();
	const devices = Array.from({ length: deviceCount }, () => createDevice());
	return { secrets, id: personKey(secrets), devices, infos: devices.map((d) => certifyDevice(secrets, d)), circles: new Set(), role, removed: false };
}

/**
 * Builds the space's log as the relay would hold it. Bookkeeping of who holds what is kept
 * here, next to the log, rather than by replaying it: replaying after every op would make
 * building quadratic, and the final replay checks the bookkeeping was right.
 */
export function buildLog(total = OPS, seed = 7): { spaceId: SpaceId; log: LoggedOp[]; expected: { members: number; rejected: number } } {
	const rand = random(seed);
	const pickFrom = <T>(items: T[]): T => items[Math.floor(rand() * items.length)];
	const owner = newPerson('owner', DEVICES_EACH);
	const created = createSpace(owner.secrets, owner.devices[0], 2);
	const spaceId = created.spaceId;
	const keys = new Map<string, Map<number, Uint8Array>>([...created.keys].map(([c, k]) => [c, new Map([[0, k]])]));
	const epochOf = (circle: string) => Math.max(...keys.get(circle)!.keys());
	for (const c of created.circles) owner.circles.add(c);
	/** Everyone admitted so far, in order; `removed` marks those who left. */
	const people: Person[] = [owner];
	const inSpace = () => people.filter((p) => !p.removed);

	const log: LoggedOp[] = [];
	// Heads after each entry, so an author who was offline can point at what they had seen.
	const headsAfter: string[][] = [[]];
	let heads: string[] = [];
	let clock = 1_700_000_000_000;
	let expectedRejected = 0;
	const append = (op: SignedOp, prev: string[]) => {
		log.push({ index: log.length, op, at: clock });
		clock += 1 + Math.floor(rand() * 5_000);
		heads = [...heads.filter((h) => !prev.includes(h)), opHash(op, (b) => hash(b))];
		headsAfter.push(heads);
	};
	const act = (who: Person, device: DeviceSecrets, action: Action, lag = 0) => {
		const prev = headsAfter[Math.max(0, log.length - lag)];
		append(signOp(spaceId, device, prev, action, clock), prev);
	};
	const deviceOf = (p: Person) => p.devices[0];
	const admins = () => inSpace().filter((p) => p.role === 'owner' || p.role === 'admin');

	append(created.op, []);
	// The owner's other two devices (a phone and a laptop, say).
	for (const info of owner.infos.slice(1)) {
		const lockboxes = [...owner.circles].flatMap((c) => lockboxesFor(keys.get(c), c, [info]));
		act(owner, owner.devices[0], { type: 'add-device', person: owner.id, device: info, lockboxes });
	}
	const newCircle = (name: string) => {
		keys.set(name, new Map([[0, newSymmetricKey()]]));
		owner.circles.add(name);
		act(owner, deviceOf(owner), { type: 'new-circle', circle: name, lockboxes: lockboxesFor(keys.get(name), name, owner.infos) });
	};
	newCircle('coordinators');
	newCircle('finance');
	const circles = [...created.circles, 'coordinators', 'finance'];
	const everyone = created.circles[0];

	/** Seals every epoch key of the circle to the devices, so history stays readable. */
	const boxes = (circle: string, devices: DeviceInfo[]) => lockboxesFor(keys.get(circle), circle, devices);

	const rotate = (circle: string, by: Person) => {
		const epoch = epochOf(circle) + 1;
		const key = newSymmetricKey();
		keys.get(circle)!.set(epoch, key);
		const entitled = inSpace().filter((p) => p.circles.has(circle)).flatMap((p) => p.infos);
		act(by, deviceOf(by), { type: 'rotate', circle, epoch, lockboxes: entitled.map((d) => sealTo(key, circle, epoch, d)) });
	};

	// The structural events of the space's life, in order; documents are added between them.
	const events: Array<() => void> = [];
	for (let i = 0; i < MEMBERS; i++) {
		events.push(() => {
			const by = pickFrom(admins());
			const invited = [everyone, ...(rand() < 0.5 ? [pickFrom(circles.slice(1))] : [])];
			const person = newPerson('member', DEVICES_EACH);
			const { op, link } = createInvitation(spaceId, deviceOf(by), heads, { role: 'member', circles: invited, expiresAt: clock + 7 * 86_400_000, info: { space: 'Care co-op', from: 'someone' } });
			append(op, heads);
			const prev = heads;
			append(requestToJoin(emptyMembership(spaceId), link, person.secrets, person.devices, person.devices[0], prev), prev);
			act(by, deviceOf(by), { type: 'admit', invite: link.invite, lockboxes: invited.flatMap((c) => boxes(c, person.infos)) });
			for (const c of invited) person.circles.add(c);
			people.push(person);
		});
		// A few of the first members come to share the owner's powers.
		if (i % 10 === 2) {
			events.push(() => {
				const chosen = pickFrom(inSpace().filter((p) => p.role === 'member'));
				chosen.role = 'admin';
				act(owner, deviceOf(owner), { type: 'set-role', person: chosen.id, role: 'admin' });
			});
		}
	}
	for (let i = 0; i < 60; i++) {
		events.push(() => {
			const by = pickFrom(admins());
			const target = pickFrom(inSpace().filter((p) => p !== owner));
			const circle = pickFrom(circles.filter((c) => !target.circles.has(c)).concat(circles[1]));
			if (target.circles.has(circle)) {
				// Occasionally access is taken away instead; the next rotation keeps it away.
				target.circles.delete(circle);
				act(by, deviceOf(by), { type: 'revoke', person: target.id, circle });
				rotate(circle, by);
				return;
			}
			target.circles.add(circle);
			act(by, deviceOf(by), { type: 'grant', person: target.id, circle, lockboxes: boxes(circle, target.infos) });
		});
	}
	for (let i = 0; i < 12; i++) {
		events.push(() => {
			// A lost phone: removed from another of the person's devices, keys rotated after.
			const who = pickFrom(inSpace().filter((p) => p.infos.length > 1 && p !== owner));
			const lost = who.infos.pop()!;
			who.devices.pop();
			act(who, deviceOf(who), { type: 'remove-device', person: who.id, device: lost.sign });
			for (const c of who.circles) rotate(c, owner);
		});
		events.push(() => {
			// A new device for someone.
			const who = pickFrom(inSpace().filter((p) => p !== owner));
			const device = createDevice();
			const info = certifyDevice(who.secrets, device);
			act(who, deviceOf(who), { type: 'add-device', person: who.id, device: info, lockboxes: [...who.circles].flatMap((c) => boxes(c, [info])) });
			who.devices.push(device);
			who.infos.push(info);
		});
	}
	for (let i = 0; i < 6; i++) {
		events.push(() => {
			// Someone leaves the co-op; twice they were still working offline when removed,
			// and that work was logged first, so the reducer must set it aside.
			const by = i % 2 ? owner : pickFrom(admins());
			const who = pickFrom(inSpace().filter((p) => p.role === 'member'));
			let lag = 0;
			if (i < 2) {
				act(who, deviceOf(who), { type: 'add-doc', doc: `offline-${i}` as DocumentId, circle: pickFrom([...who.circles]) });
				lag = 1;
				expectedRejected++;
			}
			act(by, deviceOf(by), { type: 'remove', person: who.id }, lag);
			who.removed = true;
			for (const c of who.circles) rotate(c, by);
		});
	}
	// Structural events spread over the first ~90% of the log, documents in between.
	let docs = 0;
	let next = 0;
	while (log.length < total) {
		const due = (events.length - next) / Math.max(1, total * 0.9 - log.length);
		if (next < events.length && (rand() < due || next < 4)) {
			events[next++]();
			continue;
		}
		const author = pickFrom(inSpace());
		const circle = pickFrom([...author.circles]);
		// One document in ten is made by a device that had been offline for a while.
		const lag = rand() < 0.1 ? 1 + Math.floor(rand() * 20) : 0;
		act(author, pickFrom(author.devices), { type: 'add-doc', doc: `doc-${docs++}` as DocumentId, circle }, lag);
	}
	while (next < events.length) events[next++](); // only when `total` is too small for them all
	return { spaceId, log, expected: { members: inSpace().length, rejected: expectedRejected } };
}

// ── measuring ───────────────────────────────────────────────────────────────────────────

const hashFn: HashFn = (bytes) => hash(bytes);

function timed<T>(fn: () => T): { ms: number; value: T } {
	const started = performance.now();
	const value = fn();
	return { ms: performance.now() - started, value };
}

function describeLog(log: LoggedOp[]): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const e of log) {
		const type = (JSON.parse(e.op.body) as { action: Action }).action.type;
		counts[type] = (counts[type] ?? 0) + 1;
	}
	return counts;
}

export async function runMembershipReplayBench(): Promise<MembershipReplayResult> {
	await cryptoReady();
	progress(`Membership replay: building a log of ${OPS.toLocaleString('en')} operations…`);
	const built = timed(() => buildLog());
	const { spaceId, log, expected } = built.value;
	const bytes = log.reduce((n, e) => n + e.op.body.length, 0);
	progress(`  built in ${(built.ms / 1000).toFixed(1)} s: ${(bytes / 1e6).toFixed(1)} MB of op bodies; ${JSON.stringify(describeLog(log))}`);

	// The log must be one a real space would have: everything applies except the offline work
	// of people removed meanwhile. Otherwise the figures would time refusals, not replays.
	const check = replayMembership(spaceId, log, verify, hashFn);
	if (check.applied.length !== log.length - expected.rejected || check.members.size !== expected.members) {
		throw new Error(`The benchmark log is not what was meant: ${check.applied.length} applied, ${check.members.size} members; refused: ${JSON.stringify(check.rejected.slice(0, 5))}`);
	}

	for (let i = 0; i < WARMUP; i++) replayMembership(spaceId, log, verify, hashFn);
	const runs: number[] = [];
	for (let i = 0; i < RUNS; i++) runs.push(timed(() => replayMembership(spaceId, log, verify, hashFn)).ms);
	const medianMs = median(runs);

	// What the sync engine does each time the log grows: the same replay, with its cache of
	// already-checked signatures warm.
	const cache = new CachedVerifier();
	replayMembership(spaceId, log, cache.verify, hashFn);
	const cachedRuns: number[] = [];
	for (let i = 0; i < RUNS; i++) cachedRuns.push(timed(() => replayMembership(spaceId, log, cache.verify, hashFn)).ms);

	// Where the time goes. Differences between medians hold up better on a busy machine than
	// timing each call. Counting the injected verifier's calls gives the number of applyAll
	// rounds: each round re-checks every admission request's invitation proof.
	let verifyCalls = 0;
	replayMembership(spaceId, log, (s, m, k) => (verifyCalls++, verify(s, m, k)), hashFn);
	const requests = check.applied.filter((a) => a.action.type === 'request').length;
	const rounds = (verifyCalls - log.length) / Math.max(1, requests);
	const noInjectedVerify = median(Array.from({ length: RUNS }, () => timed(() => replayMembership(spaceId, log, () => true, hashFn)).ms));
	const perVerifyMs = (medianMs - noInjectedVerify) / verifyCalls;
	// Device certificates are checked with libsodium directly, not through the injected (and
	// so cacheable) verifier, in every round: the owner's card, each request's card, each add-device.
	const certsPerRound = check.applied.reduce((n, a) => n + (a.action.type === 'create' ? a.action.owner.devices.length : a.action.type === 'request' ? a.action.person.devices.length : a.action.type === 'add-device' ? 1 : 0), 0);
	// The per-op work of parsing, done once per replay: signing bytes (built twice, once to
	// verify and once in opHash), JSON.parse of the body, the op hash.
	const parsing = median(
		Array.from({ length: RUNS }, () =>
			timed(() => {
				for (const e of log) {
					opSigningBytes(e.op);
					JSON.parse(e.op.body);
					opHash(e.op, hashFn);
				}
			}).ms
		)
	);

	const detail = {
		target: `< ${TARGET_MS} ms`,
		logBytes: bytes,
		opTypes: describeLog(log),
		buildMs: Math.round(built.ms),
		cachedSignatures: { medianMs: median(cachedRuns), runs: cachedRuns },
		breakdown: {
			applyRounds: rounds,
			injectedVerifyCalls: verifyCalls,
			injectedVerifyMs: medianMs - noInjectedVerify,
			perVerifyUs: perVerifyMs * 1000,
			certificateChecks: certsPerRound * rounds,
			certificateChecksEstimatedMs: certsPerRound * rounds * perVerifyMs,
			parsingMs: parsing,
			withoutInjectedVerifyMs: noInjectedVerify
		}
	};
	return { ops: log.length, medianMs, runs, detail };
}

function progress(message: string): void {
	process.stderr.write(`${message}\n`);
}

function report(result: MembershipReplayResult): string {
	const d = result.detail as { cachedSignatures: { medianMs: number }; breakdown: Record<string, number> };
	const b = d.breakdown;
	const ms = (v: number) => `${v.toFixed(v >= 100 ? 0 : 1)} ms`;
	const meets = result.medianMs < TARGET_MS;
	return [
		`Membership replay, ${result.ops.toLocaleString('en')} ops (${MEMBERS} members × ${DEVICES_EACH} devices)`,
		`  full replay, every signature checked:  median ${ms(result.medianMs)}  (target < ${TARGET_MS} ms: ${meets ? 'meets' : 'does not meet'})`,
		`  runs: ${result.runs.map((r) => r.toFixed(0)).join(', ')} ms`,
		`  same, sync engine's signature cache warm:  median ${ms(d.cachedSignatures.medianMs)}`,
		`  where the time goes (one replay, from differences between medians):`,
		`    op signatures + invitation proofs: ${b.injectedVerifyCalls} checks ≈ ${ms(b.injectedVerifyMs)} (≈ ${b.perVerifyUs.toFixed(0)} µs each)`,
		`    device certificates, checked in every applyAll round: ${b.certificateChecks} checks ≈ ${ms(b.certificateChecksEstimatedMs)}`,
		`    applyAll rounds (the fixpoint for concurrent removals): ${b.applyRounds}`,
		`    parsing (signing bytes twice, JSON.parse, op hash): ${ms(b.parsingMs)}`,
		`    everything but the op signatures and proofs: ${ms(b.withoutInjectedVerifyMs)}`
	].join('\n');
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
	runMembershipReplayBench().then(
		(result) => {
			console.log(report(result));
			process.exit(0);
		},
		(error: unknown) => {
			console.error('membership replay bench crashed:', error);
			process.exit(1);
		}
	);
}
