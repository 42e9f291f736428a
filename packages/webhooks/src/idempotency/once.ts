import { AghanimWebhookError } from '../errors.js'
import type { RoutedAnswer } from '../router/answer.js'
import type { IdempotencyStore, TransactionWork } from './store.js'

export interface OnceOptions {
  leaseMs: number
  /** How long a duplicate waits for an in-flight attempt before answering 409. */
  waitMs: number
  now: () => number
  sleep: (ms: number) => Promise<void>
  eventType: string
  eventId: string
  /**
   * The handler is `transactional`: where the store has `completeUnclaimed`, run it before any claim and
   * commit the key with its work in one step.
   */
  unclaimedFirst: boolean
}

export interface OnceOutcome {
  answer: RoutedAnswer
  attempt: number
  /** True when the answer is the stored answer of an earlier attempt (the handler did not run). */
  duplicate: boolean
}

type Attempt<Tx> = (attempt: number, transact: (work: TransactionWork<Tx>) => void) => Promise<RoutedAnswer>

/**
 * Runs `attempt` at most once to a final answer for `key`: claim → run → complete (with the queued
 * transactional work) or release. Duplicates get the stored answer; duplicates that arrive while the first
 * attempt is still running wait for it, so concurrent copies all receive the same answer. A `transactional`
 * handler runs first and its key commits with its work in one step; only if the key already had a row, or
 * that first run did not reach a final answer, does the claim follow (and the handler run again, on the
 * claim's attempt number). Internal.
 */
export async function runOnce<Tx>(
  store: IdempotencyStore<Tx>,
  key: string,
  options: OnceOptions,
  attempt: Attempt<Tx>,
) {
  if (options.unclaimedFirst && store.completeUnclaimed) {
    const outcome = await runUnclaimed(store, key, options, attempt)
    if (outcome) return outcome
  }
  const deadline = options.now() + options.waitMs
  let pause = 5
  for (;;) {
    const claim = await guard(() =>
      store.claim(key, { leaseMs: options.leaseMs, eventType: options.eventType, eventId: options.eventId }),
    )
    if (claim.kind === 'completed') {
      return { answer: { ...claim.answer, final: true }, attempt: 0, duplicate: true } satisfies OnceOutcome
    }
    if (claim.kind === 'acquired') {
      const outcome = await runClaimed(store, key, claim.token, claim.attempt, attempt)
      if (outcome) return outcome
      continue // the lease expired and another attempt took the key over: wait for its answer
    }
    const now = options.now()
    if (now >= deadline) {
      throw new AghanimWebhookError(
        'in_progress',
        `Another attempt for key ${JSON.stringify(key)} is still running; retry later.`,
      )
    }
    await options.sleep(Math.min(pause, Math.max(1, deadline - now)))
    pause = Math.min(pause * 2, 200)
  }
}

/**
 * The handler's first attempt without a claim; undefined when the claim must decide: the key already has a
 * row, or the attempt failed or gave a non-final answer (the key may be a duplicate, whose stored answer is
 * the one to send; a new key then runs again as a claimed attempt, whose failure is reported as usual).
 */
async function runUnclaimed<Tx>(
  store: IdempotencyStore<Tx>,
  key: string,
  options: OnceOptions,
  attempt: Attempt<Tx>,
) {
  const work: TransactionWork<Tx>[] = []
  let answer: RoutedAnswer
  try {
    answer = await attempt(1, (item) => work.push(item))
  } catch {
    return undefined
  }
  if (!answer.final) return undefined
  const committed = await committing(() =>
    store.completeUnclaimed!(key, { status: answer.status, body: answer.body }, work, {
      leaseMs: options.leaseMs,
      eventType: options.eventType,
      eventId: options.eventId,
    }),
  )
  return committed ? ({ answer, attempt: 1, duplicate: false } satisfies OnceOutcome) : undefined
}

async function runClaimed<Tx>(
  store: IdempotencyStore<Tx>,
  key: string,
  token: string,
  attemptNo: number,
  attempt: Attempt<Tx>,
) {
  const work: TransactionWork<Tx>[] = []
  let answer: RoutedAnswer
  try {
    answer = await attempt(attemptNo, (item) => work.push(item))
  } catch (error) {
    await store.release(key, token).catch(() => {})
    throw error
  }
  if (!answer.final) {
    await store.release(key, token).catch(() => {})
    return { answer, attempt: attemptNo, duplicate: false } satisfies OnceOutcome
  }
  const committed = await committing(
    () => store.complete(key, token, { status: answer.status, body: answer.body }, work),
    () => store.release(key, token),
  )
  return committed ? ({ answer, attempt: attemptNo, duplicate: false } satisfies OnceOutcome) : undefined
}

async function committing(
  commit: () => Promise<boolean>,
  release: () => Promise<void> = async () => {},
): Promise<boolean> {
  try {
    return await commit()
  } catch (cause) {
    await release().catch(() => {})
    throw new AghanimWebhookError(
      'store_unavailable',
      'The answer could not be committed; nothing was acknowledged.',
      { cause },
    )
  }
}

async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (cause) {
    throw new AghanimWebhookError('store_unavailable', 'The idempotency store could not be reached.', {
      cause,
    })
  }
}
