import type { Logger } from '../logging/logger.js'
import type { ForwardAttempt } from './forward-store.js'

/** Queues forward attempts (or listen answers) and writes them in batches; `flush` writes what is queued and waits for it. */
export interface AttemptWriter<T = ForwardAttempt> {
  record(attempt: T): void
  flush(): Promise<void>
}

const BATCH_DELAY_MS = 20
const BATCH_SIZE = 256

/**
 * The attempts are observability, like the delivery log: written in the background, one transaction per batch
 * (every `BATCH_DELAY_MS` or `BATCH_SIZE` attempts), so a forwarded delivery never waits for its own record and
 * SQLite does not commit (and fsync) once per request. Internal.
 *
 * @example const writer = createAttemptWriter(store, logger); writer.record(attempt); await writer.flush()
 */
export function createAttemptWriter<T = ForwardAttempt>(
  store: { recordAttempts(attempts: T[]): Promise<void> },
  logger: Logger,
  what = 'forward attempts',
): AttemptWriter<T> {
  let queue: T[] = []
  let timer: NodeJS.Timeout | undefined
  const writing = new Set<Promise<void>>()
  const write = () => {
    clearTimeout(timer)
    timer = undefined
    const batch = queue
    queue = []
    if (batch.length === 0) return
    const written = store
      .recordAttempts(batch)
      .catch((error: unknown) =>
        logger.error({ err: error, attempts: batch.length }, `could not record ${what}`),
      )
      .finally(() => writing.delete(written))
    writing.add(written)
  }
  return {
    record(attempt) {
      queue.push(attempt)
      if (queue.length >= BATCH_SIZE) write()
      else timer ??= setTimeout(write, BATCH_DELAY_MS)
    },
    async flush() {
      write()
      await Promise.all(writing)
    },
  }
}
