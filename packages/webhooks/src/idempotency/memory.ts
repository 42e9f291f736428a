import type { ClaimOptions, ClaimResult, IdempotencyStore, StoredAnswer, TransactionWork } from './store.js'

export interface MemoryStoreOptions {
  /** Clock in milliseconds; inject one in tests to expire leases without waiting. */
  now?: () => number
  /**
   * How many settled (completed or released) keys to remember. Beyond it the oldest are forgotten (a duplicate
   * of a forgotten key runs again), so a long-running process does not grow without bound. Default 100 000.
   */
  maxSettledKeys?: number
}

type Entry =
  | { state: 'in_progress'; token: string; attempt: number; leaseExpiresAt: number }
  | { state: 'released'; attempt: number }
  | { state: 'completed'; attempt: number; answer: StoredAnswer; completedAt: number }

/**
 * An in-process idempotency store: exactly-once within ONE process, forgotten on restart. The default of
 * `createWebhookHandler`, and right for tests and single-instance hobby setups; use the SQLite or PostgreSQL
 * store when grants must survive a restart or several instances share the load.
 *
 * There is no transaction: `work` items run (with `undefined` as Tx) just before the answer is recorded, and
 * an item that throws leaves the key uncompleted. Effects of items that ran before it are not undone.
 *
 * @example
 * const store = new MemoryStore()
 * const handle = createWebhookHandler({ secret, router, store })
 */
export class MemoryStore implements IdempotencyStore<void> {
  readonly #entries = new Map<string, Entry>()
  readonly #settled = new Set<string>()
  readonly #now: () => number
  readonly #maxSettled: number

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now
    this.#maxSettled = options.maxSettledKeys ?? 100_000
  }

  async claim(key: string, options: ClaimOptions): Promise<ClaimResult> {
    const now = this.#now()
    const entry = this.#entries.get(key)
    if (entry?.state === 'completed')
      return { kind: 'completed', answer: { ...entry.answer }, completedAt: entry.completedAt }
    if (entry?.state === 'in_progress' && entry.leaseExpiresAt > now)
      return { kind: 'busy', leaseExpiresAt: entry.leaseExpiresAt }
    const attempt = (entry?.attempt ?? 0) + 1
    const token = crypto.randomUUID()
    this.#settled.delete(key)
    this.#entries.set(key, { state: 'in_progress', token, attempt, leaseExpiresAt: now + options.leaseMs })
    return { kind: 'acquired', token, attempt }
  }

  async complete(
    key: string,
    token: string,
    answer: StoredAnswer,
    work: readonly TransactionWork<void>[] = [],
  ): Promise<boolean> {
    if (!this.#holds(key, token)) return false
    for (const item of work) await item()
    // An async work item gives another attempt the chance to take an expired lease meanwhile.
    const entry = this.#entries.get(key)
    if (!this.#holds(key, token) || !entry) return false
    this.#entries.set(key, {
      state: 'completed',
      attempt: entry.attempt,
      answer: { status: answer.status, body: answer.body },
      completedAt: this.#now(),
    })
    this.#remember(key)
    return true
  }

  /** Takes the key at once, as a claim would, so a duplicate meanwhile cannot run its work too; then completes. */
  async completeUnclaimed(
    key: string,
    answer: StoredAnswer,
    work: readonly TransactionWork<void>[],
    options: ClaimOptions,
  ): Promise<boolean> {
    if (this.#entries.has(key)) return false
    const token = crypto.randomUUID()
    this.#entries.set(key, {
      state: 'in_progress',
      token,
      attempt: 1,
      leaseExpiresAt: this.#now() + options.leaseMs,
    })
    // A work item that throws leaves the key released, as a failed claimed attempt would.
    return this.complete(key, token, answer, work).catch(async (error: unknown) => {
      await this.release(key, token)
      throw error
    })
  }

  async release(key: string, token: string): Promise<void> {
    const entry = this.#entries.get(key)
    if (entry?.state !== 'in_progress' || entry.token !== token) return
    this.#entries.set(key, { state: 'released', attempt: entry.attempt })
    this.#remember(key)
  }

  #holds(key: string, token: string): boolean {
    const entry = this.#entries.get(key)
    return entry?.state === 'in_progress' && entry.token === token
  }

  #remember(key: string): void {
    this.#settled.add(key)
    if (this.#settled.size <= this.#maxSettled) return
    // Sets iterate in insertion order, so the first key is the one settled longest ago.
    const oldest = this.#settled.values().next().value as string
    this.#settled.delete(oldest)
    this.#entries.delete(oldest)
  }
}
