// Linking a new device to this person, and recovery kits. Both use throwaway logs on the
// relay that the engine does not track as spaces: a pairing log where the two devices run the
// commit-before-reveal exchange described in `keys/deviceLink.ts` (one request per link, a
// grant only from the device the link names), and a recovery log holding an encrypted copy of this person's
// identity and keys, refreshed (at most once a second) as things change.
import { fromBase64Url, opSigningBytes, toBase64Url, type DeviceKey, type LoggedOp, type SignedOp, type SpaceId } from '$lib/protocol';
import { randomBytes, sign, signingKeyPairFromSeed } from '$lib/crypto';
import { certifyDevice, loadPerson, personKey, storePerson, type DeviceInfo, type PersonSecrets } from '$lib/keys/identity';
import {
	confirmationCode,
	decryptBundle,
	DeviceLinkError,
	encryptBundle,
	grantMessage,
	linkCommitment,
	openGrant,
	pairingMessages,
	pairingWriteKey,
	newRecoveryKey,
	recoveryKeys,
	requestMac,
	revealMatches,
	type LinkExchange,
	type LinkOffer,
	type PairingMessage,
	type PersonBundle,
	type RecoveryKeys
} from '$lib/keys/deviceLink';
import { lockboxesFor, newSpaceId, recoverySignature, sealTo, writeCap } from '$lib/keys/spaceOps';
import { words } from '$lib/words';
import type { EngineCore } from '$lib/sync/EngineCore';
import type { SpaceRunner } from '$lib/sync/SpaceRunner';
import { SpaceSync } from '$lib/sync/SpaceSync';
import { waitUntil } from '$lib/sync/waitUntil';

const msg = words.messages.sync.syncEngine;

/** Its public methods back the SyncEngine methods of the same name, which document them. */
export class DeviceLinking {
	readonly #core: EngineCore;
	/** Adding this person's new device to their spaces goes through the spaces' logs. */
	readonly #spaceRunner: SpaceRunner;
	/** The backup copy's keys: kept on the device so it can refresh the copy. */
	#recovery?: Omit<RecoveryKeys, 'authority'>;
	/** The recovery key's public half (this device registers it in the person's spaces). */
	#authorityKey?: string;
	/** Its secret, only in memory and only after a recovery this session (to take charge of documents again). */
	#authority?: RecoveryKeys['authority'];
	/** Links this device is offering, by pairing log, until granted or stopped. */
	readonly #offers = new Map<SpaceId, OfferState>();
	#backupTimer?: ReturnType<typeof setTimeout>;

	constructor(core: EngineCore, spaceRunner: SpaceRunner) {
		this.#core = core;
		this.#spaceRunner = spaceRunner;
	}

	/** Reads the recovery kit's keys, if this device made or used one. */
	async load(): Promise<void> {
		// Kits made before recovery keys have no `authority`: they work until the person first
		// removes a device, then the app asks for a new kit.
		const recovery = await this.#core.store.get<StoredRecovery>('recovery');
		if (recovery) {
			this.#recovery = { logId: recovery.logId, key: fromBase64Url(recovery.key), signing: signingKeyPairFromSeed(fromBase64Url(recovery.seed)) };
			this.#authorityKey = recovery.authority;
		}
	}

