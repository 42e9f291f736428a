import type { ServerConfig } from '../config/config.js'
import type { ServerDatabase } from '../database/server-database.js'
import type { RouterLayer } from '../handlers/layered-router.js'
import type { Logger } from '../logging/logger.js'
import type { Metrics } from '../metrics/metrics.js'
import { createAttemptWriter } from './attempt-writer.js'
import type { ForwardApiDeps } from './forward-api.js'
import type { ForwardConfig } from './forward-config.js'
import { createForwardLayer } from './forward-layer.js'
import type { ForwardStore, OutboxCounts } from './forward-store.js'
import { startOutboxWorker } from './outbox-worker.js'
import { createPostgresForwardStore, type PostgresForwardDeps } from './postgres-forward-store.js'
import { createSqliteForwardStore, type SqliteForwardDeps } from './sqlite-forward-store.js'
import { createUpstream } from './upstream.js'

export interface ForwardDeps {
  database: ServerDatabase
  logger: Logger
  metrics: Metrics
  now: () => number
  /** The delivery id the recorder will log a request under (see `DeliveryRecorder.assignId`). */
  deliveryId: (headers: Headers) => string
}

/** Forward mode, running: its router layer, admin API, outbox counts for /metrics, and shutdown. Internal. */
export interface RunningForward {
  layer: RouterLayer<unknown>
  api: ForwardApiDeps
  outboxCounts: () => Promise<OutboxCounts>
  /** Forgets forward attempts older than `olderThan`, with the delivery log's retention. */
  pruneAttempts: (olderThan: number) => Promise<number>
  /** Stops the outbox worker (in-flight deliveries finish) and closes the connection pool. */
  close(): Promise<void>
}

/**
 * Starts forward mode: the backend's connection pool, the outbox worker (which also delivers what an earlier
 * process left pending, so it runs even without `--forward-async`) and the layer that replaces the ledger.
 *
 * @example const forward = startForward(config, config.forward, { database, logger, metrics, now, deliveryId })
 */
export function startForward(
  server: Pick<ServerConfig, 'unknownEvents'>,
  config: ForwardConfig,
  deps: ForwardDeps,
): RunningForward {
  const store = forwardStoreOf(deps.database)
  const upstream = createUpstream()
  const attempts = createAttemptWriter(store, deps.logger)
  const backend = {
    config,
    upstream,
    store,
    attempts,
    now: deps.now,
    logger: deps.logger,
    count: (via: string, result: string) => deps.metrics.forwarded(via, result),
  }
  const worker = startOutboxWorker(backend)
  return {
    layer: createForwardLayer({
      ...backend,
      unknownEvents: server.unknownEvents,
      deliveryId: deps.deliveryId,
      enqueued: () => worker.wake(),
      ledger: deps.database.ledger,
    }),
    api: { store, now: deps.now, redriven: () => worker.wake(), recorded: () => attempts.flush() },
    outboxCounts: () => store.counts(),
    pruneAttempts: (olderThan) => store.pruneAttempts(olderThan),
    async close() {
      await worker.stop()
      await attempts.flush()
      await upstream.close()
    },
  }
}

function forwardStoreOf(database: ServerDatabase): ForwardStore {
  return (
    database.kind === 'sqlite'
      ? createSqliteForwardStore(database.store as unknown as SqliteForwardDeps)
      : createPostgresForwardStore(database.store as unknown as PostgresForwardDeps)
  ) as ForwardStore
}
