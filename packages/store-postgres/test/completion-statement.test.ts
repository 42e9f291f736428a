import { completionStatement, openPostgresStore, type PostgresStore } from '@aghanim-webhooks/store-postgres'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { statementsDuring } from '../../../test-support/pg-statements.js'
import { connectionString, dropSchema, uniqueSchema } from './database.js'

const schema = uniqueSchema('statement')
let store: PostgresStore
beforeAll(async () => {
  store = await openPostgresStore({ connectionString, schema })
  await store.migrate('statement-test', ['CREATE TABLE grants (key text NOT NULL, sku text NOT NULL)'])
})
afterAll(async () => {
  await store.close()
  await dropSchema(schema)
})

const ANSWER = { status: 200, body: '{"status":"ok"}' }
const grantOf = (key: string) =>
  completionStatement(
    `granted AS (INSERT INTO grants (key, sku) SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM completed))`,
    [key, 'gems'],
  )
const grants = async (key: string) =>
  (await store.pool.query('SELECT count(*)::int AS n FROM grants WHERE key = $1', [key])).rows[0].n
async function acquire(key: string): Promise<string> {
  const claim = await store.claim(key, { leaseMs: 60_000 })
  if (claim.kind !== 'acquired') throw new Error(`expected to acquire ${key}, got ${claim.kind}`)
  return claim.token
}

const roundTrips = async (work: () => Promise<unknown>) => (await statementsDuring(work)).length

describe('a completion whose only work is one statement', () => {
  test('commits the key and the work in one statement, no transaction', async () => {
    const token = await acquire('k-one')
    const trips = await roundTrips(async () => {
      expect(await store.complete('k-one', token, ANSWER, [grantOf('k-one')])).toBe(true)
    })
    expect(trips).toBe(1)
    expect(await grants('k-one')).toBe(1)
    const again = await store.claim('k-one', { leaseMs: 60_000 })
    expect(again.kind).toBe('completed')
  })

  test('changes nothing when the key is no longer held', async () => {
    await acquire('k-lost')
    expect(await store.complete('k-lost', 'another-token', ANSWER, [grantOf('k-lost')])).toBe(false)
    expect(await grants('k-lost')).toBe(0)
  })

  test('a failing statement commits neither the key nor the work', async () => {
    const token = await acquire('k-fails')
    const failing = completionStatement(
      `granted AS (INSERT INTO grants (key, sku) SELECT $1, NULL WHERE EXISTS (SELECT 1 FROM completed))`,
      ['k-fails'],
    )
    await expect(store.complete('k-fails', token, ANSWER, [failing])).rejects.toThrow(/null value/)
    expect(await grants('k-fails')).toBe(0)
    await store.release('k-fails', token)
    expect((await store.claim('k-fails', { leaseMs: 60_000 })).kind).toBe('acquired')
  })

  test('beside other work, and in transact, the statement runs inside the transaction', async () => {
    const token = await acquire('k-two')
    // BEGIN, the completion, the two items of work, COMMIT.
    const trips = await roundTrips(async () => {
      const other = async ({
        client,
      }: {
        client: { query(text: string, values: unknown[]): Promise<unknown> }
      }) => {
        await client.query('INSERT INTO grants (key, sku) VALUES ($1, $2)', ['k-two', 'gold'])
      }
      expect(await store.complete('k-two', token, ANSWER, [grantOf('k-two'), other])).toBe(true)
    })
    expect(trips).toBe(5)
    expect(await grants('k-two')).toBe(2)
    await store.transact(grantOf('k-transact'))
    expect(await grants('k-transact')).toBe(1)
  })
})

describe('completeUnclaimed with one statement of work', () => {
  const unclaimed = (key: string, answer = ANSWER) =>
    store.completeUnclaimed(key, answer, [grantOf(key)], { leaseMs: 60_000, eventType: 'item.add' })

  test('inserts the key completed and runs the work in one round trip', async () => {
    const trips = await roundTrips(async () => {
      expect(await unclaimed('u-one')).toBe(true)
    })
    expect(trips).toBe(1)
    expect(await grants('u-one')).toBe(1)
    const again = await store.claim('u-one', { leaseMs: 60_000 })
    expect(again.kind === 'completed' && again.answer).toEqual(ANSWER)
  })

  test('changes nothing when the key already has a row, completed or claimed', async () => {
    expect(await unclaimed('u-twice')).toBe(true)
    expect(await unclaimed('u-twice', { status: 200, body: '{"second":true}' })).toBe(false)
    expect(await grants('u-twice')).toBe(1)
    const token = await acquire('u-held')
    expect(await unclaimed('u-held')).toBe(false)
    expect(await grants('u-held')).toBe(0)
    expect(await store.complete('u-held', token, ANSWER, [grantOf('u-held')])).toBe(true)
    expect(await grants('u-held')).toBe(1)
  })

  test('a failing statement records neither the key nor the work', async () => {
    const failing = completionStatement(
      `granted AS (INSERT INTO grants (key, sku) SELECT $1, NULL WHERE EXISTS (SELECT 1 FROM completed))`,
      ['u-fails'],
    )
    await expect(store.completeUnclaimed('u-fails', ANSWER, [failing], { leaseMs: 60_000 })).rejects.toThrow(
      /null value/,
    )
    expect(await grants('u-fails')).toBe(0)
    expect(await store.claim('u-fails', { leaseMs: 60_000 })).toMatchObject({ kind: 'acquired', attempt: 1 })
  })
})
