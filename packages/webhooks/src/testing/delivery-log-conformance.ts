import type { DeliveryLog, DeliveryQuery, DeliverySummary } from '../delivery-log/contract.js'
import { deliveryInput } from './delivery-input.js'
import { rejection, type TestFunctions } from './harness.js'

/** One fresh, empty delivery log for one conformance case. */
export interface DeliveryLogUnderTest {
  log: DeliveryLog
  cleanup(): Promise<void>
}

/** The time `deliveryInput` gives a record unless told otherwise. */
const T0 = deliveryInput().receivedAt
const MINUTE = 60_000

/**
 * Registers the DeliveryLog conformance suite: round trips (raw bytes included), every filter, keyset
 * pagination newest first, and retention. Each case expects an empty log.
 *
 * @example
 * runDeliveryLogConformance('my log', async () => {
 *   const store = await openPostgresStore({ connectionString, schema: `t_${Date.now()}` })
 *   return { log: store.deliveries, cleanup: () => store.close() }
 * }, { describe, expect, test })
 */
export function runDeliveryLogConformance(
  name: string,
  makeLog: () => Promise<DeliveryLogUnderTest>,
  { describe, expect, test }: TestFunctions,
): void {
  const withLog = (title: string, body: (log: DeliveryLog) => Promise<void>) =>
    test(title, async () => {
      const subject = await makeLog()
      try {
        await body(subject.log)
      } finally {
        await subject.cleanup()
      }
    })
  const ids = (records: readonly DeliverySummary[]) => records.map((record) => record.id)
  const listIds = async (log: DeliveryLog, query: DeliveryQuery) => ids((await log.list(query)).records)

  describe(`${name} conforms to the DeliveryLog contract`, () => {
    withLog('get returns every field appended, the body byte for byte', async (log) => {
      const body = new Uint8Array([0x7b, 0xff, 0x00, 0xc3, 0x28, 0x7d])
      const input = deliveryInput({
        id: 'd-roundtrip',
        body,
        headers: { 'content-type': 'application/json', 'x-aghanim-signature': '[redacted]' },
        duplicate: true,
        attempt: 2,
        replayOf: 'd-original',
        game: 'gm_a',
        sandbox: true,
      })
      expect(await log.append(input)).toBe('d-roundtrip')
      const stored = await log.get('d-roundtrip')
      expect(stored).toEqual({ ...input, id: 'd-roundtrip', body })
    })

    withLog('a text body is stored as its UTF-8 bytes and a missing body as null', async (log) => {
      await log.append(deliveryInput({ id: 'd-text', body: '{"name":"Ælfrida 🗡"}' }))
      await log.append(
        deliveryInput({
          id: 'd-none',
          body: null,
          outcome: 'method_not_allowed',
          status: 405,
          eventId: null,
          eventType: null,
          key: null,
          playerId: null,
        }),
      )
      expect((await log.get('d-text'))?.body).toEqual(new TextEncoder().encode('{"name":"Ælfrida 🗡"}'))
      const none = await log.get('d-none')
      expect(none?.body).toBe(null)
      expect(none?.eventType).toBe(null)
    })

    withLog('appendMany stores every record of the batch and answers their ids in order', async (log) => {
      const given = await log.appendMany([
        deliveryInput({ id: 'batch-1', receivedAt: T0 }),
        deliveryInput({ receivedAt: T0 + MINUTE, body: 'text body' }),
        deliveryInput({ id: 'batch-3', receivedAt: T0 + 2 * MINUTE, eventType: 'item.add' }),
      ])
      expect(given.length).toBe(3)
      expect(given[0]).toBe('batch-1')
      expect(given[2]).toBe('batch-3')
      expect(await listIds(log, {})).toEqual([...given].reverse())
      expect((await log.get(given[1]!))?.body).toEqual(new TextEncoder().encode('text body'))
      expect(await log.appendMany([])).toEqual([])
    })

    withLog('appendMany stores a batch of 2,500 (more than one SQL statement may carry)', async (log) => {
      const batch = Array.from({ length: 2500 }, (_, index) =>
        deliveryInput({ id: `big-${String(index).padStart(4, '0')}`, receivedAt: T0 + index }),
      )
      expect((await log.appendMany(batch)).length).toBe(2500)
      const newest = await log.list({ limit: 1 })
      expect(ids(newest.records)).toEqual(['big-2499'])
      expect(await listIds(log, { until: T0 + 1 })).toEqual(['big-0000'])
      expect(await log.prune(T0 + 2500)).toBe(2500)
    })

    withLog('append generates distinct ids when none is given', async (log) => {
      const first = await log.append(deliveryInput({}))
      const second = await log.append(deliveryInput({}))
      expect(typeof first).toBe('string')
      expect(first === second).toBe(false)
      expect((await log.get(second))?.id).toBe(second)
    })

    withLog('get of an unknown id is undefined', async (log) => {
      expect(await log.get('d-missing')).toBe(undefined)
    })

    withLog('list is newest first and leaves out headers and bodies', async (log) => {
      for (const [id, minute] of [
        ['d-1', 1],
        ['d-3', 3],
        ['d-2', 2],
      ] as const)
        await log.append(deliveryInput({ id, receivedAt: T0 + minute * MINUTE }))
      const page = await log.list()
      expect(ids(page.records)).toEqual(['d-3', 'd-2', 'd-1'])
      expect(page.nextCursor).toBe(null)
      const first = page.records[0] as unknown as Record<string, unknown>
      expect(['headers', 'body', 'responseBody'].filter((field) => field in first)).toEqual([])
      expect(first.duplicate).toBe(false)
    })

    withLog('filters by time range: since inclusive, until exclusive', async (log) => {
      for (const minute of [1, 2, 3, 4])
        await log.append(deliveryInput({ id: `d-${minute}`, receivedAt: T0 + minute * MINUTE }))
      expect(await listIds(log, { since: T0 + 2 * MINUTE, until: T0 + 4 * MINUTE })).toEqual(['d-3', 'd-2'])
    })

    withLog('filters by event type, status, outcome, key, player and replay', async (log) => {
      await log.append(deliveryInput({ id: 'grant', eventType: 'item.add', key: 'k-1', playerId: 'p-1' }))
      await log.append(
        deliveryInput({
          id: 'dup',
          eventType: 'item.add',
          key: 'k-1',
          playerId: 'p-1',
          duplicate: true,
          receivedAt: T0 + 1,
        }),
      )
      await log.append(
        deliveryInput({
          id: 'forged',
          outcome: 'signature_mismatch',
          status: 403,
          eventType: null,
          key: null,
          playerId: null,
          receivedAt: T0 + 2,
        }),
      )
      await log.append(
        deliveryInput({
          id: 'verify',
          eventType: 'player.verify',
          key: null,
          playerId: 'p-2',
          receivedAt: T0 + 3,
        }),
      )
      await log.append(
        deliveryInput({
          id: 'replay',
          eventType: 'item.add',
          key: 'k-1',
          playerId: 'p-1',
          replayOf: 'grant',
          duplicate: true,
          receivedAt: T0 + 4,
        }),
      )
      expect(await listIds(log, { eventType: 'item.add' })).toEqual(['replay', 'dup', 'grant'])
      expect(await listIds(log, { status: 403 })).toEqual(['forged'])
      expect(await listIds(log, { outcome: 'signature_mismatch' })).toEqual(['forged'])
      expect(await listIds(log, { outcome: 'ok', eventType: 'player.verify' })).toEqual(['verify'])
      expect(await listIds(log, { key: 'k-1' })).toEqual(['replay', 'dup', 'grant'])
      expect(await listIds(log, { playerId: 'p-2' })).toEqual(['verify'])
      expect(await listIds(log, { replayOf: 'grant' })).toEqual(['replay'])
      expect(await listIds(log, { eventType: 'item.remove' })).toEqual([])
    })

    withLog('a record appended without game or sandbox reads back as no game, live', async (log) => {
      const { game: _game, sandbox: _sandbox, ...older } = deliveryInput({ id: 'd-older' })
      await log.append(older)
      const stored = await log.get('d-older')
      expect([stored?.game, stored?.sandbox]).toEqual([null, false])
      const [summary] = (await log.list()).records
      expect([summary?.game, summary?.sandbox]).toEqual([null, false])
    })

    withLog('filters by game (null: no game) and by sandbox, alone and together', async (log) => {
      await log.appendMany([
        deliveryInput({ id: 'a-live', game: 'gm_a', receivedAt: T0 }),
        deliveryInput({ id: 'a-test', game: 'gm_a', sandbox: true, receivedAt: T0 + 1 }),
        deliveryInput({ id: 'b-live', game: 'gm_b', receivedAt: T0 + 2 }),
        deliveryInput({ id: 'b-test', game: 'gm_b', sandbox: true, receivedAt: T0 + 3 }),
        deliveryInput({ id: 'none', game: null, outcome: 'signature_mismatch', receivedAt: T0 + 4 }),
      ])
      expect(await listIds(log, { game: 'gm_a' })).toEqual(['a-test', 'a-live'])
      expect(await listIds(log, { game: null })).toEqual(['none'])
      expect(await listIds(log, { sandbox: true })).toEqual(['b-test', 'a-test'])
      expect(await listIds(log, { sandbox: false })).toEqual(['none', 'b-live', 'a-live'])
      expect(await listIds(log, { game: 'gm_b', sandbox: false })).toEqual(['b-live'])
      expect(await listIds(log, { game: 'gm_c' })).toEqual([])
      const [summary] = (await log.list({ game: 'gm_b', sandbox: true })).records
      expect([summary?.id, summary?.game, summary?.sandbox]).toEqual(['b-test', 'gm_b', true])
    })

    withLog('pages with a cursor cover every record once, even within one millisecond', async (log) => {
      for (let index = 0; index < 7; index += 1)
        await log.append(deliveryInput({ id: `d-${index}`, receivedAt: T0 + (index < 4 ? 0 : index) }))
      const seen: string[] = []
      let cursor: string | null = null
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await log.list({ limit: 3, cursor })
        seen.push(...ids(page.records))
        cursor = page.nextCursor
        if (!cursor) break
      }
      expect(seen.length).toBe(7)
      expect(new Set(seen).size).toBe(7)
      expect(seen.slice(0, 3)).toEqual(['d-6', 'd-5', 'd-4'])
    })

    withLog('a filtered page keeps its filter on the next page', async (log) => {
      for (let index = 0; index < 6; index += 1)
        await log.append(
          deliveryInput({ id: `d-${index}`, receivedAt: T0 + index, status: index % 2 ? 200 : 400 }),
        )
      const first = await log.list({ status: 200, limit: 2 })
      expect(ids(first.records)).toEqual(['d-5', 'd-3'])
      expect(await listIds(log, { status: 200, limit: 2, cursor: first.nextCursor })).toEqual(['d-1'])
    })

    withLog('rejects a malformed cursor or limit with a RangeError', async (log) => {
      expect((await rejection(log.list({ cursor: 'not a cursor' }))) instanceof RangeError).toBe(true)
      expect((await rejection(log.list({ limit: 0 }))) instanceof RangeError).toBe(true)
      expect((await rejection(log.list({ limit: 1001 }))) instanceof RangeError).toBe(true)
    })

    withLog('prune deletes what was received before the cut-off and counts it', async (log) => {
      for (const minute of [1, 2, 3])
        await log.append(deliveryInput({ id: `d-${minute}`, receivedAt: T0 + minute * MINUTE }))
      expect(await log.prune(T0 + 2 * MINUTE)).toBe(1)
      expect(await listIds(log, {})).toEqual(['d-3', 'd-2'])
      expect(await log.get('d-1')).toBe(undefined)
      expect(await log.prune(T0)).toBe(0)
    })
  })
}
