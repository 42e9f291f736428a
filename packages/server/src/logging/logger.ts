import pino from 'pino'
import type { LogLevel } from '../config/config.js'

/** The structured logger every part of the server receives (pino's interface). */
export type Logger = pino.Logger

/** How long a line may wait in the buffer when the server is quiet. */
const FLUSH_MS = 100
/** POSIX's smallest atomic pipe write: no write of one process is split by another's. */
const PIPE_BUF = 4096

/**
 * JSON lines on `destination` (stdout by default). Stdout is written by the event loop itself, in writes of a
 * few KiB (pino's SonicBoom with a minimum length, flushed every `FLUSH_MS`, at once for a warning or an error,
 * and when the process exits): under load one write carries many delivery lines, and no write goes through the
 * thread pool, whose hand-off cost a delivery more than formatting its line (docs/benchmarks.md). Each write
 * stays within the pipe's atomic size, so lines of several workers sharing one stdout never interleave. Paths
 * that could hold a credential are censored as a last line of defence; the code never logs secrets, headers or
 * bodies in the first place.
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
    destination === process.stdout ? bufferedStdout() : (destination as pino.DestinationStream),
  )
}

/** Destinations whose buffered lines are written when the process exits (pino does so only for async ones). */
const flushedOnExit = new Set<{ flushSync(): void }>()

function bufferedStdout(): pino.DestinationStream {
  const stdout = pino.destination({
    dest: 1,
    sync: true,
    minLength: 3072,
    maxWrite: PIPE_BUF,
    periodicFlush: FLUSH_MS,
  })
  if (flushedOnExit.size === 0)
    process.once('exit', () => {
      for (const buffered of flushedOnExit) {
        try {
          buffered.flushSync()
        } catch {
          // A closed stdout (EPIPE) at exit: nothing left to tell, and no reason to fail the exit.
        }
      }
    })
  flushedOnExit.add(stdout)
  // Warnings and errors are written at once: a failure should not wait for the next batch of delivery lines.
  return {
    write(line: string) {
      const accepted = stdout.write(line)
      if (URGENT.test(line)) stdout.flush()
      return accepted
    },
    flush: (done?: (error?: Error) => void) => stdout.flush(done),
  } as unknown as pino.DestinationStream
}

/** A pino line at warn (40), error (50) or fatal (60): pino writes the level first. */
const URGENT = /^\{"level":[4-6]0,/
