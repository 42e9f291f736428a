// Retention deletes in bounded chunks, each its own group commit: a week's backlog must not hold the event
// loop (and every webhook with it) for one long DELETE.
import { openSqliteStore, type SqliteStore } from '@aghanim-webhooks/store-sqlite'
import { deliveryInput } from 'aghanim-webhooks/testing'
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { PRUNE_CHUNK_ROWS } from '../src/delivery-log.js'
import { tempDirectory } from './temp-db.js'

const temp = tempDirectory('sqlite-prune')
afterAll(() => temp.remove())

let store: SqliteStore
beforeEach(() => {
  store = openSqliteStore({ path: temp.file() })
})
afterEach(() => store.close())

const OLD = 1_000
const RECENT = 9_000
const CUT_OFF = 5_000
// More than two chunks, and not a multiple of one.
const BACKLOG = PRUNE_CHUNK_ROWS * 2 + 234

const delivery = (receivedAt: number) => deliveryInput({ receivedAt, body: new Uint8Array(64) })

describe('pruning the delivery log', () => {
  test('deletes a backlog of several chunks, only what is older than the cut-off', async () => {
    await store.deliveries.appendMany(Array.from({ length: BACKLOG }, () => delivery(OLD)))
    await store.deliveries.appendMany([delivery(RECENT), delivery(RECENT), delivery(RECENT)])
    expect(await store.deliveries.prune(CUT_OFF)).toBe(BACKLOG)
    const left = (await store.deliveries.list({ limit: 1000 })).records
    expect(left.map((record) => record.receivedAt)).toEqual([RECENT, RECENT, RECENT])
  })

  test('other work commits between its chunks instead of waiting for the whole prune', async () => {
    await store.deliveries.appendMany(Array.from({ length: BACKLOG }, () => delivery(OLD)))
    const settled: string[] = []
    const pruning = store.deliveries.prune(CUT_OFF).then(() => settled.push('prune'))
    // Submitted after the prune began, so it cannot join the prune's first group.
    await new Promise((resolve) => setImmediate(resolve))
    await store.transact(() => undefined)
    settled.push('other work')
    await pruning
    expect(settled).toEqual(['other work', 'prune'])
  })
})

describe('pruning idempotency keys', () => {
  test('forgets a backlog of several chunks of settled keys, never a key in progress', async () => {
    const insert = store.db.prepare(
      `INSERT INTO idempotency_keys (key, state, token, attempt, lease_expires_at, created_at, updated_at)
       VALUES (?, ?, ?, 1, ?, ?, ?)`,
    )
    store.db.exec('BEGIN')
    for (let i = 0; i < BACKLOG; i++) insert.run(`settled-${i}`, 'completed', null, null, OLD, OLD)
    insert.run('in-progress', 'in_progress', 'token', OLD + 10, OLD, OLD)
    insert.run('recent', 'completed', null, null, RECENT, RECENT)
    store.db.exec('COMMIT')
    expect(await store.pruneKeys(CUT_OFF)).toBe(BACKLOG)
    const left = store.db.prepare('SELECT key FROM idempotency_keys ORDER BY key').all()
    expect(left.map((row) => row.key)).toEqual(['in-progress', 'recent'])
  })
})
