// Tables the server derives from others so that reading them never scans the source on the event loop: the
// chart's per-minute delivery counts (kept as deliveries are logged, pruned with the log) and player.lookup's
// index of custom attributes (kept by triggers). Each is filled from existing data by its migration.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deliveryInput } from 'aghanim-webhooks/testing'
import { afterAll, describe, expect, test } from 'vitest'
import type { DatabaseConfig } from '../src/config/database-url.js'
import { openDatabase } from '../src/database/open-database.js'
import { LEDGER_SCOPE, type MinuteCount, type ServerDatabase } from '../src/database/server-database.js'
import { postgresLedgerMigrations } from '../src/ledger/postgres-schema.js'
import { sqliteLedgerMigrations } from '../src/ledger/sqlite-schema.js'
import { dropSchema, POSTGRES_URL, rawSql, uniqueSchema } from './support/postgres.js'

/** Opens a fresh database again and again (same file or schema), and runs raw SQL on it. */
interface Backend {
  open(): Promise<ServerDatabase>
  /** The backend's ledger migrations, to find the version of the one a test un-applies. */
  migrations: readonly unknown[]
  /** Removes what the player_lookup migration created. */
  undoLookup: string
  sql(database: ServerDatabase, text: string): Promise<void>
}

const dir = mkdtempSync(join(tmpdir(), 'awh-stats-'))
const schemas: string[] = []
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await Promise.all(schemas.map(dropSchema))
})

let files = 0
const backends: [string, () => Backend][] = [
  [
    'SQLite',
    () => {
      const config: DatabaseConfig = {
        kind: 'sqlite',
        path: join(dir, `stats-${++files}.db`),
        durability: 'process',
      }
      return {
        open: () => openDatabase(config, Date.now),
        migrations: sqliteLedgerMigrations,
        undoLookup: `DROP TRIGGER players_lookup_insert; DROP TRIGGER players_lookup_update;
          DROP TRIGGER players_lookup_delete; DROP TABLE player_lookup`,
        sql: rawSql(config),
      }
    },
  ],
  [
    'PostgreSQL',
    () => {
      const schema = uniqueSchema()
      schemas.push(schema)
      const config: DatabaseConfig = { kind: 'postgres', connectionString: POSTGRES_URL, schema }
      return {
        open: () => openDatabase(config, Date.now),
        migrations: postgresLedgerMigrations,
        undoLookup: `DROP TRIGGER players_lookup ON players; DROP FUNCTION players_lookup_refresh();
          DROP FUNCTION player_lookup_rows(jsonb); DROP TABLE player_lookup`,
        sql: rawSql(config),
      }
    },
  ],
]

/**
 * Makes the database look as if the migration that creates `table` never ran, nor any after it: the migration
 * system runs only versions above the highest applied. Undoes the derived tables' migrations, newest first.
 */
async function unapplyFrom(
  backend: Backend,
  database: ServerDatabase,
  table: 'delivery_stats' | 'player_lookup',
) {
  const version =
    backend.migrations.findIndex(
      (migration) => typeof migration === 'string' && migration.includes(`CREATE TABLE ${table}`),
    ) + 1
  const undo = { player_lookup: backend.undoLookup, delivery_stats: 'DROP TABLE delivery_stats' }
  const order = ['player_lookup', 'delivery_stats'] as const
  const undone = order.slice(0, order.indexOf(table) + 1).map((name) => undo[name])
  await backend.sql(
    database,
    `${undone.join(';\n')};
     DELETE FROM schema_migrations WHERE scope = '${LEDGER_SCOPE}' AND version >= ${version}`,
  )
}

const MINUTE = 60_000
const byMinuteAndOutcome = (rows: MinuteCount[]) =>
  rows.toSorted((a, b) => a.minute - b.minute || a.outcome.localeCompare(b.outcome))
const T = 1_800_000_000_000

const delivery = (receivedAt: number, outcome: string) => deliveryInput({ receivedAt, outcome })

