import { closeSync, fdatasync, openSync } from 'node:fs'

/** Makes a COMMIT durable before the work in it is acknowledged. Internal. */
export interface CommitSync {
  /** Calls `done` once everything committed so far is on stable storage (or with the error that prevented it). */
  afterCommit(done: (error?: Error) => void): void
  /** Waits for the syncs in flight, then releases the file. */
  close(): Promise<void>
}

type SyncFile = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => void

/** Acknowledges at once: `durability: 'process'`, or a database without a WAL file (`:memory:`). */
export const NO_SYNC: CommitSync = {
  afterCommit: (done) => done(),
  close: async () => {},
}

/**
 * Pipelined WAL fsyncs for `durability: 'fsync'`. SQLite's `synchronous=FULL` fsyncs the WAL inside every
 * COMMIT, on the event-loop thread: the whole server stops for each fsync, for as long as
 * the disk takes (far longer on cloud block storage, or while a checkpoint keeps the disk busy). Instead the store commits with
 * `synchronous=NORMAL` (the WAL stays crash-consistent; it is synced before every checkpoint) and this class
 * fdatasyncs the WAL file on libuv's thread pool, acknowledging a group only after a sync that began after its
 * COMMIT — the guarantee FULL gives, while the event loop builds the next groups. Groups that commit while a
 * sync runs share the next one.
 *
 * On Linux an fsync covers every write to the file (the inode), whichever descriptor made it, so syncing our
 * own descriptor of the `-wal` file covers SQLite's writes. The store's connection keeps the file open for the
 * store's whole life, so SQLite never deletes and recreates it under us (it only truncates it).
 *
 * A failed fsync is final: the kernel may have dropped the dirty pages it could not write, so retrying could
 * report success for data that is gone (PostgreSQL's "fsyncgate"). Every waiting and later group then fails,
 * which answers 5xx so that Aghanim retries, until the process is restarted. Internal.
 */
export class WalSync implements CommitSync {
  readonly #fd: number
  readonly #syncFile: SyncFile
  /** Acknowledgements waiting for the next sync to start. */
  #next: Array<(error?: Error) => void> = []
  #inFlight: Promise<void> | undefined
  #failed: Error | undefined

  /** `syncFile` is node:fs's `fdatasync`; tests pass one they control. */
  constructor(walPath: string, syncFile: SyncFile = fdatasync) {
    // r+: Windows' FlushFileBuffers needs write access; nothing is ever written through it.
    this.#fd = openSync(walPath, 'r+')
    this.#syncFile = syncFile
  }

  afterCommit(done: (error?: Error) => void): void {
    if (this.#failed) {
      done(this.#failed)
      return
    }
    this.#next.push(done)
    if (!this.#inFlight) this.#inFlight = this.#syncWhileWaiting()
  }

  async close(): Promise<void> {
    await this.#inFlight
    closeSync(this.#fd)
  }

  async #syncWhileWaiting(): Promise<void> {
    while (this.#next.length > 0) {
      const waiting = this.#next
      this.#next = []
      const error = this.#failed ?? (await this.#sync())
      for (const done of waiting) done(error)
    }
    this.#inFlight = undefined
  }

  #sync(): Promise<Error | undefined> {
    return new Promise((resolve) => {
      this.#syncFile(this.#fd, (error) => {
        if (error) {
          this.#failed = new Error(
            `Could not fsync the SQLite WAL (${error.code ?? error.message}); nothing more is acknowledged until the process restarts.`,
            { cause: error },
          )
        }
        resolve(this.#failed)
      })
    })
  }
}
