import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { type LegacyProgress, openSqliteDeliveryFiles, openSqliteStore } from '@aghanim-webhooks/store-sqlite'
import { deliveryInput, runDeliveryLogConformance } from 'aghanim-webhooks/testing'
import { afterAll, describe, expect, test } from 'vitest'
import { tempDirectory } from './temp-db.js'

const temp = tempDirectory('delivery-files')
afterAll(() => temp.remove())
const T0 = deliveryInput().receivedAt
const MINUTE = 60_000

/** Two logs opened on one directory at once, as by two server processes: each must take a slot of its own. */
const twoWriters = (directory: string) =>
  Promise.all([openSqliteDeliveryFiles({ directory }), openSqliteDeliveryFiles({ directory })])

runDeliveryLogConformance(
  'SqliteDeliveryFiles',
  async () => {
    const log = await openSqliteDeliveryFiles({ directory: temp.file('log') })
    return { log, cleanup: () => log.close() }
  },
  { describe, expect, test },
)

describe('the delivery log in files of its own', () => {
  test('keeps records across a reopen, bodies byte for byte', async () => {
    const directory = temp.file('reopen')
    const body = new Uint8Array(70_000).map((_, index) => index % 251)
    const first = await openSqliteDeliveryFiles({ directory })
    await first.appendMany([
      deliveryInput({ id: 'big', body }),
      deliveryInput({ id: 'small', receivedAt: T0 + 1 }),
    ])
    await first.close()
    const again = await openSqliteDeliveryFiles({ directory })
    expect((await again.get('big'))?.body).toEqual(body)
    expect((await again.list()).records.map((record) => record.id)).toEqual(['small', 'big'])
    expect(again.slot).toBe('0')
    await again.close()
  })

  test('two writers sharing the directory (two processes, or two logs of one) write their own slots and read each other', async () => {
    const directory = temp.file('slots')
    const [one, other] = await twoWriters(directory)
    expect([one.slot, other.slot].sort()).toEqual(['0', '1'])
    await one.append(deliveryInput({ id: 'from-one', receivedAt: T0 }))
    await other.append(deliveryInput({ id: 'from-other', receivedAt: T0 + 1 }))
    expect((await one.list()).records.map((record) => record.id)).toEqual(['from-other', 'from-one'])
    expect((await other.get('from-one'))?.id).toBe('from-one')
    await one.close()
    await other.close()
  })

  test('counts deliveries per minute and outcome with each batch, across slots, and prunes them', async () => {
    const log = await openSqliteDeliveryFiles({ directory: temp.file('stats') })
    await log.appendMany([
      deliveryInput({ receivedAt: T0 }),
      deliveryInput({ receivedAt: T0 + 1000 }),
      deliveryInput({ receivedAt: T0 + 2000, outcome: 'signature_mismatch', status: 403 }),
      deliveryInput({ receivedAt: T0 + MINUTE }),
    ])
    expect(await log.stats(T0, T0 + 2 * MINUTE)).toEqual([
      { minute: T0, outcome: 'ok', count: 2 },
      { minute: T0, outcome: 'signature_mismatch', count: 1 },
      { minute: T0 + MINUTE, outcome: 'ok', count: 1 },
    ])
    expect(await log.prune(T0 + MINUTE)).toBe(3)
    expect(await log.stats(T0, T0 + 2 * MINUTE)).toEqual([{ minute: T0 + MINUTE, outcome: 'ok', count: 1 }])
    await log.close()
  })

  test('retention deletes segments that hold nothing newer than the cut-off', async () => {
    const directory = temp.file('segments')
    const log = await openSqliteDeliveryFiles({ directory, segmentBytes: 1024 })
    for (let minute = 0; minute < 4; minute += 1)
      await log.append(deliveryInput({ receivedAt: T0 + minute * MINUTE, body: 'x'.repeat(2000) }))
    const segments = () => readdirSync(join(directory, log.slot)).filter((name) => name.endsWith('.seg'))
    expect(segments().length).toBe(4)
    expect(await log.prune(T0 + 2 * MINUTE)).toBe(2)
    expect(segments().length).toBe(2)
    expect((await log.list()).records.length).toBe(2)
    await log.close()
  })

  test('a record whose bytes were lost (a power cut) reads as damaged, never as other bytes', async () => {
    const directory = temp.file('damaged')
    const log = await openSqliteDeliveryFiles({ directory })
    await log.append(deliveryInput({ id: 'kept', body: 'first' }))
    await log.append(deliveryInput({ id: 'lost', body: 'second body', receivedAt: T0 + 1 }))
    const segment = join(directory, log.slot, '00000001.seg')
    truncateSync(segment, statSync(segment).size - 4)
    expect((await log.get('kept'))?.body).toEqual(new TextEncoder().encode('first'))
    const lost = await log.get('lost')
    expect(lost?.body).toBe(null)
    expect(lost?.responseBody).toBe('')
    expect(lost?.outcome).toBe('ok')
    await log.close()
  })

  test('moves the delivery log of an older version out of the store database, in chunks, with progress', async () => {
    const path = temp.file('legacy-store')
    const store = openSqliteStore({ path, durability: 'process' })
    const body = new Uint8Array([1, 2, 3, 0, 255])
    await store.deliveries.appendMany(
      Array.from({ length: 1200 }, (_, index) =>
        deliveryInput({
          id: `old-${String(index).padStart(4, '0')}`,
          receivedAt: T0 + index,
          body,
          game: index === 0 ? 'gm_a' : null,
          sandbox: index === 0,
        }),
      ),
    )
    const progress: LegacyProgress[] = []
    const finished = new Promise<void>((resolve) => {
      openSqliteDeliveryFiles({
        directory: `${path}-deliveries`,
        legacyStorePath: path,
        onLegacyProgress: (step) => {
          progress.push(step)
          if (step.state !== 'copying') resolve()
        },
      }).then(async (log) => {
        await finished
        expect((await log.list({ limit: 1 })).records[0]?.id).toBe('old-1199')
        expect((await log.get('old-0000'))?.body).toEqual(body)
        expect((await log.list({ game: 'gm_a', sandbox: true })).records.map((r) => r.id)).toEqual([
          'old-0000',
        ])
        expect((await log.list({ limit: 1000 })).records.length).toBe(1000)
        await log.close()
      })
    })
    await finished
    expect(progress.at(-1)).toEqual({ state: 'done', copied: 1200 })
    expect(progress.filter((step) => step.state === 'copying').length).toBe(3)
    await store.close()
  })
})

