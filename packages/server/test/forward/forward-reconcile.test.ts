import { fixtureEvent } from 'aghanim-webhooks'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type FakeS2s, paidOrder, startFakeS2s } from '../support/fake-s2s.js'
import { startTestServer, type TestServer } from '../support/test-server.js'
import { type NodeBackend, startNodeBackend } from './support/backends.js'

const API_KEY = 's2s_key_forward_31c'
const now = () => Math.floor(Date.now() / 1000)

const purchase = (orderId: string) =>
  fixtureEvent('item.add', {
    event_data: {
      player_id: 'p_fwd',
      items: [{ id: 'itm_gems', sku: 'gems', name: 'Gems', quantity: 9 }],
      reason: `Order paid ${orderId}`,
    },
  })

describe('forward mode: reconciliation', () => {
  let backend: NodeBackend
  let fake: FakeS2s
  let t: TestServer
  beforeAll(async () => {
    backend = await startNodeBackend()
    fake = await startFakeS2s({ '': API_KEY })
    t = await startTestServer(
      {
        FORWARD_TO: backend.url,
        FORWARD_SECRET: 'fwd_secret_reconcile',
        AGHANIM_API_KEY: API_KEY,
        AGHANIM_API_URL: fake.url,
      },
      [],
      { reconcile: { pageSize: 3, s2s: { backoffMs: 20, perMinute: 3000 } } },
    )
  })
  afterAll(async () => {
    await t?.close()
    await backend?.close()
    await fake?.close()
  })

  test('delivers the fix to the backend as a synthetic item.add marked as reconciliation, once per order', async () => {
    const paidAt = now() - 600
    for (const id of ['ord_fwd_down', 'ord_fwd_seen']) {
      fake.addOrder('', paidOrder(id, 'p_fwd', [{ sku: 'gems', quantity: 9 }], paidAt))
    }
    expect((await t.send(purchase('ord_fwd_seen'))).status).toBe(200)
    expect(backend.calls).toHaveLength(1)
    expect(backend.calls[0]!.headers['x-aghanim-order-id']).toBe('ord_fwd_seen')
    expect(backend.calls[0]!.headers['x-aghanim-webhooks-reconcile']).toBeUndefined()

    const run = await t.api('/api/reconcile', { method: 'POST', body: JSON.stringify({ fix: true }) })
    expect(run.status, run.text).toBe(200)
    expect(run.json.missing.map((order: { order_id: string }) => order.order_id)).toEqual(['ord_fwd_down'])
    expect(run.json.fixed).toEqual([expect.objectContaining({ order_id: 'ord_fwd_down', result: 'granted' })])
    expect(backend.calls).toHaveLength(2)
    const synthetic = backend.calls[1]!
    expect(synthetic.headers['x-aghanim-webhooks-reconcile']).toBe(run.json.run_id)
    expect(synthetic.headers['x-aghanim-order-id']).toBe('ord_fwd_down')
    expect(synthetic.event).toMatchObject({
      event_type: 'item.add',
      event_data: {
        player_id: 'p_fwd',
        reason: 'Order paid ord_fwd_down',
        items: [expect.objectContaining({ sku: 'gems', quantity: 9 })],
      },
    })

    // Aghanim's own item.add arriving late is answered without bothering the backend.
    const late = await t.send(purchase('ord_fwd_down'))
    expect(late.status).toBe(200)
    expect(late.json).toEqual({ status: 'ok' })
    expect(backend.calls).toHaveLength(2)
    expect(
      (await t.api('/api/reconcile', { method: 'POST', body: JSON.stringify({ fix: true }) })).json.missing,
    ).toEqual([])
    expect(backend.calls).toHaveLength(2)
  })

  test('a backend that refuses the synthetic item.add leaves the order missing, for the next run', async () => {
    const paidAt = now() - 300
    fake.addOrder('', paidOrder('ord_fwd_refused', 'p_fwd', [{ sku: 'gems', quantity: 1 }], paidAt))
    backend.answer(() => ({
      status: 400,
      body: { status: 'error', code: 'declined', message: 'no such player' },
    }))
    const run = await t.api('/api/reconcile', {
      method: 'POST',
      body: JSON.stringify({ fix: true, since: paidAt - 10 }),
    })
    expect(run.json.fixed).toEqual([
      expect.objectContaining({
        order_id: 'ord_fwd_refused',
        result: 'failed',
        status: 400,
        message: 'no such player',
      }),
    ])
    backend.answer(() => ({ status: 200, body: { status: 'ok' } }))
    const retry = await t.api('/api/reconcile', {
      method: 'POST',
      body: JSON.stringify({ fix: true, since: paidAt - 10 }),
    })
    expect(retry.json.fixed).toEqual([
      expect.objectContaining({ order_id: 'ord_fwd_refused', result: 'granted' }),
    ])
  })
})
