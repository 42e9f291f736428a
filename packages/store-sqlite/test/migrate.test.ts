import { openSqliteStore } from '@aghanim-webhooks/store-sqlite'
import { afterAll, describe, expect, test } from 'vitest'
import { storeMigrations } from '../src/schema.js'
import { tempDirectory } from './temp-db.js'

const temp = tempDirectory('sqlite-migrate')
afterAll(() => temp.remove())

const tables = (store: ReturnType<typeof openSqliteStore>) =>
  store.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all()
    .map((row) => row.name)

describe('SqliteStore.migrate', () => {
  test('opening creates the store tables and records their migration', async () => {
    const store = openSqliteStore({ path: temp.file() })
    try {
      expect(tables(store)).toEqual(['delivery_log', 'idempotency_keys', 'schema_migrations'])
      expect(store.db.prepare('SELECT scope, version FROM schema_migrations').all()).toEqual(
        storeMigrations.map((_, index) => ({ scope: 'aghanim-webhooks/store', version: index + 1 })),
      )
    } finally {
      await store.close()
    }
  })

  test('applies a scope once, and only the migrations appended since on the next run', async () => {
    const path = temp.file()
    const ledger = ['CREATE TABLE players (player_id TEXT PRIMARY KEY)']
    const store = openSqliteStore({ path })
    expect(await store.migrate('ledger', ledger)).toBe(1)
    expect(await store.migrate('ledger', ledger)).toBe(0)
    await store.close()
    const reopened = openSqliteStore({ path })
    try {
      const grown = [
        ...ledger,
        (db: import('node:sqlite').DatabaseSync) => db.exec("INSERT INTO players VALUES ('p1')"),
      ]
      expect(await reopened.migrate('ledger', grown)).toBe(1)
      expect(reopened.db.prepare('SELECT player_id FROM players').all()).toEqual([{ player_id: 'p1' }])
      expect(
        reopened.db.prepare("SELECT version FROM schema_migrations WHERE scope = 'ledger'").all(),
      ).toEqual([{ version: 1 }, { version: 2 }])
    } finally {
      await reopened.close()
    }
  })

  test('scopes number their migrations independently', async () => {
    const store = openSqliteStore({ path: temp.file() })
    try {
      expect(await store.migrate('a', ['CREATE TABLE a1 (x)', 'CREATE TABLE a2 (x)'])).toBe(2)
      expect(await store.migrate('b', ['CREATE TABLE b1 (x)'])).toBe(1)
      expect(tables(store)).toEqual([
        'a1',
        'a2',
        'b1',
        'delivery_log',
        'idempotency_keys',
        'schema_migrations',
      ])
    } finally {
      await store.close()
    }
  })

  test('a failing migration rolls back the whole run, recording nothing', async () => {
    const store = openSqliteStore({ path: temp.file() })
    try {
      const error = await store
        .migrate('broken', ['CREATE TABLE fine (x)', 'CREATE TABLE oops ('])
        .catch((reason: Error) => reason)
      expect(error instanceof Error).toBe(true)
      expect(tables(store).includes('fine')).toBe(false)
      expect(
        store.db.prepare("SELECT count(*) AS n FROM schema_migrations WHERE scope = 'broken'").get()?.n,
      ).toBe(0)
      expect(await store.migrate('broken', ['CREATE TABLE fine (x)'])).toBe(1)
    } finally {
      await store.close()
    }
  })
})
