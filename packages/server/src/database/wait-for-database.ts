import { ConfigError } from '../config/config-error.js'
import { type DatabaseConfig, describeDatabase } from '../config/database-url.js'
import type { Logger } from '../logging/logger.js'
import { isDatabaseUnavailable } from './database-errors.js'
import { openDatabase } from './open-database.js'
import type { DatabaseEvents, ServerDatabase } from './server-database.js'

const FIRST_RETRY_MS = 100
const MAX_RETRY_MS = 2000

/**
 * Opens the database, waiting up to `waitMs` for it to become available: PostgreSQL still starting (a
 * container started alongside it, a failover in progress) or an SQLite file another process keeps locked.
 * Retries with doubling pauses (0.1 s to 2 s), logging the first failure once; past the deadline it fails
 * with a ConfigError (exit code 2) naming the database without its password and the last error. Other
 * failures (a wrong password, a missing database) fail at once: waiting would not cure them. Internal.
 */
export async function openDatabaseWhenReady(
  config: DatabaseConfig,
  options: { now: () => number; waitMs: number; logger?: Logger; sleep?: (ms: number) => Promise<void> },
): Promise<ServerDatabase> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const started = Date.now()
  let pause = FIRST_RETRY_MS
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await openDatabase(config, options.now, options.logger && databaseEvents(options.logger))
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error
      const waited = Date.now() - started
      if (waited >= options.waitMs) throw unavailableAtStart(config, error, waited)
      if (attempt === 1)
        options.logger?.warn(
          { err: error, waitMs: options.waitMs },
          'the database is not available yet; retrying until it is',
        )
      await sleep(Math.min(pause, options.waitMs - waited))
      pause = Math.min(pause * 2, MAX_RETRY_MS)
    }
  }
}

/** What opening reports as it runs (moving an older delivery log), as log lines. */
function databaseEvents(logger: Logger): DatabaseEvents {
  return {
    info: (fields, message) => logger.info(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
  }
}

function unavailableAtStart(config: DatabaseConfig, error: unknown, waitedMs: number): ConfigError {
  const seconds = `${(waitedMs / 1000).toFixed(1)} s`
  const reason = ((error as Error)?.message ?? String(error)).split('\n')[0]
  if (config.kind === 'sqlite') {
    return new ConfigError(
      `cannot start: the SQLite file ${config.path} is locked by another process (waited ${seconds}: ${reason}). ` +
        'Stop the other process, or point DATABASE_URL at another file.',
    )
  }
  return new ConfigError(
    `cannot start: ${describeDatabase(config)} did not accept connections within ${seconds} (${reason}). ` +
      'Check that PostgreSQL is running and reachable and that DATABASE_URL is right, or wait longer with DATABASE_WAIT_MS.',
  )
}
