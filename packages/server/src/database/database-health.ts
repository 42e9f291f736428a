import type { Logger } from '../logging/logger.js'
import type { Metrics } from '../metrics/metrics.js'
import { isDatabaseUnavailable } from './database-errors.js'

/** How often an unavailable database is probed, so the server notices by itself when it is back. */
const PROBE_EVERY_MS = 250

/**
 * Whether the database is reachable, as this process last saw it. The first failure of an outage is logged
 * once (not once per request: a busy server would write thousands of lines a second), counted in the
 * metrics, and starts a probe that pings the database until it answers; then one line says it is back and
 * after how long. /readyz answers 503 meanwhile without waiting for a ping. Internal.
 */
export interface DatabaseHealth {
  /** Reports a failed database operation; only unavailability (see `isDatabaseUnavailable`) counts. */
  failed(error: unknown): void
  /** Resolves when the database answers a ping now; rejects while it is unavailable. */
  ready(): Promise<void>
  readonly available: boolean
  stop(): void
}

export function createDatabaseHealth(deps: {
  ping: () => Promise<void>
  logger: Logger
  metrics: Pick<Metrics, 'setDatabaseUnavailable'>
  now: () => number
}): DatabaseHealth {
  let downSince: number | undefined
  let lastError: unknown
  let timer: NodeJS.Timeout | undefined
  let stopped = false

  const down = (error: unknown) => {
    lastError = error
    if (downSince !== undefined || stopped) return
    downSince = deps.now()
    deps.metrics.setDatabaseUnavailable(true)
    deps.logger.error(
      { err: error },
      'database unavailable: webhooks that need it are answered 503 with Retry-After until it is back',
    )
    probe()
  }
  const up = () => {
    if (downSince === undefined) return
    const outageMs = deps.now() - downSince
    downSince = undefined
    deps.metrics.setDatabaseUnavailable(false)
    deps.logger.warn({ outageMs }, 'database available again')
  }
  const probe = () => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      deps.ping().then(up, (error: unknown) => {
        lastError = error
        if (downSince !== undefined && !stopped) probe()
      })
    }, PROBE_EVERY_MS)
    timer.unref()
  }

  return {
    failed(error) {
      if (isDatabaseUnavailable(error)) down(error)
    },
    async ready() {
      if (downSince !== undefined) throw new Error('The database is unavailable.', { cause: lastError })
      try {
        await deps.ping()
      } catch (error) {
        down(error)
        throw error
      }
    },
    get available() {
      return downSince === undefined
    },
    stop() {
      stopped = true
      clearTimeout(timer)
    },
  }
}
