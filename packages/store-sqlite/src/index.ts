/**
 * `@aghanim-webhooks/store-sqlite`: a durable idempotency store and delivery log on Node's built-in SQLite
 * (`node:sqlite`: nothing to compile or download), with group commit.
 */

export {
  type DeliveryMinuteCount,
  type LegacyProgress,
  openSqliteDeliveryFiles,
  SqliteDeliveryFiles,
  type SqliteDeliveryFilesOptions,
} from './delivery-files/delivery-files.js'
export type { SqliteMigration } from './migrate.js'
export { openSqliteStore, type SqliteStoreOptions } from './open-sqlite-store.js'
export { type SqliteDurability, SqliteStore, type SqliteTx } from './sqlite-store.js'
