// The relay's storage was last written by a newer relay than this one. Its schema may hold
// tables, columns or rules this code knows nothing about, so writing into it could corrupt
// data the newer relay relies on: this relay refuses to start instead, having changed nothing.
export class SchemaTooNewError extends Error {
	override readonly name = 'SchemaTooNewError';

	constructor(
		readonly storage: 'SQLite' | 'PostgreSQL',
		/** The schema version the storage records. */
		readonly found: number,
		/** The newest schema version this relay knows. */
		readonly known: number
	) {
		super(
			`its ${storage} data has schema version ${found}, made by a newer version of Hearth’s relay than this one (which knows versions up to ${known}). ` +
				'Nothing was changed. Upgrade Hearth’s relay to the version that last ran on this data, or restore a backup made for this version (see sync-server/README.md, "Backups").'
		);
	}
}