test('an index written before games were recorded gains the game and sandbox columns, its records no game, live', async () => {
  const directory = temp.file('before-games')
  const [own, other] = await twoWriters(directory)
  await own.append(deliveryInput({ id: 'old-own', receivedAt: T0 }))
  await other.append(deliveryInput({ id: 'old-other', receivedAt: T0 + 1 }))
  const slots = [own.slot, other.slot]
  await Promise.all([own.close(), other.close()])
  // Both slots as an older version left them: no game, no sandbox.
  for (const slot of slots) {
    const db = new DatabaseSync(join(directory, slot, 'index.db'))
    db.exec('ALTER TABLE deliveries DROP COLUMN game; ALTER TABLE deliveries DROP COLUMN sandbox')
    db.close()
  }
  writeFileSync(join(directory, '1', 'writer.pid'), '1') // init: alive, so slot 1 is only read
  const log = await openSqliteDeliveryFiles({ directory })
  expect(log.slot).toBe('0')
  const read = await log.get('old-other')
  expect([read?.game, read?.sandbox]).toEqual([null, false])
  await log.append(deliveryInput({ id: 'new', game: 'gm_a', sandbox: true, receivedAt: T0 + 2 }))
  const ids = async (query: Parameters<typeof log.list>[0]) =>
    (await log.list(query)).records.map((record) => record.id)
  expect(await ids({ game: null })).toEqual(['old-other', 'old-own'])
  expect(await ids({ game: 'gm_a', sandbox: true })).toEqual(['new'])
  expect(await ids({ sandbox: false })).toEqual(['old-other', 'old-own'])
  await log.close()
})

test('a slot whose pid file names a live process is left to it', async () => {
  const directory = temp.file('live')
  const first = await openSqliteDeliveryFiles({ directory })
  await first.close()
  writeFileSync(join(directory, '0', 'writer.pid'), '1') // init: always alive
  const next = await openSqliteDeliveryFiles({ directory })
  expect(next.slot).toBe('1')
  await next.close()
})

test('a pid file of a process that is gone does not keep its slot', async () => {
  const directory = temp.file('stale')
  const first = await openSqliteDeliveryFiles({ directory })
  await first.close()
  expect(existsSync(join(directory, '0', 'writer.pid'))).toBe(false)
  writeFileSync(join(directory, '0', 'writer.pid'), '999999999')
  const next = await openSqliteDeliveryFiles({ directory })
  expect(next.slot).toBe('0')
  expect(readFileSync(join(directory, '0', 'writer.pid'), 'utf8')).toBe(String(process.pid))
  await next.close()
})