describe.each(backends)('delivery stats on %s', (_name, backend) => {
  test('each logged batch adds to its minutes and outcomes, a window reads only its minutes, retention forgets', async () => {
    const database = await backend().open()
    try {
      await database.deliveries.appendMany([
        delivery(T, 'ok'),
        delivery(T + 1, 'ok'),
        delivery(T + 2, 'ok'),
        delivery(T + MINUTE, 'ok'),
      ])
      await database.deliveries.appendMany([
        delivery(T + 3, 'ok'),
        delivery(T + 4, 'ok'),
        delivery(T + 5, 'signature_mismatch'),
      ])
      expect(byMinuteAndOutcome(await database.deliveryStats(T, T + MINUTE))).toEqual([
        { minute: T, outcome: 'ok', count: 5 },
        { minute: T, outcome: 'signature_mismatch', count: 1 },
      ])
      expect(await database.deliveryStats(T + MINUTE, T + 2 * MINUTE)).toEqual([
        { minute: T + MINUTE, outcome: 'ok', count: 1 },
      ])
      expect(await database.deliveries.prune(T + MINUTE)).toBe(6)
      expect(await database.deliveryStats(T, T + 2 * MINUTE)).toEqual([
        { minute: T + MINUTE, outcome: 'ok', count: 1 },
      ])
    } finally {
      await database.close()
    }
  })
})

// SQLite's counts live with its delivery log's own files, which move an older log's counts with it
// (delivery-log-move.test.ts).
describe.each(backends.filter(([name]) => name === 'PostgreSQL'))(
  'delivery stats migration on %s',
  (_name, backend) => {
    test('the migration fills the counts from the delivery log that is already there', async () => {
      const target = backend()
      const first = await target.open()
      await first.deliveries.appendMany([
        delivery(T + 5, 'ok'),
        delivery(T + 59_999, 'ok'),
        delivery(T + MINUTE, 'signature_mismatch'),
      ])
      // As a database from before the counts existed: no table, and its migration not applied.
      await unapplyFrom(target, first, 'delivery_stats')
      await first.close()
      const reopened = await target.open()
      try {
        const counts = await reopened.deliveryStats(T, T + 2 * MINUTE)
        expect(byMinuteAndOutcome(counts)).toEqual([
          { minute: T, outcome: 'ok', count: 2 },
          { minute: T + MINUTE, outcome: 'signature_mismatch', count: 1 },
        ])
      } finally {
        await reopened.close()
      }
    })
  },
)

describe.each(backends)('player.lookup index on %s', (_name, backend) => {
  const ids = (players: { player_id: string }[]) => players.map((player) => player.player_id)

  test('follows every change of a custom attribute, and finds numbers and booleans as text', async () => {
    const database = await backend().open()
    try {
      const { ledger } = database
      await ledger.upsertPlayer('p2', { custom_attributes: { account_id: 'acc-2', level: 12, vip: true } })
      expect(ids(await ledger.lookupPlayers({ account_id: 'acc-2', level: '12' }))).toEqual(['p2'])
      expect(ids(await ledger.lookupPlayers({ vip: 'true' }))).toEqual(['p2'])
      expect(await ledger.lookupPlayers({ vip: '1' })).toEqual([])
      await ledger.upsertPlayer('p2', { custom_attributes: { account_id: 'acc-3' } })
      expect(await ledger.lookupPlayers({ account_id: 'acc-2' })).toEqual([])
      expect(await ledger.lookupPlayers({ level: '12' })).toEqual([])
      expect(ids(await ledger.lookupPlayers({ account_id: 'acc-3' }))).toEqual(['p2'])
      // By id: a player whose id is the given account_id, whatever its attributes.
      await ledger.upsertPlayer('acc-4', {})
      expect(ids(await ledger.lookupPlayers({ account_id: 'acc-4' }))).toEqual(['acc-4'])
    } finally {
      await database.close()
    }
  })

  test('the migration fills the index from the players that are already there', async () => {
    const target = backend()
    const first = await target.open()
    await first.ledger.upsertPlayer('p9', { custom_attributes: { account_id: 'acc-9' } })
    await unapplyFrom(target, first, 'player_lookup')
    await first.close()
    const reopened = await target.open()
    try {
      expect(ids(await reopened.ledger.lookupPlayers({ account_id: 'acc-9' }))).toEqual(['p9'])
    } finally {
      await reopened.close()
    }
  })
})
