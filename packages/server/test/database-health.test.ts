import { describe, expect, test } from 'vitest'
import { isDatabaseUnavailable } from '../src/database/database-errors.js'
import { createDatabaseHealth } from '../src/database/database-health.js'
import { createLogger } from '../src/logging/logger.js'
import { createMetrics } from '../src/metrics/metrics.js'

function tracked(ping: () => Promise<void>) {
  const lines: Record<string, unknown>[] = []
  const logger = createLogger('info', { write: (text: string) => lines.push(JSON.parse(text)) })
  const metrics = createMetrics()
  const health = createDatabaseHealth({ ping, logger, metrics, now: Date.now })
  return { health, metrics, messages: () => lines.map((line) => line.msg) }
}

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('database health', () => {
  test('logs an outage once however many requests fail, counts it, and notices by itself when it is over', async () => {
    let down = true
    const { health, metrics, messages } = tracked(async () => {
      if (down) throw refused
    })
    try {
      for (let request = 0; request < 100; request += 1) health.failed(refused)
      expect(messages()).toEqual([
        'database unavailable: webhooks that need it are answered 503 with Retry-After until it is back',
      ])
      expect(metrics.snapshot()).toMatchObject({ databaseOutages: 1, databaseUnavailable: 1 })
      await expect(health.ready()).rejects.toThrow('The database is unavailable.')
      await sleep(600)
      expect(health.available).toBe(false)
      down = false
      await sleep(400)
      expect(health.available).toBe(true)
      expect(messages().at(-1)).toBe('database available again')
      expect(metrics.snapshot()).toMatchObject({ databaseOutages: 1, databaseUnavailable: 0 })
      await expect(health.ready()).resolves.toBeUndefined()
    } finally {
      health.stop()
    }
  })

  test('ignores failures that are not the database being away (a bad statement is a bug, not an outage)', () => {
    const { health, messages } = tracked(async () => {})
    health.failed(
      Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }),
    )
    expect(health.available).toBe(true)
    expect(messages()).toEqual([])
  })
})

describe('isDatabaseUnavailable', () => {
  test.each([
    ['a refused connection', refused],
    [
      'a terminated session',
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    ],
    [
      'a server starting up',
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    ],
    ['a connection that ended', new Error('Connection terminated unexpectedly')],
    ['a connect timeout', new Error('timeout exceeded when trying to connect')],
    ['a query timeout', new Error('Query read timeout')],
    ['a locked SQLite file', new Error('database is locked')],
    ['a wrapped cause', new Error('The idempotency store could not be reached.', { cause: refused })],
  ])('is true for %s', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true)
  })

  test.each([
    ['a constraint violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a syntax error', Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' })],
    ['a wrong password', Object.assign(new Error('password authentication failed'), { code: '28P01' })],
    ['a bug', new TypeError('x is not a function')],
    ['nothing', undefined],
  ])('is false for %s', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false)
  })
})
