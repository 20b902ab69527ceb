// Who may add to a space's log: the relay's flood guard, shared here so the relay and the
// app agree on it. A key may write once the space admits it: the author of the log's first
// op; any author already in the log; any key an op in the log lists in `admits`; and an
// author whose op carries a write capability signed by an admitted key (an invitee, signing
// with the invitation's key; a device restored from a recovery kit, with the person's key).
// This only keeps strangers out of the log. The membership reducer decides who is a member.
import { isPublicKey } from './ids';
import type { SignedOp } from './messages';

/** Most keys read from one op written before `admits` existed. */
const MAX_LEGACY_KEYS = 65;

/**
 * Keys an op stored in the log lets write from then on. Ops written before `admits` existed
 * name them only in their (then clear) body: a space's owner and devices, an invitee's card,
 * an added device, an invitation's key. They are read from there so that spaces made before
 * the guard keep working; an op with relay fields is taken at its word.
 */
export function keysAdmittedBy(op: SignedOp): string[] {
	const keys = [op.author as string, ...(op.admits ?? [])];
	if (op.admits === undefined && op.cap === undefined) keys.push(...legacyKeys(op.body));
	return keys;
}

function legacyKeys(body: string): string[] {
	if (!body.startsWith('{')) return [];
	let action: Record<string, unknown>;
	try {
		const parsed = JSON.parse(body) as { action?: unknown };
		if (typeof parsed?.action !== 'object' || parsed.action === null) return [];
		action = parsed.action as Record<string, unknown>;
	} catch {
		return [];
	}
	const out: unknown[] = [];
	const card = (c: unknown) => {
		if (typeof c !== 'object' || c === null) return;
		const { id, devices } = c as { id?: unknown; devices?: unknown };
		out.push(id);
		if (Array.isArray(devices)) for (const d of devices.slice(0, MAX_LEGACY_KEYS)) out.push((d as { sign?: unknown } | null)?.sign);
	};
	if (action.type === 'create') card(action.owner);
	else if (action.type === 'request') card(action.person);
	else if (action.type === 'add-device') out.push(action.person, (action.device as { sign?: unknown } | null)?.sign);
	else if (action.type === 'invite') out.push(action.key);
	return out.filter(isPublicKey).slice(0, MAX_LEGACY_KEYS);
}
