import type { Database } from 'better-sqlite3'

// Step attachments of workflow runs (a configuration backup, a label photo) live in the
// ticket's evidence vault (issue 5): each workflow file row points at its evidence row.
// Rows written before this migration have no evidence row yet; the workflow service moves
// their files from <dataDir>/workflows into the vault at start-up (electron/workflows/
// attachments.ts, importLegacyFiles) and fills evidence_id then. A password-protected copy
// stays encrypted on disk and the vault records it by reference (hash of the plain file).
export function up(db: Database): void {
  db.exec(`
    ALTER TABLE workflow_files ADD COLUMN evidence_id INTEGER REFERENCES evidence (id);
    CREATE INDEX workflow_files_unfiled ON workflow_files (evidence_id) WHERE evidence_id IS NULL;
  `)
}
