// A device's side of private spaces: creating them, invitations and admitting people, the
// membership log of each space (sent, confirmed, replayed with the reducer in
// `$lib/keys/membership`), opening the circle keys sealed to this device and handing each
// document its keys, and the work an owner-side device does by itself (rotating keys owed
// after a removal, keeping each document's writer policy in step with its circle).
import type { DocHandle } from '@automerge/automerge-repo';
import { hash, newSymmetricKey } from '$lib/crypto';
import { MAX_WRITTEN_MARKS, toBase64Url, type DeviceKey, type DocumentId, type LoggedOp, type PolicyRecord, type SignedOp, type SpaceId } from '$lib/protocol';
import { signedPolicy, type DocAccess } from '$lib/keys/access';
import { followAuth } from '$lib/keys/policyAuthority';
import { personKey, type PersonKey } from '$lib/keys/identity';
import { adminDevices, circleDevices, deviceInfo, isAdmin, mayStillSign, memberOf, owedRotations, recoveryAdmins, replayMembership, shutOut, type Action, type Role } from '$lib/keys/membership';
import {
	checkInvitation,
	genesisHash,
	createInvitation,
	createSpace,
	documentKey,
	lockboxesFor,
	openCircleKeys,
	relayFieldsFor,
	requestToJoin,
	sealTo,
	signOp,
	type InvitationInfo,
	type InvitationLink,
	type RelayFields
} from '$lib/keys/spaceOps';
import { words } from '$lib/words';
import { DocSync } from '$lib/sync/DocSync';
import type { EngineCore } from '$lib/sync/EngineCore';
import { SpaceSync } from '$lib/sync/SpaceSync';
import { afterRestore } from '$lib/sync/afterRestore';
import { waitUntil } from '$lib/sync/waitUntil';

const msg = words.messages.sync.syncEngine;

/** Its public methods back the SyncEngine methods of the same name, which document them. */
export class SpaceRunner {
	readonly #core: EngineCore;

	constructor(core: EngineCore) {
		this.#core = core;
	}

