// A small record this device keeps in localStorage and never syncs: reactive, so every
// component reading it updates together.
export class DeviceRecord<T> {
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
