// The words of the readable (Markdown) copy in Your data, in British English: a care record
// a person can read, with dates in words and doses as sentences. Part of `en` (see en.ts), as
// `words.readable`; used by src/lib/model/readable*.ts. Pure data.

/** “a”, “a and b”, “a, b and c”. */
function list(items: readonly string[]): string {
	if (items.length <= 1) return items.join('');
	return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function times(n: number, one: string, many: string): string {
	return n === 1 ? `1 ${one}` : `${n} ${many}`;
}

export const enReadable = {
	copyTitle: 'Your data from Hearth',
	copyMade: (when: string) =>
		`A readable copy, made on ${when}. The JSON copy holds the same documents exactly as they are stored, for moving them to another program.`,
	aSpace: 'A space',
	nothingHere: 'Nothing was chosen from here.',
	nothingWritten: 'Nothing written yet.',
	someone: 'Someone',
	nobody: 'Nobody',
	aPart: 'a part of the space',
	none: '(none)',
	unknownDate: 'an unknown date',
	lastChanged: (who: string, when: string) => `Last changed by ${who} on ${when}.`,
	lastChangedOn: (when: string) => `Last changed on ${when}.`,

	/** Dates and times, Monday first. */
	weekdays: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
	months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
	/** "Monday 7 December 2026". */
	date: (weekday: string, day: number, month: string, year: number) => `${weekday} ${day} ${month} ${year}`,
	/** "December 2026". */
	month: (month: string, year: number) => `${month} ${year}`,
	/** "Monday 7 December 2026, 09:00". */
	dateTime: (date: string, time: string) => `${date}, ${time}`,

	/** What kind of document it is, by the document's kind. */
	kinds: {
		space: 'Space',
		team: 'Care team',
		rota: 'Rota',
		'team-chat': 'Team chat',
		'visit-notes': 'Visit notes',
		mar: 'Medication record',
		money: 'Hours and money',
		'profile-index': 'Getting Support Profile (who reads each part)',
		'profile-section': 'Getting Support Profile',
		'trust-assessment': 'Trust Assessment',
		'getting-support-promise': 'Getting Support Promise',
		circle: 'Circle',
		logbook: 'Circle logbook',
		'published-minutes': 'Minutes shared with this circle',
		'personal-logbook': 'Personal logbook',
		'local-circle': 'Local Circle',
		'call-out': 'Call-out',
		'giving-profile': 'Giving Support profile',
		'shared-giving-profile': 'Giving Support profile shared with this circle'
	} as Record<string, string>,
	document: 'Document',
	/** A document's own name and what kind it is: "Mum’s team (care team)". */
	named: (name: string, kind: string) => `${name} (${kind.toLowerCase()})`,
	/** A part of a kind of document: "Getting Support Profile: Essentials". */
	section: (kind: string, section: string) => `${kind}: ${section}`,
	/** One month's document: "Visit notes, December 2026". */
	ofMonth: (kind: string, month: string) => `${kind}, ${month}`,

	team: {
		owner: (name: string) => `${name} is the Team Owner: the team forms around them.`,
		members: 'Who is in the team',
		member: (name: string, kind: string, joined: string) => `${name}: ${kind}, joined on ${joined}`,
		unknownKind: 'Member',
		representative: 'Speaks for the Team Owner',
		onTrial: (done: number, agreed: number) => `On trial: ${done} of ${times(agreed, 'session', 'sessions')} done`,
		trialOutcome: (outcome: 'continuing' | 'ended', done: number) =>
			outcome === 'continuing' ? `Staying on after a trial of ${times(done, 'session', 'sessions')}` : `The trial ended after ${times(done, 'session', 'sessions')}`,
		left: (when: string) => `Left the team on ${when}`,
		hats: 'Hats',
		hatStatus: (status: string, who: string | null) =>
			status === 'worn'
				? `worn by ${who ?? 'someone'}`
				: status === 'nominated'
					? `offered to ${who ?? 'someone'}, who has not answered yet`
					: status === 'declined'
						? `${who ?? 'Someone'} said no`
						: 'nobody wears it now',
		reviewBy: (date: string) => `(to review by ${date})`,
		checkIns: 'Check-ins',
		checkIn: (date: string) => `Check-in on ${date}`,
		agreed: 'Agreed actions:'
	},

	rota: {
		visits: 'Visits',
		noVisits: 'No visits on the rota yet.',
		aVisit: 'Visit',
		aVisitOn: (date: string) => `A visit on ${date}`,
		once: (date: string, start: string, end: string) => `on ${date}, ${start} to ${end}`,
		weekly: (days: string[], from: string, until: string | null, start: string, end: string) =>
			`every ${list(days)}, ${start} to ${end}, from ${from}${until ? ` until ${until}` : ''}`,
		places: (n: number) => (n === 1 ? 'Needs 1 worker.' : `Needs ${n} workers.`),
		regulars: (names: string[]) => `Regularly: ${list(names)}.`,
		onTheDay: 'Who was on each visit',
		occurrence: (title: string, date: string, start: string, end: string) => `${title}, ${date}, ${start} to ${end}`,
		workers: (names: string[]) => `With ${list(names)}`,
		nobodyOn: 'Nobody was on it',
		done: (who: string) => `Marked done by ${who}`,
		cancelled: (who: string) => `Cancelled by ${who}`,
		swaps: 'Swaps',
		swap: (from: string, to: string, visit: string, back: string | null, status: string) =>
			`${from} asked ${to} to cover ${visit}${back ? `, covering ${back} in return` : ''}: ${status === 'accepted' ? 'accepted' : status === 'declined' ? 'declined' : 'not answered yet'}.`
	},

	notes: {
		none: 'No visit notes in this month.',
		wrote: (name: string) => `${name} wrote:`,
		activities: (list_: string[]) => `Ticked: ${list(list_)}.`,
		ownerAdded: (name: string, when: string) => `${name} added on ${when}:`
	},

	mar: {
		medicines: 'Medicines',
		asNeeded: (max: number | null) => (max ? `as needed, at most ${max} a day` : 'as needed'),
		at: (times_: string[]) => `at ${list(times_)} each day`,
		noTimes: 'no times set',
		from: (when: string) => `From ${when}`,
		stopped: (when: string) => `Stopped on ${when}`,
		notes: (notes: string) => `Notes: ${notes}`,
		doses: 'Doses',
		noDoses: 'No doses recorded.',
		allSigned: 'Each entry is signed by the device that recorded it, and every signature checked out when this copy was made.',
		someAltered: (n: number) =>
			`Each entry is signed by the device that recorded it. ${n === 1 ? '1 entry was' : `${n} entries were`} changed after signing and ${n === 1 ? 'is' : 'are'} marked ⚠: do not rely on ${n === 1 ? 'it' : 'them'}.`,
		notChecked: 'The entries’ signatures could not be checked for this copy: check them in Hearth.',
		altered: '⚠ Changed after it was signed:',
		/** "Paracetamol 500 mg: given by Sam at 09:00". */
		outcome: (outcome: string, medicine: string, who: string, time: string) =>
			outcome === 'given'
				? `${medicine}: given by ${who} at ${time}`
				: outcome === 'refused'
					? `${medicine}: refused at ${time}, recorded by ${who}`
					: `${medicine}: not given at ${time}, recorded by ${who}`,
		dueAt: (time: string) => ` (the ${time} dose)`,
		dueOn: (when: string) => ` (the dose due ${when})`,
		reason: (reason: string) => `. Why: ${reason}`,
		inError: (who: string, time: string, medicine: string, was: string | null) =>
			`${who} recorded at ${time} that the entry for ${medicine}${was ? ` at ${was}` : ''} was a mistake`,
		correcting: (time: string) => `, correcting the entry at ${time}`,
		correctedLater: ' (corrected later, see below)'
	},

	money: {
		commons: (percent: number) => `Commons Contribution: ${percent}% of each worker’s pay goes to the co-op’s commons.`,
		rates: 'Rates',
		noRates: 'No rates agreed yet.',
		rate: (who: string, pounds: string, from: string, by: string, when: string) => `${who}: £${pounds} an hour from ${from} (set by ${by} on ${when}).`
	},

	profile: {
		about: (name: string) => `The profile is about ${name}, in their own words.`,
		holder: (name: string) => `${name} helps keep it.`,
		whoReads: 'Who reads each part',
		readBy: (title: string, parts: string[]) => `${title}: ${list(parts)}`,
		retired: 'No longer shared with this part of the team: this copy was emptied.',
		contacts: 'Contacts',
		phone: (phone: string) => `Phone ${phone}`,
		email: (email: string) => `Email ${email}`,
		whenToCall: (notes: string) => `When to call: ${notes}`,
		links: 'Links'
	},

	trust: {
		reviewed: (when: string, who: string) => `Last reviewed together on ${when}, by ${who}.`,
		notReviewed: 'Not reviewed together yet.'
	},

	promise: {
		agreed: 'Who has agreed',
		nobody: 'Nobody has agreed to it yet.',
		notChecked: 'The agreements’ signatures could not be checked for this copy: check them in Hearth.',
		agreement: (who: string, when: string, status: string | null, version: number | null) =>
			`${who} agreed on ${when}` +
			(status === 'agreed'
				? ', to the Promise as it reads now.'
				: status === 'earlier-version'
					? `, to an earlier version${version ? ` (version ${version})` : ''}.`
					: status === 'invalid'
						? '. ⚠ This agreement was altered after it was signed: do not rely on it.'
						: status === 'unknown-device'
							? ', on a device Hearth does not know as theirs.'
							: '.')
	},

	chat: {
		none: 'No messages in this month.',
		message: (time: string, who: string, text: string | null, edited: boolean) =>
			text === null ? `${time} ${who}: (message deleted)` : `${time} ${who}: ${text}${edited ? ' (edited)' : ''}`
	},

	space: {
		noNotes: 'No notes yet.',
		checklist: 'Checklist',
		people: (names: string[]) => `People: ${list(names)}.`,
		parts: (parts: string[]) => `Parts of the space: ${list(parts)}.`,
		invited: (names: string[]) => `Invited: ${list(names)}.`
	},

	circle: {
		aim: 'Aim',
		domain: 'Domain',
		partOf: (name: string) => `Part of ${name}.`,
		members: 'Members',
		member: (name: string, joined: string, left: string | null) => `${name}, joined on ${joined}${left ? `, left on ${left}` : ''}`,
		roles: 'Roles',
		role: (role: string, who: string, from: string, until: string) => `${role}: ${who}, from ${from} until ${until}`,
		budget: 'Budget',
		budgetLine: (amount: string, period: string, fromParent: string | null) =>
			`£${amount} a ${period === 'month' ? 'month' : 'year'}${fromParent ? `, of which £${fromParent} comes from the wider circle` : ''}.`,
		plans: 'Plans',
		due: (date: string) => `by ${date}`,
		elections: 'Elections',
		election: (role: string, months: number, when: string) => `${role}, for ${times(months, 'month', 'months')} (started on ${when})`,
		electionStatus: (status: string, candidate: string | null) =>
			status === 'elected'
				? `Elected: ${candidate ?? 'someone'}.`
				: status === 'cancelled'
					? 'Cancelled.'
					: status === 'consent'
						? `Consent round for ${candidate ?? 'the candidate'}.`
						: 'Taking nominations.',
		nominated: (by: string, nominee: string, reason: string) => `${by} nominated ${nominee}${reason ? `: ${reason}` : ''}`
	},

	consent: {
		consented: (names: string[]) => `Consent from ${list(names)}.`,
		objection: (who: string, reason: string, status: string, note: string) =>
			`Objection from ${who}: ${reason} (${status === 'open' ? 'still open' : status === 'resolved' ? 'resolved' : 'withdrawn'}${note ? `: ${note}` : ''})`
	},

	logbook: {
		meetings: 'Meetings',
		noMeetings: 'No meetings yet.',
		aMeeting: 'Meeting',
		meeting: (title: string, date: string) => `${title}, ${date}`,
		attendance: (how: 'present' | 'apologies' | 'absent', names: string[]) =>
			`${how === 'present' ? 'Present' : how === 'apologies' ? 'Apologies' : 'Absent'}: ${list(names)}.`,
		agenda: 'Agenda',
		round: (question: string) => `Round: ${question}`,
		minutes: 'Minutes',
		proposals: 'Proposals and decisions',
		aProposal: 'Proposal',
		proposalState: (by: string, when: string, step: string, lead: string | null, deadline: string | null) =>
			`Brought by ${by} on ${when}. Now at: ${step}.${lead ? ` Led by ${lead}.` : ''}${deadline ? ` Decision by ${deadline}.` : ''}`,
		picture: 'The picture',
		draft: (version: number, by: string, when: string) => `Draft ${version}, by ${by} on ${when}`,
		decided: (when: string, policy: boolean) => `${policy ? 'Policy' : 'Decision'} agreed on ${when}`,
		term: 'For how long',
		review: 'Review by',
		measure: 'How we will know it works',
		reviewed: (by: string, when: string, note: string, next: string | null) =>
			`Reviewed by ${by} on ${when}${note ? `: ${note}` : ''}${next ? `. Next review by ${next}` : ''}.`,
		retired: (when: string) => `Retired on ${when}.`,
		appeal: (by: string, when: string, reason: string, supporters: number, step: string, outcome: string | null) =>
			`Appeal by ${by} on ${when}: ${reason}. ${times(supporters, 'supporter', 'supporters')}. ${outcome ? `Outcome: ${outcome === 'upheld' ? 'upheld' : 'dismissed'}.` : `Now: ${step}.`}`,
		memberPages: 'Members’ pages',
		role: 'Role',
		aims: 'Aims',
		responsibilities: 'Responsibilities',
		goals: 'Development goals'
	},

	published: {
		from: (circle: string, meeting: string, date: string, by: string, when: string) => `From ${circle}: ${meeting}, ${date}. Shared by ${by} on ${when}.`,
		decisions: 'Decisions'
	},

	personal: {
		whose: (name: string) => `${name}’s own logbook.`,
		goals: 'What I am working towards',
		entries: 'Entries'
	},

	localCircle: {
		started: (when: string) => `Started on ${when}.`
	},

	giving: {
		whose: (name: string) => `${name || 'Someone'}, in their own words.`,
		sharedWith: (n: number) => (n === 0 ? 'Not shared with any Local Circle.' : `Shared with ${times(n, 'Local Circle', 'Local Circles')}.`),
		withdrawn: (name: string) => `${name} no longer shares their profile with this circle: this copy was emptied.`,
		area: 'Area',
		offers: 'Offers',
		drives: 'Drives.',
		doesNotDrive: 'Does not drive.',
		independent: (rate: string | null) => `Works independently${rate ? `, at £${rate} an hour` : ''}.`,
		qualification: (title: string, accredited: boolean, date: string | null, skill: string | null) =>
			`${title}${accredited ? ' (accredited)' : ''}${date ? `, ${date}` : ''}${skill ? `, in ${skill.toLowerCase()}` : ''}`,
		travels: (miles: number) => `Travels up to ${times(miles, 'mile', 'miles')}.`,
		free: (slots: string) => `Free on ${slots}.`
	},

	callOut: {
		posted: (who: string, when: string, status: string) => `Posted by ${who} on ${when}. ${status === 'open' ? 'Open.' : 'Closed.'}`,
		skills: 'Knowledge hoped for',
		kinds: 'Support needed',
		chores: 'Help around the home',
		when: 'When',
		timesNote: 'About the times',
		budget: 'Budget',
		anHour: (pounds: string) => `£${pounds} an hour`,
		languages: 'Languages',
		driver: 'A driver would help.',
		homeLabel: 'At home',
		home: { pets: 'pets', heavyLifting: 'some heavy lifting', smoking: 'someone smokes', overnight: 'overnight support' },
		qualities: 'Qualities hoped for',
		relationship: 'Hoping for',
		interested: 'Who said they are interested',
		interest: (who: string, when: string, note: string, withdrawn: boolean) => `${who}, on ${when}${note ? `: ${note}` : ''}${withdrawn ? ' (withdrew later)' : ''}`,
		invited: 'Invited to a trial',
		invitation: (who: string, by: string, when: string) => `${who}, invited by ${by} on ${when}`
	}
};
