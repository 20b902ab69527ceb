// A team's Getting Support Profile in the browser, over its TeamState. The index says which
// circles read each section; each circle has its own document (a main document people write
// in, and a copy per other circle, see `$lib/model/profile`). This class is where those
// documents are made, shared, unshared and kept in step, so the pages only ever ask "what do I
// read for this section" and "share it with this circle".
//
// Keeping copies in step: whichever device of the Owner or the Profile Holder sees a copy that
// says something different from its main document (after its own edit, or one that arrived)
// brings it up to date a moment later (`keepInStep`, called by the profile page), and makes any
// copy still missing in a circle it holds. Writes are whole values (`mirrorSection`), so two
// devices doing it at once agree.
import type { DocHandle } from '@automerge/automerge-repo';
import { words } from '$lib/words';
import type { DocState } from './DocState.svelte';
import type { TeamState } from './TeamState.svelte';
import {
	attachSectionDoc,
	canEditProfile,
	copiesToMake,
	copySection,
	docToRead,
	isProfileSection,
	latestSections,
	mirrorSection,
	newProfileSection,
	retireSection,
	sectionCircles,
	sectionDocIn,
	sectionsDiffer,
	shareSection,
	unshareSection,
	type ProfileIndex,
	type ProfileSection,
	type ProfileSectionKey
} from '$lib/model/profile';
import { refuse, type PersonKey, type Result } from '$lib/model/ids';

const msg = words.messages.state.profile;

/** How long a copy may lag its main document while someone types (each catch-up writes the changed values whole). */
export const COPY_DELAY_MS = 800;

export class TeamProfile {
	readonly team: TeamState;
	/** Sections whose main document is being made on this device, so two first keystrokes make one. */
	readonly #creating = new Map<ProfileSectionKey, Promise<string | null>>();
	readonly #making = new Set<string>();
	readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();

	constructor(team: TeamState) {
		this.team = team;
	}

	get app() {
		return this.team.app;
	}

	get index(): DocState<ProfileIndex> | undefined {
		return this.team.profileIndex;
	}

	get me(): PersonKey | undefined {
		return this.app.personKey() as PersonKey | undefined;
	}

	/** The circles this person holds in the team (reactive). */
	get myCircles(): Set<string> {
		const me = this.me;
		return new Set<string>(me ? [...(this.app.spaceState(this.team.spaceId)?.members.get(me)?.circles ?? [])] : []);
	}

	/** Whether this person keeps the profile here: never in a team they were removed from (they read their own copy). */
	get canEdit(): boolean {
		const index = this.index?.doc;
		const me = this.me;
		return !!index && !!me && canEditProfile(index, me) && !this.team.closure;
	}

	/** Whether this person writes in a section: they keep the profile and hold its main document's circle. */
	canEditSection(key: ProfileSectionKey): boolean {
		const ref = this.index?.doc?.sections[key];
		return !!ref && this.canEdit && this.myCircles.has(ref.circle);
	}

	/** The circles a section is shared with, the main document's first (reactive). */
	circlesOf(key: ProfileSectionKey): string[] {
		const ref = this.index?.doc?.sections[key];
		return ref ? sectionCircles(ref) : [];
	}

	/** The document id this device reads for a section: its main document if it holds that circle, else its copy. */
	readDocId(key: ProfileSectionKey): string | null {
		return docToRead(this.index?.doc?.sections[key], this.myCircles);
	}

	/** The section as this device reads it, once (reactive); undefined if not readable or not arrived. */
	read(key: ProfileSectionKey): DocState<ProfileSection> | undefined {
		return this.team.docById(this.readDocId(key), isProfileSection);
	}

	/** Whether this person holds any of the circles a section is shared with. */
	holdsAny(key: ProfileSectionKey): boolean {
		const mine = this.myCircles;
		return this.circlesOf(key).some((c) => mine.has(c));
	}

	/**
	 * For a reader without the index (outside the whole team): each section once, from the
	 * section documents this device holds.
	 */
	heldSections(): ProfileSection[] {
		const held = this.team.listedOfKind('profile-section').flatMap(({ docId }) => {
			const state = this.team.docById(docId, isProfileSection);
			return state?.doc ? [{ id: docId as string, doc: state.doc }] : [];
		});
		return latestSections(held);
	}

