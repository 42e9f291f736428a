import type { DatabaseSync } from 'node:sqlite'
import { openSqliteStore, type SqliteStore, type SqliteTx } from '@aghanim-webhooks/store-sqlite'
import { deliveryInput } from 'aghanim-webhooks/testing'
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { tempDirectory } from './temp-db.js'

const temp = tempDirectory('sqlite-group')
afterAll(() => temp.remove())

let store: SqliteStore
let transactions: number
beforeEach(async () => {
  store = openSqliteStore({ path: temp.file(), durability: 'fsync' })
  await store.migrate('group-test', ['CREATE TABLE grants (key TEXT NOT NULL)'])
  transactions = 0
  const exec = store.db.exec.bind(store.db)
  store.db.exec = (sql: string) => {
    if (sql === 'BEGIN IMMEDIATE') transactions += 1
    return exec(sql)
  }
})
afterEach(() => store.close())

const grant = (key: string) => (tx: SqliteTx) => {
  tx.db.prepare('INSERT INTO grants (key) VALUES (?)').run(key)
}
const grants = (key: string) =>
  Number(store.db.prepare('SELECT count(*) AS n FROM grants WHERE key = ?').get(key)?.n)
const state = (key: string) =>
  store.db.prepare('SELECT state FROM idempotency_keys WHERE key = ?').get(key)?.state

async function claimAll(keys: readonly string[]) {
  const claims = await Promise.all(keys.map((key) => store.claim(key, { leaseMs: 60_000 })))
  return claims.map((claim) => (claim.kind === 'acquired' ? claim.token : ''))
}

describe('SqliteStore group commit', () => {
  test('claims requested in one event-loop turn share one transaction', async () => {
    await claimAll(Array.from({ length: 100 }, (_, index) => `claim-${index}`))
    expect(transactions).toBe(1)
  })

  test('completes, releases and log appends requested in one turn share one transaction', async () => {
    const keys = Array.from({ length: 50 }, (_, index) => `complete-${index}`)
    const tokens = await claimAll(keys)
    transactions = 0
    const results = await Promise.all([
      ...keys
        .slice(0, 40)
        .map((key, index) => store.complete(key, tokens[index]!, { status: 200, body: '{}' }, [grant(key)])),
      ...keys.slice(40).map((key, index) => store.release(key, tokens[40 + index]!)),
      store.deliveries.append(deliveryInput()),
    ])
    expect(transactions).toBe(1)
    expect(results.slice(0, 40)).toEqual(Array(40).fill(true))
    expect(keys.slice(0, 40).map(grants)).toEqual(Array(40).fill(1))
  })

  test('operations requested in different turns get their own transactions', async () => {
    await store.claim('turn-1', { leaseMs: 60_000 })
    await store.claim('turn-2', { leaseMs: 60_000 })
    expect(transactions).toBe(2)
  })

  test('a failing work item rolls back only its own completion, the rest of the group commits', async () => {
    const [good1, bad, good2] = await claimAll(['good-1', 'bad', 'good-2'])
    const failing = () => {
      throw new Error('insufficient stock')
    }
    const results = await Promise.allSettled([
      store.complete('good-1', good1!, { status: 200, body: '{}' }, [grant('good-1')]),
      store.complete('bad', bad!, { status: 200, body: '{}' }, [grant('bad'), failing]),
      store.complete('good-2', good2!, { status: 200, body: '{}' }, [grant('good-2')]),
    ])
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('insufficient stock')
    expect([grants('good-1'), grants('bad'), grants('good-2')]).toEqual([1, 0, 1])
    expect([state('good-1'), state('bad'), state('good-2')]).toEqual([
      'completed',
      'in_progress',
      'completed',
    ])
  })

  test('asynchronous work is refused with the reason, and its item rolled back', async () => {
    const [token] = await claimAll(['async'])
    const asyncWork = async (tx: SqliteTx) => grant('async')(tx)
    const error = await store
      .complete('async', token!, { status: 200, body: '{}' }, [asyncWork])
      .catch((reason: Error) => reason)
    expect(error instanceof TypeError && error.message.startsWith('SQLite work must be synchronous')).toBe(
      true,
    )
    expect(grants('async')).toBe(0)
    expect(state('async')).toBe('in_progress')
  })

  test('work that ends the group transaction fails the whole group, acknowledging nothing', async () => {
    const [first, rogue] = await claimAll(['before-rogue', 'rogue'])
    const commitEarly = ({ db }: { db: DatabaseSync }) => db.exec('COMMIT')
    const results = await Promise.allSettled([
      store.complete('before-rogue', first!, { status: 200, body: '{}' }),
      store.complete('rogue', rogue!, { status: 200, body: '{}' }, [commitEarly]),
    ])
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected'])
  })

  test('transact commits work of your own and resolves with its result', async () => {
    const changes = await store.transact(({ db }) =>
      Number(db.prepare("INSERT INTO grants (key) VALUES ('own')").run().changes),
    )
    expect(changes).toBe(1)
    expect(grants('own')).toBe(1)
  })

  test('close commits what was queued before it', async () => {
    const pending = store.claim('queued', { leaseMs: 60_000 })
    const path = store.db.location()!
    await store.close()
    expect((await pending).kind).toBe('acquired')
    store = openSqliteStore({ path })
    expect(state('queued')).toBe('in_progress')
  })

  test('a closed store rejects new operations', async () => {
    await store.close()
    const error = await store.claim('late', { leaseMs: 1 }).catch((reason: Error) => reason)
    expect(error instanceof Error && error.message).toBe('The SQLite store is closed.')
    store = openSqliteStore({ path: temp.file() })
  })
})
