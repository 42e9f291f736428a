import pino from 'pino'
import type { LogLevel } from '../config/config.js'

/** The structured logger every part of the server receives (pino's interface). */
export type Logger = pino.Logger

/**
 * JSON lines on `destination` (stdout by default). Stdout is written asynchronously (pino's SonicBoom): a
 * line goes out at once when the descriptor is idle, and lines logged while a write is in flight go out
 * together in the next one — under load one write carries many delivery lines instead of one syscall each. Pino flushes what is pending when the process exits. Paths that could hold a
 * credential are censored as a last line of defence; the code never logs secrets, headers or bodies in the
 * first place.
 *
 * @example const logger = createLogger('info', process.stdout); logger.info({ port: 8000 }, 'listening')
 */
export function createLogger(level: LogLevel, destination: { write(text: string): unknown }): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: {
        // No wildcards: a `*.x` path makes pino walk every logged object, which showed in the profile of
        // each delivery's log line. Top-level and known nested paths cover what the code could ever log.
        paths: [
          'secret',
          'secrets',
          'adminToken',
          'token',
          'authorization',
          'headers.authorization',
          'headers.cookie',
          'config.secrets',
          'config.games',
          'config.adminToken',
          'config.database.connectionString',
        ],
        censor: '[redacted]',
      },
    },
    destination === process.stdout
      ? pino.destination({ dest: 1, sync: false })
      : (destination as pino.DestinationStream),
  )
}
