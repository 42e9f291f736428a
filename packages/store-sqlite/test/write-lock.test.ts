import { DatabaseSync } from 'node:sqlite'
import { openSqliteStore } from '@aghanim-webhooks/store-sqlite'
import { afterAll, describe, expect, test } from 'vitest'
import { tempDirectory } from './temp-db.js'

const temp = tempDirectory('sqlite-lock')
afterAll(() => temp.remove())

/** Another writer on the same file (as another process would be), holding the write lock until released. */
function holdWriteLock(path: string) {
  const other = new DatabaseSync(path)
  other.exec('BEGIN IMMEDIATE')
  return {
    release: () => {
      other.exec('COMMIT')
      other.close()
    },
  }
}

describe('SqliteStore while another connection holds the write lock', () => {
  test('keeps the event loop running and commits once the lock is free', async () => {
    const path = temp.file()
    const store = openSqliteStore({ path, busyTimeoutMs: 5000 })
    try {
      const lock = holdWriteLock(path)
      const claimed = store.claim('while-locked', { leaseMs: 60_000 })
      // A blocking busy handler would sleep on this thread: the timer could not fire before the claim settles.
      const ticks: number[] = []
      const ticker = setInterval(() => ticks.push(performance.now()), 5)
      await new Promise((resolve) => setTimeout(resolve, 100))
      clearInterval(ticker)
      expect(ticks.length).toBeGreaterThan(5)
      lock.release()
      expect((await claimed).kind).toBe('acquired')
    } finally {
      await store.close()
    }
  })

  test('gives up after busyTimeoutMs with "database is locked", and works again afterwards', async () => {
    const path = temp.file()
    const store = openSqliteStore({ path, busyTimeoutMs: 150 })
    try {
      const lock = holdWriteLock(path)
      const started = performance.now()
      await expect(store.claim('gives-up', { leaseMs: 60_000 })).rejects.toThrow(/database is locked/)
      expect(performance.now() - started).toBeGreaterThanOrEqual(140)
      lock.release()
      expect((await store.claim('gives-up', { leaseMs: 60_000 })).kind).toBe('acquired')
    } finally {
      await store.close()
    }
  })
})
