// Small notes this device keeps for itself and never syncs: which invitation it accepted
// (so it can say "Waiting for Olive to let you in"), and whose safety numbers this person
// has checked. Kept in localStorage; reactive, and shared by every component on the page.

/** What the invitation link said, kept after accepting it (the link itself is dropped). */
export interface Joining {
	inviteId: string;
	space: string;
	from: string;
	at: number;
}

class DeviceRecord<T> {
	#value = $state<Record<string, T>>({});
	readonly #key: string;

	constructor(key: string) {
		this.#key = key;
		try {
			const raw = localStorage.getItem(key);
			const parsed: unknown = raw ? JSON.parse(raw) : {};
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) this.#value = parsed as Record<string, T>;
		} catch {
			// Unreadable or unavailable storage: start empty; these notes are only a convenience.
		}
	}

	get(id: string): T | undefined {
		return this.#value[id];
	}

	set(id: string, value: T | undefined): void {
		const next = { ...this.#value };
		if (value === undefined) delete next[id];
		else next[id] = value;
		this.#value = next;
		try {
			localStorage.setItem(this.#key, JSON.stringify(next));
		} catch {
			// Storage full or blocked: the note lasts until the page closes.
		}
	}
}

let joining: DeviceRecord<Joining> | undefined;
let checked: DeviceRecord<string> | undefined;

/** Invitations accepted on this device, by space id. */
export function joiningNotes(): DeviceRecord<Joining> {
	return (joining ??= new DeviceRecord<Joining>('hearth:joining'));
}

/** Safety numbers this person marked as checked, by the other person's key. */
export function checkedNotes(): DeviceRecord<string> {
	return (checked ??= new DeviceRecord<string>('hearth:checked'));
}

export type { DeviceRecord };
