// A database from before the delivery log had files of its own: its log and chart counts move there on the
// first start, in the background, and the store's file forgets them once moved.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteStore } from '@aghanim-webhooks/store-sqlite'
import { deliveryInput } from 'aghanim-webhooks/testing'
import { afterAll, expect, test } from 'vitest'
import { openDatabase } from '../src/database/open-database.js'
import { LEDGER_SCOPE } from '../src/database/server-database.js'
import { sqliteLedgerMigrations } from '../src/ledger/sqlite-schema.js'

const dir = mkdtempSync(join(tmpdir(), 'awh-log-move-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const T = 1_800_000_000_000

test('an older delivery log moves to its own files with its counts, once, and leaves the database', async () => {
  const path = join(dir, 'older.db')
  const older = openSqliteStore({ path, durability: 'process' })
  await older.migrate(LEDGER_SCOPE, sqliteLedgerMigrations)
  const body = new Uint8Array([0x7b, 0xff, 0x7d])
  await older.deliveries.appendMany(
    Array.from({ length: 1500 }, (_, index) =>
      deliveryInput({ id: `old-${String(index).padStart(4, '0')}`, receivedAt: T + index * 100, body }),
    ),
  )
  // Counts as the older server kept them in the same file, beside each batch.
  older.db.exec(`INSERT INTO delivery_stats (minute, outcome, count)
    SELECT (received_at / 60000) * 60000, outcome, count(*) FROM delivery_log GROUP BY 1, 2`)
  const counted = older.db.prepare('SELECT sum(count) AS n FROM delivery_stats').get()?.n
  expect(Number(counted)).toBe(1500)
  await older.close()

  const messages: string[] = []
  let moved = () => {}
  const done = new Promise<void>((resolve) => {
    moved = resolve
  })
  const events = {
    info: (_fields: Record<string, unknown>, message: string) => {
      messages.push(message)
      if (message === 'moved the delivery log to its own files') moved()
    },
    warn: (_fields: Record<string, unknown>, message: string) => messages.push(message),
  }
  const first = await openDatabase({ kind: 'sqlite', path, durability: 'process' }, Date.now, events)
  await done
  await first.close()
  expect(messages.filter((message) => message === 'moving the delivery log to its own files').length).toBe(3)

  const raw = openSqliteStore({ path, durability: 'process' })
  expect(Number(raw.db.prepare('SELECT count(*) AS n FROM delivery_log').get()?.n)).toBe(0)
  expect(Number(raw.db.prepare('SELECT count(*) AS n FROM delivery_stats').get()?.n)).toBe(0)
  await raw.close()

  const again = await openDatabase({ kind: 'sqlite', path, durability: 'process' }, Date.now, events)
  try {
    const page = await again.deliveries.list({ limit: 1000 })
    expect(page.records[0]?.id).toBe('old-1499')
    expect((await again.deliveries.get('old-0000'))?.body).toEqual(body)
    const total = (await again.deliveryStats(T - 60_000, T + 3_600_000)).reduce(
      (sum, row) => sum + row.count,
      0,
    )
    expect(total).toBe(1500)
  } finally {
    await again.close()
  }
  expect(messages.filter((message) => message === 'moved the delivery log to its own files').length).toBe(1)
})
