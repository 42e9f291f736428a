import { openSqliteStore, type SqliteDurability, type SqliteTx } from '@aghanim-webhooks/store-sqlite'
import { manualClock, runDeliveryLogConformance, runStoreConformance } from 'aghanim-webhooks/testing'
import { afterAll, describe, expect, test } from 'vitest'
import { tempDirectory } from './temp-db.js'

const temp = tempDirectory('sqlite-conformance')
afterAll(() => temp.remove())

for (const durability of ['fsync', 'process'] satisfies SqliteDurability[]) {
  runStoreConformance(
    `SqliteStore (${durability})`,
    async () => {
      const clock = manualClock()
      const store = openSqliteStore({ path: temp.file(), durability, now: clock.now })
      await store.migrate('conformance', ['CREATE TABLE effects (tag TEXT NOT NULL)'])
      return {
        store,
        clock,
        effects: {
          record: (tag: string) => (tx: SqliteTx) => {
            tx.db.prepare('INSERT INTO effects (tag) VALUES (?)').run(tag)
          },
          count: async (tag: string) =>
            Number(store.db.prepare('SELECT count(*) AS n FROM effects WHERE tag = ?').get(tag)?.n),
        },
        cleanup: () => store.close(),
      }
    },
    { describe, expect, test },
  )
}

runStoreConformance(
  'SqliteStore (real clock)',
  async () => {
    const store = openSqliteStore({ path: temp.file(), durability: 'process' })
    return { store, cleanup: () => store.close() }
  },
  { describe, expect, test },
)

runDeliveryLogConformance(
  'SqliteStore.deliveries',
  async () => {
    const store = openSqliteStore({ path: temp.file('log'), durability: 'process' })
    return { log: store.deliveries, cleanup: () => store.close() }
  },
  { describe, expect, test },
)
