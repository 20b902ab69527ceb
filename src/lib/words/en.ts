// Every sentence Hearth shows on the pages that have moved here (see README.md), in British
// English. A translation is another file with the same shape: `Words` is the type it must meet.

function changes(n: number): string {
	return n === 1 ? '1 change' : `${n} changes`;
}

export const en = {
	layout: {
		skip: 'Skip to content',
		brand: 'Hearth',
		mainNav: 'Main',
		yourSpaces: 'Your spaces',
		yourDevices: 'Your devices',
		yourData: 'Your data',
		lockNow: 'Lock Hearth',
		opening: 'Opening your spaces…',
		startFailedTitle: 'Hearth could not start on this device',
		startFailed: (reason: string) =>
			`Hearth keeps your spaces in this browser's storage, and it could not open it (${reason}). If you are in a private window, open Hearth in a normal window instead.`
	},
	sync: {
		pause: 'Pause syncing',
		resume: 'Resume syncing',
		paused: 'Syncing paused',
		online: 'Online',
		syncing: 'Syncing',
		connecting: 'Connecting…',
		offline: 'Offline',
		sending: (n: number) => `sending ${changes(n)}…`,
		waiting: (n: number) => `${changes(n)} waiting to sync`,
		allSynced: 'all changes synced',
		savedHere: 'your changes are saved on this device',
		lastSynced: (ago: string) => `last synced ${ago}`,
		attention: 'Something needs your attention.',
		copySafe: 'Your own copy is safe.',
		dismiss: 'Dismiss',
		dismissHidden: ' these messages',
		/** What the person can do about each kind of problem the engine reports. */
		whatToDo: {
			tampered: 'Nothing was changed. If it keeps happening, tell the person who runs your relay.',
			replayed: 'Nothing to do: the copy was ignored.',
			foreign: 'Nothing to do. If you expected this person’s change, ask a space owner to check who is in the space.',
			unreadable: 'Ask someone in the space to check you are in the right circle. Everything else keeps working.',
			refused: 'Your changes are kept on this device. Ask a space owner to check you can still edit it.',
			relay: 'Hearth keeps trying by itself. If it goes on for a day, tell the person who runs your relay.'
		}
	},
	time: {
		justNow: 'just now',
		seconds: (s: number) => `${s} seconds ago`,
		minutes: (m: number) => (m === 1 ? '1 minute ago' : `${m} minutes ago`),
		hours: (h: number) => (h === 1 ? '1 hour ago' : `${h} hours ago`),
		days: (d: number) => (d === 1 ? 'yesterday' : `${d} days ago`)
	},
	update: {
		ready: 'A new version of Hearth is ready.',
		reload: 'Reload',
		reloadHidden: ' to use the new version',
		reloading: 'Reloading…'
	}
};

export type Words = typeof en;
