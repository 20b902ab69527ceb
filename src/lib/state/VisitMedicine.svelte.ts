// The rota's view of the medication record: which doses fell due during a visit and still
// have no outcome (a visit can't be marked done until they do), and recording an outcome for
// one of them, signed by this device. This is the only place the rota reads or writes the
// MAR, so a change in how the MAR is stored is adapted here alone. The medicines list is
// `TeamState.mar`; the entries are in one log per month (by the dose's date, `marPeriodOf`),
// so a visit reads the logs of the months its window touches.
import { cryptoReady } from '$lib/crypto';
import { monthOf, type IsoDate, type IsoMonth, type TimeOfDay } from '$lib/model/calendar';
import { OK, randomId, refuse, type PersonKey, type Result } from '$lib/model/ids';
import {
	appendMarEntry, canCompleteVisit, isMarRecord, localDateTime, marDraftProblem, marPeriodOf, signMarEntry, trustedEntries, verifyMarLog,
	type DueDose, type MarEntry, type MarEntryId, type MarOutcome, type MarRecord
} from '$lib/model/mar';
import type { Occurrence } from '$lib/model/rota';
import { localTime, localToday } from '$lib/model/teamSpace';
import { visitWindow } from '$lib/model/visitMedicine';
import { words } from '$lib/words';
import type { HearthApp } from './HearthApp.svelte';
import type { TeamState } from './TeamState.svelte';
import { whyNotSaved } from './whyNotSaved';

const msg = words.messages.state.visitMedicine;

/**
 * no-access: this person holds no key to care records, so nothing can be checked (said plainly).
 * waiting: the record has not arrived on this device yet, or its signatures are being checked.
 * clear: every dose due during the visit has an outcome. due: these doses have none yet.
 */
export type DoseCheck = { kind: 'no-access' } | { kind: 'waiting' } | { kind: 'clear' } | { kind: 'due'; due: DueDose[] };

export class VisitMedicine {
	readonly #app: HearthApp;
	readonly #team: TeamState;
	#cryptoReady = $state(false);

	/**
	 * The trusted entries of some months' logs (and of the medicines list's own log, from before
	 * months were split). Only entries whose signatures hold count: an altered entry must never
	 * make a dose look given. Undefined until every log asked for is loaded.
	 */
	#trusted(months: IsoMonth[]): MarEntry[] | undefined {
		if (!this.#cryptoReady || !this.#team.allLoaded('mar', months)) return undefined;
		return this.#team.inMonths('mar', months, isMarRecord).flatMap((s) => (s.doc ? this.#trustedIn(s.doc) : []));
	}

	/**
	 * Every visit card asks, so each log is checked once per version: an Automerge document is
	 * a new object after every change, which makes it a safe key.
	 */
	readonly #checked = new WeakMap<MarRecord, MarEntry[]>();

	#trustedIn(log: MarRecord): MarEntry[] {
		let entries = this.#checked.get(log);
		if (!entries) {
			entries = trustedEntries(log, verifyMarLog(log, { verified: this.#app.verifiedMar }));
			this.#checked.set(log, entries);
		}
		return entries;
	}

	constructor(app: HearthApp, team: TeamState) {
		this.#app = app;
		this.#team = team;
		void cryptoReady().then(() => (this.#cryptoReady = true));
	}

	check(o: Occurrence): DoseCheck {
		if (!this.#team.canRead('care-records')) return { kind: 'no-access' };
		const medicines = this.#team.mar?.doc?.medicines;
		const window = visitWindow(o);
		const months = [...new Set([window.from, window.to].map((t) => monthOf(t.slice(0, 10) as IsoDate)))];
		const entries = this.#trusted(months);
		if (!medicines || !entries) return { kind: 'waiting' };
		const verdict = canCompleteVisit(medicines, entries, window);
		return verdict.ok ? { kind: 'clear' } : { kind: 'due', due: verdict.due };
	}

	/**
	 * Records what happened with one due dose, now, signed by this device. Never edits an entry.
	 * The outcome is the person's own choice: with none, nothing is recorded. Resolves once the
	 * entry is on this device's disk; if storage refuses it, the refusal says so (the entry is
	 * signed and in this window, and Hearth keeps trying to write it).
	 */
	async record(dose: DueDose, outcome: Exclude<MarOutcome, 'in-error'> | undefined, reason: string): Promise<Result> {
		if (outcome !== 'given' && outcome !== 'refused' && outcome !== 'not-given') return refuse(msg.chooseOutcome);
		const doc = this.#team.mar?.doc;
		const me = this.#app.personKey() as PersonKey | undefined;
		if (!doc || !me) return refuse(msg.notHere);
		const medicine = doc.medicines[dose.medicine];
		if (!medicine) return refuse(msg.noSuchMedicine);
		const draft = {
			id: randomId() as MarEntryId,
			medicine: medicine.id,
			medicineName: medicine.name,
			dose: medicine.dose,
			outcome,
			reason: reason.trim() || null,
			due: dose.due,
			at: localDateTime(localToday(), localTime() as TimeOfDay),
			author: me,
			corrects: null
		};
		const problem = marDraftProblem(draft);
		if (problem) return refuse(msg.problem(problem));
		await cryptoReady();
		const month = await this.#team.forMonth('mar', marPeriodOf(draft), isMarRecord);
		const log = month.doc;
		if (!log) return refuse(msg.monthNotOpened);
		const entry = signMarEntry(this.#app.engine.device, draft, log);
		month.change((d) => appendMarEntry(d, entry));
		try {
			await month.saved();
		} catch (e) {
			return refuse(msg.notKept(whyNotSaved(e)));
		}
		return OK;
	}
}
