import { openPostgresStore } from '@aghanim-webhooks/store-postgres'
import { afterAll, describe, expect, test } from 'vitest'
import { storeMigrations } from '../src/schema.js'
import { admin, connectionString, dropSchema, uniqueSchema } from './database.js'

const schemas: string[] = []
afterAll(() => Promise.all(schemas.map(dropSchema)))
const fresh = (label: string) => {
  const schema = uniqueSchema(label)
  schemas.push(schema)
  return schema
}
const versions = (schema: string, scope: string) =>
  admin<{ version: number }>(
    `SELECT version FROM "${schema}".schema_migrations WHERE scope = $1 ORDER BY version`,
    [scope],
  )

describe('PostgresStore.migrate', () => {
  test('six instances starting together on a new schema apply each migration exactly once', async () => {
    const schema = fresh('race')
    const ledger = ['CREATE TABLE runs (n integer NOT NULL)', 'INSERT INTO runs (n) VALUES (1)']
    const stores = await Promise.all(
      Array.from({ length: 6 }, () => openPostgresStore({ connectionString, schema, poolSize: 1 })),
    )
    try {
      const applied = await Promise.all(stores.map((store) => store.migrate('ledger', ledger)))
      expect(applied.sort()).toEqual([0, 0, 0, 0, 0, 2])
      expect(await admin(`SELECT n FROM "${schema}".runs`)).toEqual([{ n: 1 }])
      expect(await versions(schema, 'aghanim-webhooks/store')).toEqual(
        storeMigrations.map((_, index) => ({ version: index + 1 })),
      )
    } finally {
      await Promise.all(stores.map((store) => store.close()))
    }
  })

  test('applies only the migrations appended since the last run; SQL lands in the schema', async () => {
    const schema = fresh('append')
    const store = await openPostgresStore({ connectionString, schema, poolSize: 1 })
    try {
      const ledger = ['CREATE TABLE players (player_id text PRIMARY KEY)']
      expect(await store.migrate('ledger', ledger)).toBe(1)
      const grown = [
        ...ledger,
        async ({ client }: { client: import('pg').PoolClient }) =>
          void (await client.query("INSERT INTO players VALUES ('p1')")),
      ]
      expect(await store.migrate('ledger', grown)).toBe(1)
      expect(await store.migrate('ledger', grown)).toBe(0)
      expect(await admin(`SELECT player_id FROM "${schema}".players`)).toEqual([{ player_id: 'p1' }])
      expect(await versions(schema, 'ledger')).toEqual([{ version: 1 }, { version: 2 }])
    } finally {
      await store.close()
    }
  })

  test('a failing migration rolls back the whole run, recording nothing', async () => {
    const schema = fresh('broken')
    const store = await openPostgresStore({ connectionString, schema, poolSize: 1 })
    try {
      const error = await store
        .migrate('broken', ['CREATE TABLE fine (x int)', 'CREATE TABLE oops ('])
        .catch((reason: Error) => reason)
      expect(error instanceof Error).toBe(true)
      expect(await admin('SELECT to_regclass($1) AS t', [`"${schema}".fine`])).toEqual([{ t: null }])
      expect(await versions(schema, 'broken')).toEqual([])
      expect(await store.migrate('broken', ['CREATE TABLE fine (x int)'])).toBe(1)
    } finally {
      await store.close()
    }
  })
})
