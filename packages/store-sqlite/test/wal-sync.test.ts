import { readdirSync, readlinkSync, writeFileSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'
import { openSqliteStore, type SqliteDurability, SqliteStore } from '@aghanim-webhooks/store-sqlite'
import { afterAll, describe, expect, test } from 'vitest'
import { GroupCommit } from '../src/group-commit.js'
import { migrate } from '../src/migrate.js'
import { STORE_SCOPE, storeMigrations } from '../src/schema.js'
import { WalSync } from '../src/wal-sync.js'
import { tempDirectory } from './temp-db.js'

const temp = tempDirectory('sqlite-wal-sync')
afterAll(() => temp.remove())

/**
 * A WalSync on a fresh WAL file whose fdatasync the test finishes by hand: `disk.calls` records each call,
 * `disk.finish(index, error?)` completes one.
 */
function walSyncOnManualDisk() {
  const calls: Array<(error: NodeJS.ErrnoException | null) => void> = []
  const disk = {
    calls,
    finish: (index: number, error: NodeJS.ErrnoException | null = null) => calls[index]!(error),
  }
  const path = `${temp.file()}-wal`
  writeFileSync(path, '')
  const sync = new WalSync(path, (_fd, callback) => calls.push(callback))
  return { disk, sync }
}

/** Resolves to what each acknowledgement was told, in order, once `count` have been told. */
function acknowledgements(sync: WalSync, count: number) {
  const told: Array<string> = []
  const all = Array.from(
    { length: count },
    (_, index) =>
      new Promise<void>((resolve) =>
        sync.afterCommit((error) => {
          told[index] = error ? error.message : 'durable'
          resolve()
        }),
      ),
  )
  return { told, settled: Promise.all(all).then(() => told) }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('WalSync', () => {
  test('acknowledges nothing until the fsync that follows the commit has finished', async () => {
    const { disk, sync } = walSyncOnManualDisk()
    const { told } = acknowledgements(sync, 1)
    await tick()
    expect(disk.calls).toHaveLength(1)
    expect(told).toEqual([])
    disk.finish(0)
    await tick()
    expect(told).toEqual(['durable'])
    await sync.close()
  })

  test('commits made while an fsync runs wait for the next one, and share it', async () => {
    const { disk, sync } = walSyncOnManualDisk()
    const first = acknowledgements(sync, 1)
    await tick()
    const later = acknowledgements(sync, 3)
    disk.finish(0)
    await tick()
    expect(first.told).toEqual(['durable'])
    // The first fsync may have started before these commits' pages were written: it does not cover them.
    expect(later.told).toEqual([])
    expect(disk.calls).toHaveLength(2)
    disk.finish(1)
    expect(await later.settled).toEqual(['durable', 'durable', 'durable'])
    expect(disk.calls).toHaveLength(2)
    await sync.close()
  })

  test('a failed fsync fails its commits and every later one, without trying again', async () => {
    const { disk, sync } = walSyncOnManualDisk()
    const failed = acknowledgements(sync, 2)
    await tick()
    disk.finish(0, Object.assign(new Error('I/O error'), { code: 'EIO' }))
    const message =
      'Could not fsync the SQLite WAL (EIO); nothing more is acknowledged until the process restarts.'
    expect(await failed.settled).toEqual([message, message])
    expect(await acknowledgements(sync, 1).settled).toEqual([message])
    expect(disk.calls).toHaveLength(1)
    await sync.close()
  })

  test('close waits for the fsync in flight', async () => {
    const { disk, sync } = walSyncOnManualDisk()
    const { settled } = acknowledgements(sync, 1)
    let closed = false
    const closing = sync.close().then(() => {
      closed = true
    })
    await tick()
    expect(closed).toBe(false)
    disk.finish(0)
    await closing
    expect(await settled).toEqual(['durable'])
  })
})

describe('openSqliteStore durability', () => {
  const openDescriptors = () =>
    readdirSync('/proc/self/fd').map((fd) => readlinkOrEmpty(`/proc/self/fd/${fd}`))

  test.each([
    ['fsync', true],
    ['process', false],
  ] as const)('durability %s syncs the WAL file itself: %s', async (durability: SqliteDurability, syncs) => {
    const path = temp.file()
    // Inline checkpoints: the background worker's own connection would open the WAL too, whenever its thread
    // gets there, and make the count below a race.
    const store = openSqliteStore({ path, durability, checkpoints: 'inline' })
    try {
      // SQLite commits with synchronous=NORMAL either way; with fsync the store holds the WAL to fsync it.
      expect(store.db.prepare('PRAGMA synchronous').get()?.synchronous).toBe(1)
      const walDescriptors = openDescriptors().filter((target) => target === `${path}-wal`)
      // SQLite's own descriptor, plus ours with fsync.
      expect(walDescriptors.length).toBe(syncs ? 2 : 1)
      await store.transact(({ db }) => db.exec('CREATE TABLE t (x)'))
    } finally {
      await store.close()
    }
    expect(openDescriptors().filter((target) => target.startsWith(path))).toEqual([])
  })
})

function readlinkOrEmpty(path: string): string {
  try {
    return readlinkSync(path)
  } catch {
    return ''
  }
}

describe('GroupCommit with a commit sync', () => {
  function groupWithManualSync() {
    const db = new DatabaseSync(':memory:')
    db.exec('CREATE TABLE t (x)')
    const pending: Array<(error?: Error) => void> = []
    const group = new GroupCommit(db, { afterCommit: (done) => pending.push(done), close: async () => {} })
    return { db, group, pending }
  }

  test('settles a group only once its commit is durable, and fails it when the sync fails', async () => {
    const { db, group, pending } = groupWithManualSync()
    let settled = 0
    const first = group.submit((tx) => tx.prepare('INSERT INTO t VALUES (1)').run()).then(() => settled++)
    await tick()
    // Committed (visible on the connection), not yet acknowledged.
    expect(db.prepare('SELECT count(*) AS n FROM t').get()?.n).toBe(1)
    expect(settled).toBe(0)
    pending[0]!()
    await first
    expect(settled).toBe(1)

    const second = group.submit((tx) => tx.prepare('INSERT INTO t VALUES (2)').run())
    await tick()
    pending[1]!(new Error('disk gone'))
    await expect(second).rejects.toThrow('disk gone')
    db.close()
  })

  const rows = (db: DatabaseSync) => Number(db.prepare('SELECT count(*) AS n FROM t').get()?.n)

  test('after a failed fsync, later work is refused without being committed', async () => {
    const { db, group, pending } = groupWithManualSync()
    const first = group.submit((tx) => tx.prepare('INSERT INTO t VALUES (1)').run())
    await tick()
    pending[0]!(new Error('disk gone'))
    await expect(first).rejects.toThrow('disk gone')
    await expect(group.submit((tx) => tx.prepare('INSERT INTO t VALUES (2)').run())).rejects.toThrow(
      'disk gone',
    )
    expect(rows(db)).toBe(1)
    expect(pending).toHaveLength(1)
    db.close()
  })

  test('an I/O error SQLite reports (its own fsync failed) stops the group the same way', async () => {
    const { db, group } = groupWithManualSync()
    const ioError = Object.assign(new Error('disk I/O error'), { errcode: 1034 /* SQLITE_IOERR_FSYNC */ })
    const poisoned = 'nothing more is committed or acknowledged until the process restarts'
    const sameGroup = group.submit((tx) => tx.prepare('INSERT INTO t VALUES (1)').run())
    const failing = group.submit(() => {
      throw ioError
    })
    await expect(failing).rejects.toThrow(poisoned)
    await expect(sameGroup).rejects.toThrow(poisoned)
    await expect(group.submit((tx) => tx.prepare('INSERT INTO t VALUES (2)').run())).rejects.toThrow(poisoned)
    expect(rows(db)).toBe(0)
    db.close()
  })

  test('an ordinary error of one work item fails that item only', async () => {
    const { db, group, pending } = groupWithManualSync()
    const failing = group.submit(() => {
      throw Object.assign(new Error('constraint failed'), { errcode: 19 /* SQLITE_CONSTRAINT */ })
    })
    const fine = group.submit((tx) => tx.prepare('INSERT INTO t VALUES (1)').run())
    await tick()
    pending[0]!()
    await expect(failing).rejects.toThrow('constraint failed')
    await expect(fine).resolves.toBeDefined()
    expect(rows(db)).toBe(1)
    db.close()
  })
})

describe('SqliteStore acknowledgements and the WAL sync', () => {
  /** A store whose commits become durable only when the test says so. */
  function storeWithManualSync() {
    const pending: Array<(error?: Error) => void> = []
    const db = new DatabaseSync(temp.file())
    db.exec('PRAGMA journal_mode = WAL')
    migrate(db, STORE_SCOPE, storeMigrations, 0)
    const sync = { afterCommit: (done: (error?: Error) => void) => pending.push(done), close: async () => {} }
    const store = new SqliteStore(db, { durability: 'fsync', now: Date.now, sync })
    const syncAll = () => {
      for (const done of pending.splice(0)) done()
    }
    return { store, pending, syncAll }
  }

  const settledYet = (promise: Promise<unknown>) => {
    let settled = false
    promise.then(
      () => (settled = true),
      () => (settled = true),
    )
    return () => settled
  }

  test('an acquired claim settles once committed; the completion waits until it is on disk', async () => {
    const { store, syncAll } = storeWithManualSync()
    const claim = await store.claim('k1', { leaseMs: 60_000 })
    expect(claim.kind).toBe('acquired')
    const token = claim.kind === 'acquired' ? claim.token : ''
    const completion = store.complete('k1', token, { status: 200, body: '{"status":"ok"}' })
    const completed = settledYet(completion)
    await tick()
    expect(completed()).toBe(false)
    syncAll()
    expect(await completion).toBe(true)
    await store.close()
  })

  test('a duplicate that finds the key completed gets the stored answer only once that is on disk', async () => {
    const { store, syncAll } = storeWithManualSync()
    const claim = await store.claim('k2', { leaseMs: 60_000 })
    const token = claim.kind === 'acquired' ? claim.token : ''
    const completion = store.complete('k2', token, { status: 200, body: '{"status":"ok"}' })
    await tick()
    const duplicate = store.claim('k2', { leaseMs: 60_000 })
    const answered = settledYet(duplicate)
    await tick()
    expect(answered()).toBe(false)
    syncAll()
    await tick()
    syncAll()
    expect(await completion).toBe(true)
    expect(await duplicate).toMatchObject({ kind: 'completed', answer: { status: 200 } })
    await store.close()
  })
})
