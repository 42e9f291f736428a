import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { type CommitSync, NO_SYNC } from './wal-sync.js'

interface Pending {
  run: (db: DatabaseSync) => unknown
  /** False when this result may be acknowledged once committed, before the commit is on disk. */
  needsSync: (value: unknown) => boolean
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
}

/** Options of one operation of a group. */
export interface SubmitOptions<T> {
  /**
   * Whether this result may only settle once the commit is on stable storage (the default). Answer false for
   * results that nothing outside the process relies on surviving a power loss: an acquired claim only has to
   * be visible to other connections, which it is once committed. Internal.
   */
  needsSync?: (value: T) => boolean
}

const ALWAYS = () => true

const SQLITE_BUSY = 5
const SQLITE_IOERR = 10
const MAX_RETRY_DELAY_MS = 10

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

/**
 * Group commit: every operation submitted during one event-loop turn runs in ONE write transaction, each
 * inside its own SAVEPOINT (so a failing operation rolls back only itself), and they settle after the single
 * COMMIT is durable — one fsync acknowledges the whole group instead of one per operation. With a `WalSync`
 * the fsync runs off the event loop while the next groups are built. Internal.
 */
export class GroupCommit {
  readonly #db: DatabaseSync
  readonly #sync: CommitSync
  /** Prepared once: `exec` would parse these three statements again for every operation of every group. */
  readonly #savepoint: StatementSync
  readonly #release: StatementSync
  readonly #rollbackToSavepoint: StatementSync
  /** The connection's busy_timeout: how long a group may wait for another process's write lock in all. */
  readonly #busyTimeoutMs: number
  #queue: Pending[] = []
  #scheduled = false
  #closed = false
  /** When the current group first found the write lock taken (another process holds it), else undefined. */
  #busySince: number | undefined
  /**
   * The first disk error (a failed fsync of ours, or an I/O error SQLite reported, its own fsyncs included):
   * from then on nothing is committed or acknowledged. After a failed fsync the kernel may have dropped pages
   * it could not write, and a WAL frame lost that way takes every later frame with it when SQLite recovers
   * the file (their checksums chain), so a later commit's successful fsync would acknowledge what a power
   * cut could still undo. The process must restart (readiness fails, see the server's `ping`).
   */
  #failed: Error | undefined

  constructor(db: DatabaseSync, sync: CommitSync = NO_SYNC) {
    this.#db = db
    this.#sync = sync
    this.#savepoint = db.prepare('SAVEPOINT item')
    this.#release = db.prepare('RELEASE item')
    this.#rollbackToSavepoint = db.prepare('ROLLBACK TO item')
    this.#busyTimeoutMs = Number((db.prepare('PRAGMA busy_timeout').get() as { timeout: number }).timeout)
  }

