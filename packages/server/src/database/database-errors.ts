/** Network errors that mean the database cannot be reached right now (not a bug in a query). */
const UNREACHABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/**
 * PostgreSQL SQLSTATEs of a server going away or not there yet: connection exceptions (class 08), sessions
 * ended by a fast shutdown, `pg_terminate_backend` or a crash (57P01, 57P02), the server starting up or
 * shutting down (57P03), too many connections (53300).
 */
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|53300)$/

/** What node-postgres says when a connection ended, never came, or stopped answering. */
const PG_CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|timeout expired|timeout exceeded when trying to connect|Query read timeout|not queryable|Client was closed/i

/** SQLite: another process holds the write lock (SQLITE_BUSY), past the busy timeout. */
const SQLITE_LOCKED = /database is locked/i

/**
 * True when `error` (or its cause) means the database is unavailable — restarting, failing over, cut off,
 * locked — rather than that a statement is wrong: such a failure is answered 503 with Retry-After, counted
 * as an outage, and cured by waiting. Internal.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const { code, message } = current as { code?: unknown; message?: unknown }
    if (typeof code === 'string' && (UNREACHABLE_ERRNOS.has(code) || UNAVAILABLE_SQLSTATES.test(code)))
      return true
    if (typeof message === 'string' && (PG_CONNECTION_MESSAGES.test(message) || SQLITE_LOCKED.test(message)))
      return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}
