import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { type FakeS2s, startFakeS2s } from './support/fake-s2s.js'
import { dropSchema, POSTGRES_URL, uniqueSchema } from './support/postgres.js'
import { grant, revoke, startTestServer, type TestServer } from './support/test-server.js'

const API_KEY = 's2s_key_game_one_5f1c'
const HOUR = 3600
const now = () => Math.floor(Date.now() / 1000)

/** Small pages and short backoff, so a dozen orders take several pages and the injected faults cost little. */
const TUNING = { reconcile: { pageSize: 3, s2s: { backoffMs: 20, perMinute: 3000 } } }

const purchase = (player: string, order: string, sku: string, quantity: number) =>
  grant(player, sku, quantity, {}, order)
const refund = (player: string, order: string, sku: string, quantity: number) =>
  revoke(player, sku, quantity, {}, order)

const databases: [string, () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>][] = [
  ['SQLite', async () => ({ env: {}, cleanup: async () => {} })],
  [
    'PostgreSQL',
    async () => {
      const schema = uniqueSchema()
      return {
        env: { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema },
        cleanup: () => dropSchema(schema),
      }
    },
  ],
]

describe.each(databases)('reconciliation against the S2S API (%s)', (_name, database) => {
  let fake: FakeS2s
  let t: TestServer
  let cleanup: () => Promise<void>
  const inventory = async (player: string) =>
    Object.fromEntries(
      ((await t.api(`/api/players/${player}`)).json.inventory as { sku: string; quantity: number }[]).map(
        (line) => [line.sku, line.quantity],
      ),
    )
  const reconcileApi = async (body: Record<string, unknown>) =>
    t.api('/api/reconcile', { method: 'POST', body: JSON.stringify(body) })

  beforeAll(async () => {
    fake = await startFakeS2s({ '': API_KEY })
    const db = await database()
    cleanup = db.cleanup
    t = await startTestServer({ ...db.env, AGHANIM_API_KEY: API_KEY, AGHANIM_API_URL: fake.url }, [], TUNING)
    for (const player of ['p_down', 'p_ok', 'p_refund', 'p_race'])
      await t.api(`/api/players/${player}`, { method: 'PUT', body: JSON.stringify({ name: player }) })
  })
  afterAll(async () => {
    await t?.close()
    await fake?.close()
    await cleanup?.()
  })
  afterEach(() => {
    fake.requests.length = 0
  })

  test('an order paid while the receiver was down is found, granted once, and its late item.add grants nothing', async () => {
    const paidAt = now() - 2 * HOUR
    // Ten orders whose item.add arrived, one whose item.add never did, and payments that are not done.
    for (let index = 0; index < 10; index++) {
      const orderId = `ord_ok${index}`
      fake.addOrder('', {
        id: orderId,
        player_id: 'p_ok',
        items: [{ sku: 'gems', quantity: 10 }],
        created_at: paidAt - 60,
        paid_at: paidAt,
        payments: [{ status: 'done', status_updated_at: paidAt + index }],
      })
      expect((await t.send(purchase('p_ok', orderId, 'gems', 10))).status).toBe(200)
    }
    fake.addOrder('', {
      id: 'ord_down',
      player_id: 'p_down',
      items: [
        { sku: 'crystals', quantity: 480 },
        { sku: 'sword', quantity: 1 },
      ],
      created_at: paidAt - 30,
      paid_at: paidAt + 5,
      // A declined attempt first, then the payment that went through.
      payments: [
        { status: 'rejected', status_updated_at: paidAt },
        { status: 'done', status_updated_at: paidAt + 5 },
      ],
    })
    fake.addOrder('', {
      id: 'ord_abandoned',
      player_id: 'p_down',
      items: [{ sku: 'crystals', quantity: 1 }],
      created_at: paidAt,
      payments: [{ status: 'abandoned', status_updated_at: paidAt }],
    })
    expect(await inventory('p_ok')).toEqual({ gems: 100 })

    // On the way: Aghanim's rate limit answers once, then a server error.
    fake.fail(429, { path: /^\/v1\/payments$/, retryAfter: '0' })
    fake.fail(500, { path: /^\/v1\/payments$/ })
    const report = await reconcileApi({ since: new Date((paidAt - HOUR) * 1000).toISOString() })
    expect(report.status, report.text).toBe(200)
    expect(report.json).toMatchObject({
      checked: 11,
      missing: [
        {
          order_id: 'ord_down',
          player_id: 'p_down',
          paid_at: paidAt + 5,
          items: [
            expect.objectContaining({ sku: 'crystals', quantity: 480 }),
            expect.objectContaining({ sku: 'sword' }),
          ],
        },
      ],
      revoked_missing: [],
      fixed: [],
    })
    expect(await inventory('p_down')).toEqual({})

    const calls = fake.requests.filter((request) => request.path === '/v1/payments')
    expect(calls.map((request) => request.status).slice(0, 3)).toEqual([429, 500, 200])
    expect(calls.every((request) => request.game === '')).toBe(true)
    // Done payments: 11 of them, pages of 3, until the short page; the refunded list is one empty page.
    const donePages = calls.filter((request) => request.query.status === 'done' && request.status === 200)
    expect(donePages.map((request) => request.query.offset)).toEqual(['0', '3', '6', '9'])
    expect(donePages[0]!.query).toMatchObject({ limit: '3', field: 'status_updated_at' })
    expect(Number(donePages[0]!.query.end_at)).toBeGreaterThanOrEqual(now() - 5)

    const fixed = await reconcileApi({ since: paidAt - HOUR, fix: true, mark_handled: true })
    expect(fixed.status, fixed.text).toBe(200)
    expect(fixed.json.fixed).toEqual([
      expect.objectContaining({
        order_id: 'ord_down',
        action: 'grant',
        result: 'granted',
        marked_handled: true,
      }),
    ])
    expect(await inventory('p_down')).toEqual({ crystals: 480, sword: 1 })
    expect(fake.order('ord_down')?.handled_by_client).toBe(true)

    // Aghanim finally delivers the original item.add (and retries it): nothing more is granted.
    const late = purchase('p_down', 'ord_down', 'crystals', 480)
    late.event_data.items.push({ id: 'itm_sword', sku: 'sword', name: 'sword', quantity: 1 })
    expect((await t.send(late)).status).toBe(200)
    expect((await t.send(late)).status).toBe(200)
    expect(await inventory('p_down')).toEqual({ crystals: 480, sword: 1 })

    // Another run finds nothing left to do.
    const again = await reconcileApi({ since: paidAt - HOUR, fix: true })
    expect(again.json).toMatchObject({ checked: 11, missing: [], fixed: [] })
    expect(await inventory('p_ok')).toEqual({ gems: 100 })

    const history = (await t.api('/api/players/p_down/history')).json.history
    expect(history.map((entry: { sku: string; reason: string }) => [entry.sku, entry.reason])).toEqual([
      ['sword', 'Order paid ord_down'],
      ['crystals', 'Order paid ord_down'],
    ])
  })

  test('an order the webhook grants after reconciliation found it missing is not granted again', async () => {
    const paidAt = now() - HOUR
    for (let index = 0; index < 6; index++) {
      fake.addOrder('', {
        id: `ord_race${index}`,
        player_id: 'p_race',
        items: [{ sku: 'gold', quantity: 7 }],
        created_at: paidAt - 10,
        paid_at: paidAt,
        payments: [{ status: 'done', status_updated_at: paidAt }],
      })
    }
    // Aghanim's retry lands between the run's look at the order and its fix: for the first three orders it is
    // committed before the fix starts, for the others it races the synthetic grant.
    const late: Promise<unknown>[] = []
    fake.beforeOrderRead = async (orderId) => {
      const sent = t.send(purchase('p_race', orderId, 'gold', 7))
      late.push(sent)
      if (Number(orderId.slice(-1)) < 3) await sent
    }
    try {
      const run = await reconcileApi({ since: paidAt - 60, fix: true })
      await Promise.all(late)
      expect(run.status, run.text).toBe(200)
      expect(run.json.missing).toHaveLength(6)
      expect(await inventory('p_race')).toEqual({ gold: 42 })
      const results = run.json.fixed.map((entry: { order_id: string; result: string }) => [
        entry.order_id,
        entry.result,
      ])
      expect(results.slice(0, 3)).toEqual([
        ['ord_race0', 'already_granted'],
        ['ord_race1', 'already_granted'],
        ['ord_race2', 'already_granted'],
      ])
      for (const [, result] of results) expect(['granted', 'already_granted']).toContain(result)
      const history = (await t.api('/api/players/p_race/history')).json.history
      expect(history).toHaveLength(6)
    } finally {
      fake.beforeOrderRead = undefined
    }
  })

  test('a refunded order whose item.remove never came is reported, and revoked only when asked', async () => {
    const paidAt = now() - 3 * HOUR
    for (const orderId of ['ord_refunded', 'ord_refund_seen']) {
      fake.addOrder('', {
        id: orderId,
        player_id: 'p_refund',
        items: [{ sku: 'gems', quantity: 50 }],
        created_at: paidAt - 10,
        paid_at: paidAt,
        payments: [{ status: 'done', status_updated_at: paidAt }],
      })
      expect((await t.send(purchase('p_refund', orderId, 'gems', 50))).status).toBe(200)
    }
    fake.setStatus('ord_refunded', 'refunded', 'refunded', now() - HOUR)
    fake.setStatus('ord_refund_seen', 'refunded', 'chargeback', now() - HOUR)
    expect((await t.send(refund('p_refund', 'ord_refund_seen', 'gems', 50))).status).toBe(200)
    expect(await inventory('p_refund')).toEqual({ gems: 50 })

    const since = paidAt - HOUR
    const report = await reconcileApi({ since, fix: true })
    expect(report.json.missing.map((order: { order_id: string }) => order.order_id)).not.toContain(
      'ord_refunded',
    )
    expect(report.json.revoked_missing).toEqual([
      expect.objectContaining({ order_id: 'ord_refunded', player_id: 'p_refund', status: 'refunded' }),
    ])
    expect(report.json.fixed).toEqual([])
    expect(await inventory('p_refund')).toEqual({ gems: 50 })

    const revoked = await reconcileApi({ since, revoke: true })
    expect(revoked.json.fixed).toEqual([
      expect.objectContaining({ order_id: 'ord_refunded', action: 'revoke', result: 'revoked' }),
    ])
    expect(await inventory('p_refund')).toEqual({})
    // The item.remove arriving after all revokes nothing more (nor would it go below zero).
    expect((await t.send(refund('p_refund', 'ord_refunded', 'gems', 50))).status).toBe(200)
    const history = (await t.api('/api/players/p_refund/history')).json.history
    expect(history.filter((entry: { kind: string }) => entry.kind === 'revoke')).toHaveLength(2)
    expect((await reconcileApi({ since })).json.revoked_missing).toEqual([])
  })

  test('leaves for a person an order whose grant may have come by an item.add naming no order', async () => {
    const paidAt = now() - 2 * HOUR
    await t.api('/api/players/p_untied', { method: 'PUT', body: JSON.stringify({ name: 'untied' }) })
    fake.addOrder('', {
      id: 'ord_reworded',
      player_id: 'p_untied',
      items: [{ sku: 'crowns', quantity: 3 }],
      created_at: now() - 60,
      paid_at: paidAt,
      payments: [{ status: 'done', status_updated_at: paidAt }],
    })
    // Were Aghanim to word its reason differently, this grant could be that very order's.
    const reworded = purchase('p_untied', 'x', 'crowns', 3)
    reworded.event_data.reason = 'Purchase completed'
    expect((await t.send(reworded)).status).toBe(200)
    const run = await reconcileApi({ since: paidAt - 60, fix: true })
    expect(run.json.missing.map((order: { order_id: string }) => order.order_id)).toContain('ord_reworded')
    expect(
      run.json.fixed.find((entry: { order_id: string }) => entry.order_id === 'ord_reworded'),
    ).toMatchObject({
      result: 'skipped',
      message: expect.stringContaining('Purchase completed'),
    })
    expect(await inventory('p_untied')).toEqual({ crowns: 3 })
  })

  test('lists the runs with their findings, newest first, and counts them in /metrics', async () => {
    const runs = await t.api('/api/reconcile/runs?limit=2')
    expect(runs.status).toBe(200)
    expect(runs.json.games).toEqual([''])
    expect(runs.json.runs).toHaveLength(2)
    expect(runs.json.runs[0]).toMatchObject({ trigger: 'api', game: '', error: null })
    expect(Date.parse(runs.json.runs[0].started_at)).toBeGreaterThanOrEqual(
      Date.parse(runs.json.runs[1].started_at),
    )
    const metrics = (await fetch(`${t.url}/metrics`).then((response) => response.text())).split('\n')
    expect(metrics).toContainEqual(
      expect.stringMatching(/^aghanim_reconcile_orders_total\{game="",kind="missing"\} [1-9]/),
    )
    expect(metrics).toContainEqual(
      expect.stringMatching(/^aghanim_reconcile_runs_total\{game="",result="ok"\} [1-9]/),
    )
  })

  test('refuses bad requests with a 4xx and changes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ since: 'yesterday' }, 'invalid_reconcile'],
      [{ since: now(), until: now() - 10 }, 'invalid_reconcile'],
      [{ fix: 'yes' }, 'invalid_reconcile'],
      [{ since: now() - 400 * 86_400 }, 'invalid_reconcile'],
      [{ fixx: true }, 'invalid_reconcile'],
      [{ game: 'gm_other' }, 'unknown_game'],
    ]
    for (const [body, code] of cases) {
      const answer = await reconcileApi(body)
      expect(answer.status, JSON.stringify(body)).toBe(400)
      expect(answer.json).toMatchObject({ status: 'error', code })
    }
    expect((await t.api('/api/reconcile')).status).toBe(405)
    expect(fake.requests).toEqual([])
  })
})