  /** Runs `operation` in the next group transaction; resolves with its result once that is durable. */
  submit<T>(operation: (db: DatabaseSync) => T, options: SubmitOptions<T> = {}): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('The SQLite store is closed.'))
    if (this.#failed) return Promise.reject(this.#failed)
    const needsSync = (options.needsSync ?? ALWAYS) as (value: unknown) => boolean
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run: operation, needsSync, resolve: resolve as (value: unknown) => void, reject })
      if (this.#scheduled) return
      this.#scheduled = true
      // setImmediate (not a microtask) so every request handled in this I/O phase joins the group.
      setImmediate(() => this.flush())
    })
  }

  /** Stops accepting work and commits what is queued (waiting for the write lock if it must). */
  close(): void {
    this.#closed = true
    this.flush({ waitForLock: true })
  }

  flush({ waitForLock = false } = {}): void {
    this.#scheduled = false
    if (this.#queue.length === 0) return
    if (this.#failed) {
      this.#settleAll(this.#failed)
      return
    }
    let began: boolean
    try {
      began = waitForLock ? this.#begin() : this.#beginWithoutWaiting()
    } catch (error) {
      this.#noteDiskError(error)
      this.#settleAll(error)
      return
    }
    if (!began) {
      this.#retryLater()
      return
    }
    this.#busySince = undefined
    const batch = this.#queue
    this.#queue = []
    let results: Outcome[]
    try {
      results = batch.map((item) => this.#runItem(item))
      // A disk error in any item: commit nothing more, not even the rest of this group.
      if (this.#failed) throw this.#failed
      if (!this.#inTransaction())
        throw new Error('A work item ended the group transaction (work must not BEGIN, COMMIT or ROLLBACK).')
      this.#db.exec('COMMIT')
    } catch (error) {
      this.#noteDiskError(error)
      this.#rollback()
      for (const item of batch) item.reject(error)
      return
    }
    const durable: Array<{ item: Pending; result: Outcome }> = []
    batch.forEach((item, index) => {
      const result = results[index]!
      if (result.ok && !item.needsSync(result.value)) item.resolve(result.value)
      else durable.push({ item, result })
    })
    if (durable.length === 0) return
    this.#sync.afterCommit((syncError) => {
      if (syncError) this.#failed ??= syncError
      for (const { item, result } of durable) {
        if (syncError) item.reject(syncError)
        else if (result.ok) item.resolve(result.value)
        else item.reject(result.error)
      }
    })
  }

  /**
   * Takes the write lock if it is free. When another process holds it, SQLite's busy handler would sleep on
   * this thread, stalling every request of the event loop (--workers 2 on one file ran slower than one
   * process); instead the group retries on a timer, and work submitted meanwhile joins it.
   */
  #begin(): true {
    this.#db.exec('BEGIN IMMEDIATE')
    return true
  }

  #beginWithoutWaiting(): boolean {
    this.#db.exec('PRAGMA busy_timeout = 0')
    try {
      this.#db.exec('BEGIN IMMEDIATE')
      return true
    } catch (error) {
      if (primaryCode(error) === SQLITE_BUSY) return false
      throw error
    } finally {
      this.#db.exec(`PRAGMA busy_timeout = ${this.#busyTimeoutMs}`)
    }
  }

  #retryLater(): void {
    const now = Date.now()
    this.#busySince ??= now
    const waited = now - this.#busySince
    if (waited >= this.#busyTimeoutMs) {
      this.#busySince = undefined
      this.#settleAll(new Error(`database is locked: another process held the write lock for ${waited} ms`))
      return
    }
    this.#scheduled = true
    setTimeout(() => this.flush(), Math.min(1 + waited / 4, MAX_RETRY_DELAY_MS))
  }

  #settleAll(error: unknown): void {
    const batch = this.#queue
    this.#queue = []
    for (const item of batch) item.reject(error)
  }

  #runItem(item: Pending): Outcome {
    if (!this.#inTransaction()) return { ok: false, error: new Error('The group transaction ended early.') }
    this.#savepoint.run()
    try {
      const value = item.run(this.#db)
      this.#release.run()
      return { ok: true, value }
    } catch (error) {
      this.#noteDiskError(error)
      if (this.#inTransaction()) {
        this.#rollbackToSavepoint.run()
        this.#release.run()
      }
      return { ok: false, error }
    }
  }

  #noteDiskError(error: unknown): void {
    if (primaryCode(error) !== SQLITE_IOERR) return
    this.#failed ??= new Error(
      `The SQLite store hit a disk error (${(error as Error).message}); nothing more is committed or acknowledged until the process restarts.`,
      { cause: error },
    )
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

/**
 * SQLite's primary result code of a node:sqlite error: the low byte of its extended code, so that
 * SQLITE_BUSY_RECOVERY counts as busy and SQLITE_IOERR_FSYNC, _WRITE, _READ… as I/O errors.
 */
function primaryCode(error: unknown): number {
  return ((error as { errcode?: number }).errcode ?? 0) & 0xff
}
