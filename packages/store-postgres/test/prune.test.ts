// Retention deletes in bounded chunks: short transactions instead of one that deletes a day of deliveries.
import { deliveryInput } from 'aghanim-webhooks/testing'
import { describe, expect, test } from 'vitest'
import { PRUNE_CHUNK_ROWS } from '../src/delivery-log.js'
import { admin, useSchemaStore } from './database.js'

const { schema, store } = useSchemaStore('prune')

const OLD = 1_000
const RECENT = 9_000
const CUT_OFF = 5_000
// More than one chunk, and not a multiple of one.
const BACKLOG = PRUNE_CHUNK_ROWS + 123

const delivery = (receivedAt: number) => deliveryInput({ receivedAt })

describe('pruning on PostgreSQL', () => {
  test('deletes a delivery-log backlog of several chunks, only what is older than the cut-off', async () => {
    await store().deliveries.appendMany(Array.from({ length: BACKLOG }, () => delivery(OLD)))
    await store().deliveries.appendMany([delivery(RECENT), delivery(RECENT)])
    expect(await store().deliveries.prune(CUT_OFF)).toBe(BACKLOG)
    const left = (await store().deliveries.list({ limit: 1000 })).records
    expect(left.map((record) => record.receivedAt)).toEqual([RECENT, RECENT])
  })

  test('forgets a backlog of several chunks of settled keys, never a key in progress', async () => {
    await admin(
      `INSERT INTO "${schema}".idempotency_keys (key, state, attempt, created_at, updated_at)
       SELECT 'settled-' || n, 'completed', 1, $1, $1 FROM generate_series(1, $2) AS n`,
      [OLD, BACKLOG],
    )
    await admin(
      `INSERT INTO "${schema}".idempotency_keys (key, state, token, attempt, lease_expires_at, created_at, updated_at)
       VALUES ('in-progress', 'in_progress', 'token', 1, $1, $1, $1), ('recent', 'completed', NULL, 1, NULL, $2, $2)`,
      [OLD, RECENT],
    )
    expect(await store().pruneKeys(CUT_OFF)).toBe(BACKLOG)
    const left = await admin<{ key: string }>(`SELECT key FROM "${schema}".idempotency_keys ORDER BY key`)
    expect(left.map((row) => row.key)).toEqual(['in-progress', 'recent'])
  })
})
