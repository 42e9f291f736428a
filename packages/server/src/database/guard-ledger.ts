import { AghanimWebhookError } from 'aghanim-webhooks'
import type { Ledger } from '../ledger/ledger.js'
import { isDatabaseUnavailable } from './database-errors.js'
import type { DatabaseHealth } from './database-health.js'

/**
 * The ledger, with its failures of an unavailable database turned into the library's `store_unavailable`
 * (503 with Retry-After, so Aghanim retries) instead of a 500 `handler_failed`, and reported to the health
 * tracker. A handler reading a player while PostgreSQL restarts must not look like a bug in the handler.
 * Synchronous methods (SQLite's transactional work) stay synchronous. Internal.
 */
export function guardLedger<Tx>(ledger: Ledger<Tx>, health: Pick<DatabaseHealth, 'failed'>): Ledger<Tx> {
  const translate = (error: unknown): unknown => {
    if (!isDatabaseUnavailable(error)) return error
    health.failed(error)
    return new AghanimWebhookError(
      'store_unavailable',
      'The database could not be reached; nothing was changed.',
      {
        cause: error,
      },
    )
  }
  const guarded: Record<string, unknown> = {}
  for (const [name, member] of Object.entries(ledger)) {
    if (typeof member !== 'function') {
      guarded[name] = member
      continue
    }
    guarded[name] = (...args: unknown[]) => {
      let result: unknown
      try {
        result = member.apply(ledger, args)
      } catch (error) {
        throw translate(error)
      }
      return result instanceof Promise
        ? result.catch((error: unknown) => {
            throw translate(error)
          })
        : result
    }
  }
  return guarded as unknown as Ledger<Tx>
}
