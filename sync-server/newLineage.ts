import { randomBytes } from 'node:crypto';

/** A fresh storage lineage (see RelayStore.lineage): random, so it says nothing about the relay or its data. */
export function newLineage(): string {
	return randomBytes(12).toString('base64url');
}