describe('reconciliation with several games', () => {
  let fake: FakeS2s
  let t: TestServer
  const signedFor = (game: string, secret: string, orderId: string) =>
    t.send({ ...purchase('p_multi', orderId, game, 1), game_id: game }, { secret })
  const inventoryOf = async (game: string) =>
    (await t.api(`/api/players/p_multi?game=${game}`)).json.inventory
  beforeAll(async () => {
    fake = await startFakeS2s({ gm_a: 's2s_key_a', gm_b: 's2s_key_b' })
    t = await startTestServer(
      {
        AGHANIM_WEBHOOK_SECRET: '',
        AGHANIM_GAME_SECRETS: 'gm_a=whsec_game_a;gm_b=whsec_game_b',
        AGHANIM_GAME_API_KEYS: 'gm_a=s2s_key_a; gm_b=s2s_key_b',
        AGHANIM_API_URL: fake.url,
      },
      [],
      TUNING,
    )
    // One player id in both games: two players, one per game's ledger.
    for (const game of ['gm_a', 'gm_b'])
      await t.api(`/api/players/p_multi?game=${game}`, {
        method: 'PUT',
        body: JSON.stringify({ name: game }),
      })
  })
  afterAll(async () => {
    await t?.close()
    await fake?.close()
  })

  test('each game is reconciled with its own key, sees only its own orders and grants into its own ledger', async () => {
    const paidAt = now() - HOUR
    for (const [game, orderId] of [
      ['gm_a', 'ord_game_a'],
      ['gm_a', 'ord_game_a_seen'],
      ['gm_b', 'ord_game_b'],
    ] as const) {
      fake.addOrder(game, {
        id: orderId,
        player_id: 'p_multi',
        items: [{ sku: game, quantity: 1 }],
        created_at: paidAt,
        paid_at: paidAt,
        payments: [{ status: 'done', status_updated_at: paidAt }],
      })
    }
    expect((await signedFor('gm_a', 'whsec_game_a', 'ord_game_a_seen')).status).toBe(200)
    expect(await inventoryOf('gm_a')).toEqual([{ sku: 'gm_a', quantity: 1 }])

    const name = await t.api('/api/reconcile', { method: 'POST', body: JSON.stringify({}) })
    expect(name.status).toBe(400)
    expect(name.json.code).toBe('unknown_game')
    expect(name.json.message).toContain('gm_a, gm_b')

    const a = await t.api('/api/reconcile', {
      method: 'POST',
      body: JSON.stringify({ game: 'gm_a', fix: true }),
    })
    expect(a.json.checked).toBe(2)
    expect(a.json.missing.map((order: { order_id: string }) => order.order_id)).toEqual(['ord_game_a'])
    expect(a.json.fixed[0]).toMatchObject({ order_id: 'ord_game_a', result: 'granted' })
    expect(fake.requests.every((request) => request.game === 'gm_a')).toBe(true)
    expect(await inventoryOf('gm_a')).toEqual([{ sku: 'gm_a', quantity: 2 }])
    expect(await inventoryOf('gm_b')).toEqual([])

    // The synthetic grant went through game A's webhook path: signed with its secret, into its ledger.
    const history = (await t.api('/api/players/p_multi/history?game=gm_a')).json.history
    expect(history[0]).toMatchObject({ reason: 'Order paid ord_game_a', sku: 'gm_a' })

    fake.requests.length = 0
    const b = await t.api('/api/reconcile', {
      method: 'POST',
      body: JSON.stringify({ game: 'gm_b', fix: true }),
    })
    expect(b.json.missing.map((order: { order_id: string }) => order.order_id)).toEqual(['ord_game_b'])
    expect(fake.requests.every((request) => request.game === 'gm_b')).toBe(true)
    expect(await inventoryOf('gm_b')).toEqual([{ sku: 'gm_b', quantity: 1 }])
    // Game B's late item.add, signed with its own secret, grants nothing more.
    expect((await signedFor('gm_b', 'whsec_game_b', 'ord_game_b')).status).toBe(200)
    expect(await inventoryOf('gm_b')).toEqual([{ sku: 'gm_b', quantity: 1 }])
    const runs = (await t.api('/api/reconcile/runs?game=gm_a')).json.runs
    expect(runs.map((run: { game: string }) => run.game)).toEqual(['gm_a'])
  })
})

