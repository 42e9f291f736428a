import type { PoolClient } from 'pg'

/** What a function migration receives: a client inside the migration transaction, and the schema. */
export interface PostgresMigrationContext {
  client: PoolClient
  schema: string
}

/**
 * One schema change: SQL (several statements allowed; unqualified names land in the store's schema) or an
 * async function.
 */
export type PostgresMigration = string | ((context: PostgresMigrationContext) => Promise<void>)

/**
 * Applies the migrations of `scope` not yet applied in `schema`, numbered by position (append-only lists),
 * in one transaction behind a transaction-scoped advisory lock: instances starting together queue on the lock
 * and the later ones find the work done. Internal: use `PostgresStore.migrate`.
 */
export async function migrate(
  client: PoolClient,
  schema: string,
  quoted: string,
  scope: string,
  migrations: readonly PostgresMigration[],
  now: number,
): Promise<number> {
  await client.query('BEGIN')
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `aghanim-webhooks:migrate:${schema}`,
    ])
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`)
    await client.query(`SET LOCAL search_path TO ${quoted}, public`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
      scope text NOT NULL,
      version integer NOT NULL,
      applied_at bigint NOT NULL,
      PRIMARY KEY (scope, version)
    )`)
    const { rows } = await client.query<{ version: number }>(
      `SELECT coalesce(max(version), 0)::integer AS version FROM ${quoted}.schema_migrations WHERE scope = $1`,
      [scope],
    )
    const applied = rows[0]?.version ?? 0
    for (let version = applied + 1; version <= migrations.length; version += 1) {
      const migration = migrations[version - 1]!
      if (typeof migration === 'string') await client.query(migration)
      else await migration({ client, schema })
      await client.query(
        `INSERT INTO ${quoted}.schema_migrations (scope, version, applied_at) VALUES ($1, $2, $3)`,
        [scope, version, now],
      )
    }
    await client.query('COMMIT')
    return Math.max(0, migrations.length - applied)
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  }
}
