import type { DatabaseSync } from 'node:sqlite'

interface Pending {
  run: (db: DatabaseSync) => unknown
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

/**
 * Group commit: every operation submitted during one event-loop turn runs in ONE write transaction, each
 * inside its own SAVEPOINT (so a failing operation rolls back only itself), and all of them settle after the
 * single COMMIT — one fsync acknowledges the whole group instead of one per operation. Internal.
 */
export class GroupCommit {
  readonly #db: DatabaseSync
  #queue: Pending[] = []
  #scheduled = false
  #closed = false

  constructor(db: DatabaseSync) {
    this.#db = db
  }

  /** Runs `operation` in the next group transaction; resolves with its result once that has committed. */
  submit<T>(operation: (db: DatabaseSync) => T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('The SQLite store is closed.'))
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run: operation, resolve: resolve as (value: unknown) => void, reject })
      if (this.#scheduled) return
      this.#scheduled = true
      // setImmediate (not a microtask) so every request handled in this I/O phase joins the group.
      setImmediate(() => this.flush())
    })
  }

  /** Stops accepting work and commits what is queued. */
  close(): void {
    this.#closed = true
    this.flush()
  }

  flush(): void {
    this.#scheduled = false
    const batch = this.#queue
    this.#queue = []
    if (batch.length === 0) return
    let results: Outcome[]
    try {
      this.#db.exec('BEGIN IMMEDIATE')
      results = batch.map((item) => this.#runItem(item))
      if (!this.#inTransaction())
        throw new Error('A work item ended the group transaction (work must not BEGIN, COMMIT or ROLLBACK).')
      this.#db.exec('COMMIT')
    } catch (error) {
      this.#rollback()
      for (const item of batch) item.reject(error)
      return
    }
    batch.forEach((item, index) => {
      const result = results[index]!
      if (result.ok) item.resolve(result.value)
      else item.reject(result.error)
    })
  }

  #runItem(item: Pending): Outcome {
    if (!this.#inTransaction()) return { ok: false, error: new Error('The group transaction ended early.') }
    this.#db.exec('SAVEPOINT item')
    try {
      const value = item.run(this.#db)
      this.#db.exec('RELEASE item')
      return { ok: true, value }
    } catch (error) {
      if (this.#inTransaction()) this.#db.exec('ROLLBACK TO item; RELEASE item')
      return { ok: false, error }
    }
  }

  #rollback(): void {
    try {
      if (this.#inTransaction()) this.#db.exec('ROLLBACK')
    } catch {
      // Nothing more can be undone here; every promise of the group already reports the failure.
    }
  }

  #inTransaction(): boolean {
    // `isTransaction` exists from Node 22.16; without it, trust the work items to leave the transaction alone.
    const flag = (this.#db as { isTransaction?: boolean }).isTransaction
    return flag ?? true
  }
}
