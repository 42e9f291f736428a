import pg from 'pg'
import { listenForErrors } from './checkout.js'
import { quoteSchema } from './identifier.js'
import { PostgresStore } from './postgres-store.js'
import { Presence } from './presence.js'
import { STORE_SCOPE, storeMigrations } from './schema.js'

export interface PostgresStoreOptions {
  /** `postgres://user:pass@host:5432/db`; the store creates (and `close` ends) its own pool. */
  connectionString?: string
  /** Or a pool of yours (its search_path is left alone; the store's SQL is schema-qualified). */
  pool?: pg.Pool
  /** Where the tables live; created if missing. Default `public`. */
  schema?: string
  /** Size of the pool the store creates. Default 10. */
  poolSize?: number
  /** Clock in milliseconds (leases, completion times). Instances sharing a database need synchronised clocks. */
  now?: () => number
  /**
   * How long a new connection of the pool the store creates may take to come up before failing. Default
   * 5000 ms. (Waiting for a free connection of a busy pool is not bounded by it.)
   */
  connectTimeoutMs?: number
  /**
   * How long a query of the pool the store creates waits for its answer before failing (and the connection is
   * dropped). Default 30 000 ms. This is what ends a request stuck on a connection whose packets vanish
   * (a blackholed network path, a frozen server): TCP alone would wait for many minutes.
   */
  queryTimeoutMs?: number
}

/**
 * Connects to PostgreSQL, migrates the store's tables (safe when several instances start at once) and returns
 * the store. A pool the store creates has its search_path set to the schema, so `store.pool` queries of your own
 * tables need no schema prefix.
 *
 * @example
 * const store = await openPostgresStore({ connectionString: process.env.DATABASE_URL, schema: 'webhooks' })
 * const handle = createWebhookHandler({ secret, router, store })
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  if ((options.connectionString === undefined) === (options.pool === undefined)) {
    throw new TypeError('Pass exactly one of connectionString or pool to openPostgresStore.')
  }
  const schema = options.schema ?? 'public'
  const quotedSchema = quoteSchema(schema)
  const now = options.now ?? Date.now
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      // A transaction of ours left idle that long lost its client (a cut network path): end it, so its row
      // locks do not hold the keys and inventory rows it touched until the server's TCP keepalive notices.
      options: `-c search_path=${quotedSchema},public -c idle_in_transaction_session_timeout=30000`,
      // On each connection, not as the pool's connectionTimeoutMillis: that one also bounds the wait for a free
      // connection, and a burst of requests queueing for the pool is load, not an unreachable database.
      Client: clientWithConnectTimeout(options.connectTimeoutMs ?? 5000),
      query_timeout: options.queryTimeoutMs ?? 30_000,
      keepAlive: true,
    })
  // An idle client dropped by the server must not crash the process: the next query reports the failure.
  if (!options.pool) pool.on('error', () => {})
  // Nor a busy one (see checkout.ts).
  listenForErrors(pool)
  const presence = new Presence({
    ...pool.options,
    connectionTimeoutMillis: options.connectTimeoutMs ?? pool.options.connectionTimeoutMillis ?? 5000,
  })
  const store = new PostgresStore(pool, {
    schema,
    quotedSchema,
    now,
    ownsPool: options.pool === undefined,
    presence,
  })
  try {
    await store.migrate(STORE_SCOPE, storeMigrations)
    await presence.start()
  } catch (error) {
    await store.close()
    throw error
  }
  return store
}

function clientWithConnectTimeout(connectTimeoutMs: number): typeof pg.Client {
  return class extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connectTimeoutMs })
    }
  }
}
