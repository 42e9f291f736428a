import { DatabaseSync } from 'node:sqlite'

/** How often a checkpoint thread looks for new commits to checkpoint while none arrive. */
const IDLE_INTERVAL_MS = 100

/**
 * How often it checkpoints while commits keep arriving: often enough that the store's own rewinding
 * checkpoint finds little left to copy, not so often that its fsyncs crowd the store's.
 */
const BUSY_INTERVAL_MS = 10

/**
 * Checkpoints the database at `path` from the calling thread (never the event loop's) until the returned
 * function stops it, through a connection of its own configured by `pragmas`, which must carry the store's
 * `synchronous` so a checkpoint fsyncs exactly as the store would. PASSIVE never waits for a lock, so the
 * store's writers never wait for this thread; when every WAL frame is already in the database file it
 * returns without copying or fsyncing anything, so an idle pass is cheap. Internal.
 */
export function checkpointContinuously(path: string, pragmas: string): () => void {
  const db = new DatabaseSync(path)
  db.exec(pragmas)
  const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)')
  let lastLog = -1
  let timer: NodeJS.Timeout | undefined
  const pass = () => {
    const log = Number(passive.get()?.log)
    const committedSinceLastPass = log !== lastLog
    lastLog = log
    timer = setTimeout(pass, committedSinceLastPass ? BUSY_INTERVAL_MS : IDLE_INTERVAL_MS)
  }
  pass()
  return () => {
    clearTimeout(timer)
    db.close()
  }
}
