// Saves text as a file on the person's device (the browser's usual download), never uploading it.
export function download(filename: string, text: string, type: string): void {
	const url = URL.createObjectURL(new Blob([text], { type }));
	const a = document.createElement('a');
	a.href = url;
	a.download = filename;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "2026-11-25", for file names. */
export function today(): string {
	return new Date().toISOString().slice(0, 10);
}
