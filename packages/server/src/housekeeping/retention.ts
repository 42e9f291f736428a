import type { ServerConfig } from '../config/config.js'
import type { ServerDatabase } from '../database/server-database.js'
import type { Logger } from '../logging/logger.js'

const DAY = 86_400_000
const HOUR = 3_600_000

/**
 * Keeps the database from growing forever: once at start and then hourly, deletes delivery log records older
 * than `DELIVERY_RETENTION_DAYS` and settled idempotency keys older than `KEY_RETENTION_DAYS`. With several
 * workers or instances each one prunes; deleting what another already deleted is harmless. Internal.
 *
 * @example const retention = startRetention(config, database, logger, Date.now); await retention.stop()
 */
export function startRetention(
  config: ServerConfig,
  database: ServerDatabase,
  logger: Logger,
  now: () => number,
  /** Prunes more tables kept as long as the delivery log (forward mode's attempts). */
  pruneWithDeliveries?: (olderThan: number) => Promise<number>,
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined
  const prune = () => {
    running ??= (async () => {
      try {
        const at = now()
        let deliveries = 0
        if (config.retention.deliveryDays > 0) {
          const cutOff = at - config.retention.deliveryDays * DAY
          deliveries = await database.deliveries.prune(cutOff)
          await pruneWithDeliveries?.(cutOff)
        }
        const keys = await database.pruneKeys(at - config.retention.keyDays * DAY)
        if (deliveries + keys > 0) logger.info({ deliveries, keys }, 'pruned old records')
      } catch (error) {
        logger.warn({ err: error }, 'pruning old records failed; will retry in an hour')
      } finally {
        running = undefined
      }
    })()
  }
  const timer = setInterval(prune, HOUR)
  timer.unref()
  prune()
  return {
    // Waits for a prune in progress, so the database is never closed under it.
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