describe('reconciliation failures', () => {
  test('a key the S2S API refuses is a 502 naming the setting, never the key, and the run is recorded', async () => {
    const fake = await startFakeS2s({ '': 'the_right_key' })
    const t = await startTestServer(
      { AGHANIM_API_KEY: 'a_wrong_key_9d8c', AGHANIM_API_URL: fake.url },
      [],
      TUNING,
    )
    try {
      const answer = await t.api('/api/reconcile', { method: 'POST', body: '{}' })
      expect(answer.status).toBe(502)
      expect(answer.json).toMatchObject({ status: 'error', code: 's2s_unauthorized' })
      expect(answer.json.message).toContain('AGHANIM_API_KEY')
      const runs = (await t.api('/api/reconcile/runs')).json.runs
      expect(runs[0].error).toContain('refused the API key')
      expect(JSON.stringify(runs) + answer.text + t.logs.join('')).not.toContain('a_wrong_key_9d8c')
    } finally {
      await t.close()
      await fake.close()
    }
  })

  test('an S2S API that keeps failing gives up after the retries with a 502', async () => {
    const fake = await startFakeS2s({ '': API_KEY })
    const t = await startTestServer({ AGHANIM_API_KEY: API_KEY, AGHANIM_API_URL: fake.url }, [], {
      reconcile: { pageSize: 3, s2s: { backoffMs: 5, perMinute: 6000, maxAttempts: 3 } },
    })
    try {
      fake.fail(503, { count: 10 })
      const answer = await t.api('/api/reconcile', { method: 'POST', body: '{}' })
      expect(answer.status).toBe(502)
      expect(answer.json).toMatchObject({ code: 's2s_unavailable' })
      expect(answer.json.message).toContain('after 3 attempts')
      expect(fake.requests).toHaveLength(3)
    } finally {
      await t.close()
      await fake.close()
    }
  })

  test('without an S2S API key the route says how to configure it', async () => {
    const t = await startTestServer()
    try {
      const answer = await t.api('/api/reconcile', { method: 'POST', body: '{}' })
      expect(answer.status).toBe(409)
      expect(answer.json).toMatchObject({ code: 'reconcile_not_configured' })
      expect(answer.json.message).toContain('AGHANIM_API_KEY')
    } finally {
      await t.close()
    }
  })
})