	/**
	 * The person's recovery key as this device knows it: its public half to register, unless the
	 * kit is spent (see #kitSpent); its secret only just after a recovery, in memory, to sign
	 * the policies that let the restored device take charge of documents again (a spent kit's
	 * secret is still only on paper and here, so it may finish that work).
	 */
	recoveryKey(): { publicKey?: string; signing?: RecoveryKeys['authority'] } {
		return { publicKey: this.#authorityKey && !this.#kitSpent() ? this.#authorityKey : undefined, signing: this.#authority };
	}

	/**
	 * The kit this device refreshes may be in a thief's hands: a space retired its recovery key
	 * (a device holding the kit's backup keys was removed), or, for a kit from before recovery
	 * keys (whose holders nobody recorded), the person has had a device removed. Its backup copy
	 * is then no longer refreshed (the thief could read it) and the person is asked for a new kit.
	 */
	#kitSpent(): boolean {
		const me = this.#core.currentPerson();
		const spaces = [...this.#core.spaces.values()];
		if (this.#authorityKey) return spaces.some((s) => s.state.retiredRecovery.has(this.#authorityKey!));
		return !!me && spaces.some((s) => s.state.lostDevice.has(personKey(me)));
	}

	async #keep(keys: RecoveryKeys, withAuthority = true): Promise<void> {
		this.#recovery = keys;
		this.#authorityKey = withAuthority ? toBase64Url(keys.authority.publicKey) : undefined;
		const stored: StoredRecovery = { logId: keys.logId, key: toBase64Url(keys.key), seed: toBase64Url(keys.signing.secretKey.slice(0, 32)), ...(this.#authorityKey ? { authority: this.#authorityKey } : {}) };
		await this.#core.store.put(stored, 'recovery');
	}

	/** Whether an encrypted recovery copy is waiting to be written (it counts as unsent). */
	get backupPending(): boolean {
		return this.#backupTimer !== undefined;
	}

	/**
	 * What lets either device write to a pairing log at the relay: whichever opens it admits the
	 * key derived from the link's secret, and that key vouches for each device (only holders of
	 * the link can make it). Later messages need no more, but carrying it is harmless.
	 */
	#pairingFields(offer: LinkOffer): Pick<SignedOp, 'admits' | 'cap'> {
		const linkKey = pairingWriteKey(offer);
		return { admits: [toBase64Url(linkKey.publicKey)], cap: writeCap(offer.pairingId, this.#core.deviceKey, linkKey) };
	}

	#signRaw(logId: SpaceId, body: unknown, signer: { publicKey: Uint8Array; secretKey: Uint8Array }, relay: Pick<SignedOp, 'admits' | 'cap'> = {}): SignedOp {
		const unsigned = { spaceId: logId, author: toBase64Url(signer.publicKey) as DeviceKey, body: JSON.stringify(body), ...relay };
		return { ...unsigned, sig: toBase64Url(sign(opSigningBytes(unsigned), signer.secretKey)) };
	}

	/** Everything another device of this person needs: identity, link-shared documents, spaces and their keys. */
	async #bundle(): Promise<PersonBundle> {
		const person = await this.#core.person();
		const docs = [...this.#core.docs.values()].filter((d) => !d.access.space).map((d) => d.access);
		const spaces = [...this.#core.spaces.values()]
			.filter((sp) => sp.state.members.has(personKey(person)))
			.map((sp) => ({
				spaceId: sp.spaceId,
				circleKeys: Object.fromEntries(
					[...sp.keys].map(([circle, byEpoch]) => [circle, Object.fromEntries([...byEpoch].map(([e, k]) => [e, toBase64Url(k)]))])
				)
			}));
		return { person: storePerson(person), docs, spaces, createdAt: Date.now() };
	}

	async offerDeviceLink(
		onRequest: (request: { code: string; sign: string; box: string }) => void,
		onStopped: (why: string) => void = () => {}
	): Promise<{ offer: LinkOffer; stop: () => void }> {
		await this.#core.person();
		const offer: LinkOffer = { pairingId: newSpaceId(), secret: toBase64Url(randomBytes(32)), device: this.#core.deviceKey };
		const offeringNonce = toBase64Url(randomBytes(32));
		const state: OfferState = { offer };
		this.#offers.set(offer.pairingId, state);
		const say = (body: PairingMessage) => this.#core.appendRaw(this.#signRaw(offer.pairingId, body, this.#core.device.signing, this.#pairingFields(offer)));
		const stop = (why: string, tellPerson: boolean) => {
			if (state.stopped || !this.#offers.has(offer.pairingId)) return;
			state.stopped = why;
			this.#core.unwatchLog(offer.pairingId);
			if (tellPerson) onStopped(why);
			// The new device waits for a reply or a grant: tell it there will be none.
			void say({ type: 'link-stop' }).catch(() => {});
		};
		const handle = (entries: LoggedOp[]) => {
			for (const { author, message } of pairingMessages(entries)) {
				if (state.stopped) return;
				if (message.type === 'link-request') {
					// Only a device that saw the link can produce this; anything else is ignored.
					if (message.sign !== author || message.mac !== requestMac(offer, message.sign, message.box, message.commit)) continue;
					if (state.request?.commit === message.commit) continue; // the same request, seen again
					// A second device has the link too. Which one is Olive's cannot be told from
					// here, and choosing would let a link holder race her: stop, and say so.
					if (state.request) return stop(msg.linkSecondDevice, true);
					state.request = message;
					say({ type: 'link-reply', to: message.commit, nonce: offeringNonce }).catch((e: Error) => stop(e.message, true));
				} else if (message.type === 'link-reveal' && state.request && author === state.request.sign && !state.exchange) {
					if (!revealMatches(state.request, message.nonce)) return stop(msg.linkBadReveal, true);
					const { sign: requester, box, commit } = state.request;
					state.exchange = { offering: offer.device, sign: requester, box, commit, offeringNonce, requestNonce: message.nonce };
					onRequest({ code: confirmationCode(offer, state.exchange), sign: requester, box });
				}
			}
		};
		this.#core.watchLog(offer.pairingId, handle);
		handle(await this.#core.fetchLog(offer.pairingId));
		return { offer, stop: () => stop(msg.linkNotWaiting, false) };
	}

	async confirmDeviceLink(offer: LinkOffer, request: { sign: string; box: string }): Promise<void> {
		const state = this.#offers.get(offer.pairingId);
		const exchange = state?.exchange;
		if (!state || state.stopped || !exchange || exchange.sign !== request.sign) throw new DeviceLinkError(state?.stopped ?? msg.linkNotWaiting);
		const person = await this.#core.person();
		const bundle = await this.#bundle();
		// Checked again: a second request may have stopped the link while the bundle was made.
		if (state.stopped) throw new DeviceLinkError(state.stopped);
		this.#offers.delete(offer.pairingId);
		this.#core.unwatchLog(offer.pairingId);
		await this.#core.appendRaw(this.#signRaw(offer.pairingId, grantMessage(offer, exchange, bundle), this.#core.device.signing, this.#pairingFields(offer)));
		// Add the device to every space, with every key this person holds, so it reads the full history.
		const info = certifyInfo(person, exchange.sign as DeviceKey, exchange.box);
		for (const space of this.#core.spaces.values()) {
			const member = space.state.members.get(personKey(person));
			// This device itself was removed from the space: it can no longer add anyone there.
			if (!member || space.state.removedDevices.has(this.#core.deviceKey)) continue;
			const lockboxes = [...member.circles].flatMap((c) => lockboxesFor(space.keys.get(c), c, [info]));
			await this.#spaceRunner.appendOp(space, { type: 'add-device', person: member.id, device: info, lockboxes });
		}
	}

	async requestDeviceLink(offer: LinkOffer): Promise<{ code: string; linked: Promise<void> }> {
		if (this.#core.currentPerson()) throw new DeviceLinkError(msg.hasIdentityLink);
		const me = { sign: this.#core.deviceKey as string, box: toBase64Url(this.#core.device.box.publicKey) };
		const requestNonce = toBase64Url(randomBytes(32));
		const commit = linkCommitment(me.sign, me.box, requestNonce);
		const say = (body: PairingMessage) => this.#core.appendRaw(this.#signRaw(offer.pairingId, body, this.#core.device.signing, this.#pairingFields(offer)));
		let exchange: LinkExchange | undefined;
		let codeSeen: (code: string) => void = () => {};
		let grantSeen: (bundle: PersonBundle) => void = () => {};
		let fail: (e: Error) => void = () => {};
		const shown = new Promise<string>((resolve, reject) => ((codeSeen = resolve), (fail = reject)));
		const granted = new Promise<PersonBundle>((resolve, reject) => {
			grantSeen = resolve;
			const failCode = fail;
			fail = (e) => (failCode(e), reject(e));
		});
		granted.catch(() => {}); // a link stopped before the code showed is reported through `shown`
		const handle = (entries: LoggedOp[]) => {
			for (const { author, message } of pairingMessages(entries)) {
				// Only the device the link names speaks for it: a link holder's reply or grant is ignored.
				if (author !== offer.device) continue;
				if (message.type === 'link-stop') {
					this.#core.unwatchLog(offer.pairingId);
					fail(new DeviceLinkError(msg.linkStopped));
				} else if (message.type === 'link-reply' && message.to === commit && !exchange) {
					exchange = { offering: offer.device, ...me, commit, offeringNonce: message.nonce, requestNonce };
					const x = exchange;
					say({ type: 'link-reveal', nonce: requestNonce }).then(() => codeSeen(confirmationCode(offer, x)), fail);
				} else if (message.type === 'link-grant' && exchange) {
					const bundle = openGrant(offer, exchange, author, message, this.#core.device.box);
					if (bundle) grantSeen(bundle);
				}
			}
		};
		this.#core.watchLog(offer.pairingId, handle);
		handle(await this.#core.fetchLog(offer.pairingId));
		await say({ type: 'link-request', ...me, commit, mac: requestMac(offer, me.sign, me.box, commit) });
		const code = await shown;
		const linked = granted.then(async (bundle) => {
			this.#core.unwatchLog(offer.pairingId);
			await this.#adopt(bundle, false);
		});
		return { code, linked };
	}

	/** Takes on a person's identity, documents and spaces from a link or a recovery kit. */
	async #adopt(bundle: PersonBundle, addSelf: boolean): Promise<void> {
		const person = loadPerson(bundle.person);
		this.#core.setPerson(person);
		await this.#core.store.put(bundle.person, 'person');
		for (const access of bundle.docs) await this.#core.add(access);
		for (const { spaceId, circleKeys } of bundle.spaces) {
			let space = this.#core.spaces.get(spaceId);
			if (!space) {
				space = new SpaceSync({ spaceId, log: [], pending: [] });
				this.#core.spaces.set(spaceId, space);
				await this.#spaceRunner.saveSpace(space);
			}
			this.#core.requestSync([], [space]);
			if (!addSelf) continue;
			// A recovered device adds itself, sealing the keys from the kit to its own box key.
			const joined = space;
			await waitUntil(() => joined.caughtUp, 10_000);
			const member = space.state.members.get(personKey(person));
			if (!member) continue;
			const info = certifyInfo(person, this.#core.deviceKey, toBase64Url(this.#core.device.box.publicKey));
			const lockboxes = Object.entries(circleKeys)
				.filter(([circle]) => member.circles.has(circle))
				.flatMap(([circle, byEpoch]) => Object.entries(byEpoch).map(([epoch, key]) => sealTo(fromBase64Url(key), circle, Number(epoch), info)));
			// The kit's recovery key vouches for this device where the space knows it; a space that
			// does not (a kit from before recovery keys) takes the old self-add while it can. At the
			// relay, which does not know this device in the space yet, the person's own key vouches
			// for it (the relay's flood guard only: the reducer decides).
			const registered = space.state.recoveryKeys.get(member.id)?.key;
			const recovery = this.#authority && registered === toBase64Url(this.#authority.publicKey) ? recoverySignature(spaceId, member.id, info, this.#authority) : undefined;
			await this.#spaceRunner.appendOp(space, { type: 'add-device', person: member.id, device: info, lockboxes, ...(recovery ? { recovery } : {}) }, writeCap(spaceId, this.#core.deviceKey, person.signing));
		}
	}

	async createRecoveryKit(): Promise<string> {
		const recoveryKey = newRecoveryKey();
		const keys = recoveryKeys(recoveryKey);
		await this.#keep(keys);
		await this.#writeBackup();
		// The new kit replaces the old one in every space (only its public half is stored).
		const person = await this.#core.person();
		for (const space of this.#core.spaces.values()) {
			if (!space.state.members.get(personKey(person))?.devices.has(this.#core.deviceKey)) continue;
			await this.#spaceRunner.appendOp(space, { type: 'set-recovery', person: personKey(person), key: this.#authorityKey! });
		}
		return recoveryKey;
	}

	hasRecoveryKit(): boolean {
		return this.#recovery !== undefined;
	}

	async #writeBackup(): Promise<void> {
		if (!this.#recovery || this.#kitSpent()) return;
		const body = encryptBundle(await this.#bundle(), this.#recovery);
		await this.#core.appendRaw(this.#signRaw(this.#recovery.logId, { backup: body }, this.#recovery.signing));
	}

	scheduleBackup(): void {
		if (!this.#recovery || this.#backupTimer) return;
		this.#backupTimer = setTimeout(() => {
			void this.#writeBackup()
				.catch(() => setTimeout(() => this.scheduleBackup(), 2000))
				.finally(() => {
					this.#backupTimer = undefined;
				});
		}, 1000);
	}

	async recover(recoveryKey: string): Promise<void> {
		if (this.#core.currentPerson()) throw new DeviceLinkError(msg.hasIdentityRecover);
		const keys = recoveryKeys(recoveryKey);
		const log = await this.#core.fetchLog(keys.logId);
		this.#core.unwatchLog(keys.logId);
		// The newest copy that opens: a relay keeps only the newest now, an older one kept them all.
		let bundle: PersonBundle | undefined;
		for (const { op } of [...log].reverse()) {
			if (op.author !== toBase64Url(keys.signing.publicKey)) continue;
			try {
				const { backup } = JSON.parse(op.body) as { backup: string };
				bundle = decryptBundle(backup, keys);
			} catch {
				continue;
			}
			if (bundle) break;
		}
		if (!bundle) throw new DeviceLinkError(msg.noRecoveryCopy);
		await this.#keep(keys);
		this.#authority = keys.authority;
		await this.#adopt(bundle, true);
		// A kit from before recovery keys is not registered anywhere. Its holders were never
		// recorded, so it is not registered now either: it serves until the person first removes
		// a device, and then they are asked for a new one.
		const me = personKey(loadPerson(bundle.person));
		const known = [...this.#core.spaces.values()].some((s) => s.state.recoveryKeys.get(me)?.key === this.#authorityKey);
		if (!known) await this.#keep(keys, false);
	}

	async removeDevice(device: DeviceKey): Promise<void> {
		const person = this.#core.currentPerson();
		const me = person && personKey(person);
		for (const space of this.#core.spaces.values()) {
			const member = me && space.state.members.get(me);
			if (!member?.devices.has(device) || space.state.removedDevices.has(this.#core.deviceKey)) continue;
			await this.#spaceRunner.retireWriters(space, [device]);
			await this.#spaceRunner.appendOp(space, { type: 'remove-device', person: member.id, device });
		}
	}

	myDevices(): DeviceInfo[] {
		const person = this.#core.currentPerson();
		const me = person && personKey(person);
		const out = new Map<string, DeviceInfo>();
		for (const space of this.#core.spaces.values()) {
			const member = me && space.state.members.get(me);
			for (const d of member?.devices.values() ?? []) out.set(d.sign, d);
		}
		return [...out.values()];
	}
}

/** One offered link: the first request, and the exchange once that device revealed its nonce. */
interface OfferState {
	offer: LinkOffer;
	request?: { sign: string; box: string; commit: string };
	exchange?: LinkExchange;
	/** Why the link stopped (shown to the person), once it has. */
	stopped?: string;
}

interface StoredRecovery {
	logId: SpaceId;
	key: string;
	seed: string;
	/** The recovery key's public half; absent for kits made before recovery keys. */
	authority?: string;
}

/** A device certificate for another device of this person (only its public keys are known). */
function certifyInfo(person: PersonSecrets, sign_: DeviceKey, box: string): DeviceInfo {
	return certifyDevice(person, {
		signing: { publicKey: fromBase64Url(sign_), secretKey: new Uint8Array(0) },
		box: { publicKey: fromBase64Url(box), secretKey: new Uint8Array(0) },
		createdAt: 0
	});
}
