// Every sentence Hearth shows on the pages that have moved here (see README.md), in British
// English. A translation is another file with the same shape: `Words` is the type it must meet.
import { enCircle } from './enCircle';
import { enMessages } from './enMessages';
import { enReadable } from './enReadable';
import { enSpaces } from './enSpaces';
import { enSupport } from './enSupport';
import { enTeam } from './enTeam';

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
			`Hearth keeps your spaces in this browser's storage, and it could not open it (${reason}). If you are in a private window, open Hearth in a normal window instead.`,
		// Plain http:// on a network address: the browser withholds what Hearth needs.
		insecureTitle: 'Open Hearth at a secure address',
		insecureWhy: (address: string) =>
			`You opened Hearth at ${address}, which is not a secure (https://) address. On such an address your browser switches off the encryption Hearth uses to keep your spaces private, and the part that lets it work offline. So that nothing you write is lost, Hearth does not start here.`,
		insecureWhatToDo: 'What to do',
		insecureHttps:
			'On a phone, tablet or another computer: ask whoever runs Hearth for its address that starts with https://, and open that one. Setting it up is described in Hearth’s README, under “Reaching it from other devices”.',
		insecureSameMachine: 'On the computer that runs Hearth: open it at',
		insecureSameMachineEnd: 'instead.'
	},
	home: {
		title: 'Your spaces',
		lead: 'Everything you write here is locked on this device before it is sent. Only the people you share a space with can read it.',
		nothing: 'You have no spaces yet. Start one below, or open a link someone sent you.',
		accepted: 'Invitations you accepted',
		teams: 'Care teams',
		privateSpaces: 'Private spaces',
		sharedByLink: 'Shared by link',
		startTeam: 'Start a care team',
		startTeamHint:
			'A team forms around the person getting support. You choose who joins, and what each person can see: the whole team sees the rota; only the people you choose see care records or money.',
		teamName: 'Name of the team',
		teamNameExample: 'For example: Mum’s team',
		teamMe: 'What the team should call you',
		inviteesSee: 'The people you invite will see this.',
		startingTeam: 'Starting the team…',
		startTeamButton: 'Start care team',
		addYourName: 'Add your name, so the people you invite know who the invitation is from.',
		teamFailed: (reason: string) => `The team could not be started: ${reason}.`,
		spaceFailed: (reason: string) => `The space could not be started: ${reason}.`,
		startPrivate: 'Start a private space',
		startPrivateHint:
			'You choose who joins. Each person gets their own invitation and you let them in. You can remove people later, and they won’t see anything new after that.',
		privateName: 'Name of your private space',
		privateNameExample: 'For example: Mum’s care team',
		yourName: 'Your name',
		startPrivateButton: 'Start private space',
		startLink: 'Start a space to share by link',
		startLinkHint:
			'Quicker: anyone you send the link to can read and change it. A link cannot be taken back, so use a private space for anything sensitive.',
		linkName: 'Name of the space',
		linkNameExample: 'For example: Tuesday lunch club',
		startLinkButton: 'Start space',
		openLink: 'Open a link you were sent',
		pasteLink: 'Paste the link',
		open: 'Open',
		notALink: 'That does not look like a Hearth link. A Hearth link has a # in it.',
		newDevice: 'New device?',
		newDeviceBefore: 'To use your spaces here, ',
		newDeviceLink: 'link it from a device you already use',
		newDeviceMiddle: ', or, if you lost every device, ',
		newDeviceRecover: 'restore from your recovery kit',
		newDeviceAfter: '.',
		untitled: 'Untitled space',
		inviter: 'the person who invited you',
		aPrivateSpace: 'A private space',
		waitingFor: (from: string) => `Waiting for ${from} to let you in. The space will appear here once you are in.`,
		turnedAway: (from: string, space?: string) => `${from} did not let you in${space ? ` to ${space}` : ''}`,
		askAgain: 'If you think this is a mistake, ask them for a new invitation.',
		dismiss: 'Dismiss',
		dismissHidden: ' this message'
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
		/** Changes for a space this person (or this device) was removed from: they can never be sent. */
		stranded: (n: number) =>
			n === 1
				? '1 change can’t be sent, because you were removed from the team or space it belongs to. It is kept on this device.'
				: `${n} changes can’t be sent, because you were removed from the team or space they belong to. They are kept on this device.`,
		allSynced: 'all changes synced',
		savedHere: 'your changes are saved on this device',
		savingHere: 'saving on this device…',
		notSavedHere: 'Not saved on this device',
		storageFull: 'this device’s storage is full',
		storageFailed: 'this device’s storage is refusing changes',
		/** The alert while this device's storage refuses writes. */
		storageAlert: {
			full: 'Hearth can’t save on this device: its storage is full.',
			failed: (detail: string) => `Hearth can’t save on this device right now (${detail}).`,
			kept: 'What you have typed is kept in this window and is saved as soon as it fits. Please don’t close Hearth until this message goes.',
			free: 'Free some space (photos, videos or apps you no longer need), then press Try again. Hearth keeps trying by itself too.',
			retry: 'Try again'
		},
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
	storage: {
		size: {
			lessThanOne: 'less than 1 MB',
			mb: (n: number) => `${n} MB`,
			gb: (n: number) => `${n} GB`
		},
		nearlyFull: (left: string) =>
			`This device is nearly out of room for Hearth (${left} left). Free some space soon (photos, videos or apps you no longer need), so Hearth can keep saving what you write.`,
		/** On the home page when the browser has not promised to keep Hearth's data. */
		notKept: {
			title: 'Keep your records safe on this device',
			body: 'This browser has not promised to keep Hearth’s data. If the device runs short of space, the browser may clear it, with anything not yet synced.',
			install: 'To keep it: install Hearth from the browser’s menu (“Install app” or “Add to Home screen”), then ask again on Your data. Keep a backup there too.',
			dismiss: 'I understand'
		},
		/** The section on Your data. */
		section: {
			title: 'Storage on this device',
			kept: 'This browser has promised to keep Hearth’s data, even when the device is short of space.',
			notKept: 'This browser has not promised to keep Hearth’s data: it may clear it if the device runs short of space. Installing Hearth (from the browser’s menu) usually lets it promise.',
			unknown: 'This browser cannot say whether it will keep Hearth’s data. Keep a backup to be safe.',
			ask: 'Ask the browser to keep Hearth’s data',
			asked: (kept: boolean) => (kept ? 'The browser agreed to keep Hearth’s data.' : 'The browser said no for now. Installing Hearth usually changes its mind.'),
			used: (used: string, left: string) => `Hearth uses ${used} here; ${left} is left for it.`
		}
	},
	/** A team, circle or private space this person (or this device) was removed from (SpaceGate, ClosedNotice, WriteGate). */
	closed: {
		/** What to call the place when its name is not known here. */
		thisPlace: { team: 'this team', circle: 'this circle', space: 'this space' },
		removed: (place: string, by: string | undefined, when: string | undefined) =>
			`You were removed from ${place}${by ? ` by ${by}` : ''}${when ? ` on ${when}` : ''}.`,
		left: (place: string, when: string | undefined) => `You left ${place}${when ? ` on ${when}` : ''}.`,
		deviceRemoved: (place: string, when: string | undefined) => `This device was removed from ${place}${when ? ` on ${when}` : ''}.`,
		yourCopy: 'What you can still see here is your own copy from before then. It stays on this device for you to read.',
		nothingNew: 'Nothing new can be added here now, so the forms are switched off. Anything you wrote that had not been sent yet is kept on this device, but it can’t reach anyone.',
		deviceHint: 'If you are still in it on another device, carry on there.',
		/** Said when a change was turned away (a form this page had not switched off). */
		refused: 'That was not saved: nothing new can be added here.',
		/** Next to each switched-off form. */
		cannotAdd: (place: string) => `You can’t add to ${place} any more.`
	},
	time: {
		justNow: 'just now',
		seconds: (s: number) => `${s} seconds ago`,
		minutes: (m: number) => (m === 1 ? '1 minute ago' : `${m} minutes ago`),
		hours: (h: number) => (h === 1 ? '1 hour ago' : `${h} hours ago`),
		days: (d: number) => (d === 1 ? 'yesterday' : `${d} days ago`)
	},
	yourData: {
		title: 'Your data',
		lead: 'Everything here is yours. Take a copy with you, keep a backup somewhere safe, or remove things from this device.',
		onDevice: 'On this device',
		onDeviceHint: 'Choose what to back up or copy. Everything is chosen to start with.',
		nothing: 'This device holds no spaces yet.',
		documentsIn: (title: string) => `Documents in ${title}`,
		choose: (title: string) => `Include ${title}`,
		backupTitle: 'Encrypted backup',
		backupHint:
			'A file only your passphrase opens. Keep the file and the passphrase apart: anyone with both can read it. Hearth cannot get the passphrase back for you.',
		passphrase: 'Choose a passphrase',
		restorePassphrase: 'The backup’s passphrase',
		passphraseHint: (n: number) => `At least ${n} characters. A few unusual words work well.`,
		passphraseAgain: 'Type the passphrase again',
		suggest: 'Suggest a strong passphrase',
		suggested: (p: string) => `Suggested passphrase: ${p}. Write it down now and keep it somewhere safe.`,
		tooShort: (n: number) => `The passphrase needs at least ${n} characters.`,
		mismatch: 'The two passphrases are not the same. Type them again.',
		noneChosen: 'Choose at least one thing to include.',
		download: 'Download encrypted backup',
		making: 'Making the backup… (this takes a few seconds on purpose)',
		made: (n: number) => `Backup saved with ${n === 1 ? '1 document' : `${n} documents`}.`,
		readableTitle: 'A readable copy',
		readableHint:
			'Not encrypted: anyone who gets the file can read it. The Markdown copy reads as a care record, for you or someone you give it to; the JSON copy holds everything exactly as stored, to move to another program.',
		asJson: 'Download as JSON',
		asMarkdown: 'Download as Markdown (plain text)',
		restoreTitle: 'Restore a backup',
		restoreHint:
			'On this device or a new one. What you can still open as a member is merged in, so nothing is lost on either side; anything else is kept here to read.',
		backupFile: 'Backup file',
		restore: 'Restore',
		restoring: 'Opening the backup… (this takes a few seconds on purpose)',
		noFile: 'Choose the backup file first.',
		restored: (n: number) => `Restored ${n === 1 ? '1 document' : `${n} documents`}.`,
		outcome: {
			merged: 'merged with the copy here',
			restored: 'restored',
			'read-only': 'kept here to read (this device is not a member)',
			damaged: 'damaged in the backup, skipped'
		},
		readOnlyTitle: 'Copies from a backup, to read',
		readOnlyHint: 'This device is not a member of these spaces, so they do not sync. Ask to be invited to work in them again.',
		show: 'Show what it says',
		removeCopy: 'Remove this copy',
		printTitle: 'Print a Getting Support Profile',
		printHint: 'A paper copy for a hospital bag or the front door: it shows the parts you can read.',
		printLink: (team: string) => `Print or save as PDF: the profile in ${team}`,
		removeTitle: 'Remove from this device',
		removeHint:
			'Deletes this device’s copy and its keys. Nobody else loses anything, and the team can invite you again.',
		remove: (title: string) => `Remove ${title} from this device`,
		confirmRemove: (title: string) => `Remove ${title} from this device?`,
		pendingWarning: (n: number) => `${n === 1 ? '1 change' : `${n} changes`} made here have not synced yet and would be lost. Go online first if you can.`,
		yesRemove: 'Yes, remove it',
		keep: 'Keep it',
		removed: (title: string) => `${title} was removed from this device.`
	},
	print: {
		title: 'Getting Support Profile',
		forTeam: (team: string) => `From ${team}`,
		printed: (date: string) => `Printed on ${date}. Check Hearth for the latest version.`,
		print: 'Print or save as PDF',
		back: '← Your data',
		notReadable: 'You cannot read this part.',
		notArrived: 'This part has not arrived on this device yet.',
		empty: 'Nothing written yet.',
		noProfile: 'This team has no Getting Support Profile yet, or you cannot read it.',
		contacts: 'Contacts',
		links: 'Links'
	},
	lock: {
		title: 'Hearth is locked',
		lead: 'Your spaces on this device are locked with your passphrase.',
		passphrase: 'Your app lock passphrase',
		unlock: 'Unlock',
		unlocking: 'Unlocking… (this takes a few seconds on purpose)',
		wrong: 'That passphrase does not unlock Hearth. Check it and try again.',
		forgot:
			'Forgot it? The passphrase cannot be recovered. You can still restore your spaces on a new device from your recovery kit or a backup.',
		settingsTitle: 'App lock',
		settingsHint:
			'Locks everything Hearth keeps on this device with a passphrase, and locks again when the device is left alone. Useful on a shared or work phone.',
		isOn: (minutes: number) => `The app lock is on. Hearth locks after ${minutes === 1 ? '1 minute' : `${minutes} minutes`} without use.`,
		choose: 'Choose an app lock passphrase',
		chooseHint: (n: number) => `At least ${n} characters. If you forget it, this device’s copy cannot be opened.`,
		again: 'Type the app lock passphrase again',
		idle: 'Lock after',
		minutes: (m: number) => (m === 1 ? '1 minute without use' : m === 60 ? '1 hour without use' : `${m} minutes without use`),
		turnOn: 'Turn on app lock',
		turningOn: 'Locking your data… (this takes a few seconds)',
		turnOff: 'Turn off app lock',
		turnOffPassphrase: 'App lock passphrase (to turn it off)',
		notYet: 'What is not locked yet: a few notes this device keeps for itself outside the store (the names on invitations you accepted, which chats you have read).',
		// Unlocking with a passkey (this device's fingerprint, face or PIN).
		leadPasskey: 'Your spaces on this device are locked. Unlock with your fingerprint, face or PIN, or with your passphrase.',
		unlockPasskey: 'Unlock with passkey',
		unlockingPasskey: 'Waiting for your passkey…',
		orPassphrase: 'Or use your passphrase',
		passkeyCancelled: 'The passkey was not used. Try again, or use your passphrase.',
		passkeyRefused: 'That passkey does not unlock Hearth on this device. Use your passphrase.',
		noPrf:
			'This device can’t unlock Hearth with a passkey: it confirmed it was you, but does not give apps the secret needed to open your locked data. Keep using your passphrase.',
		passkeyTitle: 'Unlock with a passkey',
		passkeyAdd: 'Also unlock with this device’s fingerprint, face or PIN (passkey)',
		passkeyAddHint:
			'Type your app lock passphrase to add a passkey. You will still need the passphrase if the passkey stops working, so keep it somewhere safe.',
		passkeyAddPassphrase: 'App lock passphrase (to add a passkey)',
		passkeyAdding: 'Waiting for your passkey…',
		passkeyAdded: 'Passkey added. Next time Hearth is locked, you can unlock it with your fingerprint, face or PIN.',
		passkeyAlready: 'This device already has a passkey for Hearth.',
		passkeyName: 'Hearth app lock',
		passkeyList: 'Passkeys that unlock Hearth on this device',
		passkeyItem: (added: Date) => `Passkey added on ${added.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' })}`,
		passkeyRemove: 'Remove passkey',
		passkeyRemoveHidden: (added: Date) => ` added on ${added.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' })}`,
		passkeyRemoved: 'Passkey removed. Hearth now unlocks with your passphrase.',
		passkeyUnsupported: 'This device or browser can’t unlock Hearth with a passkey. Your passphrase still works as before.',
		// Changing the passphrase: only the lock's record changes, not your data.
		changeTitle: 'Change the app lock passphrase',
		changeCurrent: 'Current app lock passphrase',
		changeNew: 'New app lock passphrase',
		changeAgain: 'Type the new passphrase again',
		change: 'Change passphrase',
		changing: 'Changing… (this takes a few seconds)',
		changed: 'Passphrase changed. Any passkeys still unlock Hearth.'
	},
	team: enTeam,
	update: {
		ready: 'A new version of Hearth is ready.',
		reload: 'Reload',
		reloadHidden: ' to use the new version',
		reloading: 'Reloading…'
	},
	circle: enCircle,
	support: enSupport,
	spaces: enSpaces,
	readable: enReadable,
	messages: enMessages
};

export type Words = typeof en;
