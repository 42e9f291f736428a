import type { DatabaseConfig } from '../config/database-url.js'
import type { DatabaseEvents, ServerDatabase } from './server-database.js'

const QUIET: DatabaseEvents = { info() {}, warn() {} }

/**
 * Opens the configured database and applies the ledger's migrations. Each driver is imported only when used, so
 * an SQLite start never loads `pg` (start-up time). Internal.
 */
export async function openDatabase(
  config: DatabaseConfig,
  now: () => number,
  events: DatabaseEvents = QUIET,
): Promise<ServerDatabase> {
  if (config.kind === 'sqlite') {
    const { openSqliteDatabase } = await import('./open-sqlite.js')
    return (await openSqliteDatabase({
      path: config.path,
      durability: config.durability,
      now,
      events,
    })) as ServerDatabase
  }
  const { openPostgresDatabase } = await import('./open-postgres.js')
  return (await openPostgresDatabase({
    connectionString: config.connectionString,
    schema: config.schema,
    queryTimeoutMs: config.queryTimeoutMs,
    now,
    events,
  })) as ServerDatabase
}
