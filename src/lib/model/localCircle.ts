// A Local Circle, as far as matching needs one: a private space (made with
// `engine.createSpace(1)`, so its one access circle is all its members) holding a small
// document with its name and area. Profiles shared with the circle and its call-outs live in
// the same space. The Circles work (logbook, proposals) builds on the same space; this is only
// the marker the directory looks for.
import { words } from '$lib/words';
import { cleanTitle } from './space';

const msg = words.messages.model.localCircle;

export type LocalCircle = {
	kind: 'local-circle';
	name: string;
	/** Roughly where the circle is, in words ("Calder Valley"). */
	area: string;
	createdAt: number;
};

export function newLocalCircle(name: string, area: string, now = Date.now()): LocalCircle {
	return { kind: 'local-circle', name: cleanTitle(name) || msg.defaultName, area: cleanTitle(area), createdAt: now };
}

export function isLocalCircle(doc: unknown): doc is LocalCircle {
	const d = doc as LocalCircle;
	return typeof d === 'object' && d !== null && d.kind === 'local-circle' && typeof d.name === 'string';
}
