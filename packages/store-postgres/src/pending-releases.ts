/** How often releases that failed are tried again, and for how long at most (the store's default lease). */
const RETRY_EVERY_MS = 250
const GIVE_UP_AFTER_MS = 60_000

/**
 * Releases that could not reach the database (it restarted, the connection was cut), tried again in the
 * background until they go through. Without this, an attempt cut off by the outage kept its key claimed until
 * the lease ran out, and Aghanim's retries were refused with 409 for up to a minute after PostgreSQL was back.
 * A release only matches its own token while the claim is still in progress, so trying one again is harmless
 * whatever happened in between (completed, taken over, released). Internal.
 */
export class PendingReleases {
  readonly #release: (key: string, token: string) => Promise<void>
  readonly #pending = new Map<string, { key: string; giveUpAt: number }>()
  #timer: NodeJS.Timeout | undefined
  #running = false

  constructor(release: (key: string, token: string) => Promise<void>) {
    this.#release = release
  }

  /** Tries `release(key, token)` again later (keyed by token: each attempt's claim is released once). */
  add(key: string, token: string): void {
    this.#pending.set(token, { key, giveUpAt: Date.now() + GIVE_UP_AFTER_MS })
    this.#schedule()
  }

  get size(): number {
    return this.#pending.size
  }

  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#pending.clear()
  }

  #schedule(): void {
    if (this.#timer || this.#running || this.#pending.size === 0) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#retry()
    }, RETRY_EVERY_MS)
    this.#timer.unref()
  }

  async #retry(): Promise<void> {
    this.#running = true
    for (const [token, { giveUpAt }] of this.#pending) if (Date.now() >= giveUpAt) this.#pending.delete(token)
    try {
      for (const [token, { key }] of this.#pending) {
        try {
          await this.#release(key, token)
          this.#pending.delete(token)
        } catch {
          // Still unreachable: try again later (past giveUpAt the lease has ended it anyway).
          break
        }
      }
    } finally {
      this.#running = false
      this.#schedule()
    }
  }
}
