// Every sentence the care team pages show (src/routes/team), in British English, grouped by
// page and component. Labels for the team's fixed lists (kinds of member, hats, profile
// sections, trust areas, visit activities, dose outcomes) are keyed by the model's own ids,
// so a translation names them without touching the model.

function places(n: number): string {
	return n === 1 ? '1 place' : `${n} places`;
}

/** “a”, “a and b”, “a, b and c”. */
function list(items: readonly string[]): string {
	if (items.length <= 1) return items.join('');
	return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Who reads through one part of the team (model: readersOf), as plain data. */
export type ReadersGroup = { role: string | undefined; name: string; kinds: Partial<Record<string, number>>; others: number };

/** Kinds of member as a count of people: “a care worker”, “2 care workers”. Workers of both kinds are care workers. */
const kindNouns: Record<string, [string, string]> = {
	worker: ['a care worker', 'care workers'],
	'family-friend': ['a family member or friend', 'family members or friends'],
	volunteer: ['a volunteer', 'volunteers'],
	'peer-supporter': ['a peer supporter', 'peer supporters'],
	'team-starter': ['a Team Starter', 'Team Starters'],
	coach: ['a coach', 'coaches'],
	'team-owner': ['a Team Owner', 'Team Owners']
};

function counted(noun: [string, string], n: number): string {
	return n === 1 ? noun[0] : `${n} ${noun[1]}`;
}

/** “2 care workers and a family member or friend in the whole team”, “your emergency contact”; undefined if nobody. */
function readersIn(g: ReadersGroup): string | undefined {
	if (g.role === 'emergency-contact') {
		if (g.others === 0) return undefined;
		return g.others === 1 ? 'your emergency contact' : `your ${g.others} emergency contacts`;
	}
	const kinds: Record<string, number> = {};
	for (const [kind, n] of Object.entries(g.kinds)) {
		const k = kind === 'employed-worker' || kind === 'independent-worker' ? 'worker' : kind;
		kinds[k] = (kinds[k] ?? 0) + (n ?? 0);
	}
	const people = Object.keys(kindNouns)
		.filter((k) => kinds[k])
		.map((k) => counted(kindNouns[k], kinds[k]));
	if (g.others > 0) people.push(g.others === 1 ? (people.length ? 'someone else' : 'someone') : `${g.others} ${people.length ? 'other ' : ''}people`);
	if (people.length === 0) return undefined;
	const where = g.role === 'whole-team' ? 'in the whole team' : g.role === 'care-records' ? 'with care records' : g.role === 'money' ? 'who see the money' : `in “${g.name}”`;
	return `${list(people)} ${where}`;
}

export const enTeam = {
	notFound: 'There is no team at this address.',

	/** Bits every team page shares: page titles, the way back, people's names. */
	common: {
		careTeam: 'Care team',
		team: 'Team',
		/** The browser tab: "Rota · Mum’s team · Hearth". */
		title: (page: string, team: string) => `${page} · ${team} · Hearth`,
		back: (team: string) => `← ${team}`,
		you: 'you',
		You: 'You',
		me: 'Me',
		someone: 'Someone',
		someoneLower: 'someone',
		youSuffix: ' (you)',
		nobodyNamed: 'Nobody named yet',
		forPerson: (who: string) => `For ${who}`,
		doneMeta: ' · Done',
		doneAction: (text: string) => `Done: ${text}`,
		accept: 'Accept',
		decline: 'Decline',
		noCareAccess: "You don't have access to care records. The team owner decides who can see them.",
		teamNotArrived: 'The team has not arrived on this device yet.',
		rotaNotArrived: 'The rota has not arrived on this device yet.',
		places,
		gap: 'Gap:',
		placesOpen: (n: number) => (n === 1 ? '1 place nobody has taken' : `${n} places nobody has taken`),
		takeShift: 'Take this shift',
		whoToAsk: 'Who to ask',
		recordAndSign: 'Record and sign',
		whatHappened: 'What happened',
		couldNotRecord: (reason: string) => `That could not be recorded: ${reason}.`
	},

	/** How a day is named in sentences ("You are on Morning visit on today at 08:00"). */
	days: {
		today: 'today',
		Today: 'Today',
		tomorrow: 'tomorrow',
		yesterday: 'yesterday'
	},

	/** The kinds of member (model: MEMBER_KINDS), by kind. */
	memberKinds: {
		'team-owner': 'Team Owner',
		'family-friend': 'Family or friend',
		'employed-worker': 'Care worker (employed)',
		'independent-worker': 'Care worker (independent)',
		volunteer: 'Volunteer',
		'peer-supporter': 'Peer supporter',
		'team-starter': 'Team Starter',
		coach: 'Coach'
	},

	/** The standard hats (model: STANDARD_HATS), by kind. */
	hats: {
		'rota-holder': { title: 'Rota Holder', description: 'Keeps the rota up to date and makes sure gaps are filled.' },
		'profile-holder': { title: 'Profile Holder', description: 'Keeps the Getting Support profile current with the Team Owner.' },
		'mar-holder': { title: 'MAR Holder', description: 'Looks after the medication administration record.' },
		'team-chat-admin': { title: 'Team Chat Admin', description: 'Looks after the team chat and who is in it.' },
		'check-in-facilitator': { title: 'Check-in Facilitator', description: 'Calls and runs team check-ins and follows up actions.' },
		'safeguarding-lead': { title: 'Safeguarding Lead', description: 'The first person to go to with a safeguarding worry.' }
	},

	/** The quick icons on a visit note (model: ACTIVITIES), by activity. */
	activities: {
		'personal-care': 'Personal care',
		meal: 'Meal',
		drink: 'Drink',
		medication: 'Medication',
		shopping: 'Shopping',
		outing: 'Outing',
		housework: 'Housework',
		'social-time': 'Social time',
		exercise: 'Exercise',
		other: 'Other'
	},

	/** The areas of the Trust Assessment (model: TRUST_AREAS), by area. */
	trustAreas: {
		medication: 'Medication',
		mobility: 'Mobility',
		goingOut: 'Going out',
		boundaries: 'Boundaries',
		mentalHealth: 'Mental health',
		infectionControl: 'Infection control',
		other: 'Other'
	},

	/** The sections of the Getting Support Profile (model: PROFILE_SECTIONS), by section. */
	profileSections: {
		aboutMe: { title: 'A bit about me', prompt: 'Who I am, in my own words.' },
		essentials: { title: 'Essentials', prompt: 'What everyone supporting me must know.' },
		keyContacts: { title: 'Key contacts', prompt: 'Who to call, and when.' },
		important: { title: 'What’s important to me', prompt: 'What matters most to me.' },
		wellbeing: { title: 'Physical and mental wellbeing', prompt: 'How I keep well, and what helps when I’m not.' },
		relationships: { title: 'Relationships and community', prompt: 'The people and groups in my life.' },
		surroundings: { title: 'My surroundings', prompt: 'My home and how I like it.' },
		supportApproach: { title: 'Support approach', prompt: 'How I like to be supported.' },
		preferences: { title: 'Preferences for support', prompt: 'The way I like things done.' },
		whereSupport: { title: 'Where support takes place', prompt: 'Where I get support, at home and out.' }
	},

	/** The named fields of profile sections (Essentials has them), by field. */
	profileFields: {
		advanceDecisions: 'Advance decisions / DNR',
		communication: 'Communication needs',
		marChart: 'Where the MAR chart is',
		attorney: 'Powers of attorney / DoLS'
	},

	/** What happened with a dose, as a choice or heading. */
	medicationOutcomes: {
		given: 'Given',
		refused: 'Refused',
		'not-given': 'Not given',
		'in-error': 'Recorded in error'
	},

	/** The same outcomes inside a sentence ("… 08:00 dose not given."). */
	medicationOutcomesInSentence: {
		given: 'given',
		refused: 'refused',
		'not-given': 'not given',
		'in-error': 'recorded in error'
	},

	/** The team's front page. */
	overview: {
		title: (team: string) => `${team} · Hearth`,
		backToSpaces: '← Your spaces',
		notInTeamTitle: 'You are not in this team',
		notInTeam: 'This device does not know this team. If someone invited you, open their invitation link.',
		waitingTitle: 'Waiting for this team to arrive',
		waiting: 'This device is in the team but has no copy yet. It will appear as soon as someone in it is online.',
		ourTeam: 'Our team',
		lead: 'Care team · Everything here is locked on this device before it is sent.',
		youLeft: 'You have left this team. If you would like to come back, introduce yourself again below.',

		introTitle: 'Introduce yourself to the team',
		yourName: 'Your name',
		howPart: 'How you are part of the team',
		trial: 'Trial',
		noTrial: 'No trial',
		trialOf: (n: number) => (n === 1 ? 'A trial of 1 session' : `A trial of ${n} sessions`),
		join: 'Join the team list',
		typeName: 'Type the name you would like the team to see.',
		welcome: (name: string, kind: string) => `Welcome, ${name}. The team can now see you as ${kind}.`,

		membersTitle: 'Who is in the team',
		membersLabel: 'Team members',
		member: 'Member',
		speaksFor: (who: string) => ` · Speaks for ${who}`,
		youNoLongerSpeak: (owner: string) => `You no longer speak for ${owner}.`,
		noLongerSpeaks: (name: string, owner: string) => `${name} no longer speaks for ${owner}.`,
		canNowSpeak: (name: string) => `${name} can now speak for you in team decisions.`,
		stopSpeakingFor: (owner: string) => `Stop speaking for ${owner}`,
		them: 'them',
		stopThemSpeaking: (name: string) => `Stop ${name} speaking for you`,
		letThemSpeak: (name: string) => `Let ${name} speak for you`,
		onTrial: (done: number, agreed: number, ready: boolean) =>
			`On trial: ${done} of ${agreed} sessions${ready ? ', ready for the team to decide' : ''}`,
		trialContinuing: 'Trial done: staying on',
		trialEnded: 'Trial ended',
		notIntroduced: (n: number) => `${n === 1 ? '1 person has' : `${n} people have`} joined but not introduced themselves yet.`,
		/** Someone taken out of the team's space: they are no longer listed, and what they held has ended. */
		wasRemoved: (name: string, by: string, day: string) =>
			`${name} was removed from the team by ${by} on ${day}. They are no longer a member, wear no hats and do not speak for anyone; what they wrote before stays here.`,
		removedTitle: 'No longer in the team',
		hasLeft: (name: string) =>
			`${name} has left the team. Take them out of the team's space under People below, so what is written from now on is locked with keys they don't have.`,

		hatsTitle: 'Hats',
		hatsHint: 'A hat is a job someone looks after for the team. Nobody wears a hat unless they say yes.',
		askedToWearLabel: (hat: string) => `You were asked to wear ${hat}`,
		askedToWear: (hat: string) => `You have been asked to wear ${hat}.`,
		nowWear: (hat: string) => `You now wear ${hat}.`,
		saidNoTo: (hat: string) => `You said no to ${hat}.`,
		hatsDue: (n: number) =>
			`${n === 1 ? '1 hat is' : `${n} hats are`} due for review. Talk at your next check-in about whether the person wearing it still wants to, then set the next review date.`,
		noHats: 'No hats yet.',
		hatsLabel: 'Hats',
		nobody: 'nobody',
		wornBy: (who: string) => `Worn by ${who}`,
		offeredTo: (who: string) => `Offered to ${who}, waiting for their answer`,
		saidNo: (who: string) => `${who} said no; nobody wears it yet`,
		handedBack: 'Handed back to the team; nobody wears it yet',
		/** A hat whose wearer (or nominee) was removed from the team. */
		hatEnded: (name: string, day: string) => `Ended on ${day}: ${name} was removed from the team. Nobody wears it yet`,
		reviewOn: (day: string) => ` · Review on ${day}`,
		reviewDue: 'Review due',
		reviewDueSince: (day: string) => `(since ${day})`,
		nominateTitle: 'Ask someone to wear a hat',
		hat: 'Hat',
		anotherHat: 'Another hat (you name it)',
		hatName: 'Name of the hat',
		reviewDate: 'Review date (optional)',
		ask: 'Ask',
		youAskedToWear: 'You have been asked to wear the hat. It is only theirs once they accept.',
		theyAskedToWear: (name: string) => `${name} has been asked to wear the hat. It is only theirs once they accept.`,

		visitsTitle: 'Visits',
		nobodyYet: 'Nobody yet',
		youAreOn: (title: string, day: string, start: string) => `You are on ${title} on ${day} at ${start}.`,
		swapsAsked: (n: number) => `${n === 1 ? 'A colleague has' : `${n} colleagues have`} asked you to swap a visit.`,
		answerOnRota: 'Answer on the rota',
		fullRota: 'The full rota: weeks, repeating visits and swaps',
		today: 'Today',
		noVisitsToday: 'No visits today.',
		visitsToday: 'Visits today',
		next7: 'The next 7 days',
		noVisitsNext7: 'No visits in the next 7 days.',
		visitsNext7: 'Visits in the next 7 days',
		notMarked: 'Earlier this week, not marked done',
		hoursFromDone: 'Hours and pay come from visits marked done.',
		toMarkLabel: 'Visits to mark as done',
		repeatsBefore: 'For a visit that repeats every week, use ',
		repeatsLink: 'the full rota',
		repeatsAfter: '.',

		togetherTitle: 'Working together',
		unread: 'unread',
		openActionsTitle: 'Open actions from check-ins',
		noOpenActions: 'No open actions.',
		fromCheckIn: (day: string) => `from the check-in on ${day}`,
		careTitle: 'Care records'
	},

	/** The parts of the form for adding a visit (the front page's quick one and the rota's). */
	visitForm: {
		title: 'Add a visit',
		what: 'What the visit is',
		example: 'For example: Morning visit',
		visit: 'Visit',
		date: 'Date',
		starts: 'Starts',
		ends: 'Ends',
		workersNeeded: 'Workers needed',
		add: 'Add visit',
		onRota: (name: string, day: string) => `${name} on ${day} is on the rota.`,
		everyWeek: (name: string, days: string, from: string) => `${name} is on the rota every ${days}, from ${from}.`,
		howOften: 'How often',
		once: 'Just once',
		weekly: 'Every week',
		startingFrom: 'Starting from',
		onDays: 'On these days',
		noDays: 'If you choose none, it repeats on the weekday of the start date.',
		lastDate: 'Last date (optional)',
		leaveEmpty: 'Leave empty to keep it going until you stop it.',
		overnight: 'An end time earlier than the start means an overnight stay.',
		regulars: 'Who is on it regularly (optional)',
		tooManyRegulars: (n: number, placeCount: number) =>
			`You chose ${n} regular workers for ${places(placeCount)}. Add places or choose fewer people.`,
		/** Monday first, as the rota's weeks start on Monday. */
		weekdays: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
	},

	/** Leaving the team, with each hat handed on. */
	leave: {
		title: 'Leaving the team',
		hint: 'You can leave at any time. Before you go, you can hand each of your hats to someone else.',
		open: 'Leave the team…',
		theTeam: 'the team',
		confirmTitle: (team: string) => `Leave ${team}?`,
		noHats: "You don't wear any hats, so there is nothing to hand over.",
		whoGetsHats: 'Who should each of your hats go to? They will be asked, and it is only theirs once they say yes.',
		goesTo: (hat: string) => `${hat} goes to`,
		backToTeam: 'Nobody yet: back to the team',
		comeOff:
			"You will come off the team list. The Team Owner will then take you out of the team's space, so you stop receiving its messages and records.",
		yes: 'Yes, leave the team',
		stay: 'Stay in the team',
		left: (team: string, names: string[]) =>
			`You have left ${team}.${names.length ? ` Your hats have been offered to ${names.join(' and ')}.` : ''} Thank you for everything you did for the team.`
	},

	/** One hat's review date, handing over and offering. */
	hatControls: {
		reviewDate: 'Review date',
		orHandOver: ' or hand over',
		orOffer: ' or offer it to someone',
		reviewOn: 'Review on',
		saveReview: 'Save review date',
		offerTo: (hat: string) => `Offer ${hat} to`,
		offer: 'Offer',
		handTo: (hat: string) => `Hand ${hat} to`,
		giveBack: 'Nobody yet: give it back to the team',
		handOver: 'Hand over',
		reviewSet: (hat: string, date: string) => `${hat} will be reviewed on ${date}.`,
		noReview: (hat: string) => `${hat} has no review date now.`,
		youOffered: (hat: string) => `You have been asked to wear ${hat}. It is only theirs once they say yes.`,
		theyOffered: (name: string, hat: string) => `${name} has been asked to wear ${hat}. It is only theirs once they say yes.`,
		handedTo: (hat: string, name: string) => `You handed ${hat} to ${name}. It is theirs once they say yes.`,
		gaveBack: (hat: string) => `You gave ${hat} back to the team.`
	},

	/** A member on trial: sessions and the team's decision. */
	trial: {
		recordSession: 'Record a trial session',
		forName: (name: string) => `for ${name}`,
		otherSession: 'A session today that is not on the rota',
		record: 'Record session',
		allDone: 'All the agreed sessions are done.',
		soFar: (done: number, agreed: number) => `${done} of ${agreed} sessions so far.`,
		talkItOver: 'When the team has talked it over, record what you decided together.',
		staysOn: (name: string) => `${name} stays on`,
		afterTrial: 'after the trial',
		end: 'End the trial',
		endMine: 'End my trial',
		recorded: (name: string, day: string) => `A trial session for ${name} on ${day} is recorded.`,
		youStay: 'You are staying on after the trial.',
		theyStay: (name: string) => `${name} is staying on after the trial.`,
		ended: (name: string) => `The trial for ${name} has ended.`
	},

	/** Someone given only part of the team (an emergency contact). */
	readable: {
		title: 'A care team you help',
		lead: 'The team has shared only this with you. It is locked on this device, and you can read it offline.',
		nothingNow: 'The team shares nothing with you just now. If they share part of their profile with you again, it will appear here.'
	},

	/** The rota page, a week at a time. */
	rota: {
		title: 'Rota',
		notArrived: 'The rota has not arrived on this device yet. It will appear as soon as someone in the team is online.',
		readOnly: 'You can read the rota. Once you have introduced yourself on the team page, you can take shifts and change it.',
		thisWeek: 'This week',
		nextWeek: 'Next week',
		lastWeek: 'Last week',
		weekOf: (day: string) => `Week of ${day}`,
		range: (from: string, to: string) => `${from} to ${to}`,
		chooseWeek: 'Choose a week',
		previous: '← Previous week',
		next: 'Next week →',
		gaps: (n: number) => (n === 1 ? '1 visit has a gap' : `${n} visits have gaps`),
		gapsAfter: ' this week.',
		overBooked: (n: number) => (n === 1 ? '1 visit is over-booked' : `${n} visits are over-booked`),
		overBookedAfter: '.',
		todayHeading: (date: string) => `Today, ${date}`,
		noVisits: 'No visits.',
		cancelled: 'Cancelled',
		gapOpen: (n: number) => `Gap: ${n} open`,
		covered: 'Covered'
	},

	/** Swaps asked for and to answer. */
	swaps: {
		title: 'Swaps',
		toAnswer: 'Swaps to answer',
		asksIfYouCanTake: (what: string) => ` asks if you can take ${what}.`,
		inReturn: (visit: string) => `In return, they would take your ${visit}.`,
		theSwapFor: (what: string) => `the swap for ${what}`,
		asked: 'Swaps you asked for',
		youAsked: (visit: string, name: string) => `${visit}: you asked ${name}.`,
		waiting: 'Waiting for their answer. It stays yours until they accept.',
		accepted: 'They said yes: it is theirs now.',
		declined: 'They said no: it is still yours.',
		gone: 'a visit no longer on the rota',
		nowOn: (what: string) => `You are now on ${what}.`,
		saidNo: (what: string) => `You said no to taking ${what}.`
	},

	/** One visit on the rota. */
	visitCard: {
		everyWeek: 'Every week · ',
		cancelledMeta: ' · Cancelled',
		cancelledFor: (day: string) => `This visit is cancelled for ${day}.`,
		putBack: 'Put this visit back',
		backOnRota: (label: string) => `${label} is back on the rota.`,
		onThisVisit: (names: string) => `On this visit: ${names}`,
		nobodyYet: 'nobody yet',
		overBooked: 'Over-booked:',
		overBookedNote: (names: string) => `${names} also took a place after it was full. Please agree who goes, and take the others off below.`,
		me: 'me',
		takeOff: (who: string) => `Take ${who} off`,
		youOff: (label: string) => `You are off ${label}.`,
		theyOff: (name: string, label: string) => `${name} is off ${label}.`,
		youOn: (label: string) => `You are on ${label}.`,
		theyOn: (name: string, label: string) => `${name} is on ${label}.`,
		askSwap: 'Ask someone to swap',
		nobodyToAsk: 'There is nobody else in the team to ask yet.',
		askLabel: (label: string) => `Ask someone to take ${label}`,
		inReturn: 'In return (optional)',
		nothingInReturn: 'Nothing in return',
		iTake: (title: string, day: string, start: string) => `I take their ${title}, ${day} ${start}`,
		askToSwap: 'Ask to swap',
		notNow: 'Not now',
		swapAsked: (name: string, label: string) => `${name} has been asked to take ${label}. It stays yours until they accept.`,
		change: 'Change this visit',
		takeOffVisit: (who: string) => `Take ${who} off this visit`,
		youOffOpen: (label: string) => `You are off ${label}. The place is open again.`,
		theyOffOpen: (name: string, label: string) => `${name} is off ${label}. The place is open again.`,
		putSomeoneOn: 'Put someone on it',
		putOn: 'Put on',
		cancel: (day: string) => `Cancel this visit on ${day}`,
		cancelled: (label: string) => `${label} is cancelled. You can put it back.`,
		stopAfter: (day: string) => `Stop repeating after ${day}`,
		stopQuestion: (title: string, day: string) => `Stop ${title} repeating after ${day}?`,
		stopExplain: 'Visits after that day come off the rota; the ones before stay as they are.',
		yesStop: 'Yes, stop repeating',
		keepRepeating: 'Keep it repeating',
		stopped: (title: string, day: string) => `${title} no longer repeats after ${day}.`
	},

	/** Marking a visit done, held back while a dose due during it has no record. */
	visitDone: {
		notDone: 'Not done after all',
		cantMarkYet: "This visit can't be marked done yet:",
		noRecord: (n: number) =>
			`${n === 1 ? 'a dose due during it has' : `${n} doses due during it have`} no record of what happened.`,
		dosesLabel: (label: string) => `Doses due during ${label}`,
		dose: (name: string, dose: string, due: string, nextDay: boolean) => `${name} ${dose}, due at ${due}${nextDay ? ' the next day' : ''}`,
		withDose: (name: string, due: string) => `with ${name} due at ${due}`,
		reason: 'Reason (needed if not given)',
		forDose: (name: string, due: string) => `for ${name} due at ${due}`,
		doseHidden: (name: string, due: string) => `(${name} due at ${due})`,
		openRecord: 'Open the medication record',
		checking: 'Checking the medication record for doses due during this visit…',
		noAccess: "Medication isn't checked here, because care records aren't shared with you.",
		markDone: 'Mark as done',
		markedDone: (label: string) => `${label} is marked as done.`,
		notMarkedDone: (label: string) => `${label} is no longer marked as done.`,
		recorded: (name: string, dose: string, due: string, outcome: string) => `Recorded and signed: ${name} ${dose} (due ${due}) ${outcome}.`,
		/** The outcome select starts on this, so nothing is recorded without a choice. */
		chooseOne: 'Choose what happened…',
		chooseOutcome: (name: string, due: string) =>
			`Choose what happened with ${name} due at ${due} (given, refused or not given) before recording it. Nothing was recorded.`
	},

	/** Visit notes (care records). */
	visits: {
		title: 'Visit notes',
		chooseVisit: 'Choose the visit this note is about.',
		writeWhat: 'Write what happened on the visit.',
		saved: (title: string) => `Your note for ${title} is saved.`,
		notSaved: (reason: string) => `Your note could not be saved: ${reason}. Your words are still in the box.`,
		/** The device's storage refused the note: it is in this window, and saving the same words again only tries again. */
		notKept: (reason: string) =>
			`Your note is not saved on this device yet: ${reason}. Your words are still in the box and Hearth keeps trying. Press Save note to try again now; the same words will not make a second note.`,
		alreadyWrote: (n: number) =>
			n === 1
				? 'You have already written a note for this visit. Saving adds a new note; the first one stays as it is.'
				: `You have already written ${n} notes for this visit. Saving adds a new note; the others stay as they are.`,
		writtenAt: (time: string) => `Written at ${time}`,
		writtenOn: (day: string, time: string) => `Written ${day} at ${time}`,
		writeTitle: 'Write a note for a visit',
		noVisits: 'There are no visits on the rota for the last week. Add one on the team page first.',
		visit: 'Visit',
		whatYouDid: 'What you did',
		saving: 'Saving…',
		save: 'Save note',
		recentTitle: 'Recent notes',
		opening: 'Opening the notes…',
		noNotes: 'No notes yet.',
		recentLabel: 'Recent visit notes',
		ownerAdded: (text: string) => `Team Owner added: ${text}`,
		showOlder: (month: string) => `Show notes from ${month}`
	},

	/** Hours and money (money circle). */
	money: {
		title: 'Hours and money',
		pounds: (amount: string) => `£${amount}`,
		poundSign: '£',
		rateInvalid: 'Type the rate in pounds and pence, for example 12.50.',
		paid: (who: string, amount: string, from: string) => `${who} is paid ${amount} an hour for visits from ${from}.`,
		percentInvalid: 'The Commons Contribution is a whole percentage from 0 to 100.',
		percentSet: (n: number) => `The Commons Contribution is now ${n}%.`,
		csvFile: (month: string) => `hours-and-money-${month}.csv`,
		downloading: (month: string) => `The statement for ${month} is downloading.`,
		noAccess: 'Only the people the team owner chose can see hours and money.',
		notArrived: 'Hours and money have not arrived on this device yet.',
		hint: 'Hours come from visits marked done on the rota. Only the people the team owner chose can see this page.',
		ratesTitle: 'Hourly rates',
		ratesLabel: 'Hourly rates today',
		noRate: 'No rate agreed',
		perHour: (amount: string) => `${amount} an hour`,
		setRate: 'Set an hourly rate',
		who: 'Who',
		ratePerHour: 'Rate per hour in pounds',
		rateHint: 'Pounds and pence, for example 12.50.',
		forVisitsFrom: 'For visits from',
		saveRate: 'Save rate',
		commonsTitle: 'Commons Contribution',
		commonsHint: (n: number) => `The share of each worker's pay that goes to the co-operative. Now ${n}%.`,
		commonsLabel: 'Commons Contribution (%)',
		savePercent: 'Save percentage',
		statementTitle: 'Monthly statement',
		month: 'Month',
		noPaidVisits: (month: string) => `No paid visits marked done in ${month}.`,
		caption: (month: string) => `Statement for ${month}`,
		worker: 'Worker',
		visits: 'Visits',
		hours: 'Hours',
		gross: 'Gross',
		commons: (n: number) => `Commons ${n}%`,
		net: 'Net',
		totalToPay: 'Total to pay',
		visitsFor: (who: string) => `Visits for ${who}`,
		line: (hours: string, rate: string, gross: string) => `${hours} hours at ${rate} = ${gross}`,
		unrated: (names: string) => `Visits done with no agreed rate are not counted yet: ${names}. Set a rate above to include them.`,
		downloadCsv: 'Download as CSV'
	},

	/** Medication (care records): the medicines list and the signed record of doses. */
	medication: {
		title: 'Medication',
		onList: (name: string) => `${name} is on the medicines list.`,
		chooseMedicine: 'Choose the medicine.',
		chooseOutcome: 'Choose what happened with this dose (given, refused or not given) before recording it. Nothing was recorded.',
		outcomeHint: 'Nothing is chosen for you: choose what really happened.',
		correctedGone: 'The entry you chose to correct is no longer shown. Choose it again.',
		correctionMedicineHint:
			'A correction is about the medicine of the entry it corrects. If a different medicine was given, mark this entry as recorded in error, then record the right medicine as a new entry.',
		monthNotOpened: 'the record for that month could not be opened',
		recorded: (name: string, outcome: string, time: string) => `Recorded: ${name}, ${outcome} at ${time}. Signed by this device.`,
		/** The device's storage refused a signed entry: it is in this window, and pressing Record again only tries the save again. */
		notKept: (reason: string) =>
			`This entry is signed but not saved on this device yet: ${reason}. Hearth keeps trying. Press Record and sign to try again now; it will not record the dose twice.`,
		medicineNotKept: (name: string, reason: string) =>
			`${name} is not saved on this device yet: ${reason}. Hearth keeps trying. Press Add medicine to try again now; it will not add it twice.`,
		at: (day: string, time: string) => `${day} at ${time}`,
		notArrived: 'The medication record has not arrived on this device yet.',
		medicinesTitle: 'Medicines',
		noMedicines: 'No medicines on the list yet.',
		medicinesLabel: 'Medicines',
		asNeeded: 'As needed',
		stopped: ' · Stopped',
		addTitle: 'Add a medicine',
		medicine: 'Medicine',
		dose: 'Dose',
		doseExample: 'For example: 1 tablet, 500 mg',
		onlyWhenNeeded: 'Only when needed',
		times: 'Times of day',
		timesHint: 'Like 08:00, 20:00',
		add: 'Add medicine',
		recordTitle: 'Record a dose',
		addFirst: 'Add a medicine first.',
		reason: (needed: boolean) => `Reason ${needed ? '(needed)' : '(optional)'}`,
		time: 'Time',
		whichDose: 'Which dose is this?',
		todaysDose: (time: string) => `Today’s ${time} dose`,
		notSetTime: 'Not one of the set times',
		corrects: 'This corrects an earlier entry (optional)',
		newEntry: 'No, it is a new entry',
		logTitle: 'Record of doses',
		logHint: 'Entries are never changed. A mistake is put right by a correction, shown under the entry it corrects.',
		altered: 'Warning: this record has been altered.',
		alteredHint: "Entries marked below cannot be trusted, and don't count as doses.",
		/** Why the record is not whole, by the kind of the model's MarGap, without the full stop. */
		gapMissing: (seq: number) => `An entry written on one device (number ${seq}) has been removed from this record`,
		gapUnseen: 'An entry that was on this record when a later one was written is no longer there as it was',
		gapFork: (seq: number) => `One device wrote two different entries numbered ${seq}: check that device`,
		nothing: 'Nothing recorded yet.',
		logLabel: 'Record of doses',
		recordedBy: (who: string) => `Recorded by ${who}`,
		reasonMeta: (reason: string) => ` · Reason: ${reason}`,
		entryAltered: '⚠ Altered after it was signed: do not rely on this entry.',
		corrections: 'Corrections',
		corrected: (what: string) => `Corrected: ${what}`,
		/** A correction that does not count (it names another medicine or dose time than its entry). */
		saidToCorrect: (what: string) => `Written as a correction: ${what}`,
		correctedBy: (who: string, when: string, reason: string) => `By ${who}, ${when} · Reason: ${reason}`,
		correctionAltered: '⚠ Altered after it was signed: do not rely on this correction.',
		/** A correction that does not match the entry it corrects (model: wrong-correction), with the model's reason. */
		correctionWrong: (why: string) => `⚠ This correction does not count: ${why}.`,
		wrongCorrections: 'Warning: a correction on this record does not match the entry it corrects.',
		wrongCorrectionsHint: 'It does not count, and the entry stands as it was recorded. If the entry is wrong, record a new correction.',
		showOlder: (month: string) => `Show doses from ${month}`
	},

	/** Team chat. */
	chat: {
		title: 'Team chat',
		says: (who: string, text: string) => `${who} says: ${text}`,
		newMessages: (n: number) => `${n} new messages.`,
		typeFirst: 'Type a message first.',
		notSent: (reason: string) => `Your message could not be sent: ${reason}. It is still in the box.`,
		empty: 'A message cannot be empty. To remove it, choose Delete.',
		changed: 'Your message was changed.',
		deleted: 'Your message was deleted.',
		hint: 'Everyone in the team can read this chat. Messages are locked on this device before they are sent.',
		showOlder: (month: string) => `Show messages from ${month}`,
		noMessages: 'No messages yet. Say hello to the team.',
		opening: 'Opening the chat…',
		messages: 'Messages',
		changedMeta: ' · changed',
		messageDeleted: 'Message deleted',
		changeYours: 'Change your message',
		save: 'Save',
		cancel: 'Cancel',
		edit: 'Edit',
		delete: 'Delete',
		yourMessageFrom: (when: string) => `your message from ${when}`,
		message: 'Message',
		keys: 'Enter sends. Shift and Enter starts a new line.',
		send: 'Send'
	},

	/** Team check-ins and the actions agreed at them. */
	checkIns: {
		title: 'Check-ins',
		added: (day: string) => `A check-in on ${day} is added. Write notes and agreed actions below.`,
		sayWhat: 'Say what was agreed.',
		actionAdded: (text: string, who: string | null) => `Action added${who ? ` for ${who}` : ''}: ${text}`,
		notDone: (text: string) => `Not done yet: ${text}`,
		hint: 'A check-in is when the team meets to talk about how things are going. Everyone in the team can read and write the notes.',
		addTitle: 'Add a check-in',
		date: 'Date of the check-in',
		add: 'Add check-in',
		none: 'No check-ins yet.',
		heading: (day: string) => `Check-in ${day}`,
		notes: 'Notes',
		agreedTitle: 'Agreed actions',
		noActions: 'No actions agreed yet.',
		addActionLabel: (day: string) => `Add an agreed action to the check-in ${day}`,
		whatAgreed: 'What was agreed',
		whoWillDo: 'Who will do it',
		youOption: (name: string) => `${name} (you)`,
		addAction: 'Add action'
	},

	/** The Getting Support Profile. */
	profile: {
		title: 'Getting Support Profile',
		unknownCircle: 'a part of the team this device doesn’t know',
		started: 'The profile is started. Each part is made when you first write in it.',
		notStarted: 'The profile could not be started.',
		holderSet: (who: string) => `${who} can now help you keep your profile.`,
		onlyYou: 'Only you can change your profile now.',
		partNotMade: 'This part of the profile could not be made.',
		nameContact: 'Type the name of the contact.',
		contactAdded: (name: string) => `${name} is added to key contacts.`,
		badLink: 'A link must start with https://, http://, tel: or mailto:.',
		linkAdded: 'The link is added.',
		nowShared: (title: string, circle: string) => `“${title}” is now shared with ${circle} too.`,
		noLongerShared: (title: string, circle: string, hadWords: boolean) =>
			`“${title}” is no longer shared with ${circle}.` +
			(hadWords ? ' Anyone there keeps what they already read, but won’t see anything new.' : ''),
		notShared: (reason: string) => `That could not be changed: ${reason}.`,
		notSavedHere: (reason: string) => `That is changed on screen but could not be saved on this device: ${reason}. Keep Hearth open; it keeps trying.`,
		writtenWith: (who: string) => `The profile is written with ${who}, in their own words.`,
		whoDecides: (you: boolean) => `${you ? 'You decide' : 'They decide'} who can read each part.`,
		noProfileYet: 'Your team doesn’t have a profile yet.',
		start: 'Start the profile',
		noProfileHere: 'There is no profile on this device yet. The Team Owner starts it.',
		whoHelps: 'Who helps you keep your profile',
		onlyMe: 'Nobody: only me',
		holderHint: 'They can write in every part they can read, with you.',
		youHelp: 'You help keep this profile.',
		helps: (name: string) => `${name} helps keep this profile.`,
		whoCanRead: (title: string) => `Who can read “${title}”`,
		/** What each part of the team is, beside its name, when choosing who reads a section (by TEAM_CIRCLES role). */
		circleWho: {
			'whole-team': 'everyone in the team: care workers, family and friends',
			'care-records': 'the people you let read visit notes and medicines',
			money: 'the people you let see hours and pay',
			'emergency-contact': 'your emergency contacts, such as a neighbour'
		} as Record<string, string>,
		/** The choice's label: the part's name and who is in it. */
		circleChoice: (name: string, who: string | undefined) => (who ? `${name} (${who})` : name),
		/** Who reads a section now, for the Owner, from the people in the chosen parts (model: readersOf). */
		readersNow: (groups: readonly ReadersGroup[]) => {
			const parts = groups.flatMap((g) => readersIn(g) ?? []);
			if (parts.length === 0) return `Who reads it: only you for now. Anyone you invite to ${list(groups.map((g) => `“${g.name}”`))} will read it too.`;
			// Each part may have its own “and”, so the parts are joined with “, and”.
			return parts.length === 1 ? `Who reads it: you and ${parts[0]}.` : `Who reads it: you, ${parts.slice(0, -1).join(', ')}, and ${parts[parts.length - 1]}.`;
		},
		sharedWith: (circles: readonly string[]) => `Shared with: ${list(circles)}`,
		noAccess: (circles: readonly string[]) => `Shared with: ${list(circles)} — you don’t have access`,
		ownerWrites: 'The Team Owner writes this part: it is kept with a part of the team you are not in.',
		missing: 'This part of the profile is missing.',
		partNotArrived: 'This part has not arrived on this device yet.',
		nothingWritten: 'Nothing written here yet.',
		notWritten: 'Not written yet',
		contacts: 'Contacts',
		noContacts: 'No contacts yet.',
		phonePrefix: 'Phone:',
		emailPrefix: 'Email:',
		remove: 'Remove',
		removeLink: (label: string) => `link ${label}`,
		addContactTitle: 'Add a contact',
		name: 'Name',
		relationship: 'Who they are to me',
		phone: 'Phone',
		email: 'Email',
		whenToCall: 'When to call them',
		addContact: 'Add contact',
		links: 'Links',
		linksIn: (title: string) => `Links in ${title}`,
		cantOpen: '(this link can’t be opened)',
		addLinkTo: (title: string) => `Add a link to “${title}”`,
		whatLink: 'What the link is',
		address: 'Address (https://…, tel: or mailto:)',
		addLink: 'Add link'
	},

	/** The Trust Assessment and the Getting Support Promise. */
	trust: {
		title: 'Trust and the Promise',
		trustStarted: 'The Trust Assessment is started.',
		promiseStarted: 'The Promise is started. Write it below.',
		notStarted: 'It could not be started.',
		reviewedToday: 'The Trust Assessment is marked as reviewed today.',
		nothingToAgree: 'There is nothing to agree to yet.',
		agreed: 'You agreed to the Promise as it reads now. Your agreement is signed by this device.',
		notRecorded: 'Your agreement could not be recorded.',
		promiseTitle: 'Getting Support Promise',
		promiseHint: (who: string) => `What ${who} and the team promise each other. Everyone in the team can read it.`,
		startPromise: 'Start the Promise',
		noPromise: 'There is no Promise on this device yet. The Team Owner starts it.',
		promiseLabel: 'The Promise',
		promiseEditHint: 'If you change the words, people who agreed before will show as agreeing to an earlier version until they agree again.',
		notWritten: 'The Promise has not been written yet.',
		agreedNow: 'You have agreed to the Promise as it reads now.',
		agree: 'Agree',
		whoAgreed: 'Who has agreed',
		nobodyAgreed: 'Nobody has agreed yet.',
		agreedOn: (when: string) => `Agreed on ${when}`,
		agreedEarlier: (version: number | null | undefined, when: string) =>
			`Agreed to an earlier version${version ? ` (version ${version})` : ''} on ${when}`,
		wordsAgreed: 'The words they agreed to',
		altered: '⚠ This agreement was altered after it was signed: do not rely on it.',
		trustTitle: 'Trust Assessment',
		trustHint: (who: string) => `How the team supports ${who} to do things safely, their way. It is kept with care records.`,
		noTrustAccess: "You don't have access to the Trust Assessment. It is kept with care records, and the Team Owner decides who can see them.",
		startTrust: 'Start the Trust Assessment',
		noTrust: 'There is no Trust Assessment on this device yet.',
		lastReviewed: (when: string, who: string) => `Last reviewed on ${when} by ${who}.`,
		notReviewed: 'Not reviewed together yet.',
		changedSince: (areas: string) => `Changed since then: ${areas}.`,
		lastChanged: (who: string, when: string) => `Last changed by ${who} on ${when}`,
		markReviewed: 'Mark reviewed'
	}
};