	// ── writing ──────────────────────────────────────────────────────────────────────────

	/**
	 * The main document of a section, made on its first edit together with a copy in each
	 * other circle it is shared with that this device holds (the rest are made by the Owner's
	 * device, `keepInStep`). Resolves to its id, or null if it could not be made.
	 */
	ensureSection(key: ProfileSectionKey): Promise<string | null> {
		const idx = this.index;
		const ref = idx?.doc?.sections[key];
		const by = this.me;
		if (!idx || !ref || !by) return Promise.resolve(null);
		if (ref.doc) return Promise.resolve(ref.doc);
		let pending = this.#creating.get(key);
		if (!pending) {
			pending = (async () => {
				try {
					const main = await this.#make(ref.circle, newProfileSection(key));
					const attached = idx.attempt((d) => attachSectionDoc(d, by, key, main.id, ref.circle));
					if (!attached.ok) {
						// Another device of the Owner or the Holder made it first: use theirs.
						main.state.change((d) => retireSection(d, by));
						return idx.doc?.sections[key]?.doc ?? null;
					}
					await this.#makeCopies(key, main.state.doc);
					return main.id;
				} finally {
					this.#creating.delete(key);
				}
			})();
			this.#creating.set(key, pending);
		}
		return pending;
	}

	/** The main document of a section, made if need be, to change (contacts, links). */
	async mainState(key: ProfileSectionKey): Promise<DocState<ProfileSection> | undefined> {
		const id = await this.ensureSection(key);
		return this.team.docById(id, isProfileSection);
	}

	/**
	 * The Owner shares a section with one more circle. If the section is written, its copy is
	 * made in that circle first, so they never read an empty section. Resolves once the index
	 * and the copy are on this device's disk (rejects with a StorageWriteError if not).
	 */
	async share(key: ProfileSectionKey, circle: string): Promise<Result> {
		const idx = this.index;
		const ref = idx?.doc?.sections[key];
		const by = this.me;
		if (!idx || !ref || !by) return refuse(msg.notReady);
		if (sectionDocIn(ref, circle) !== undefined) return { ok: true };
		let copy: { state: DocState<ProfileSection>; id: string } | undefined;
		if (ref.doc) {
			const main = this.team.docById(ref.doc, isProfileSection)?.doc;
			if (!main) return refuse(msg.notArrived);
			copy = await this.#make(circle, copySection(main));
		}
		const result = idx.attempt((d) => shareSection(d, by, key, circle, copy?.id ?? null));
		if (!result.ok) {
			copy?.state.change((d) => retireSection(d, by));
			return result;
		}
		await Promise.all([idx.saved(), copy?.state.saved()]);
		return result;
	}

	/**
	 * The Owner stops sharing a section with a circle: that circle's document is emptied and
	 * retired, with any stray copy of the section this device holds there (two devices of the
	 * Owner each making one at the same moment), so nothing in it is readable there any more.
	 * If it was the main document's circle, a copy becomes the main document (made first if
	 * need be). Resolves once it is all on this device's disk.
	 */
	async unshare(key: ProfileSectionKey, circle: string): Promise<Result> {
		const idx = this.index;
		const ref = idx?.doc?.sections[key];
		const by = this.me;
		if (!idx || !ref || !by) return refuse(msg.notReady);
		if (sectionDocIn(ref, circle) === undefined) return { ok: true };
		if (circle === ref.circle && ref.doc) {
			// The main document is going: a copy takes over, so make one if none is made yet.
			const others = sectionCircles(ref).filter((c) => c !== circle);
			if (others.length > 0 && others.every((c) => sectionDocIn(ref, c) === null)) {
				const made = await this.#makeCopies(key, this.team.docById(ref.doc, isProfileSection)?.doc, [others[0]]);
				if (made === 0) return refuse(msg.notArrived);
			}
		}
		const result = idx.attempt((d) => unshareSection(d, by, key, circle));
		if (!result.ok) return result;
		const emptied: DocState<ProfileSection>[] = [];
		for (const { docId, circle: where } of this.team.listedOfKind('profile-section')) {
			if (where !== circle) continue;
			const handle = await this.app.engine.load<ProfileSection>(docId);
			if (!handle) continue;
			const state = this.app.state(handle as DocHandle<ProfileSection>);
			const doc = state.doc;
			if (!isProfileSection(doc) || doc.section !== key || doc.retired) continue;
			state.change((d) => retireSection(d, by));
			emptied.push(state);
		}
		await Promise.all([idx.saved(), ...emptied.map((s) => s.saved())]);
		return result;
	}

