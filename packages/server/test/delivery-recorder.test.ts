import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteDeliveryFiles, type SqliteDeliveryFiles } from '@aghanim-webhooks/store-sqlite'
import type { Delivery } from 'aghanim-webhooks'
import type { DeliveryInput, DeliveryLog } from 'aghanim-webhooks/store'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import {
  createDeliveryRecorder,
  type DeliveryRecorder,
  pathAndQuery,
} from '../src/deliveries/delivery-recorder.js'
import { createLogger } from '../src/logging/logger.js'
import { createMetrics } from '../src/metrics/metrics.js'

let dir: string
let log: SqliteDeliveryFiles
let recorder: DeliveryRecorder
let batches: number[]
let published: { id: string; outcome: string }[]
let watching: boolean

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'awh-recorder-'))
  log = await openSqliteDeliveryFiles({ directory: join(dir, 'deliveries') })
  batches = []
  published = []
  watching = true
  const appendMany = log.appendMany.bind(log)
  log.appendMany = (records: readonly DeliveryInput[]) => {
    batches.push(records.length)
    return appendMany(records)
  }
  recorder = createDeliveryRecorder({
    log,
    metrics: createMetrics(),
    logger: createLogger('error', { write: () => true }),
    watched: () => watching,
    publish: (record) => published.push(record),
  })
})
afterEach(async () => {
  await recorder.flush()
  await log.close()
  rmSync(dir, { recursive: true, force: true })
})

function delivery(bodyBytes: number, receivedAt = Date.now()): Delivery {
  const headers = new Headers({ 'content-type': 'application/json' })
  const url = 'http://127.0.0.1:8000/webhook'
  return {
    receivedAt,
    method: 'POST',
    url,
    headers,
    request: new Request(url, { method: 'POST', headers }),
    body: new Uint8Array(bodyBytes),
    outcome: 'invalid_json',
    event: undefined,
    key: null,
    game: null,
    sandbox: false,
    status: 400,
    responseBody: '{"status":"error","code":"invalid_json"}',
    durationMs: 1,
    attempt: 0,
    duplicate: false,
  }
}

describe('the delivery recorder', () => {
  test('writes small deliveries together, one batch after a short delay', async () => {
    for (let i = 0; i < 10; i++) recorder.onDelivery(delivery(1024))
    expect(batches).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(batches).toEqual([10])
    expect((await log.list({ limit: 100 })).records).toHaveLength(10)
  })

  test('writes at once when the queued bodies reach 1 MiB, so no COMMIT carries megabytes', () => {
    for (let i = 0; i < 15; i++) recorder.onDelivery(delivery(64 * 1024))
    expect(batches).toEqual([])
    recorder.onDelivery(delivery(64 * 1024))
    expect(batches).toEqual([16])
    recorder.onDelivery(delivery(64 * 1024))
    expect(batches).toEqual([16])
  })

  test('keeps a copy of each queued body, not the request buffer, and logs bodies of any size whole', async () => {
    const small = delivery(10)
    small.body!.fill(7)
    const large = delivery(3 * 1024 * 1024)
    large.body!.fill(9)
    watching = true
    recorder.onDelivery(small)
    small.body!.fill(0)
    recorder.onDelivery(large)
    const [smallId, largeId] = published.map((record) => record.id)
    await recorder.flush()
    expect((await log.get(smallId!))?.body).toEqual(new Uint8Array(10).fill(7))
    const logged = (await log.get(largeId!))?.body
    expect(Buffer.from(logged!).equals(Buffer.alloc(3 * 1024 * 1024, 9))).toBe(true)
  })
})

describe('the path a record keeps', () => {
  test.each([
    ['http://localhost:8000/webhook', '/webhook'],
    ['http://localhost:8000/webhook?batch=whevt_1&line=2', '/webhook?batch=whevt_1&line=2'],
    ['https://hooks.example.com/a/b?x=1#frag', '/a/b?x=1'],
    ['http://localhost:8000', '/'],
    ['http://localhost//double', '//double'],
  ])('%s keeps %s', (url, path) => {
    expect(pathAndQuery(url)).toBe(path)
  })
})

describe('a delivery log that cannot be written', () => {
  test('is said once, then how many records were lost once it can be written again', async () => {
    const lines: { msg: string; lost?: number }[] = []
    let failing = true
    const unreliable: DeliveryLog = {
      append: (record) => log.append(record),
      appendMany: (records) =>
        failing ? Promise.reject(new Error('database gone')) : log.appendMany(records),
      get: (id) => log.get(id),
      list: (query) => log.list(query),
      prune: (olderThan) => log.prune(olderThan),
    }
    const recording = createDeliveryRecorder({
      log: unreliable,
      metrics: createMetrics(),
      logger: createLogger('warn', { write: (line: string) => lines.push(JSON.parse(line)) }),
      watched: () => false,
      publish: () => {},
    })
    for (let batch = 0; batch < 3; batch++) {
      recording.onDelivery(delivery(10))
      recording.onDelivery(delivery(10))
      await recording.flush()
    }
    failing = false
    recording.onDelivery(delivery(10))
    await recording.flush()
    const said = lines.filter((line) => line.msg.includes('delivery log'))
    expect(said.map((line) => line.msg)).toEqual([
      'could not write the delivery log',
      'writing the delivery log again; the records it could not write are lost',
    ])
    expect(said[1]?.lost).toBe(6)
  })
})

describe('the live stream', () => {
  test('gets a summary of each delivery while someone watches, and none is made otherwise', async () => {
    recorder.onDelivery(delivery(10))
    watching = false
    recorder.onDelivery(delivery(10))
    watching = true
    recorder.onDelivery(delivery(10))
    expect(published.length).toBe(2)
    await recorder.flush()
    expect((await log.list()).records.length).toBe(3)
  })
})

describe('waiting for a record', () => {
  test('settled(id) writes the queued batch at once and resolves once that record is stored', async () => {
    recorder.onDelivery(delivery(10))
    recorder.onDelivery(delivery(10))
    const { id } = published.at(-1)!
    expect(await log.get(id)).toBeUndefined()
    const waiting = recorder.settled(id)
    expect(batches).toEqual([2])
    await waiting
    expect((await log.get(id))?.id).toBe(id)
  })

  test('flush resolves only when every queued record is stored', async () => {
    for (let i = 0; i < 5; i++) recorder.onDelivery(delivery(10))
    expect(published.map((record) => record.outcome)).toEqual(Array(5).fill('invalid_json'))
    await recorder.flush()
    expect((await log.list({ limit: 100 })).records).toHaveLength(5)
  })

  test('a record already written settles at once', async () => {
    recorder.onDelivery(delivery(10))
    const { id } = published[0]!
    await recorder.flush()
    await recorder.settled(id)
    expect(batches).toEqual([1])
  })
})

describe('counting for the chart', () => {
  test('adds each written batch to the counts of its minutes and outcomes', async () => {
    const minute = 1_800_000_000_000
    recorder.onDelivery(delivery(10, minute + 1))
    recorder.onDelivery(delivery(10, minute + 59_999))
    recorder.onDelivery(delivery(10, minute + 60_000))
    await recorder.flush()
    expect(batches).toEqual([3])
    expect(await log.stats(minute, minute + 120_000)).toEqual([
      { minute, outcome: 'invalid_json', count: 2 },
      { minute: minute + 60_000, outcome: 'invalid_json', count: 1 },
    ])
  })
})
