// Reads what someone typed as pounds and pence ("12.5", "£12.50", "12") as whole pence,
// without floating point. Null when it is not a plain amount.
export function parsePounds(text: string): number | null {
	const m = /^£?\s*(\d{1,7})(?:\.(\d{1,2}))?$/.exec(text.trim().replace(/,/g, ''));
	if (!m) return null;
	const pence = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
	return Number.isSafeInteger(pence) ? pence : null;
}
