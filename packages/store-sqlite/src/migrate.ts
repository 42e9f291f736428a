import type { DatabaseSync } from 'node:sqlite'

/** One schema change: SQL (may hold several statements) or a synchronous function of the connection. */
export type SqliteMigration = string | ((db: DatabaseSync) => void)

/**
 * Applies the migrations of `scope` that this database has not seen yet. A migration's number is its position
 * in the list (1-based), so lists are append-only: never reorder, edit or remove a released migration.
 * Everything runs in one IMMEDIATE transaction, so two processes opening the same file at once serialise on
 * SQLite's write lock and the second finds the work done. Internal: use `SqliteStore.migrate`.
 */
export function migrate(
  db: DatabaseSync,
  scope: string,
  migrations: readonly SqliteMigration[],
  now: number,
): number {
  db.exec('BEGIN IMMEDIATE')
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      scope TEXT NOT NULL,
      version INTEGER NOT NULL,
      applied_at INTEGER NOT NULL,
      PRIMARY KEY (scope, version)
    )`)
    const row = db
      .prepare('SELECT coalesce(max(version), 0) AS version FROM schema_migrations WHERE scope = ?')
      .get(scope)
    const applied = Number(row?.version ?? 0)
    const record = db.prepare('INSERT INTO schema_migrations (scope, version, applied_at) VALUES (?, ?, ?)')
    for (let version = applied + 1; version <= migrations.length; version += 1) {
      const migration = migrations[version - 1]!
      if (typeof migration === 'string') db.exec(migration)
      else migration(db)
      record.run(scope, version, now)
    }
    db.exec('COMMIT')
    return Math.max(0, migrations.length - applied)
  } catch (error) {
    if ((db as { isTransaction?: boolean }).isTransaction !== false) db.exec('ROLLBACK')
    throw error
  }
}
