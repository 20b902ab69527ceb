// Structured logs: one JSON object per line on stderr. Callers pass event names and numbers
// only: never content, names, titles, IP addresses or document or space ids.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (event: string, fields?: Record<string, unknown>, level?: LogLevel) => void;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function jsonLogger(minLevel: LogLevel, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): LogFn {
	return (event, fields = {}, level = 'info') => {
		if (ORDER[level] < ORDER[minLevel]) return;
		write(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }));
	};
}
