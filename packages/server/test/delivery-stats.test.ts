// The chart's per-minute counts: kept as deliveries are logged (reading them never aggregates the whole
// delivery log on the event loop), pruned with the log, and filled from an existing log by their migration.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DeliveryInput } from 'aghanim-webhooks'
import { afterAll, describe, expect, test } from 'vitest'
import type { DatabaseConfig } from '../src/config/database-url.js'
import { openDatabase } from '../src/database/open-database.js'
import { LEDGER_SCOPE, type MinuteCount, type ServerDatabase } from '../src/database/server-database.js'
import { postgresLedgerMigrations } from '../src/ledger/postgres-schema.js'
import { sqliteLedgerMigrations } from '../src/ledger/sqlite-schema.js'
import { dropSchema, POSTGRES_URL, queryPostgres, uniqueSchema } from './support/postgres.js'

/** Opens a fresh database again and again (same file or schema), and runs raw SQL on it. */
interface Backend {
  open(): Promise<ServerDatabase>
  /** How many ledger migrations the backend has: the counts' migration is the last. */
  migrations: number
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
        migrations: sqliteLedgerMigrations.length,
        sql: async (database, text) => {
          ;(database.store as unknown as { db: { exec(sql: string): void } }).db.exec(text)
        },
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
        migrations: postgresLedgerMigrations.length,
        sql: async (_database, text) => {
          await queryPostgres(schema, text)
        },
      }
    },
  ],
]

const MINUTE = 60_000
const byMinuteAndOutcome = (rows: MinuteCount[]) =>
  rows.toSorted((a, b) => a.minute - b.minute || a.outcome.localeCompare(b.outcome))
const T = 1_800_000_000_000

function delivery(receivedAt: number, outcome: string): DeliveryInput {
  return {
    receivedAt,
    method: 'POST',
    path: '/webhook',
    headers: {},
    body: null,
    outcome,
    eventId: null,
    eventType: null,
    key: null,
    playerId: null,
    status: outcome === 'ok' ? 200 : 403,
    responseBody: '{}',
    durationMs: 1,
    attempt: 1,
    duplicate: false,
    replayOf: null,
  }
}

describe.each(backends)('delivery stats on %s', (_name, backend) => {
  test('counts add up per minute and outcome, and a window reads only its minutes', async () => {
    const database = await backend().open()
    try {
      await database.countDeliveries([
        { minute: T, outcome: 'ok', count: 3 },
        { minute: T + MINUTE, outcome: 'ok', count: 1 },
      ])
      await database.countDeliveries([
        { minute: T, outcome: 'ok', count: 2 },
        { minute: T, outcome: 'signature_mismatch', count: 1 },
      ])
      expect(byMinuteAndOutcome(await database.deliveryStats(T, T + MINUTE))).toEqual([
        { minute: T, outcome: 'ok', count: 5 },
        { minute: T, outcome: 'signature_mismatch', count: 1 },
      ])
      expect(await database.deliveryStats(T + MINUTE, T + 2 * MINUTE)).toEqual([
        { minute: T + MINUTE, outcome: 'ok', count: 1 },
      ])
      expect(await database.pruneDeliveryStats(T + MINUTE)).toBe(2)
      expect(await database.deliveryStats(T, T + 2 * MINUTE)).toEqual([
        { minute: T + MINUTE, outcome: 'ok', count: 1 },
      ])
    } finally {
      await database.close()
    }
  })

  test('the migration fills the counts from the delivery log that is already there', async () => {
    const target = backend()
    const first = await target.open()
    await first.deliveries.appendMany([
      delivery(T + 5, 'ok'),
      delivery(T + 59_999, 'ok'),
      delivery(T + MINUTE, 'signature_mismatch'),
    ])
    // As a database from before the counts existed: no table, and its migration not applied.
    await target.sql(
      first,
      `DROP TABLE delivery_stats;
       DELETE FROM schema_migrations WHERE scope = '${LEDGER_SCOPE}' AND version = ${target.migrations}`,
    )
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
})
