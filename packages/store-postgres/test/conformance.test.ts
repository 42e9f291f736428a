import { openPostgresStore, type PostgresTx } from '@aghanim-webhooks/store-postgres'
import { manualClock, runDeliveryLogConformance, runStoreConformance } from 'aghanim-webhooks/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { connectionString, dropSchema, uniqueSchema } from './database.js'

const schema = uniqueSchema('conformance')
beforeAll(async () => {
  const store = await openPostgresStore({ connectionString, schema })
  await store.migrate('conformance', ['CREATE TABLE effects (tag text NOT NULL)'])
  await store.close()
})
afterAll(() => dropSchema(schema))

runStoreConformance(
  'PostgresStore',
  async () => {
    const clock = manualClock()
    const store = await openPostgresStore({ connectionString, schema, now: clock.now, poolSize: 4 })
    return {
      store,
      clock,
      effects: {
        record: (tag: string) => async (tx: PostgresTx) => {
          await tx.client.query('INSERT INTO effects (tag) VALUES ($1)', [tag])
        },
        count: async (tag: string) =>
          (await store.pool.query('SELECT count(*)::int AS n FROM effects WHERE tag = $1', [tag])).rows[0].n,
      },
      cleanup: () => store.close(),
    }
  },
  { describe, expect, test },
  { completeUnclaimed: true },
)

runStoreConformance(
  'PostgresStore (real clock)',
  async () => {
    const store = await openPostgresStore({ connectionString, schema, poolSize: 4 })
    return { store, cleanup: () => store.close() }
  },
  { describe, expect, test },
  { completeUnclaimed: true },
)

runDeliveryLogConformance(
  'PostgresStore.deliveries',
  async () => {
    const own = uniqueSchema('log')
    const store = await openPostgresStore({ connectionString, schema: own, poolSize: 2 })
    return {
      log: store.deliveries,
      cleanup: async () => {
        await store.close()
        await dropSchema(own)
      },
    }
  },
  { describe, expect, test },
)
