import { openSqliteStore, type SqliteDurability } from '@aghanim-webhooks/store-sqlite'
import { afterAll, describe, expect, test } from 'vitest'
import { tempDirectory } from './temp-db.js'

const temp = tempDirectory('sqlite-open')
afterAll(() => temp.remove())

const pragma = (store: ReturnType<typeof openSqliteStore>, name: string) =>
  Object.values(store.db.prepare(`PRAGMA ${name}`).get() ?? {})[0]

describe('openSqliteStore', () => {
  test.each(['fsync', 'process'] as const)('durability %s runs WAL', async (durability: SqliteDurability) => {
    const store = openSqliteStore({ path: temp.file(), durability })
    try {
      expect(pragma(store, 'journal_mode')).toBe('wal')
      expect(store.durability).toBe(durability)
    } finally {
      await store.close()
    }
  })

  test('defaults to fsync durability and a 5 s busy timeout', async () => {
    const store = openSqliteStore({ path: temp.file() })
    try {
      expect(store.durability).toBe('fsync')
      expect(pragma(store, 'busy_timeout')).toBe(5000)
    } finally {
      await store.close()
    }
  })

  test('rejects an unknown durability by name', () => {
    expect(() => openSqliteStore({ path: temp.file(), durability: 'sometimes' as SqliteDurability })).toThrow(
      `Unknown durability "sometimes"; use 'fsync' or 'process'.`,
    )
  })

  test('reopening keeps completed keys and their answers', async () => {
    const path = temp.file()
    const first = openSqliteStore({ path })
    const claim = await first.claim('kept', { leaseMs: 60_000 })
    if (claim.kind === 'acquired')
      await first.complete('kept', claim.token, { status: 200, body: '{"status":"ok"}' })
    await first.close()
    const second = openSqliteStore({ path })
    try {
      const again = await second.claim('kept', { leaseMs: 60_000 })
      expect(again.kind === 'completed' && again.answer).toEqual({ status: 200, body: '{"status":"ok"}' })
    } finally {
      await second.close()
    }
  })

  test('pruneKeys forgets settled keys older than the cut-off, never a leased one', async () => {
    let now = 1_000
    const store = openSqliteStore({ path: temp.file(), now: () => now })
    try {
      const old = await store.claim('old', { leaseMs: 10 })
      if (old.kind === 'acquired') await store.complete('old', old.token, { status: 200, body: '{}' })
      await store.claim('leased-long-ago', { leaseMs: 10 })
      now = 5_000
      const recent = await store.claim('recent', { leaseMs: 10 })
      if (recent.kind === 'acquired')
        await store.complete('recent', recent.token, { status: 200, body: '{}' })
      expect(await store.pruneKeys(2_000)).toBe(1)
      const kinds = await Promise.all(
        ['old', 'recent'].map(async (key) => (await store.claim(key, { leaseMs: 10 })).kind),
      )
      expect(kinds).toEqual(['acquired', 'completed'])
    } finally {
      await store.close()
    }
  })

  test('releaseAllClaims frees the claims in progress of a process that died, and nothing else', async () => {
    const path = temp.file()
    const dead = openSqliteStore({ path })
    await dead.claim('cut-off', { leaseMs: 60_000 })
    const done = await dead.claim('done', { leaseMs: 60_000 })
    if (done.kind === 'acquired') await dead.complete('done', done.token, { status: 200, body: '{}' })
    await dead.close()
    const restarted = openSqliteStore({ path })
    try {
      expect((await restarted.claim('cut-off', { leaseMs: 60_000 })).kind).toBe('busy')
      expect(await restarted.releaseAllClaims()).toBe(1)
      expect(await restarted.claim('cut-off', { leaseMs: 60_000 })).toMatchObject({
        kind: 'acquired',
        attempt: 2,
      })
      expect((await restarted.claim('done', { leaseMs: 60_000 })).kind).toBe('completed')
    } finally {
      await restarted.close()
    }
  })
})
