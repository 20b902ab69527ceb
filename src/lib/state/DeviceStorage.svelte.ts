// How safe Hearth's data is in this browser's storage. Browsers may clear a site's storage
// when the device runs short of space, unless the site's storage is "persistent"; Hearth asks
// for that (navigator.storage.persist()) once the device holds something of the person's,
// and says plainly when the browser refuses. It also watches how full the storage is, so the
// person hears "nearly full" before a write is refused, not after.
import { words } from '$lib/words';

/** Left over, below which storage counts as nearly full: a month of a busy team's records fits many times. */
const NEARLY_FULL_BYTES = 50 * 1024 * 1024;
const NEARLY_FULL_SHARE = 0.9;

type StorageManagerLike = Pick<StorageManager, 'persist' | 'persisted' | 'estimate'>;

export class DeviceStorage {
	/** Whether the browser has promised to keep Hearth's data; undefined while unknown or where it cannot say. */
	persisted = $state<boolean | undefined>(undefined);
	/** Bytes used and allowed, from the browser's estimate. */
	usage = $state<number | undefined>(undefined);
	quota = $state<number | undefined>(undefined);
	readonly #manager: StorageManagerLike | undefined;
	#asked = false;

	constructor(manager: StorageManagerLike | undefined = typeof navigator === 'undefined' ? undefined : navigator.storage) {
		this.#manager = manager;
	}

	/** Whether this browser can say or promise anything about keeping Hearth's data. */
	get supported(): boolean {
		return typeof this.#manager?.persisted === 'function';
	}

	/** Bytes still free for Hearth, if the browser says. */
	get free(): number | undefined {
		return this.usage === undefined || this.quota === undefined ? undefined : Math.max(0, this.quota - this.usage);
	}

	get nearlyFull(): boolean {
		const free = this.free;
		if (free === undefined || !this.quota) return false;
		return free < NEARLY_FULL_BYTES || (this.usage ?? 0) / this.quota > NEARLY_FULL_SHARE;
	}

	/** Reads whether storage is persistent and how full it is (cheap; nothing is asked of the person). */
	async check(): Promise<void> {
		const m = this.#manager;
		if (!m) return;
		try {
			if (typeof m.persisted === 'function') this.persisted = await m.persisted();
			if (typeof m.estimate === 'function') {
				const { usage, quota } = await m.estimate();
				this.usage = usage;
				this.quota = quota;
			}
		} catch {
			// Some browsers refuse these in private windows; the answer stays "unknown".
		}
	}

	/**
	 * Asks the browser to keep Hearth's data (some browsers decide by themselves, some ask the
	 * person). `once`: ask only the first time in this session (at start); a button asks again.
	 */
	async ask(once = false): Promise<boolean | undefined> {
		const m = this.#manager;
		if (!m || typeof m.persist !== 'function' || this.persisted) return this.persisted;
		if (once && this.#asked) return this.persisted;
		this.#asked = true;
		try {
			this.persisted = await m.persist();
		} catch {
			this.persisted = false;
		}
		return this.persisted;
	}

	/** "12 MB", "1.5 GB": how much is left, in words. */
	static size(bytes: number): string {
		const mb = bytes / (1024 * 1024);
		if (mb < 1) return words.storage.size.lessThanOne;
		if (mb < 1024) return words.storage.size.mb(Math.round(mb));
		return words.storage.size.gb(Math.round((mb / 1024) * 10) / 10);
	}
}
