import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DatabaseSync } from 'node:sqlite'
import { type AnyWebhookEvent, fixtureEvent } from 'aghanim-webhooks'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openDatabase } from '../src/database/open-database.js'
import type { ServerDatabase } from '../src/database/server-database.js'
import { toRecordedEvent } from '../src/ledger/recorded-event.js'
import { dropSchema, POSTGRES_URL, queryPostgres, uniqueSchema } from './support/postgres.js'

type Query = (sql: string, values?: unknown[]) => Promise<Record<string, unknown>[]>

interface Setup {
  database: ServerDatabase
  query: Query
  cleanup: () => Promise<void>
}

const backends: [string, () => Promise<Setup>][] = [
  [
    'SQLite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'awh-ledger-'))
      const database = await openDatabase(
        { kind: 'sqlite', path: join(dir, 'ledger.db'), durability: 'process' },
        Date.now,
      )
      const db = (database.store as unknown as { db: DatabaseSync }).db
      return {
        database,
        query: async (sql, values = []) =>
          db.prepare(sql.replace(/\$\d+/g, '?')).all(...(values as string[])) as Record<string, unknown>[],
        cleanup: async () => {
          await database.close()
          rmSync(dir, { recursive: true, force: true })
        },
      }
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const schema = uniqueSchema()
      const database = await openDatabase(
        { kind: 'postgres', connectionString: POSTGRES_URL, schema },
        Date.now,
      )
      return {
        database,
        query: (sql, values) => queryPostgres(schema, sql, values),
        cleanup: async () => {
          await database.close()
          await dropSchema(schema)
        },
      }
    },
  ],
]

