import { openSqliteStore, type SqliteDurability } from '@aghanim-webhooks/store-sqlite'
import { afterAll, describe, expect, test } from 'vitest'
import { collect, spawnFixture } from '../../../test-support/child-process.js'
import { runCopyDeliverers } from '../../../test-support/store-processes.js'
import { tempDirectory } from './temp-db.js'

const temp = tempDirectory('sqlite-processes')
afterAll(() => temp.remove())

describe('SqliteStore across processes', () => {
  for (const durability of ['process', 'fsync'] satisfies SqliteDurability[]) {
    test(`every key acknowledged before kill -9 is completed with its grant exactly once (${durability})`, async () => {
      const path = temp.file(`kill-${durability}`)
      const child = spawnFixture(new URL('./fixtures/ack-until-killed.ts', import.meta.url), [
        path,
        durability,
      ])
      const acked: string[] = []
      const exit = collect(child, (line) => {
        if (!line.startsWith('ack ')) return
        acked.push(line.slice(4))
        if (acked.length === 400) child.kill('SIGKILL')
      })
      const { signal, stderr } = await exit
      expect(stderr).toBe('')
      expect(signal).toBe('SIGKILL')
      expect(acked.length).toBeGreaterThanOrEqual(400)

      const store = openSqliteStore({ path, durability })
      try {
        const completed = new Set(
          store.db
            .prepare("SELECT key FROM idempotency_keys WHERE state = 'completed'")
            .all()
            .map((row) => String(row.key)),
        )
        const grants = new Map(
          store.db
            .prepare('SELECT key, count(*) AS n FROM grants GROUP BY key')
            .all()
            .map((row) => [String(row.key), Number(row.n)]),
        )
        expect(acked.filter((key) => !completed.has(key))).toEqual([])
        expect(acked.filter((key) => grants.get(key) !== 1)).toEqual([])
        // Atomicity the other way round: no grant committed without its completion, and none twice.
        expect([...grants].filter(([key, count]) => count !== 1 || !completed.has(key))).toEqual([])
        expect(grants.size).toBe(completed.size)
      } finally {
        await store.close()
      }
    })
  }

  test('200 duplicates of one key from 3 processes: the handler runs once and all get its answer', async () => {
    const path = temp.file('duplicates')
    const setup = openSqliteStore({ path, durability: 'process' })
    await setup.migrate('duplicates-test', [
      'CREATE TABLE handler_runs (key TEXT NOT NULL, winner TEXT NOT NULL)',
    ])
    await setup.close()

    const { answers, exits } = await runCopyDeliverers(
      new URL('./fixtures/deliver-duplicates.ts', import.meta.url),
      (copies, name) => [path, 'order-42', String(copies), name],
    )
    expect(exits).toEqual(Array(3).fill({ code: 0, stderr: '' }))

    const store = openSqliteStore({ path, durability: 'process' })
    try {
      const runs = store.db.prepare('SELECT winner FROM handler_runs WHERE key = ?').all('order-42')
      expect(runs.length).toBe(1)
      expect(answers.length).toBe(200)
      expect(new Set(answers)).toEqual(new Set([String(runs[0]?.winner)]))
    } finally {
      await store.close()
    }
  })

  test('four processes opening a new file at once apply each migration exactly once', async () => {
    const path = temp.file('migrate-race')
    const outputs: string[] = []
    const exits = await Promise.all(
      Array.from({ length: 4 }, () =>
        collect(spawnFixture(new URL('./fixtures/open-and-migrate.ts', import.meta.url), [path]), (line) =>
          outputs.push(line),
        ),
      ),
    )
    expect(exits.map(({ code, stderr }) => ({ code, stderr }))).toEqual(
      Array(4).fill({ code: 0, stderr: '' }),
    )
    expect(outputs.sort()).toEqual(['applied 0', 'applied 0', 'applied 0', 'applied 2'])
    const store = openSqliteStore({ path })
    try {
      expect(store.db.prepare('SELECT count(*) AS n FROM runs').get()?.n).toBe(1)
      expect(
        store.db.prepare("SELECT version FROM schema_migrations WHERE scope = 'race' ORDER BY version").all(),
      ).toEqual([{ version: 1 }, { version: 2 }])
    } finally {
      await store.close()
    }
  })
})
