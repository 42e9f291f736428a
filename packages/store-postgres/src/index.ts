/**
 * `@aghanim-webhooks/store-postgres`: the idempotency store and delivery log on PostgreSQL (`pg`), for
 * several instances sharing one database.
 */
export {
  type CompletionSql,
  type CompletionStatement,
  completionStatement,
} from './completion-statement.js'
export type { PostgresMigration, PostgresMigrationContext } from './migrate.js'
export { openPostgresStore, type PostgresStoreOptions } from './open-postgres-store.js'
export { PostgresStore, type PostgresTx } from './postgres-store.js'
