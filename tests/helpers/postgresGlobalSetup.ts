// Vitest global setup for the `relay-postgres` project: one PostgreSQL server for the whole
// run; every relay a test starts gets a fresh database on it (see relayProcess.ts).
import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresProcess } from './postgresProcess';

declare module 'vitest' {
	export interface ProvidedContext {
		hearthPostgres: { url: string; port: number; dataDir: string };
	}
}

let server: PostgresProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
	server = await startPostgres();
	project.provide('hearthPostgres', { url: server.url, port: server.port, dataDir: server.dataDir });
}

export async function teardown(): Promise<void> {
	server?.remove();
}
