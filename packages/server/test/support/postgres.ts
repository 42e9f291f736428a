import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { DatabaseConfig } from '../../src/config/database-url.js'
import type { ServerDatabase } from '../../src/database/server-database.js'

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A unique schema per test file, so concurrently running tests never see each other's rows. */
export function uniqueSchema(): string {
  return `awh_${randomBytes(6).toString('hex')}`
}

/** Drops the schema (and everything in it) at the end of a test file. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}

/** Runs one query in the test schema (for assertions on the ledger's tables). */
export async function queryPostgres(
  schema: string,
  text: string,
  values: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    await client.query(`SET search_path TO "${schema}"`)
    return (await client.query(text, values)).rows
  } finally {
    await client.end()
  }
}

/**
 * Raw SQL on an open server database, for tests that rewind or damage its schema: on SQLite through the
 * database's own connection, on PostgreSQL in its schema.
 */
export function rawSql(config: DatabaseConfig): (database: ServerDatabase, text: string) => Promise<void> {
  if (config.kind === 'postgres')
    return async (_database, text) => {
      await queryPostgres(config.schema, text)
    }
  return async (database, text) => {
    ;(database.store as unknown as { db: { exec(sql: string): void } }).db.exec(text)
  }
}
