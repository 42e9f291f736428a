import { openPostgresStore, type PostgresStore } from '@aghanim-webhooks/store-postgres'
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'

/** The machine's PostgreSQL. Tests fail (never skip) when it is down. */
export const connectionString = process.env.AWH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A schema name no concurrent test (of this or another engineer's suite) uses. */
export function uniqueSchema(label: string): string {
  return `awh_${label}_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`
}

/** Runs one statement on a short-lived connection. */
export async function admin<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  values: unknown[] = [],
) {
  const client = new pg.Client({ connectionString })
  await client.connect()
  try {
    return (await client.query<Row>(sql, values)).rows
  } finally {
    await client.end()
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
}

/**
 * A store on a schema of its own for one test file: opened before its tests, closed and dropped after them.
 * `store()` is the open store; `schema` its schema, for statements of the test's own.
 */
export function useSchemaStore(label: string): { schema: string; store: () => PostgresStore } {
  const schema = uniqueSchema(label)
  let store: PostgresStore | undefined
  beforeAll(async () => {
    store = await openPostgresStore({ connectionString, schema, poolSize: 2 })
  })
  afterAll(async () => {
    await store?.close()
    await dropSchema(schema)
  })
  return {
    schema,
    store: () => {
      if (!store) throw new Error('The store opens before the tests.')
      return store
    },
  }
}
