// player.verify reads players from a per-process cache on SQLite; whoever changes a player, the next read
// must see it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, afterEach, beforeEach, expect, test } from 'vitest'
import { openDatabase } from '../src/database/open-database.js'
import type { ServerDatabase } from '../src/database/server-database.js'

const dir = mkdtempSync(join(tmpdir(), 'awh-player-cache-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let path: string
let database: ServerDatabase
let files = 0

beforeEach(async () => {
  path = join(dir, `players-${++files}.db`)
  database = await openDatabase({ kind: 'sqlite', path, durability: 'process' }, Date.now)
  await database.ledger.upsertPlayer('p1', { name: 'Molly' })
})
afterEach(() => database.close())

test('a ban through the ledger shows at the next read', async () => {
  expect((await database.ledger.getPlayer('p1'))?.banned).toBe(false)
  await database.ledger.upsertPlayer('p1', { banned: true })
  expect((await database.ledger.getPlayer('p1'))?.banned).toBe(true)
})

test('a change committed by another process (another connection to the file) shows from the next turn on', async () => {
  expect((await database.ledger.getPlayer('p1'))?.name).toBe('Molly')
  const other = new DatabaseSync(path)
  other.prepare("UPDATE players SET name = 'Ælfrida', banned = 1 WHERE player_id = 'p1'").run()
  other.close()
  // As a request would: it arrives by I/O, in a later turn of the event loop than the read before it.
  await new Promise((resolve) => setImmediate(resolve))
  const player = await database.ledger.getPlayer('p1')
  expect(player?.name).toBe('Ælfrida')
  expect(player?.banned).toBe(true)
})

test("a studio handler's own write in a transaction shows at the next read, and a new player is found", async () => {
  expect(await database.ledger.getPlayer('p2')).toBe(undefined)
  expect((await database.ledger.getPlayer('p1'))?.banned).toBe(false)
  const store = database.store as unknown as {
    transact(work: (tx: { db: DatabaseSync }) => void): Promise<void>
  }
  await store.transact(({ db }) => {
    db.prepare("UPDATE players SET banned = 1 WHERE player_id = 'p1'").run()
  })
  expect((await database.ledger.getPlayer('p1'))?.banned).toBe(true)
  await database.ledger.upsertPlayer('p2', { name: 'Bob' })
  expect((await database.ledger.getPlayer('p2'))?.name).toBe('Bob')
})

test('what a read returns cannot change what the next read returns', async () => {
  const first = await database.ledger.getPlayer('p1')
  expect(() => {
    ;(first as { name: string }).name = 'changed'
  }).toThrow(TypeError)
  expect((await database.ledger.getPlayer('p1'))?.name).toBe('Molly')
})
