import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fixtureEvent } from 'aghanim-webhooks'
import { describe, expect, test } from 'vitest'
import { grant } from '../support/test-server.js'
import { useForwarding } from './support/backends.js'

const FORWARD_SECRET = 'fwd_outbox_secret'

const t = useForwarding((url) => ({
  BATCH_ALLOWED_HOSTS: '127.0.0.1',
  FORWARD_TO: url,
  FORWARD_SECRET,
  FORWARD_ASYNC: 'notifications',
  // Two retries, quickly: a third failure makes a dead letter.
  FORWARD_RETRY_SCHEDULE: '40ms,40ms',
}))

const paid = (player: string, order = `ord_${Math.random().toString(36).slice(2)}`) =>
  fixtureEvent('order.paid', { event_data: { player_id: player, id: order } })
const callsOf = (type: string) => t.backend.calls.filter((call) => call.event.event_type === type)

describe('forward mode: the durable outbox for notifications', () => {
  test('answers a notification 200 once stored, before the backend is called, then delivers it', async () => {
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    t.backend.answer(async () => {
      await held
      return { status: 200, body: { status: 'ok' } }
    })
    const answer = await t.server.send(paid('p_async'))
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({ status: 'ok' })
    await expect.poll(() => t.backend.calls.length).toBe(1)
    release()
    await expect.poll(async () => (await t.server.api('/api/outbox')).json.counts.pending).toBe(0)
  })

  test('retries a backend 500 with the same delivery id and a growing attempt number', async () => {
    let calls = 0
    t.backend.answer(() =>
      ++calls < 3 ? { status: 500, body: { oops: true } } : { status: 200, body: { status: 'ok' } },
    )
    expect((await t.server.send(paid('p_retry'))).status).toBe(200)
    await expect.poll(() => t.backend.calls.length).toBe(3)
    const ids = new Set(t.backend.calls.map((call) => call.headers['x-aghanim-delivery-id']))
    expect(ids.size).toBe(1)
    expect(t.backend.calls.map((call) => call.headers['x-aghanim-attempt'])).toEqual(['1', '2', '3'])
    const id = String([...ids][0])
    await expect
      .poll(
        async () =>
          (await t.server.api(`/api/deliveries/${encodeURIComponent(id)}/forwards`)).json.attempts.length,
      )
      .toBe(3)
    const { attempts } = (await t.server.api(`/api/deliveries/${encodeURIComponent(id)}/forwards`)).json
    expect(attempts.map((a: { status: number; via: string }) => [a.via, a.status])).toEqual([
      ['outbox', 500],
      ['outbox', 500],
      ['outbox', 200],
    ])
  })

  test('stores a duplicate notification once: the backend sees it once', async () => {
    const event = paid('p_dup')
    const answers = await Promise.all(Array.from({ length: 10 }, () => t.server.send(event)))
    expect(answers.every((answer) => answer.status === 200)).toBe(true)
    await expect.poll(() => t.backend.calls.length).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(t.backend.calls).toHaveLength(1)
  })

  test("delivers one player's events in the order received, even when the first one needs retries", async () => {
    let failedFirst = false
    t.backend.answer(({ event }) => {
      if (!failedFirst && event.event_data.id === 'ord_0') {
        failedFirst = true
        return { status: 503, body: {} }
      }
      return { status: 200, body: { status: 'ok' } }
    })
    for (let index = 0; index < 8; index++)
      expect((await t.server.send(paid('p_order', `ord_${index}`))).status).toBe(200)
    await expect.poll(() => callsOf('order.paid').length, { timeout: 5000 }).toBe(9)
    const delivered = t.backend.calls.map((call) => call.event.event_data.id)
    expect(delivered).toEqual([
      'ord_0',
      'ord_0',
      'ord_1',
      'ord_2',
      'ord_3',
      'ord_4',
      'ord_5',
      'ord_6',
      'ord_7',
    ])
  })

  test('keeps decision and fulfilment events synchronous', async () => {
    t.backend.answer(() => ({ status: 500, body: {} }))
    expect((await t.server.send(grant('p_sync', 'gem', 1))).status).toBe(502)
    t.backend.answer(({ event }) => ({
      status: 200,
      body: { player_id: event.event_data.player_id, name: 'S', attributes: {} },
    }))
    const verified = await t.server.send(
      fixtureEvent('player.verify', { event_data: { player_id: 'p_sync' } }),
    )
    expect(verified.json.name).toBe('S')
  })

  test('makes a dead letter after the last retry, shows the last answer, and redrives it', async () => {
    t.backend.answer(() => ({ status: 503, body: { status: 'error', message: 'maintenance' } }))
    const event = paid('p_dead')
    expect((await t.server.send(event)).status).toBe(200)
    await expect
      .poll(async () => (await t.server.api('/api/outbox?state=dead')).json.counts.dead, { timeout: 3000 })
      .toBe(1)
    expect(t.backend.calls).toHaveLength(3)
    const dead = (await t.server.api('/api/outbox?state=dead')).json.entries[0]
    expect(dead).toMatchObject({
      event_type: 'order.paid',
      player_id: 'p_dead',
      state: 'dead',
      attempts: 3,
      last_status: 503,
    })
    expect(dead.last_answer).toContain('maintenance')
    const metrics = await fetch(`${t.server.url}/metrics`).then((r) => r.text())
    expect(metrics).toMatch(/aghanim_outbox_dead_letters 1/)
    expect(metrics).toMatch(/aghanim_forward_calls_total\{via="outbox",result="503"\} \d+/)

    t.backend.answer(() => ({ status: 200, body: { status: 'ok' } }))
    const redriven = await t.server.api('/api/outbox/redrive', {
      method: 'POST',
      body: JSON.stringify({ event_type: 'order.paid', player_id: 'p_dead' }),
    })
    expect(redriven.json).toEqual({ redriven: 1 })
    await expect.poll(() => t.backend.calls.length).toBe(4)
    await expect
      .poll(async () => (await t.server.api('/api/outbox')).json.counts)
      .toEqual({
        pending: 0,
        dead: 0,
        oldest_pending_at: null,
      })
    expect(t.backend.calls[3]!.headers['x-aghanim-delivery-id']).toBe(dead.delivery_id)
    expect(t.backend.calls[3]!.headers['x-aghanim-attempt']).toBe('1')
  })

  test('a 4xx other than 408 and 429 is the backend refusing: a dead letter at once', async () => {
    t.backend.answer(() => ({ status: 422, body: { status: 'error', message: 'unknown order' } }))
    expect((await t.server.send(paid('p_refused'))).status).toBe(200)
    await expect
      .poll(async () =>
        (await t.server.api('/api/outbox?state=dead')).json.entries.some(
          (e: { player_id: string }) => e.player_id === 'p_refused',
        ),
      )
      .toBe(true)
    expect(t.backend.calls.filter((call) => call.event.event_data.player_id === 'p_refused')).toHaveLength(1)
    await t.server.api('/api/outbox/redrive', { method: 'POST', body: JSON.stringify({ all_dead: true }) })
  })

  test('puts every line of a batch.ready file in the outbox; the batch itself is not forwarded', async () => {
    const lines = [paid('p_batch', 'ord_b1'), paid('p_batch', 'ord_b2'), fixtureEvent('analytics.hub.login')]
    const files = createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/x-ndjson' })
        .end(`${lines.map((line) => JSON.stringify(line)).join('\n')}\n`)
    })
    files.listen(0, '127.0.0.1')
    await once(files, 'listening')
    try {
      const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/batch.jsonl`
      const answer = await t.server.send(fixtureEvent('batch.ready', { event_data: { url, expires_at: 1 } }))
      expect(answer.status).toBe(200)
      const ids = lines.map((line) => line.event_id)
      const batchCalls = () => t.backend.calls.filter((call) => ids.includes(call.event.event_id))
      await expect.poll(() => batchCalls().length).toBe(3)
      expect(
        batchCalls()
          .map((call) => call.event.event_id)
          .sort(),
      ).toEqual([...ids].sort())
      expect(callsOf('batch.ready')).toHaveLength(0)
      // Each line is sent with its own bytes, as the batch file has them.
      const first = t.backend.calls.find((call) => call.event.event_id === lines[0]!.event_id)!
      expect(first.body.toString('utf8')).toBe(JSON.stringify(lines[0]))
    } finally {
      files.close()
    }
  })

  test('refuses a redrive that names nothing, and an unknown filter', async () => {
    const empty = await t.server.api('/api/outbox/redrive', { method: 'POST', body: '{}' })
    expect(empty.status).toBe(400)
    expect(empty.json.code).toBe('invalid_redrive')
    const unknown = await t.server.api('/api/outbox/redrive', { method: 'POST', body: '{"everything":true}' })
    expect(unknown.status).toBe(400)
    expect(unknown.json.message).toMatch(/everything/)
    const badTime = await t.server.api('/api/outbox/redrive', {
      method: 'POST',
      body: '{"since":"yesterday"}',
    })
    expect(badTime.status).toBe(400)
  })
})
