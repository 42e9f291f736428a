import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, describe, expect, test } from 'vitest'
import { dropSchema, POSTGRES_URL, queryPostgres, uniqueSchema } from '../support/postgres.js'
import { crashRounds, type LedgerState } from './support/crash-rounds.js'
import { seedFromEnv } from './support/prng.js'

const ROUNDS = 20
const dir = mkdtempSync(join(tmpdir(), 'awh-crash-'))
const sqlitePath = join(dir, 'ledger.db')
const schema = uniqueSchema()
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await dropSchema(schema)
})

// The two databases run side by side: each round mostly waits for a process to start and to be killed.
describe.concurrent('kill -9 under load', () => {
  test(`keeps every acknowledged grant exactly once through ${ROUNDS} kills at random moments (SQLite, both durability modes)`, async () => {
    const seed = seedFromEnv()
    console.log(`crash (SQLite): seed ${seed} (reproduce with FUZZ_SEED=${seed})`)
    // Odd rounds run with synchronous=FULL (fsync, the default), even ones with synchronous=NORMAL (process):
    // both promise that a kill -9 loses nothing acknowledged; only an OS crash tells them apart.
    const env = (round: number) => ({
      DATABASE_URL: `sqlite:${sqlitePath}`,
      SQLITE_DURABILITY: round % 2 === 1 ? 'fsync' : 'process',
    })
    const report = await crashRounds({ env, read: readSqlite }, { rounds: ROUNDS, seed })
    console.log(`crash (SQLite): ${JSON.stringify(report)}`)
    expect(report.acknowledged).toBeGreaterThanOrEqual(ROUNDS * 5)
    expect(report.duplicatesAnswered).toBeGreaterThan(ROUNDS)
  }, 180_000)

  test(`keeps every acknowledged grant exactly once through ${ROUNDS} kills at random moments (PostgreSQL)`, async () => {
    const seed = seedFromEnv()
    console.log(`crash (PostgreSQL): seed ${seed} (reproduce with FUZZ_SEED=${seed})`)
    const report = await crashRounds(
      { env: { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema }, read: readPostgres },
      { rounds: ROUNDS, seed },
    )
    console.log(`crash (PostgreSQL): ${JSON.stringify(report)}`)
    expect(report.acknowledged).toBeGreaterThanOrEqual(ROUNDS * 5)
    expect(report.duplicatesAnswered).toBeGreaterThan(ROUNDS)
  }, 180_000)
})

type Row = Record<string, unknown>

function ledgerState(history: Row[], inventory: Row[], keys: Row[]): LedgerState {
  return {
    history: history.map((row) => ({
      key: String(row.idempotency_key),
      playerId: String(row.player_id),
      sku: String(row.sku),
      quantity: Number(row.quantity),
      applied: Number(row.applied),
    })),
    inventory: inventory.map((row) => ({
      playerId: String(row.player_id),
      sku: String(row.sku),
      quantity: Number(row.quantity),
    })),
    keys: new Map(
      keys.map((row) => [
        String(row.key),
        { state: String(row.state), status: row.answer_status === null ? null : Number(row.answer_status) },
      ]),
    ),
  }
}

const HISTORY = 'SELECT idempotency_key, player_id, sku, quantity, applied FROM inventory_history'
const INVENTORY = 'SELECT player_id, sku, quantity FROM inventory'
const KEYS = 'SELECT key, state, answer_status FROM idempotency_keys'

async function readSqlite(): Promise<LedgerState> {
  const db = new DatabaseSync(sqlitePath)
  try {
    return ledgerState(db.prepare(HISTORY).all(), db.prepare(INVENTORY).all(), db.prepare(KEYS).all())
  } finally {
    db.close()
  }
}

async function readPostgres(): Promise<LedgerState> {
  return ledgerState(
    await queryPostgres(schema, HISTORY),
    await queryPostgres(schema, INVENTORY),
    await queryPostgres(schema, KEYS),
  )
}
