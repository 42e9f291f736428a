import { randomUUID } from 'node:crypto'
import type { Logger } from '../logging/logger.js'
import { type BackendDeps, type BackendResult, callBackend } from './call-backend.js'
import type { OutboxEntry, OutboxSettlement } from './forward-store.js'
import { LOGGED_ANSWER_CHARS, textOf } from './relay-answer.js'
import { isSandboxBody, routeFor, routesOf } from './routes.js'

export interface OutboxWorkerDeps extends BackendDeps {
  logger: Logger
  /** 0 ≤ random() < 1, for the jitter (tests inject it). */
  random?: () => number
}

export interface OutboxWorker {
  /** Looks for due entries soon (an entry was just enqueued or redriven). */
  wake(): void
  /** Stops claiming and waits for the deliveries in flight. */
  stop(): Promise<void>
}

const POLL_MS = 500
const WAKE_DELAY_MS = 25
const BATCH = 32
/**
 * A lease outlives the call's deadline by this much, so a slow answer is settled before anyone takes over; it is
 * also how long after a crash the entries that were in flight wait before another process sends them again.
 */
const LEASE_MARGIN_MS = 5_000

/**
 * Delivers the outbox: claims due entries (leased, at most one per player, so a player's events go in order),
 * sends each with the forward signature, and settles it: 2xx → delivered (removed); 408, 429, 5xx or no answer →
 * retried after the next delay of the schedule with jitter, a dead letter after the last; any other 4xx → a dead
 * letter at once (the backend refused it; redrive it once fixed). At-least-once: the backend dedupes on
 * `x-aghanim-delivery-id` or the idempotency key. Internal.
 *
 * @example const worker = startOutboxWorker(deps); worker.wake(); await worker.stop()
 */
export function startOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const owner = randomUUID()
  const random = deps.random ?? Math.random
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let again = false
  // The earliest retry this process scheduled: looked at then rather than at the next poll.
  let soonest = Number.POSITIVE_INFINITY

  const schedule = (ms: number) => {
    if (stopped) return
    clearTimeout(timer)
    timer = setTimeout(tick, ms)
    timer.unref?.()
  }
  const tick = () => {
    if (running) {
      again = true
      return
    }
    running = drain()
      .catch((error: unknown) => deps.logger.error({ err: error }, 'the outbox could not be read'))
      .finally(() => {
        running = undefined
        const more = again
        again = false
        const untilRetry = Math.max(0, soonest - deps.now())
        soonest = Number.POSITIVE_INFINITY
        schedule(more ? 0 : Math.min(POLL_MS, untilRetry))
      })
  }
  const drain = async () => {
    for (;;) {
      if (stopped) return
      const now = deps.now()
      const entries = await deps.store.claimDue(
        now,
        now + deps.config.timeoutMs + LEASE_MARGIN_MS,
        owner,
        BATCH,
      )
      if (entries.length === 0) return
      await Promise.all(entries.map((entry) => deliver(entry)))
    }
  }
  const deliver = async (entry: OutboxEntry) => {
    // Only a config with sandbox routes needs to read the body.
    const sandbox = deps.config.sandboxRoutes.length > 0 && isSandboxBody(entry.body)
    const route = routeFor(routesOf(deps.config, sandbox), entry.eventType)
    const attempt = entry.attempts + 1
    let settlement: OutboxSettlement
    if (!route) settlement = deadLetter(null, `No --forward-to route matches ${entry.eventType}.`, null)
    else {
      const request = { body: entry.body, deliveryId: entry.deliveryId, attempt, key: entry.key }
      settlement = await callBackend(deps, route, request, 'outbox', (result) => {
        const value = settle(result, attempt, deps.config.retrySchedule, deps.now(), random)
        return { value, error: value.state === 'delivered' ? null : value.error }
      })
    }
    try {
      await deps.store.settle(entry.seq, owner, settlement, deps.now())
    } catch (error) {
      // Unsettled, the lease expires and the entry is sent again: at-least-once, never lost.
      deps.logger.error({ err: error, delivery: entry.deliveryId }, 'could not settle an outbox entry')
      return
    }
    if (settlement.state === 'pending') soonest = Math.min(soonest, settlement.nextAt)
    if (settlement.state === 'dead')
      deps.logger.warn(
        {
          delivery: entry.deliveryId,
          event_type: entry.eventType,
          attempts: attempt,
          status: settlement.status,
        },
        'outbox entry is a dead letter',
      )
  }

  schedule(0)
  return {
    wake: () => schedule(WAKE_DELAY_MS),
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}

function settle(
  result: BackendResult,
  attempt: number,
  retrySchedule: readonly number[],
  now: number,
  random: () => number,
): OutboxSettlement {
  if ('answer' in result) {
    const { status, body } = result.answer
    if (status >= 200 && status < 300) return { state: 'delivered' }
    const answer = textOf(body).slice(0, LOGGED_ANSWER_CHARS)
    const retryable = status >= 500 || status === 408 || status === 429 || status < 200
    if (!retryable) return deadLetter(status, `The backend refused it with ${status}.`, answer)
    return retry(attempt, retrySchedule, now, random, status, `The backend answered ${status}.`, answer)
  }
  return retry(attempt, retrySchedule, now, random, null, result.failure.message, null)
}

function retry(
  attempt: number,
  retrySchedule: readonly number[],
  now: number,
  random: () => number,
  status: number | null,
  error: string,
  answer: string | null,
): OutboxSettlement {
  const delay = retrySchedule[attempt - 1]
  if (delay === undefined) return deadLetter(status, error, answer)
  // Equal jitter: half the delay, plus up to the other half at random, so a backend that comes back is not hit
  // by every retry in the same instant.
  return {
    state: 'pending',
    nextAt: Math.round(now + delay / 2 + random() * (delay / 2)),
    status,
    error,
    answer,
  }
}

function deadLetter(status: number | null, error: string, answer: string | null): OutboxSettlement {
  return { state: 'dead', nextAt: 0, status, error, answer }
}