	async createSpace(circleCount = 1): Promise<{ spaceId: SpaceId; circles: string[] }> {
		const created = createSpace(await this.#core.person(), this.#core.device, circleCount);
		const space = new SpaceSync({ spaceId: created.spaceId, log: [], pending: [created.op] });
		this.#core.spaces.set(space.spaceId, space);
		await this.saveSpace(space);
		await this.reduce(space);
		this.sendPendingOps(space);
		this.#core.requestSync([], [space]);
		return { spaceId: created.spaceId, circles: created.circles };
	}

	async createInSpace<T>(spaceId: SpaceId, circle: string, initial: T): Promise<DocHandle<T>> {
		const space = this.#core.spaces.get(spaceId);
		const state = space?.state;
		const circleState = state?.circles.get(circle);
		const circleKey = space?.keys.get(circle)?.get(circleState?.epoch ?? -1);
		if (state && this.#shutOut(state)) throw new Error(msg.removed);
		if (!space || !state || !circleState || !circleKey) throw new Error(msg.noAccess);
		const handle = this.#core.repo.create<T>(initial);
		const docId = handle.documentId as unknown as DocumentId;
		const epoch = circleState.epoch;
		const access: DocAccess = { docId, keys: { [epoch]: toBase64Url(documentKey(circleKey, docId)) }, root: this.#core.deviceKey, space: { spaceId, circle } };
		const doc = DocSync.fresh(access);
		doc.record.hasLocalCopy = true;
		this.#core.docs.set(docId, doc);
		const admins = [...new Set([...adminDevices(state), ...recoveryAdmins(state), this.#core.deviceKey])].sort();
		doc.record.pendingAuth.push(signedPolicy(docId, epoch, circleDevices(state, circle).sort(), admins as DeviceKey[], this.#core.device.signing));
		this.#core.rebuildAuth(doc);
		await this.#core.store.put(access, 'access', docId);
		await this.#core.attach(doc, handle as DocHandle<unknown>, false);
		await this.#core.persistNow(docId);
		await this.appendOp(space, { type: 'add-doc', doc: docId, circle });
		this.#core.sendPendingAuth(doc);
		this.#core.requestSync([doc]);
		this.#core.emitDoc(docId);
		return handle;
	}

	async invite(
		spaceId: SpaceId,
		options: { role?: Exclude<Role, 'owner'>; circles: string[]; expiresInMs?: number; info: InvitationInfo }
	): Promise<InvitationLink> {
		const space = this.#requireSpace(spaceId);
		const { op, link } = createInvitation(spaceId, this.#core.device, space.state.heads, {
			role: options.role ?? 'member',
			circles: options.circles,
			expiresAt: Date.now() + (options.expiresInMs ?? 7 * 24 * 3600_000),
			info: options.info,
			genesis: genesisHash(space.state)
		});
		await this.#queueOp(space, op);
		return link;
	}

	async lookUpInvitation(link: InvitationLink, timeoutMs = 10_000) {
		let space = this.#core.spaces.get(link.spaceId);
		if (!space) {
			space = new SpaceSync({ spaceId: link.spaceId, log: [], pending: [] });
			this.#core.spaces.set(space.spaceId, space);
			await this.reduce(space);
		}
		this.#core.requestSync([], [space]);
		const observed = space;
		if (!(await waitUntil(() => observed.caughtUp, timeoutMs))) {
			throw new Error(msg.cannotCheckInvitation);
		}
		return checkInvitation(space.state, link, Date.now());
	}

	async acceptInvitation(link: InvitationLink): Promise<void> {
		await this.lookUpInvitation(link);
		const space = this.#core.spaces.get(link.spaceId)!;
		await this.saveSpace(space);
		const op = requestToJoin(space.state, link, await this.#core.person(), [this.#core.device], this.#core.device, space.state.heads);
		await this.#queueOp(space, op);
	}

	async admit(spaceId: SpaceId, inviteId: string): Promise<void> {
		const space = this.#requireSpace(spaceId);
		const invite = space.state.invites.get(inviteId);
		if (!invite?.requester) throw new Error(msg.nobodyAccepted);
		// The reducer checks expiry against the relay's receive time, which is only the relay's
		// word: a hostile relay can say a late request came in on time. Our own clock decides too.
		if (Date.now() > invite.expiresAt) throw new Error(msg.invitationRanOut);
		const lockboxes = invite.circles.flatMap((c) => lockboxesFor(space.keys.get(c), c, invite.requester!.devices));
		await this.appendOp(space, { type: 'admit', invite: inviteId, lockboxes });
	}

	async decline(spaceId: SpaceId, inviteId: string): Promise<void> {
		await this.appendOp(this.#requireSpace(spaceId), { type: 'decline', invite: inviteId });
	}

	async revokeInvitation(spaceId: SpaceId, inviteId: string): Promise<void> {
		await this.appendOp(this.#requireSpace(spaceId), { type: 'revoke-invite', invite: inviteId });
	}

	async removeMember(spaceId: SpaceId, person: PersonKey): Promise<void> {
		const space = this.#requireSpace(spaceId);
		await this.retireWriters(space, [...(space.state.members.get(person)?.devices.keys() ?? [])]);
		await this.appendOp(space, { type: 'remove', person });
	}

	/**
	 * Takes devices being removed off the writer list of the open epoch of every document here
	 * that this device may sign for, with the removal rather than after it: the new epoch needs
	 * the new keys confirmed first, and until it opens the relay would still take their writes.
	 * `retiresAt` is where this device stands, so what they wrote before stays theirs for every
	 * device, and anything after is refused, however a relay places it. If the removal does not
	 * take effect after all, the duties below put them back.
	 */
	async retireWriters(space: SpaceSync, devices: DeviceKey[]): Promise<void> {
		const leaving = new Set(devices);
		if (leaving.size === 0) return;
		const sent: Array<{ doc: DocSync; record: PolicyRecord }> = [];
		for (const docId of space.state.docs.keys()) {
			const doc = this.#core.docs.get(docId);
			// Caught up, so `lastSeq` is where the relay stands: only what they wrote without this
			// device having seen it (concurrently with the removal) is left out, as in the space log.
			if (!doc?.auth || !doc.caughtUp || doc.record.pendingAuth.length > 0) continue;
			const rules = doc.auth.epochs.get(doc.auth.epoch)!;
			if (!rules.admins.has(this.#core.deviceKey) || leaving.has(this.#core.deviceKey)) continue;
			const retired = [...rules.writers].filter((w) => leaving.has(w));
			if (retired.length === 0) continue;
			const writers = [...rules.writers].filter((w) => !leaving.has(w)).sort();
			const admins = [...rules.admins].filter((a) => !leaving.has(a)).sort();
			const record = signedPolicy(docId, doc.auth.epoch, writers, admins, this.#core.device.signing, undefined, doc.record.lastSeq, writtenBy(doc, doc.auth.epoch, retired));
			doc.record.pendingAuth.push(record);
			this.#core.rebuildAuth(doc);
			this.#core.sendPendingAuth(doc);
			sent.push({ doc, record });
		}
		// Online, the relay takes these before it logs the removal (a round trip, bounded: a slow
		// relay delays a removal a little, never blocks it). Offline, both wait to be sent.
		if (sent.length > 0 && this.#core.online()) {
			await waitUntil(() => sent.every(({ doc, record }) => !doc.record.pendingAuth.includes(record)), 5_000);
		}
	}

	async setRole(spaceId: SpaceId, person: PersonKey, role: Exclude<Role, 'owner'>): Promise<void> {
		await this.appendOp(this.#requireSpace(spaceId), { type: 'set-role', person, role });
	}

	async grant(spaceId: SpaceId, person: PersonKey, circle: string): Promise<void> {
		const space = this.#requireSpace(spaceId);
		const member = space.state.members.get(person);
		if (!member) throw new Error(msg.notInSpace);
		await this.appendOp(space, { type: 'grant', person, circle, lockboxes: lockboxesFor(space.keys.get(circle), circle, [...member.devices.values()]) });
	}

	async revoke(spaceId: SpaceId, person: PersonKey, circle: string): Promise<void> {
		await this.appendOp(this.#requireSpace(spaceId), { type: 'revoke', person, circle });
	}

	#requireSpace(spaceId: SpaceId): SpaceSync {
		const space = this.#core.spaces.get(spaceId);
		if (!space) throw new Error(msg.unknownSpace);
		return space;
	}

	/** This device can never write to the space again: anything it signed would only wait here for ever. */
	#shutOut(state: SpaceSync['state']): boolean {
		const person = this.#core.currentPerson();
		return shutOut(state, person ? personKey(person) : undefined, this.#core.deviceKey);
	}

	/** `cap`: a write capability, for a device the space's log does not admit yet (a recovered one). */
	async appendOp(space: SpaceSync, action: Action, cap?: RelayFields['cap']): Promise<void> {
		const relay = { ...relayFieldsFor(space.state, action), ...(cap ? { cap } : {}) };
		await this.#queueOp(space, signOp(space.spaceId, this.#core.device, space.state.heads, action, Date.now(), relay));
	}

	async #queueOp(space: SpaceSync, op: SignedOp): Promise<void> {
		if (this.#shutOut(space.state)) throw new Error(msg.removed);
		space.pending.push(op);
		await this.saveSpace(space);
		await this.reduce(space);
		this.sendPendingOps(space);
	}

	sendPendingOps(space: SpaceSync): void {
		const op = space.pending[0];
		if (!op || space.inFlight || !this.#core.online()) return;
		const rid = this.#core.request({ kind: 'op', spaceId: space.spaceId }, (rid) => ({ type: 'log-append', rid, op }));
		if (rid !== undefined) space.inFlight = { rid, op };
	}

	onOpOk(rid: number, spaceId: SpaceId, index: number, at: number): void {
		const space = this.#core.spaces.get(spaceId);
		if (!space || space.inFlight?.rid !== rid) return;
		const { op } = space.inFlight;
		space.inFlight = undefined;
		space.pending = space.pending.filter((p) => p !== op);
		if (index === space.log.length) space.log.push({ index, op, at });
		else if (index > space.log.length) this.#core.requestSync([], [space]);
		space.reducing++;
		void this.saveSpace(space)
			.then(() => this.reduce(space))
			.finally(() => space.reducing--);
		this.sendPendingOps(space);
	}

	/** The relay answered one of our membership ops with an error. */
	onOpError(rid: number, spaceId: SpaceId, transient: boolean, message: string): void {
		const space = this.#core.spaces.get(spaceId);
		if (space && space.inFlight?.rid === rid && transient) {
			space.inFlight = undefined;
			setTimeout(() => this.sendPendingOps(space), 2000);
			return;
		}
		if (space && space.inFlight?.rid === rid) {
			// The relay refused one of our own operations; it can never succeed, so drop it.
			space.inFlight = undefined;
			space.pending.shift();
			void this.saveSpace(space);
			void this.reduce(space);
			this.#core.problem({ kind: 'refused', message: msg.membershipRefused(message) });
			this.sendPendingOps(space);
		}
	}

	onCatchupLogs(rid: number, logs: Array<{ spaceId: SpaceId; entries: LoggedOp[] }>, done: boolean): void {
		for (const { spaceId, entries } of logs) {
			const space = this.#core.spaces.get(spaceId);
			if (space?.rewinding) space.rewinding.push(...entries);
			else this.onLoggedOps(spaceId, entries, done);
		}
		if (!done) return;
		const request = this.#core.pendingRequest(rid);
		for (const spaceId of request?.kind === 'sync' ? (request.spaceIds ?? []) : []) {
			const space = this.#core.spaces.get(spaceId);
			if (!space?.rewinding) continue;
			const relayLog = space.rewinding;
			space.rewinding = undefined;
			this.reconcileLog(space, relayLog);
		}
	}

	onLoggedOps(spaceId: SpaceId, entries: LoggedOp[], caughtUp = true): void {
		const space = this.#core.spaces.get(spaceId);
		if (!space) return;
		let grew = false;
		for (const entry of entries) {
			if (entry.index < space.log.length) continue;
			if (entry.index > space.log.length) {
				this.#core.requestSync([], [space]);
				return;
			}
			space.log.push(entry);
			// Our own op may come back through catch-up before its confirmation: stop resending it.
			space.pending = space.pending.filter((p) => p.sig !== entry.op.sig);
			grew = true;
		}
		const nowCaughtUp = caughtUp && !space.caughtUp;
		if (caughtUp) space.caughtUp = true;
		if (grew) void this.saveSpace(space);
		// Only when something changed: a relay re-sending a long run of ops this device already
		// holds (one frame each) would otherwise cost a whole replay per frame. When it did grow,
		// at once: documents in the same catch-up need the keys it brings.
		if (grew || nowCaughtUp) void this.reduce(space);
	}

	/** After a restore, the relay's whole log against ours: its order stands, and ops it lacks are sent again. */
	reconcileLog(space: SpaceSync, relayLog: LoggedOp[]): void {
		const restored = afterRestore(
			space.log.map((e) => e.op),
			relayLog.map((e) => e.op),
			space.pending
		);
		const keep = restored?.keep ?? space.log.length;
		if (restored) {
			space.log = space.log.slice(0, keep);
			space.pending = restored.pending;
			void this.reduce(space);
		}
		this.onLoggedOps(space.spaceId, relayLog.slice(keep), true);
		void this.saveSpace(space);
		this.sendPendingOps(space);
		this.#core.lineageSettled();
	}

	async saveSpace(space: SpaceSync): Promise<void> {
		this.#core.recount();
		await this.#core.store.put(space.toRecord(), 'space', space.spaceId);
	}

	/** Replays the log (plus our pending ops), then brings keys, documents and duties up to date. */
	async reduce(space: SpaceSync): Promise<void> {
		space.reducing++;
		try {
			await this.#reduceNow(space);
		} finally {
			space.reducing--;
		}
	}

	async #reduceNow(space: SpaceSync): Promise<void> {
		const provisional = space.pending.map((op, i) => ({ index: space.log.length + i, op, at: Date.now() }));
		space.state = replayMembership(space.spaceId, [...space.log, ...provisional], this.#core.opVerifier.verify, (b) => hash(b));
		space.keys = openCircleKeys(space.state, this.#core.device);
		// Hand every document its keys synchronously, before anything awaits: entries that
		// arrive in the same breath (a catch-up carries the log and the documents together)
		// must find the new epoch's key already in place.
		const toSave: DocAccess[] = [];
		const toAdd: DocAccess[] = [];
		for (const [docId, circle] of space.state.docs) {
			const update = this.#spaceDocKeys(space, docId, circle);
			if (update?.existing) toSave.push(update.access);
			else if (update) toAdd.push(update.access);
		}
		for (const access of toSave) await this.#core.store.put(access, 'access', access.docId);
		for (const access of toAdd) await this.#core.add(access);
		// A removal may have taken authority from the signer of a document's policy.
		for (const docId of space.state.docs.keys()) {
			const doc = this.#core.docs.get(docId);
			if (doc) this.#core.rebuildAuth(doc);
		}
		this.#runDuties(space);
		this.#registerRecovery(space);
		this.#core.scheduleBackup();
		this.#core.emitSpace(space.spaceId);
	}

	/** Brings one space document's keys up to date in memory; says what still needs saving or adding. */
	#spaceDocKeys(space: SpaceSync, docId: DocumentId, circle: string): { access: DocAccess; existing: boolean } | undefined {
		const circleKeys = space.keys.get(circle);
		if (!circleKeys) return undefined;
		const keys: Record<number, string> = {};
		for (const [epoch, key] of circleKeys) keys[epoch] = toBase64Url(documentKey(key, docId));
		const existing = this.#core.docs.get(docId);
		if (existing) {
			// Keep every key ever held so history stays readable after a rotation.
			const merged = { ...existing.access.keys, ...keys };
			if (Object.keys(merged).length === Object.keys(existing.access.keys).length) return undefined;
			existing.access = { ...existing.access, keys: merged };
			this.#core.emitDoc(docId);
			if (existing.waitingForKey) {
				// Entries we held back for want of this key can be fetched and read now.
				existing.waitingForKey = false;
				existing.caughtUp = false;
				this.#core.requestSync([existing]);
			}
			this.#core.scheduleFlush(existing, 0);
			return { access: existing.access, existing: true };
		}
		const root = space.state.applied.find((a) => a.action.type === 'add-doc' && a.action.doc === docId)?.author;
		if (!root) return undefined;
		return { access: { docId, keys, root, space: { spaceId: space.spaceId, circle } }, existing: false };
	}

	/**
	 * What an owner-side device does on its own: rotate keys owed after a removal (even one
	 * made while it was offline), and keep the relay's writer list for each document in step
	 * with the circle it belongs to.
	 */
	#runDuties(space: SpaceSync): void {
		const state = space.state;
		if (!isAdmin(memberOf(state, this.#core.deviceKey)) || !space.caughtUp || !this.#core.online()) return;
		if (space.pending.length > 0 || space.inFlight) return;
		const owed = owedRotations(state);
		if (owed.length > 0) {
			// Every owed circle in one pass (they are independent); policies follow once confirmed.
			const ops = owed.map((circle) => {
				const key = newSymmetricKey();
				const epoch = state.circles.get(circle)!.epoch + 1;
				const devices = circleDevices(state, circle).map((d) => deviceInfo(state, d)!);
				return signOp(space.spaceId, this.#core.device, state.heads, { type: 'rotate', circle, epoch, lockboxes: devices.map((d) => sealTo(key, circle, epoch, d)) });
			});
			void (async () => {
				for (const op of ops) await this.#queueOp(space, op);
			})();
			// A removal made elsewhere, or before a restart: its devices stop writing now, not
			// only once the new keys are confirmed.
			const stale = new Set<DeviceKey>();
			for (const docId of state.docs.keys()) {
				const auth = this.#core.docs.get(docId)?.auth;
				for (const w of auth?.epochs.get(auth.epoch)?.writers ?? []) if (shutOut(state, state.deviceOwners.get(w), w)) stale.add(w);
			}
			void this.retireWriters(space, [...stale]);
			return;
		}
		const admins = [...adminDevices(state), ...recoveryAdmins(state)].sort();
		const person = this.#core.currentPerson();
		const me = person ? personKey(person) : undefined;
		const recovery = this.#core.recoveryKey().signing;
		const recoveryKey = recovery && (toBase64Url(recovery.publicKey) as DeviceKey);
		for (const [docId, circle] of state.docs) {
			const doc = this.#core.docs.get(docId);
			if (!doc?.auth || !doc.caughtUp || doc.record.pendingAuth.length > 0) continue;
			// The relay judges a new policy against its latest one, even one this device refuses
			// (see followAuth): sign on top of that, so the new policy replaces it everywhere.
			const relayAuth = doc.refusedPolicies.size > 0 ? followAuth(doc.record.auth, this.#core.opVerifier.verify, doc.access.root, undefined).state! : doc.auth;
			const target = state.circles.get(circle)!.epoch;
			if (relayAuth.epoch > target) continue;
			const rules = relayAuth.epochs.get(relayAuth.epoch)!;
			// Sign as this device if it is listed; else, just after a recovery, with the kit's
			// recovery key; else with the identity key, while a policy from before recovery keys
			// still lists it and the space still gives it authority.
			const signer = rules.admins.has(this.#core.deviceKey)
				? this.#core.device.signing
				: recoveryKey && rules.admins.has(recoveryKey)
					? recovery
					: me && person && rules.admins.has(me as string as DeviceKey) && mayStillSign(state, me as string as DeviceKey)
						? person.signing
						: undefined;
			if (!signer) continue;
			const writers = circleDevices(state, circle).sort();
			const epoch = relayAuth.epoch < target ? relayAuth.epoch + 1 : relayAuth.epoch;
			if (epoch === relayAuth.epoch && sameSet(rules.writers, writers) && sameSet(rules.admins, admins) && doc.refusedPolicies.size === 0) continue;
			const docAdmins = [...new Set(admins)].sort() as DeviceKey[];
			// A new epoch closes the old one where this device stands in the document (it is
			// caught up); the relay refuses it if anything came after, and the duty runs again.
			const closesAt = epoch > relayAuth.epoch ? doc.record.lastSeq : undefined;
			const leftOut = [...rules.writers].filter((w) => !writers.includes(w));
			const written = closesAt === undefined ? undefined : writtenBy(doc, relayAuth.epoch, leftOut);
			doc.record.pendingAuth.push(signedPolicy(docId, epoch, writers, docAdmins, signer, closesAt, undefined, written));
			this.#core.rebuildAuth(doc);
			this.#core.sendPendingAuth(doc);
		}
	}

	/**
	 * Registers the person's recovery key in a space that has none for them (one they joined
	 * after making their kit, or one where the removed device that registered it took it away).
	 * Never replaces one: only making a new kit does (DeviceLinking).
	 */
	#registerRecovery(space: SpaceSync): void {
		const key = this.#core.recoveryKey().publicKey;
		const person = this.#core.currentPerson();
		if (!key || !person || !space.caughtUp || !this.#core.online() || space.pending.length > 0 || space.inFlight) return;
		const me = personKey(person);
		if (!space.state.members.get(me)?.devices.has(this.#core.deviceKey) || space.state.recoveryKeys.has(me) || space.state.retiredRecovery.has(key)) return;
		void this.appendOp(space, { type: 'set-recovery', person: me, key });
	}

	runAllDuties(): void {
		for (const space of this.#core.spaces.values()) this.#runDuties(space);
	}
}

/**
 * What `writers` wrote in `epoch` as this device took it in, for a policy that takes them off;
 * undefined unless this device has seen the whole epoch (then the seq points alone decide).
 */
function writtenBy(doc: DocSync, epoch: number, writers: DeviceKey[]): PolicyRecord['written'] {
	const seen = doc.record.written;
	if (!seen?.complete || seen.epoch !== epoch || writers.length === 0) return undefined;
	const list = [...writers].sort().map((w) => [w, [...(seen.by[w] ?? [])].sort()] as [DeviceKey, string[]]);
	// Beyond what one policy may carry the seq points decide, as for an epoch seen in part.
	return list.reduce((n, [, marks]) => n + marks.length, 0) > MAX_WRITTEN_MARKS ? undefined : list;
}

function sameSet(a: ReadonlySet<string>, b: string[]): boolean {
	return a.size === b.length && b.every((x) => a.has(x));
}