	// ── keeping copies in step ───────────────────────────────────────────────────────────

	/**
	 * For the Owner's and the Profile Holder's devices: makes the copies still missing in
	 * circles this device holds, and brings every copy it holds in step with its main
	 * document, `COPY_DELAY_MS` after the main document last changed. Reads reactively, so a
	 * page calls it in an effect.
	 */
	keepInStep(): void {
		const index = this.index?.doc;
		if (!index || !this.canEdit) return;
		const mine = this.myCircles;
		for (const [key, ref] of Object.entries(index.sections) as Array<[ProfileSectionKey, ProfileIndex['sections'][ProfileSectionKey]]>) {
			const main = this.team.docById(ref.doc, isProfileSection)?.doc;
			if (!main || main.retired) continue;
			if (copiesToMake(ref).some((c) => mine.has(c)) && !this.#making.has(key)) {
				this.#making.add(key);
				// A copy that could not be made (storage refusing, say) is tried again on the next change.
				void this.#makeCopies(key, main)
					.catch(() => 0)
					.finally(() => this.#making.delete(key));
			}
			for (const circle of sectionCircles(ref)) {
				const id = circle === ref.circle ? null : sectionDocIn(ref, circle);
				const copy = this.team.docById(id ?? null, isProfileSection)?.doc;
				if (id && copy && sectionsDiffer(copy, main)) this.#schedule(id, key);
			}
		}
	}

	/** Brings every copy waiting for its catch-up in step now (when the page closes). */
	flush(): void {
		for (const [id, timer] of this.#timers) {
			clearTimeout(timer);
			this.#timers.delete(id);
			this.#mirror(id);
		}
	}

	#schedule(copyId: string, key: ProfileSectionKey): void {
		const waiting = this.#timers.get(copyId);
		if (waiting) clearTimeout(waiting);
		this.#timers.set(
			copyId,
			setTimeout(() => {
				this.#timers.delete(copyId);
				this.#mirror(copyId, key);
			}, COPY_DELAY_MS)
		);
	}

	#mirror(copyId: string, key?: ProfileSectionKey): void {
		const index = this.index?.doc;
		const entry = key ? ([key, index?.sections[key]] as const) : Object.entries(index?.sections ?? {}).find(([, r]) => Object.values(r.copies ?? {}).includes(copyId));
		const ref = entry?.[1];
		// Still a copy of this section (not unshared or promoted in the meantime)?
		if (!ref || ref.doc === copyId || !Object.values(ref.copies ?? {}).includes(copyId)) return;
		const main = this.team.docById(ref.doc, isProfileSection)?.doc;
		const copy = this.team.docById(copyId, isProfileSection);
		if (main && copy?.doc && sectionsDiffer(copy.doc, main)) copy.change((d) => mirrorSection(d, main));
	}

	/** Makes the missing copies of a section in the given circles (or every circle this device holds); returns how many. */
	async #makeCopies(key: ProfileSectionKey, main: ProfileSection | undefined, only?: string[]): Promise<number> {
		const idx = this.index;
		const by = this.me;
		if (!idx || !by || !main) return 0;
		const mine = this.myCircles;
		let made = 0;
		for (const circle of only ?? copiesToMake(idx.doc?.sections[key] ?? { circle: '', doc: null })) {
			const ref = idx.doc?.sections[key];
			if (!ref || !mine.has(circle) || sectionDocIn(ref, circle) !== null) continue;
			const copy = await this.#make(circle, copySection(main));
			const attached = idx.attempt((d) => attachSectionDoc(d, by, key, copy.id, circle));
			if (attached.ok) made++;
			else copy.state.change((d) => retireSection(d, by));
		}
		return made;
	}

	async #make(circle: string, initial: ProfileSection): Promise<{ state: DocState<ProfileSection>; id: string }> {
		const handle = await this.app.engine.createInSpace<ProfileSection>(this.team.spaceId, circle, initial);
		return { state: this.app.state(handle as DocHandle<ProfileSection>), id: handle.documentId as unknown as string };
	}
}
