import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { openSqliteDeliveryFiles, openSqliteStore, type SqliteStore } from '@aghanim-webhooks/store-sqlite'
import { afterAll, describe, expect, test } from 'vitest'
import { collect, spawnFixture } from '../../../test-support/child-process.js'
import { tempDirectory } from './temp-db.js'

const temp = tempDirectory('sqlite-checkpoints')
afterAll(() => temp.remove())

const PAGE_SIZE = 4096
// A 3000-byte row fills most of a 4096-byte page, so each one adds about a page to the WAL.
const ROW_SQL = 'INSERT INTO rows (pad) VALUES (randomblob(3000))'

async function openWithRows(path: string, checkpoints: 'background' | 'inline' = 'background') {
  const store = openSqliteStore({ path, durability: 'process', checkpoints })
  await store.migrate('checkpoints-test', ['CREATE TABLE rows (pad BLOB NOT NULL)'])
  return store
}

/** Commits `rows` rows (about as many WAL pages) in one group transaction. */
function writeRows(store: SqliteStore, rows: number): Promise<void> {
  return store.transact(({ db }) => {
    const insert = db.prepare(ROW_SQL)
    for (let row = 0; row < rows; row += 1) insert.run()
  })
}

const autocheckpoint = (store: SqliteStore) =>
  Number(store.db.prepare('PRAGMA wal_autocheckpoint').get()?.wal_autocheckpoint)
const fileSize = (path: string) => (existsSync(path) ? statSync(path).size : 0)

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return true
}

describe('SqliteStore checkpoints', () => {
  test('with background checkpoints, commits reach the database file without the store connection checkpointing', async () => {
    const path = temp.file()
    const store = await openWithRows(path)
    try {
      const rows = 2_000
      // SQLite would only checkpoint on the store's connection once the WAL holds this many pages.
      expect(autocheckpoint(store)).toBeGreaterThan(rows)
      const before = fileSize(path)
      await writeRows(store, rows)
      expect(await waitFor(() => fileSize(path) >= before + rows * PAGE_SIZE)).toBe(true)
    } finally {
      await store.close()
    }
  })

  test('under steady writes the WAL stays bounded with background checkpoints', async () => {
    const path = temp.file()
    const store = await openWithRows(path)
    try {
      let largestWal = 0
      for (let group = 0; group < 100; group += 1) {
        await writeRows(store, 500)
        largestWal = Math.max(largestWal, fileSize(`${path}-wal`))
      }
      // 50 000 pages were written; without rewinding, the WAL would hold them all. It is rewound every few
      // thousand (4 000, plus a group or a few more when a rewind finds the worker mid-checkpoint and tries
      // again at the next commit; on a machine busy with other tests that took up to 10 700 pages).
      expect(largestWal).toBeLessThan(20_000 * PAGE_SIZE)
      expect(store.db.prepare('SELECT count(*) AS n FROM rows').get()?.n).toBe(50_000)
    } finally {
      await store.close()
    }
  })

  test('close() stops the worker, leaves no WAL behind, and the data survives reopening', async () => {
    const path = temp.file()
    const store = await openWithRows(path)
    await writeRows(store, 1_500)
    await store.close()
    // SQLite removes the WAL only when the last connection to the file closes: the worker's too.
    expect(existsSync(`${path}-wal`)).toBe(false)
    expect(fileSize(path)).toBeGreaterThanOrEqual(1_500 * PAGE_SIZE)
    const reopened = await openWithRows(path)
    try {
      expect(reopened.db.prepare('SELECT count(*) AS n FROM rows').get()?.n).toBe(1_500)
    } finally {
      await reopened.close()
    }
  })

  test("with external checkpoints, the delivery log's thread moves the store's commits into its file", async () => {
    const path = temp.file()
    const store = openSqliteStore({ path, durability: 'process', checkpoints: 'external' })
    await store.migrate('checkpoints-test', ['CREATE TABLE rows (pad BLOB NOT NULL)'])
    const rows = 2_000
    expect(autocheckpoint(store)).toBeGreaterThan(rows)
    const before = fileSize(path)
    await writeRows(store, rows)
    // Nobody checkpoints yet: the commits stay in the WAL.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(fileSize(path)).toBeLessThan(before + rows * PAGE_SIZE)
    const log = await openSqliteDeliveryFiles({
      directory: `${path}-deliveries`,
      checkpoints: store.checkpointing,
    })
    try {
      expect(await waitFor(() => fileSize(path) >= before + rows * PAGE_SIZE)).toBe(true)
    } finally {
      await log.close()
      await store.close()
    }
    expect(fileSize(`${path}-wal`)).toBe(0)
  })

  test('inline checkpoints keep SQLite automatic checkpoints every 1000 pages', async () => {
    const store = await openWithRows(temp.file(), 'inline')
    try {
      expect(autocheckpoint(store)).toBe(1_000)
    } finally {
      await store.close()
    }
  })

  test('if the worker fails, the store warns and falls back to automatic checkpoints', async () => {
    const directory = join(temp.root, 'moving')
    mkdirSync(directory)
    const warnings: string[] = []
    const onWarning = (warning: Error) => warnings.push(warning.message)
    process.on('warning', onWarning)
    const store = openSqliteStore({ path: join(directory, 'store.db'), durability: 'process' })
    // The worker opens the file by path once its thread has started; moving the directory first makes that fail.
    renameSync(directory, `${directory}-moved`)
    try {
      expect(await waitFor(() => autocheckpoint(store) === 1_000)).toBe(true)
      expect(await waitFor(() => warnings.length > 0)).toBe(true)
      expect(warnings[0]).toMatch(/background checkpoints failed/)
      expect((await store.claim('after-failure', { leaseMs: 60_000 })).kind).toBe('acquired')
    } finally {
      process.off('warning', onWarning)
      renameSync(`${directory}-moved`, directory)
      await store.close()
    }
  })

  test.each(['close', 'leave-open'])(
    'a process that opens a store and ends (%s) exits on its own',
    async (ending) => {
      const child = spawnFixture(new URL('./fixtures/open-and-exit.ts', import.meta.url), [
        temp.file(),
        ending,
      ])
      const lines: string[] = []
      const stuck = setTimeout(() => child.kill(), 10_000)
      const exit = await collect(child, (line) => lines.push(line))
      clearTimeout(stuck)
      expect(exit).toEqual({ code: 0, signal: null, stderr: '' })
      expect(lines).toEqual([`${ending} done`])
    },
  )
})
