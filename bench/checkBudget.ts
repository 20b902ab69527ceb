// Runs after `vite build` (see package.json "build"): prints the first-visit size and exits
// with an error when it is over the budget in bench/bundleBudget.ts, failing the build.
import { resolve } from 'node:path';
import { checkBudget, formatReport, measureBuild } from './bundleBudget';

const dir = resolve(import.meta.dirname, '..', process.argv[2] ?? 'build');
const report = checkBudget(measureBuild(dir));
console.log(formatReport(report));
if (!report.ok) process.exit(1);
