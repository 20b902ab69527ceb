// The sentences Hearth shows that are written outside the pages, in British English: refusals
// and problems from the models (`src/lib/model`), errors from invitations, links, backups and
// device linking (`src/lib/keys`), what the sync engine reports (`src/lib/sync`), and errors
// from the app's state (`src/lib/state`). Part of `en` (see en.ts), as `words.messages`,
// grouped by the file that uses them. Pure data: the code imports these, never the other way.

/** “a”, “a and b”, “a, b and c”. */
function list(items: readonly string[]): string {
	if (items.length <= 1) return items.join('');
	return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const notInLogbook = {
	meeting: 'That meeting is not in the logbook.',
	proposal: 'That proposal is not in the logbook.'
};

export const enMessages = {
	model: {
		/** Said by more than one model. */
		common: {
			/** A person whose name is not known (yet). */
			someone: 'Someone',
			notADate: 'That is not a date.',
			/** The default name of a part (circle) of a space with no name of its own, counting from 1. */
			part: (n: number) => `Part ${n}`
		},
		/** How a signed record stands (authorship.ts): shown next to notes, done marks, rates, invitations, decisions, objections. */
		authorship: {
			altered: '⚠ Altered: this is not as its author wrote it, or someone else wrote it in their name. Do not rely on it.',
			unsigned: 'Written before records were signed, so who wrote it can’t be checked.',
			/** A visit marked done whose hours or workers changed after it was marked. */
			doneChanged: '⚠ Altered: the hours or who worked changed after this visit was marked done, or the mark is not as written.',
			/** A trial invitation that fails its check: the link is not opened. */
			invitationAltered: '⚠ This invitation has been altered, so Hearth has not opened it. Ask the person who posted the call-out to invite you again.'
		},
		callOut: {
			noTitle: 'Give the call-out a short title, such as “Tuesday mornings in Hebden Bridge”.',
			noArea: 'Say roughly where, such as a town or part of town. Never a full address.',
			noTimes: 'Say when support is needed: choose some times, or describe them.',
			badBudget: 'The budget should be in pounds and pence an hour, between £0.01 and £200.',
			notOnMap: 'That location is not on the map.',
			noRelationship: 'Choose the kind of relationship you hope for.',
			closed: 'This call-out has closed.',
			yourOwn: 'This is your own call-out.',
			addYourName: 'Add your name, so they know who is interested.',
			onlyPosterInvites: 'Only the person who posted the call-out invites people to a trial.',
			notInterested: 'They have not said they are interested (or they changed their mind).',
			alreadyInvited: 'They have already been invited to a trial.',
			noDevices: 'Their devices could not be found, so the invitation could not be sent to them.',
			onlyPosterCloses: 'Only the person who posted the call-out can close it.',
			onlyPosterReopens: 'Only the person who posted the call-out can reopen it.'
		},
		circle: {
			/** The name of a new circle when none was given. */
			defaultName: 'Our circle',
			/** Nobody holds the role, or nobody was named. */
			nobody: 'nobody',
			addYourName: 'Add your name, so the circle knows who you are.',
			notInCircle: 'They are not in the circle.',
			onlyMembersAim: 'Only members of the circle change its aim.',
			onlyMembersDomain: 'Only members of the circle change its domain.',
			onlyMembersParent: 'Only members of the circle say which circle it belongs to.',
			onlyMembersBudget: 'Only members of the circle set its budget.',
			wholeAmounts: 'Amounts are whole pounds and pence, not below zero.',
			monthOrYear: 'Choose a month or a year.',
			moreFromParent: 'More cannot come from the wider circle than the whole budget.',
			overParentBudget: 'That is more than the wider circle’s whole budget.',
			onlyMembersPlans: 'Only members of the circle add plans.',
			noPlan: 'Say what the plan is.',
			noSuchPlan: 'That plan is not in the circle.',
			onlyMembersElect: 'Only members of the circle start an election.',
			chooseRole: 'Choose a role.',
			termLength: 'A term is between 1 and 36 months.',
			electionStarted: 'That election has already started.',
			noSuchElection: 'That election is not in the circle.',
			nominationsClosed: 'Nominations are closed.',
			onlyMembersNominate: 'Only members of the circle nominate.',
			nominateMember: 'You can only nominate someone in the circle.',
			sayWhyNominate: 'Say why you nominate them.',
			electionOver: 'This election is over.',
			onlyMembersPropose: 'Only members of the circle propose a candidate.',
			proposeNominee: 'Propose someone who was nominated.',
			alreadyProposed: 'They are already proposed.',
			roundNotStarted: 'The consent round has not started.',
			onlyMembersTakePart: 'Only members of the circle take part.',
			proposeFirst: 'Propose a candidate and hold the consent round first.',
			objectionOpen: 'An objection is still open. It must be resolved or withdrawn first.',
			notConsented: (name: string) => `${name} has not consented to take the role yet.`
		},
		circleSpace: {
			noSuchMeeting: notInLogbook.meeting,
			noParent: 'This circle is not part of a wider circle yet.',
			onlyDecisions: 'Only decisions that were made can be shared.',
			nothingChosen: 'Choose the minutes or at least one decision to share.',
			onlyOwnerWrites: 'Only its owner writes in a personal logbook.',
			entryExists: 'That entry is already there.',
			noSuchEntry: 'That entry is not there.'
		},
		consent: {
			consentOrObject: 'Choose consent or objection.',
			sayObjection: 'Say what your objection is, so the circle can work with it.',
			stillOpen: 'You have an objection still open. Say it is resolved, or withdraw it, first.',
			alreadyRecorded: 'That objection is already recorded.',
			noSuchObjection: 'That objection is not recorded here.',
			alreadyClosed: 'That objection is already closed.',
			describeChange: 'Describe the change to the proposal.',
			onlyObjector: 'Only the person who raised an objection can say it is resolved or withdraw it.',
			resolvedOrWithdrawn: 'Say whether it is resolved or withdrawn.'
		},
		givingProfile: {
			addYourName: 'Add your name, so people know whose profile this is.',
			badRate: 'The hourly rate should be in pounds and pence, between £0.01 and £200.',
			badTravel: (max: number) => `How far you travel should be between 0 and ${max} miles.`,
			notOnMap: 'That location is not on the map. Latitude is between -90 and 90, longitude between -180 and 180.',
			badDate: (title: string) => `The date for “${title}” should be a real date.`,
			onlyPersonChanges: 'Only the person a profile is about can change it.',
			onlyPersonShares: 'Only the person a profile is about chooses who sees it.',
			alreadyShared: 'This profile is already shared with that circle.'
		},
		localCircle: {
			/** The name of a new Local Circle when none was given. */
			defaultName: 'Our Local Circle'
		},
		logbook: {
			meetingExists: 'That meeting is already in the logbook.',
			meetingDate: 'Choose the date of the meeting.',
			/** The title of a meeting when none was given. */
			defaultMeeting: 'Circle meeting',
			noSuchMeeting: notInLogbook.meeting,
			noAgendaItem: 'Say what the agenda item is.',
			noSuchAgendaItem: 'That agenda item is not in the logbook.',
			attendance: 'Choose present, apologies or absent.',
			noRoundQuestion: 'Say what the round is about.',
			noSuchRound: 'That round is not in the logbook.',
			noRoundText: 'Write what was said.',
			minutesTooLong: 'The minutes are too long for one meeting. Start another meeting page.',
			editDoesNotFit: 'That edit does not fit the minutes.',
			ownPage: 'Each person writes their own role, aims and goals.',
			notPagePart: 'That is not part of a member’s page.',
			proposalExists: 'That proposal is already in the logbook.',
			proposalName: 'Give the proposal a short name.',
			noSuchProposal: notInLogbook.proposal,
			pictureKept: 'This proposal is decided; its picture is kept as it was.',
			alreadyDecided: 'This proposal is already decided.',
			noInput: 'Write your input first.',
			leadBeforeTelling: 'The lead is chosen before the community is told.',
			onlyLeadTakesOn: 'Only the person who will lead can take the proposal on.',
			leadBeforeNotify: 'Choose a lead before letting everyone know.',
			leadNotifies: 'The lead lets everyone know.',
			inputDeadline: 'Choose the date by which people can give input.',
			draftsWhen: 'Drafts are written after everyone has been told, before final input.',
			leadDrafts: 'The lead writes the drafts.',
			fourDrafts: 'There are at most four drafts.',
			draftFirst: (version: number) => `Write draft ${version} first.`,
			emptyDraft: 'A draft cannot be empty.',
			finalInputWhen: 'Final input comes after the drafts.',
			leadAsksFinal: 'The lead asks for final input.',
			decisionWhen: 'The decision comes after final input.',
			leadBringsDecision: 'The lead brings the proposal to decision.',
			consentWhen: 'Consent is given once the proposal comes to decision.',
			amendWhen: 'Amendments are made while the proposal is at decision.',
			toDecisionFirst: 'Bring the proposal to decision first.',
			objectionsOpen: (n: number) =>
				n === 1
					? 'There is an objection still open. It must be resolved or withdrawn before the decision is made.'
					: `There are ${n} objections still open. They must be resolved or withdrawn before the decision is made.`,
			noConsent: 'Nobody has consented yet.',
			noDecision: 'Write down what was decided.',
			noTerm: 'Say for how long the decision stands.',
			noReviewDate: 'Choose a date to review the decision.',
			noMeasure: 'Say how the circle will know whether it is working.',
			noSuchDecision: 'That decision is not in the register.',
			retired: 'That decision has been retired.',
			nextReview: 'Choose the next review date.',
			onlyDecisionAppealed: 'Only a decision can be appealed.',
			sayWhyAppeal: 'Say why you are appealing.',
			appealExists: 'That appeal is already recorded.',
			noSuchAppeal: 'That appeal is not recorded.',
			appealClosed: 'That appeal is closed.',
			relatedNotYourself: 'List the other people you are related to, not yourself.',
			mediationLast: 'Mediation is the last step. Record its outcome to close the appeal.',
			appealSupport: (n: number) => `An appeal needs ${n} people who are not related to each other before it goes further.`,
			appealAlreadyClosed: 'That appeal is already closed.',
			appealNotHeard: 'The appeal has not been heard yet.',
			appealOutcome: 'Write down what was decided about the appeal.'
		},
		mar: {
			/** Why a medicine can't be saved as typed (medicineProblem). */
			medicineName: 'Give the medicine a name',
			dose: 'Say what the dose is',
			starts: 'Say when the medicine starts',
			times: 'Times of day look like 08:00',
			timeOrAsNeeded: 'Give at least one time of day, or mark it as needed',
			maxPerDay: 'The most per day is a whole number, 1 or more',
			/** Why a dose can't be recorded as drafted (marDraftProblem). */
			whatHappened: 'Say what happened',
			when: 'Say when it happened',
			dueTime: 'The due time looks wrong',
			whyNotGiven: 'Say why the dose was not given',
			onlyCorrection: 'Only a correction can mark an entry as recorded in error',
			whyCorrects: 'Say why this corrects the earlier entry',
			reasonTooLong: 'The reason is too long',
			missingWho: 'This entry is missing who or what it is about',
			/** How a correction fails to match the entry it corrects (model: CorrectionMismatch), by kind. */
			correction: {
				missing: 'Choose the entry this corrects',
				'other-medicine': 'A correction is about the medicine of the entry it corrects, and this one names another medicine or dose',
				'other-dose': 'A correction is about the same dose as the entry it corrects, and this one answers another dose time'
			},
			/** Why an entry in the record is flagged (verifyMarLog). */
			altered: 'This entry has been altered: its fields are not as written',
			alteredSinceSigned: 'This entry has been altered since it was signed',
			copy: 'This is a copy of an earlier entry',
			unknownDevice: 'Signed by a device that is not one of the team’s',
			dueDoseBlocksVisit: "A visit can't be marked done while a due dose has no outcome"
		},
		matching: {
			list,
			/** Each skill as it reads in a sentence ("Knows dementia care"), by the model's skill id. */
			skillPhrases: {
				dementia: 'dementia care',
				'mental-health': 'mental health support',
				'learning-disabilities': 'supporting people with learning disabilities',
				autism: 'supporting autistic people',
				'end-of-life': 'end of life care',
				'personal-care': 'personal care',
				medication: 'medication support',
				'moving-handling': 'moving and handling',
				'physical-disabilities': 'supporting people with physical disabilities',
				stroke: 'stroke recovery',
				parkinsons: 'Parkinson’s',
				'sensory-loss': 'sight and hearing loss',
				'brain-injury': 'brain injury'
			},
			/** Parts of the day after a list of days ("Tuesday and Thursday mornings"), by the model's id. */
			dayPartsPlural: { morning: 'mornings', afternoon: 'afternoons', evening: 'evenings', night: 'nights' },
			/** Days and a part of the day, e.g. "Tuesday and Thursday mornings". */
			slots: (days: string[], part: string) => `${list(days)} ${part}`,
			lessThanAMile: 'less than a mile',
			miles: (n: number) => (n === 1 ? '1 mile' : `${n} miles`),
			accredited: (year: string | null) => ` (accredited training${year ? `, ${year}` : ''})`,
			knows: (skill: string, note: string) => `Knows ${skill}${note}`,
			notListed: (skill: string) => `Has not listed ${skill}`,
			freeOn: (slots: string) => `Free on ${slots}`,
			notFreeOn: (slots: string) => `Not free on ${slots}`,
			livesAway: (distance: string) => `Lives ${distance} away`,
			livesTooFar: (distance: string, limit: string) => `Lives ${distance} away, further than the ${limit} they travel`,
			livesIn: (area: string) => `Lives in ${area}`,
			offers: (kinds: string[]) => `Offers ${list(kinds)}`,
			doesNotOffer: (kinds: string[]) => `Does not offer ${list(kinds)}`,
			speaks: (languages: string[]) => `Speaks ${list(languages)}`,
			doesNotList: (languages: string[]) => `Does not list ${list(languages)}`,
			anHour: (rate: string) => `${rate} an hour`,
			asks: (rate: string) => `Asks ${rate}`,
			withinBudget: (rate: string) => `Asks ${rate}, within your budget`,
			overBudget: (rate: string, budget: string) => `Asks ${rate}, more than your ${budget}`,
			drives: 'Drives',
			doesNotDrive: 'Does not drive',
			happyToHelp: (chores: string[]) => `Happy to help with ${list(chores)}`,
			approachMentions: (words: string[]) => `Their approach mentions ${list(words.map((w) => `“${w}”`))}`,
			noPets: 'Prefers homes without pets',
			noHeavyLifting: 'Would rather not do heavy lifting',
			noSmoking: 'Prefers smoke-free homes',
			noOvernights: 'Does not do overnight support'
		},
		money: {
			rateFrom: 'Say from which date the rate applies.',
			badRate: 'A rate is a whole number of pence per hour, up to £1,000.',
			badPercent: 'The Commons Contribution is a whole percentage from 0 to 100.',
			/** The CSV download of a statement: column headings, then the total rows. */
			workerColumns: ['Date', 'Visit', 'Start', 'End', 'Minutes', 'Hours', 'Rate per hour (£)', 'Amount (£)'],
			totalFor: (name: string) => `Total for ${name}`,
			commonsRow: (percent: number) => `Commons Contribution (${percent}%)`,
			netToWorker: 'Net to worker',
			ownerColumns: (percent: number) => ['Month', 'Worker', 'Visits', 'Minutes', 'Hours', 'Gross (£)', `Commons Contribution ${percent}% (£)`, 'Net to worker (£)'],
			totalToPay: 'Total to pay'
		},
		profile: {
			onlyOwnerHolder: 'Only the Owner chooses who holds their profile',
			onlyOwnerOrHolder: 'Only the Owner and the Profile Holder can change the profile',
			noSuchSection: 'There is no such section',
			hasDocument: 'This section already has its document',
			onlyOwnerReaders: 'Only the Owner decides who reads each part of their profile',
			newDocument: 'Each part of the team needs its own copy of a section',
			notSharedThere: 'This section is not shared with that part of the team',
			copyFirst: 'Make the copy for that part of the team first, so they never see an empty section',
			lastCircle: 'Each part of the profile is shared with at least one part of the team. Tick another first, or leave it empty',
			copyNotMade: 'The copy for the other parts of the team has not been made yet. Try again in a moment'
		},
		promise: {
			nothingToAgree: 'There is nothing to agree to yet'
		},
		rota: {
			badId: 'A visit id is letters, digits, - and _ only.',
			visitExists: 'That visit already exists.',
			badTimes: 'Times are HH:MM, like 09:30.',
			sameTimes: 'A visit has to end at a different time from when it starts.',
			places: (max: number) => `A visit needs between 1 and ${max} workers.`,
			tooManyRegulars: 'More regular workers than places on the visit.',
			chooseDays: 'Choose the days of the week it repeats on.',
			repeatsFrom: 'Say from which date it repeats.',
			endsAfterStart: 'It has to end on or after the date it starts.',
			/** The title of a visit when none was given. */
			defaultTitle: 'Visit',
			notRepeating: 'That is not a repeating visit.',
			noSuchVisit: 'There is no such visit on that day.',
			markedDone: 'That visit has been marked as done.',
			notCancelled: 'That visit is not cancelled.',
			cancelled: 'That visit has been cancelled.',
			youAreOn: 'You are already on that visit.',
			full: 'That visit is already full.',
			theyAreOn: 'They are already on that visit.',
			theyAreNotOn: 'They are not on that visit.',
			swapExists: 'That swap already exists.',
			swapWithSelf: 'Ask someone else to swap with.',
			noSuchSwap: 'That swap request no longer exists.',
			onlyColleagueAccepts: 'Only the colleague who was asked can accept this swap.',
			onlyColleagueDeclines: 'Only the colleague who was asked can decline this swap.',
			swapAlready: (status: string) => `This swap has already been ${status}.`,
			wasCancelled: 'That visit was cancelled.',
			nobodyOn: 'Nobody was on that visit.',
			notDone: 'That visit is not marked as done.',
			noLongerOnRota: 'That visit is no longer on the rota.',
			askerNotOn: 'The person asking is no longer on that visit.',
			colleagueOn: 'The colleague is already on that visit.',
			returnGone: 'The visit offered in return is no longer on the rota.',
			colleagueNotOnReturn: 'The colleague is no longer on the visit offered in return.',
			askerOnReturn: 'The person asking is already on the visit offered in return.'
		},
		space: {
			/** A space with no title (yet). */
			untitled: 'Untitled space',
			/** What the parts of a new private space are called, in the order they are made. */
			defaultCircles: ['Everyone', 'Care records']
		},
		team: {
			alreadyIn: 'They are already in the team.',
			oneOwner: 'A team has one Team Owner, the person it forms around.',
			chooseKind: 'Choose what kind of member they are.',
			trialLength: 'A trial is 1, 2 or 3 sessions.',
			notIn: 'They are not in the team.',
			emptyName: 'A name cannot be empty.',
			notOnTrial: 'They are not on trial.',
			trialDecided: 'Their trial has already been decided.',
			onlyOwnerContinues: 'Only the Team Owner records that someone continues after their trial.',
			onlyOwnerOrTrialEnds: 'Only the Team Owner or the person on trial can end a trial.',
			ownerSpeaks: 'The Team Owner speaks for themself.',
			onlyOwnerRepresentatives: 'Only the Team Owner chooses who speaks for them.',
			ownerStays: 'The Team Owner cannot leave the team that forms around them.',
			ownHatsOnly: 'They can only hand over hats they wear or were offered.',
			notToLeaver: 'A hat cannot be handed over to the person leaving.',
			cannotBeOffered: (name: string) => `${name} is not in the team, so cannot be offered a hat.`,
			onlyMembersNominate: 'Only team members can nominate someone for a hat.',
			hatExists: 'That hat already exists.',
			chooseHat: 'Choose a hat.',
			customTitle: 'A custom hat needs a title.',
			badReviewDate: 'The review date is not a date.',
			noSuchHat: 'That hat no longer exists.',
			/** Someone unnamed who wears or was offered a hat. */
			someone: 'someone',
			someoneElse: 'someone else',
			wearsIt: (name: string) => `${name} wears this hat; they hand it over first.`,
			notAnswered: (name: string) => `${name} has not answered yet.`,
			notWaiting: (hat: string) => `The ${hat} hat is not waiting for an answer.`,
			onlyNominee: (name: string, hat: string) => `Only ${name} can answer this nomination for ${hat}.`,
			youLeft: 'You are no longer in the team.',
			onlyMembersReview: 'Only team members can set a review date.',
			onlyWearer: (hat: string) => `Only the person wearing ${hat} can hand it over.`,
			handToSomeoneElse: 'Hand it to someone else in the team.',
			onlyMembersCheckIn: 'Only team members can add a check-in.',
			checkInExists: 'That check-in already exists.',
			noSuchCheckIn: 'That check-in no longer exists.',
			sayAgreed: 'Say what was agreed.',
			ownerNotIn: (name: string) => `${name} is not in the team.`,
			actionExists: 'That action already exists.',
			noSuchAction: 'That action no longer exists.'
		},
		teamSpace: {
			/** The names of a team's circles, by the model's role (TEAM_CIRCLES). */
			circles: {
				'whole-team': 'Whole team',
				'care-records': 'Care records',
				money: 'Money',
				'emergency-contact': 'Emergency contact only'
			}
		},
		visitNotes: {
			notAVisit: 'That is not a visit.',
			chooseActivities: 'Choose activities from the list.',
			emptyNote: 'Write what happened on the visit.',
			badId: 'That note needs a new id.',
			noteExists: 'A note with that id already exists.',
			onlyAuthorEdits: 'Only the person who wrote a note can change it.',
			chooseActivity: 'Choose an activity from the list.',
			onlyOwnerComments: 'Only the Team Owner can add to someone else’s visit note.',
			noSuchNote: 'That note no longer exists.',
			emptyComment: 'The comment is empty.',
			commentExists: 'That comment already exists.'
		}
	},
	keys: {
		access: {
			incomplete: 'This link is incomplete. Ask for the whole link to be sent again.',
			damaged: 'This link has been changed or damaged, so it cannot be opened.'
		},
		appLock: {
			tooShort: (n: number) => `The passphrase needs at least ${n} characters`
		},
		backup: {
			tooShort: (n: number) => `A backup passphrase needs at least ${n} characters`,
			notBackup: 'This is not a Hearth backup file.',
			notBackupOrNewer: 'This is not a Hearth backup file, or it was made by a newer version of Hearth.',
			damaged: 'This backup file is damaged.',
			wrongPassphrase: 'That passphrase does not open this backup (or the file was changed). Check it and try again.',
			newer: 'This backup was made by a newer version of Hearth.',
			newerKdf: 'This backup was locked by a newer version of Hearth. Update Hearth on this device, then open it again.'
		},
		deviceLink: {
			incomplete: 'This device link is incomplete. Show it again on your other device.',
			damaged: 'This device link has been changed or damaged. Show a new one on your other device.',
			olderLink: 'This device link was made by an older version of Hearth. Make a new link on your other device.',
			badRecoveryKey: 'That recovery key is not complete or has a typing mistake. Check each group of four against your printed kit.'
		},
		spaceOps: {
			incomplete: 'This invitation link is incomplete. Ask for the whole link to be sent again.',
			damaged: 'This invitation link has been changed or damaged, so it cannot be used.',
			unknown: 'This invitation was not found. It may be for a different space, or not sent yet.',
			tampered: 'This invitation link has been changed, so it cannot be trusted. Ask for a new one.',
			revoked: 'This invitation was cancelled by the person who sent it.',
			inviterRemoved: 'This invitation no longer works: the person who sent it is no longer in this space. Ask someone still there for a new one.',
			declined: 'This invitation was declined, so it cannot be used again.',
			used: 'This invitation has already been used. Each invitation works once; ask for a new one.',
			expired: 'This invitation has expired. Ask for a new one.',
			wrongSpace:
				'This invitation does not lead to the space it was made for: what this device was shown is a copy someone else made. Nothing was shared. Tell the person who invited you, and ask for a new link.'
		}
	},
	sync: {
		encryptedStorage: {
			locked: 'A value stored on this device could not be unlocked',
			lockedAt: (where: string) => `A value stored on this device could not be unlocked (${where})`,
			aDocument: 'a document'
		},
		relayConnection: {
			notJson: 'The relay sent something that is not JSON',
			notUnderstood: 'The relay sent a message this app does not understand'
		},
		syncEngine: {
			ignored: (what: string) => `${what}. It was ignored.`,
			noKey: 'This device has no key for that document',
			backupDamaged: 'The document in the backup is damaged',
			lostRelay: 'Hearth lost its connection to the relay. Try again.',
			membershipUnsigned: 'The relay passed on a change to who can edit this space that was not properly signed. It was ignored.',
			policyWithoutAuthority: 'A change to who can edit this document came from a device or key that was removed from the space. It was refused.',
			foreign: 'A change from a device that is not allowed to edit this space was refused.',
			tampered: 'A change arrived damaged or altered and was refused. Your copy is unchanged.',
			unreadable: 'Some changes were locked with a key this device was not given.',
			alteredLocked: 'A change could not be unlocked because it was altered. It was refused.',
			noLongerAccess: 'A change from someone who no longer has access was refused.',
			badForm: 'A change was not in the expected form and was refused.',
			replayed: 'An old change was sent again and was ignored.',
			badSavedCopy: 'A saved copy was not in the expected form and was refused.',
			unreadableChange: 'A change from another device could not be read and was skipped.',
			tooLarge: 'These changes are too large to send in one go.',
			keptSafely: (why: string) => `${why} They are kept safely on this device.`,
			relayRefusedThis: (message: string) => `The relay refused this: ${message}`,
			relayCouldNotStore: 'The relay could not store changes just now. They are kept here and will be sent again.',
			noLongerAllowed: 'This device is no longer allowed to edit this space. Your changes are kept on this device only.',
			relayRefusedChange: (message: string) => `The relay refused a change (${message}). It is kept on this device.`,
			joinRefused: (message: string) => `Joining this space was refused: ${message}.`,
			membershipRefused: (message: string) => `A change to who is in this space was refused (${message}).`,
			relayBusy: 'The relay is busy just now. Hearth will try again in a moment.',
			relayMissing: 'Some changes to this document could not be fetched from the relay, even after several tries. Everything else is up to date. Please tell whoever runs your relay.',
			relayProblem: (message: string) => `The relay reported a problem: ${message}.`,
			noAccess: 'You do not have access to that part of the space',
			/** Said inside a sentence ("That did not work: …"). */
			removed: 'you were removed from this space, so nothing new can be added to it',
			cannotCheckInvitation: 'Hearth could not reach the relay to check this invitation. Check your connection and try again.',
			nobodyAccepted: 'Nobody has accepted that invitation yet',
			/** Said inside a sentence: letting someone in after their invitation expired (by this device's clock). */
			invitationRanOut: 'their invitation ran out before they were let in, so send them a new one',
			notInSpace: 'That person is not in this space',
			unknownSpace: 'This device does not know that space',
			cannotReachRelay: 'Hearth could not reach the relay. Check your connection and try again.',
			lostConnection: 'Hearth lost its connection. Try again.',
			hasIdentityLink: 'This device already has its own identity, so it cannot be linked to another. Use a new browser profile.',
			hasIdentityRecover: 'This device already has its own identity. Recover on a new browser profile or device.',
			noRecoveryCopy: 'No saved copy was found for that recovery key. Check it for typing mistakes.',
			linkSecondDevice:
				'Linking stopped: more than one device tried to use this link, so someone else may have seen it. Nothing was shared. Make a new link and keep it to yourself.',
			linkBadReveal: 'Linking stopped: the new device did not answer as it promised, so it may not be yours. Nothing was shared. Make a new link to try again.',
			linkNotWaiting: 'This link is no longer waiting for a device. Make a new link to try again.',
			linkStopped: 'Your other device stopped this link, so nothing was shared. Make a new link there and open it here.',
			cannotSaveProgress: (reason: string) => `This device could not save its sync progress (${reason}). Free some space; nothing was lost.`
		}
	},
	state: {
		appLock: {
			locked: 'Hearth is locked',
			alreadyOn: 'The app lock is already on',
			unlockFirst: 'Unlock Hearth first',
			passkeyNotAdded: 'The passkey could not be added',
			off: 'The app lock is off',
			/** Shown inside "Hearth could not start on this device … (…)". */
			damaged: 'the app lock settings on this device are damaged'
		},
		circle: {
			/** The names of the parts of a new circle's space and of a personal logbook's space. */
			everyoneInCircle: 'Everyone in the circle',
			myLogbook: 'My logbook',
			sharedWith: 'People I share it with',
			notInWiderCircle: 'You are not in the wider circle on this device, so you cannot share with it from here'
		},
		docState: {
			notChanged: 'The document could not be changed',
			/** A change refused because this person (or device) was removed from the document's space (said inside a sentence). */
			closed: 'you were removed from this team or space, so nothing new can be added to it'
		},
		support: {
			startProfile: 'Start your profile first.',
			notInCircle: 'You are not in that circle.',
			removedFromCircle: 'You were removed from that circle, so this device can no longer change or take back the copy of your profile there.',
			noCopyYet: 'This device has not received the circle’s copy of your profile yet. Try again in a moment.',
			onlyOwnerOrStarter: 'Only a Team Owner or Team Starter can post for a team.',
			callOutNotOpen: 'The call-out is not open on this device.',
			notInterested: 'They have not said they are interested.',
			teamNotHere: 'That team is not on this device.',
			noDevicesInCircle: 'Their devices could not be found in this circle.'
		},
		profile: {
			notReady: 'The profile has not arrived on this device yet.',
			notArrived: 'This part of the profile has not arrived on this device yet, so it can’t be shared from here. Try again when it has.'
		},
		team: {
			/** The name of a new team when none was given. */
			defaultName: 'Our team',
			noPlace: 'This team has no place for that yet',
			notReadable: 'The new document could not be read'
		},
		visitMedicine: {
			notHere: 'The medication record is not on this device yet.',
			noSuchMedicine: 'That medicine is no longer on the list.',
			monthNotOpened: 'The medication record for that month could not be opened.',
			chooseOutcome: 'Choose what happened with the dose (given, refused or not given) before recording it. Nothing was recorded.',
			notKept: (reason: string) =>
				`The dose is signed but not saved on this device yet: ${reason}. Hearth keeps trying by itself; please keep Hearth open, and don’t record the dose again.`,
			/** A draft's problem (model: marDraftProblem) as a sentence, when refusing to record a dose. */
			problem: (problem: string) => `${problem}.`
		},
		yourData: {
			/** A space whose name this device cannot read. */
			aSpace: 'A space'
		}
	}
};