describe.each(backends)('ledger on %s', (_name, setup) => {
  let s: Setup
  beforeAll(async () => {
    s = await setup()
  })
  afterAll(() => s.cleanup())

  /** Runs ledger writes the way the handler does: inside a completion of the idempotency store. */
  const commit = async (key: string, work: (tx: unknown) => void | Promise<void>) => {
    const claim = await s.database.store.claim(key, { leaseMs: 10_000 })
    if (claim.kind !== 'acquired') throw new Error(`claim ${key}: ${claim.kind}`)
    expect(
      await s.database.store.complete(key, claim.token, { status: 200, body: '{"status":"ok"}' }, [work]),
    ).toBe(true)
  }

  /** Records a notification the way the handler does, under `key`. */
  const recordFixture = (key: string, event: AnyWebhookEvent) =>
    commit(key, (tx) => s.database.ledger.recordEvent(tx, toRecordedEvent(event, key, Date.now())))

  type Items = { sku: string; quantity: number }[]
  /** A grant (item.add) or revoke (item.remove) of `items` for `playerId` under `key`. */
  const changeOf = (
    kind: 'grant' | 'revoke',
    playerId: string,
    key: string,
    items: Items,
    reason: string | null = null,
  ) => ({
    kind,
    playerId,
    items,
    key,
    eventId: `e-${key}`,
    eventType: kind === 'grant' ? 'item.add' : 'item.remove',
    reason,
    at: Date.now(),
  })

  /** Commits one grant or revoke of `items` for `playerId` under `key`. */
  const move = (kind: 'grant' | 'revoke', playerId: string, key: string, items: Items) =>
    commit(key, s.database.ledger.applyChange(changeOf(kind, playerId, key, items)))

  test('tells whether a player exists in a scope, and finds one another instance created meanwhile', async () => {
    const { ledger } = s.database
    expect(await ledger.hasPlayer('exists-1')).toBe(false)
    await s.query(
      `INSERT INTO players (scope, player_id, name, created_at, updated_at) VALUES ('', 'exists-1', 'x', $1, $2)`,
      Array(2).fill(s.database.ledger.kind === 'postgres' ? new Date() : Date.now()),
    )
    expect(await ledger.hasPlayer('exists-1')).toBe(true)
    expect(await ledger.hasPlayer('exists-1')).toBe(true)
    expect(await ledger.hasPlayer('exists-1', 'gm_other')).toBe(false)
  })

  test('creates a player with defaults and updates only the fields given', async () => {
    const { ledger } = s.database
    const created = await ledger.upsertPlayer('p1', { name: 'Ann', segments: ['vip'] })
    expect(created).toMatchObject({
      player_id: 'p1',
      name: 'Ann',
      banned: false,
      email: null,
      segments: ['vip'],
      attributes: {},
    })
    const updated = await ledger.upsertPlayer('p1', {
      banned: true,
      custom_attributes: { account_id: 'acc-1', server: 7 },
    })
    expect(updated).toMatchObject({
      name: 'Ann',
      banned: true,
      segments: ['vip'],
      custom_attributes: { account_id: 'acc-1', server: 7 },
    })
    expect(await ledger.getPlayer('missing')).toBeUndefined()
  })

  test('finds players for player.lookup by custom attributes or by id', async () => {
    const { ledger } = s.database
    expect((await ledger.lookupPlayers({ account_id: 'acc-1' })).map((player) => player.player_id)).toEqual([
      'p1',
    ])
    expect(
      (await ledger.lookupPlayers({ account_id: 'acc-1', server: '7' })).map((player) => player.player_id),
    ).toEqual(['p1'])
    expect(await ledger.lookupPlayers({ account_id: 'acc-1', server: '8' })).toEqual([])
    expect((await ledger.lookupPlayers({ player_id: 'p1' })).map((player) => player.player_id)).toEqual([
      'p1',
    ])
    expect(await ledger.lookupPlayers({ "x') OR 1=1 --": 'y' })).toEqual([])
  })

  test('grants add up and revokes clamp at zero with the shortfall recorded', async () => {
    const { ledger } = s.database
    await move('grant', 'p2', 'k-grant-1', [{ sku: 'gems', quantity: 3 }])
    await move('grant', 'p2', 'k-grant-2', [
      { sku: 'gems', quantity: 4 },
      { sku: 'gold', quantity: 1 },
    ])
    await move('revoke', 'p2', 'k-revoke', [{ sku: 'gems', quantity: 10 }])
    expect(await ledger.inventory('p2')).toEqual([{ sku: 'gold', quantity: 1 }])
    const history = await ledger.history('p2')
    expect(
      history.map((entry) => [
        entry.kind,
        entry.sku,
        entry.quantity,
        entry.applied,
        entry.shortfall,
        entry.key,
      ]),
    ).toEqual([
      ['revoke', 'gems', 10, 7, 3, 'k-revoke'],
      ['grant', 'gold', 1, 1, 0, 'k-grant-2'],
      ['grant', 'gems', 4, 4, 0, 'k-grant-2'],
      ['grant', 'gems', 3, 3, 0, 'k-grant-1'],
    ])
  })

  test('revokes what a player never had as a full shortfall', async () => {
    const { ledger } = s.database
    const change = changeOf('revoke', 'p4', 'k-none', [{ sku: 'gems', quantity: 2 }], 'Order refunded')
    await commit('k-none', ledger.applyChange(change))
    expect(await ledger.inventory('p4')).toEqual([])
    expect(
      (await ledger.history('p4')).map((entry) => [entry.applied, entry.shortfall, entry.reason]),
    ).toEqual([[0, 2, 'Order refunded']])
  })

  test('a change naming one SKU twice applies both lines, in order', async () => {
    const { ledger } = s.database
    await move('grant', 'p5', 'k-twice', [
      { sku: 'gems', quantity: 2 },
      { sku: 'gems', quantity: 3 },
    ])
    await move('revoke', 'p5', 'k-twice-revoke', [
      { sku: 'gems', quantity: 4 },
      { sku: 'gems', quantity: 4 },
    ])
    expect(await ledger.inventory('p5')).toEqual([])
    const lines = (await ledger.history('p5')).map((entry) => [entry.kind, entry.applied, entry.shortfall])
    expect(lines.reverse()).toEqual([
      ['grant', 2, 0],
      ['grant', 3, 0],
      ['revoke', 4, 0],
      ['revoke', 1, 3],
    ])
  })

  test('writes nothing when the completion loses its lease', async () => {
    const { ledger, store } = s.database
    const claim = await store.claim('k-lost', { leaseMs: 10_000 })
    if (claim.kind !== 'acquired') throw new Error('not acquired')
    const change = changeOf('grant', 'p3', 'k-lost', [{ sku: 'gems', quantity: 1 }])
    expect(
      await store.complete('k-lost', 'not-the-token', { status: 200, body: '{}' }, [
        ledger.applyChange(change),
      ]),
    ).toBe(false)
    expect(await ledger.inventory('p3')).toEqual([])
  })

  test('records notifications with typed columns and the whole event_data', async () => {
    const event = fixtureEvent('fraud.reported')
    await recordFixture('k-fraud', event)
    const [row] = await s.query('SELECT * FROM events WHERE idempotency_key = $1', ['k-fraud'])
    expect(row).toMatchObject({
      event_type: 'fraud.reported',
      player_id: '2D2R-OP3C',
      order_id: 'ord_eCacpFwavzi',
      payment_id: 'pmt_eFgYpxryeKXpLKfmZstI',
      currency: 'USD',
    })
    expect(Number(row!.amount)).toBe(9499)
    const data = typeof row!.data === 'string' ? JSON.parse(row!.data) : row!.data
    expect(data.fraud_type).toBe('card_stolen')
  })

  test('keeps each order at its latest status, whatever order the events arrive in', async () => {
    const record = (
      type: 'order.created' | 'order.paid' | 'order.refunded',
      modifiedAt: number,
      key: string,
    ) =>
      recordFixture(
        key,
        fixtureEvent(type, { event_data: { id: 'ord_x', status: type.slice(6), modified_at: modifiedAt } }),
      )
    await record('order.paid', 200, 'k-o2')
    await record('order.created', 100, 'k-o1') // late: must not move the order back to "created"
    expect(
      await s.query('SELECT status, last_event_type FROM orders WHERE order_id = $1', ['ord_x']),
    ).toEqual([{ status: 'paid', last_event_type: 'order.paid' }])
    await record('order.refunded', 300, 'k-o3')
    expect((await s.query('SELECT status FROM orders WHERE order_id = $1', ['ord_x']))[0]!.status).toBe(
      'refunded',
    )
  })

  test('keeps each subscription at its latest status and effective_until', async () => {
    const record = (
      type: 'subscription.activated' | 'subscription.updated',
      status: string,
      eventTime: number,
      until: number,
      key: string,
    ) =>
      recordFixture(
        key,
        fixtureEvent(type, {
          event_time: eventTime,
          event_data: { id: 'sub_1', status, effective_until: until },
        }),
      )
    await record('subscription.activated', 'trial', 1_000, 2_000, 'k-s1')
    await record('subscription.updated', 'canceled', 3_000, 9_000, 'k-s3')
    await record('subscription.updated', 'active', 2_000, 5_000, 'k-s2') // out of order: ignored
    const [row] = await s.query(
      'SELECT status, effective_until, player_id, sku FROM subscriptions WHERE subscription_id = $1',
      ['sub_1'],
    )
    expect(row!.status).toBe('canceled')
    const until =
      row!.effective_until instanceof Date
        ? row!.effective_until.getTime() / 1000
        : Number(row!.effective_until)
    expect(until).toBe(9_000)
    expect(row).toMatchObject({ player_id: '2D2R-OP3C', sku: 'vip_pass' })
  })
})
