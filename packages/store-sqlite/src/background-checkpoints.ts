import { resolve } from 'node:path'
import type { DatabaseSync } from 'node:sqlite'
import { Worker } from 'node:worker_threads'

/**
 * The store's connection keeps an automatic checkpoint at this WAL size (pages), because the worker alone
 * cannot keep the WAL from growing: only a writer that finds every frame checkpointed rewinds the WAL to its
 * start, and under steady writes the next commit always lands before the worker's checkpoint ends, so the WAL
 * grows without bound (docs/benchmarks.md, "Why the code is shaped this way"). By then the worker has copied
 * nearly everything, so this checkpoint costs the COMMIT that runs it about one fsync, and the next transaction
 * rewinds the WAL.
 */
const REWIND_AUTOCHECKPOINT_PAGES = 4000

/** SQLite's default `wal_autocheckpoint` (pages), restored on the store's connection if the worker dies. */
const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1000

/**
 * Checkpoints run by a thread the caller owns (`checkpoints: 'external'`, e.g. the delivery log's writer):
 * the store's connection keeps only the rewinding checkpoint, and `stop()` checkpoints what is left.
 */
export function externalCheckpoints(db: DatabaseSync): BackgroundCheckpoints {
  db.exec(`PRAGMA wal_autocheckpoint = ${REWIND_AUTOCHECKPOINT_PAGES}`)
  return {
    async stop() {
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
    },
  }
}

/** A running checkpoint worker; `stop()` ends it and checkpoints what is left. */
export interface BackgroundCheckpoints {
  stop(): Promise<void>
}

/**
 * Moves WAL checkpoints (copying committed pages into the database file, then fsyncing it) off the event
 * loop: SQLite's automatic ones run inside a COMMIT. A worker thread with its own connection to the same file
 * does the copying; `pragmas` configure that connection and must carry the store's `synchronous`, so a
 * checkpoint fsyncs exactly as the store would. Internal.
 */
export function startBackgroundCheckpoints(
  db: DatabaseSync,
  options: { path: string; pragmas: string },
): BackgroundCheckpoints {
  db.exec(`PRAGMA wal_autocheckpoint = ${REWIND_AUTOCHECKPOINT_PAGES}`)
  const entry = import.meta.url.endsWith('.ts') ? './checkpoint-thread.ts' : './checkpoint-thread.js'
  const worker = new Worker(new URL(entry, import.meta.url), {
    // Absolute: the worker opens the file a moment later, and the working directory may have changed by then.
    workerData: { path: resolve(options.path), pragmas: options.pragmas },
  })
  // A housekeeping thread must never keep the process alive.
  worker.unref()
  let stopping = false
  // Listening is what keeps a failure in the worker from being rethrown here and crashing the process.
  worker.on('error', (error) => {
    process.emitWarning(`SQLite background checkpoints failed; using automatic checkpoints instead. ${error}`)
  })
  worker.on('exit', () => {
    if (!stopping) db.exec(`PRAGMA wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`)
  })
  return {
    async stop() {
      stopping = true
      // Safe mid-checkpoint: checkpoints are crash-safe, and the worker's connection closes with its thread.
      // terminate() re-refs the worker, so close() completes even when nothing else keeps the process up.
      await worker.terminate()
      // Copy this process's last commits into the database file and empty the WAL, as closing the file's last
      // connection would; other processes may still have it open.
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
    },
  }
}
