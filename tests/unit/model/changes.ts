// Test helpers for changes that return a Result: run one inside a real Automerge change and
// check that it was allowed, or refused without touching the document.
import { expect } from 'vitest';
import * as A from '@automerge/automerge';
import type { Result } from '$lib/model/ids';

/** Applies a change that must be allowed, failing the test with its reason if not. */
export function act<T>(doc: A.Doc<T>, change: (d: T) => Result): A.Doc<T> {
	let result: Result = { ok: false, error: 'not run' };
	const next = A.change(doc, (d) => {
		result = change(d as T);
	});
	expect(result).toEqual({ ok: true });
	return next;
}

/** Applies a change that must be refused; returns its reason, having checked nothing changed. */
export function refused<T>(doc: A.Doc<T>, change: (d: T) => Result): string {
	let result: Result = { ok: true };
	const next = A.change(doc, (d) => {
		result = change(d as T);
	});
	// Assigned inside the callback, which TypeScript's narrowing cannot see.
	const answer = result as Result;
	expect(answer.ok).toBe(false);
	expect(A.getHeads(next)).toEqual(A.getHeads(doc));
	return answer.ok ? '' : answer.error;
}
