import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** How long the presence connection waits before reconnecting after it was lost, at first and at most. */
const RECONNECT_FIRST_MS = 100
const RECONNECT_MAX_MS = 2000

/**
 * This store instance's liveness, as every other instance can test it: a session advisory lock on its own
 * key, held on a dedicated connection. Claims record the key (`idempotency_keys.owner`). PostgreSQL releases a
 * session lock the moment the session ends, and the session ends when the process dies (kill -9 closes its
 * sockets) or its connection is terminated, so `pg_try_advisory_xact_lock(owner)` succeeding in a claim means
 * the attempt holding the key has no process behind it any more and its retry may take over at once instead
 * of waiting out the lease. A wrong guess costs no correctness: the completion checks its token, so an attempt
 * taken over while alive only loses the race. While the connection is lost it reconnects and takes the same
 * lock again. Internal.
 */
export class Presence {
  /** A random signed 64-bit key (as a decimal string): instances never share one. */
  readonly key = BigInt.asIntN(64, randomBytes(8).readBigUInt64BE()).toString()
  readonly #config: pg.ClientConfig
  #client: pg.Client | undefined
  #timer: NodeJS.Timeout | undefined
  #delay = RECONNECT_FIRST_MS
  #closed = false

  constructor(config: pg.ClientConfig) {
    this.#config = config
  }

  /** Connects and takes the lock; rejects if PostgreSQL cannot be reached. */
  async start(): Promise<void> {
    await this.#connect()
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#timer)
    const client = this.#client
    this.#client = undefined
    await client?.end().catch(() => {})
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#config)
    // A dedicated connection has no pool to catch its errors: without a listener, a terminated session or a
    // restarting server would throw from an EventEmitter and end the process.
    client.on('error', () => {})
    client.on('end', () => this.#lost(client))
    try {
      await client.connect()
      await client.query('SELECT pg_advisory_lock($1::bigint)', [this.key])
    } catch (error) {
      await client.end().catch(() => {})
      throw error
    }
    if (this.#closed) {
      await client.end().catch(() => {})
      return
    }
    this.#client = client
    this.#delay = RECONNECT_FIRST_MS
  }

  #lost(client: pg.Client): void {
    if (this.#closed || this.#client !== client) return
    this.#client = undefined
    this.#schedule()
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#connect().catch(() => {
        this.#delay = Math.min(this.#delay * 2, RECONNECT_MAX_MS)
        this.#schedule()
      })
    }, this.#delay)
    // Reconnecting must never keep a process alive that has nothing else to do.
    this.#timer.unref()
  }
}
