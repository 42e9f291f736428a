import { openPostgresStore, type PostgresStore, type PostgresTx } from '@aghanim-webhooks/store-postgres'
import type { DeliveryInput, DeliveryLog } from 'aghanim-webhooks/store'
import { minuteCounts } from '../deliveries/delivery-stats.js'
import { nameLedgerStatements, numbered, OWNER_QUERY } from '../ledger/ledger-owner.js'
import { createPostgresLedger } from '../ledger/postgres-ledger.js'
import { postgresLedgerMigrations } from '../ledger/postgres-schema.js'
import { closeOnFailure } from './close-on-failure.js'
import {
  type DatabaseEvents,
  LEDGER_SCOPE,
  type MinuteCount,
  type ServerDatabase,
} from './server-database.js'

/** PostgreSQL: one schema holding keys, the delivery log and the ledger, shared by every instance. Internal. */
export async function openPostgresDatabase(options: {
  connectionString: string
  schema: string
  queryTimeoutMs?: number
  now: () => number
  events: DatabaseEvents
}): Promise<ServerDatabase<PostgresTx>> {
  const store = await openPostgresStore({
    connectionString: options.connectionString,
    schema: options.schema,
    queryTimeoutMs: options.queryTimeoutMs,
    // A new connection gets no longer than a query to come up.
    connectTimeoutMs: Math.min(5000, options.queryTimeoutMs ?? 5000),
    now: options.now,
  })
  await closeOnFailure(store, () => store.migrate(LEDGER_SCOPE, postgresLedgerMigrations))
  const ledger = createPostgresLedger(store, options.now)
  return {
    kind: 'postgres',
    store,
    deliveries: countedDeliveries(store, options.events),
    ledger,
    async deliveryStats(since, until) {
      const { rows } = await store.pool.query<{ minute: string; outcome: string; count: string }>(
        'SELECT minute, outcome, count FROM delivery_stats WHERE minute >= $1 AND minute < $2 ORDER BY minute',
        [since, until],
      )
      return rows.map((row) => ({
        minute: Number(row.minute),
        outcome: String(row.outcome),
        count: Number(row.count),
      }))
    },
    pruneKeys: (olderThan) => store.pruneKeys(olderThan),
    releaseAbandonedClaims: async () => 0,
    nameLedger: (game) =>
      store.transact(async ({ client }) => {
        const { claim, move } = nameLedgerStatements(game, new Date(options.now()))
        const claimed = await client.query(numbered(claim.sql), claim.values)
        if (claimed.rows.length === 0) {
          const { rows } = await client.query(OWNER_QUERY)
          return { owner: String(rows[0]?.game), moved: false }
        }
        for (const statement of move) await client.query(numbered(statement.sql), statement.values)
        return { owner: game, moved: true }
      }),
    async ledgerOwner() {
      const { rows } = await store.pool.query<{ game: string }>(OWNER_QUERY)
      return rows[0]?.game
    },
    ping: () => ledger.ping(),
    close: () => store.close(),
  }
}

/**
 * The store's delivery log, with each batch added to the chart's counts (the shared `delivery_stats` rows, to
 * which concurrent instances add atomically) and pruning forgetting them. The counts are written beside the
 * batch, in the same turn: a batch whose counting fails is still logged (the chart may be off by a batch, the
 * log never).
 */
function countedDeliveries(store: PostgresStore, events: DatabaseEvents): DeliveryLog {
  const log = store.deliveries
  const count = async (counts: readonly MinuteCount[]) => {
    if (counts.length === 0) return
    // Named: prepared once per connection, as the store's own hot statements.
    await store.pool.query({
      name: 'awh_delivery_stats_add',
      text: `INSERT INTO delivery_stats AS s (minute, outcome, count)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])
       ON CONFLICT (minute, outcome) DO UPDATE SET count = s.count + excluded.count`,
      values: [counts.map((c) => c.minute), counts.map((c) => c.outcome), counts.map((c) => c.count)],
    })
  }
  return {
    append(record) {
      return this.appendMany([record]).then((ids) => ids[0]!)
    },
    async appendMany(records) {
      const counted = countQuietly(records)
      const ids = await log.appendMany(records)
      await counted
      return ids
    },
    get: (id) => log.get(id),
    list: (query) => log.list(query),
    async prune(olderThan) {
      const pruned = await log.prune(olderThan)
      await store.pool.query('DELETE FROM delivery_stats WHERE minute < $1', [olderThan])
      return pruned
    },
  }

  function countQuietly(records: readonly DeliveryInput[]): Promise<void> {
    return count(minuteCounts(records)).catch((error: unknown) =>
      events.warn({ err: error }, 'could not count deliveries for the chart'),
    )
  }
}
