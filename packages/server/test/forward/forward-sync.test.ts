import { fixtureEvent, sign } from 'aghanim-webhooks'
import { describe, expect, test } from 'vitest'
import { grant, startTestServer } from '../support/test-server.js'
import { refusedUrl, startNodeBackend, useForwarding } from './support/backends.js'

const FORWARD_SECRET = 'fwd_secret_for_tests_1'

const t = useForwarding((url) => ({
  FORWARD_TO: url,
  FORWARD_SECRET: `${FORWARD_SECRET},fwd_old_secret`,
  FORWARD_TIMEOUT_MS: '300',
  MAX_BODY_BYTES: '4096',
}))

const verify = (player = 'p_forward') => fixtureEvent('player.verify', { event_data: { player_id: player } })

describe('forward mode: what reaches the backend', () => {
  test('forwards the original body bytes, signed with the first forward secret in Aghanim scheme', async () => {
    // Odd spacing and non-ASCII text: a re-serialized body would differ from the bytes Aghanim signed.
    const body = `{ "event_type" : "item.add", "event_id":"whevt_bytes1","idempotency_key":"idm_bytes1", "event_time": ${Math.floor(Date.now() / 1000)},
      "event_data": {"player_id":"Молли 🐉","items":[{"id":"i1","sku":"gem","name":"Gem","quantity":1}],"reason":"paid"}, "sandbox": false }`
    const answer = await t.server.send(body)
    expect(answer.status).toBe(200)
    expect(t.backend.calls).toHaveLength(1)
    const call = t.backend.calls[0]!
    expect(call.body.equals(Buffer.from(body, 'utf8'))).toBe(true)
    const timestamp = String(call.headers['x-aghanim-signature-timestamp'])
    expect(call.headers['x-aghanim-signature']).toBe(
      await sign({ secret: FORWARD_SECRET, timestamp, body: call.body }),
    )
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5)
    expect(call.headers['x-aghanim-idempotency-key']).toBe('idm_bytes1')
    expect(call.headers['x-aghanim-attempt']).toBe('1')
    expect(call.headers['content-type']).toBe('application/json')
  })

  test('sends the delivery id the delivery log records', async () => {
    await t.server.send(grant('p_id', 'gem', 1))
    const id = String(t.backend.calls[0]!.headers['x-aghanim-delivery-id'])
    const logged = await t.server.api(`/api/deliveries/${encodeURIComponent(id)}`)
    expect(logged.status).toBe(200)
    expect(logged.json.delivery.event_type).toBe('item.add')
  })

  test('never forwards a forged, malformed or stale request', async () => {
    const event = grant('p_forged', 'gem', 1)
    expect((await t.server.send(event, { secret: 'not_the_secret' })).status).toBe(403)
    expect((await t.server.send(event, { secret: FORWARD_SECRET })).status).toBe(403)
    expect(
      (await t.server.send(event, { timestamp: Math.floor(Date.now() / 1000) - 30 * 86_400 })).status,
    ).toBe(403)
    expect((await t.server.send('{"event_type": "item.add",')).status).toBe(400)
    expect((await t.server.send({ ...event, event_data: { player_id: 42 } })).status).toBe(400)
    const unsigned = await fetch(`${t.server.url}/webhook`, { method: 'POST', body: JSON.stringify(event) })
    expect(unsigned.status).toBe(400)
    expect(t.backend.calls).toHaveLength(0)
  })
})

describe('forward mode: answers', () => {
  test("relays the backend's player.verify and store.get answers", async () => {
    t.backend.answer(({ event }) =>
      event.event_type === 'player.verify'
        ? {
            status: 200,
            body: { player_id: event.event_data.player_id, name: 'Molly', attributes: { level: 3 } },
          }
        : { status: 200, body: { items: [{ sku: 'gem_pack' }] } },
    )
    const verified = await t.server.send(verify('p_molly'))
    expect(verified.status).toBe(200)
    expect(verified.json).toEqual({ player_id: 'p_molly', name: 'Molly', attributes: { level: 3 } })
    const store = await t.server.send(fixtureEvent('store.get'))
    expect(store.json).toEqual({ items: [{ sku: 'gem_pack' }] })
    expect(t.backend.calls.map((call) => call.event.event_type)).toEqual(['player.verify', 'store.get'])
  })

  test('relays a denial of player.verify as is', async () => {
    t.backend.answer(() => ({
      status: 404,
      body: { status: 'error', code: 'not_found', message: 'No such player' },
    }))
    const answer = await t.server.send(verify('p_nobody'))
    expect(answer.status).toBe(404)
    expect(answer.json).toEqual({ status: 'error', code: 'not_found', message: 'No such player' })
  })

  test('answers 502 upstream_invalid_answer for a player.verify answer that breaks the schema, and logs why', async () => {
    t.backend.answer(() => ({ status: 200, body: { name: 'no player id' } }))
    const answer = await t.server.send(verify('p_invalid'))
    expect(answer.status).toBe(502)
    expect(answer.json.code).toBe('upstream_invalid_answer')
    expect(answer.json.message).toMatch(/player_id/)
    const id = String(t.backend.calls[0]!.headers['x-aghanim-delivery-id'])
    const attempts = await t.server.api(`/api/deliveries/${encodeURIComponent(id)}/forwards`)
    expect(attempts.json.attempts[0]).toMatchObject({ status: 200, route: '*' })
    expect(attempts.json.attempts[0].error).toMatch(/^upstream_invalid_answer: .*player_id/)
    await expect.poll(() => t.server.logs.some((line) => line.includes('upstream_invalid_answer'))).toBe(true)
  })

  test('never writes the forward secret to the log or the delivery log', async () => {
    await t.server.send(grant('p_secret', 'gem', 1))
    const id = String(t.backend.calls[0]!.headers['x-aghanim-delivery-id'])
    const detail = await t.server.api(`/api/deliveries/${encodeURIComponent(id)}`)
    const attempts = await t.server.api(`/api/deliveries/${encodeURIComponent(id)}/forwards`)
    for (const text of [t.server.logs.join('\n'), detail.text, attempts.text]) {
      expect(text).not.toContain(FORWARD_SECRET)
      expect(text).not.toContain('fwd_old_secret')
    }
  })

  test('relays a decline, stores it, and answers a duplicate without calling the backend again', async () => {
    t.backend.answer(() => ({
      status: 400,
      body: { status: 'error', code: 'declined', message: 'Sold out' },
    }))
    const event = grant('p_decline', 'sold_out', 1)
    const first = await t.server.send(event)
    const again = await t.server.send(event)
    expect(first.status).toBe(400)
    expect(first.json).toEqual({ status: 'error', code: 'declined', message: 'Sold out' })
    expect(again.status).toBe(400)
    expect(again.json).toEqual(first.json)
    expect(again.headers.get('x-idempotent-replay')).toBe('true')
    expect(t.backend.calls).toHaveLength(1)
  })

  test('relays a 429 without storing it, so the retry calls the backend again', async () => {
    let calls = 0
    t.backend.answer(() =>
      ++calls === 1
        ? { status: 429, body: { status: 'error', code: 'rate_limited', message: 'Slow down' } }
        : { status: 200, body: { status: 'ok' } },
    )
    const event = grant('p_busy', 'gem', 1)
    const busy = await t.server.send(event)
    expect(busy.status).toBe(429)
    expect(busy.json.code).toBe('rate_limited')
    expect((await t.server.send(event)).status).toBe(200)
    expect(t.backend.calls).toHaveLength(2)
  })

  test('a backend 500 answers 502 and releases the key, so the retry calls the backend and succeeds', async () => {
    let calls = 0
    t.backend.answer(() =>
      ++calls === 1 ? { status: 500, body: { oops: true } } : { status: 200, body: { status: 'ok' } },
    )
    const event = grant('p_retry', 'gem', 1)
    const failed = await t.server.send(event)
    expect(failed.status).toBe(502)
    expect(failed.json.code).toBe('upstream_failed')
    const retried = await t.server.send(event)
    expect(retried.status).toBe(200)
    const third = await t.server.send(event)
    expect(third.headers.get('x-idempotent-replay')).toBe('true')
    expect(t.backend.calls.map((call) => call.headers['x-aghanim-attempt'])).toEqual(['1', '2'])
  })

  test('a backend slower than FORWARD_TIMEOUT_MS answers 504 and the retry calls it again', async () => {
    t.backend.answer(() => ({ status: 200, body: { status: 'ok' }, delayMs: 1500 }))
    const event = grant('p_slow', 'gem', 1)
    const slow = await t.server.send(event)
    expect(slow.status).toBe(504)
    expect(slow.json.code).toBe('upstream_timeout')
    t.backend.answer(() => ({ status: 200, body: { status: 'ok' } }))
    expect((await t.server.send(event)).status).toBe(200)
    expect(t.backend.calls).toHaveLength(2)
  })

  test('a connection the backend resets answers 502 and releases the key', async () => {
    t.backend.answer(() => ({ status: 200, reset: true }))
    const event = grant('p_reset', 'gem', 1)
    const answer = await t.server.send(event)
    expect(answer.status).toBe(502)
    expect(answer.json).toMatchObject({
      code: 'upstream_failed',
      message: expect.stringMatching(/closed the connection/),
    })
    t.backend.answer(() => ({ status: 200, body: { status: 'ok' } }))
    expect((await t.server.send(event)).status).toBe(200)
  })

  test('a backend that stops in the middle of its answer also answers 504', async () => {
    t.backend.answer(() => ({ status: 200, stallBody: true }))
    const answer = await t.server.send(grant('p_stall', 'gem', 1))
    expect(answer.status).toBe(504)
    expect(answer.json.code).toBe('upstream_timeout')
  })

  test('an answer over the size limit answers 502 and releases the key', async () => {
    t.backend.answer(() => ({
      status: 200,
      raw: JSON.stringify({ status: 'ok', padding: 'x'.repeat(64 * 1024) }),
    }))
    const event = grant('p_huge', 'gem', 1)
    const huge = await t.server.send(event)
    expect(huge.status).toBe(502)
    expect(huge.json.code).toBe('upstream_failed')
    expect(huge.json.message).toMatch(/larger than 4096 bytes/)
    t.backend.answer(() => ({ status: 200, body: { status: 'ok' } }))
    expect((await t.server.send(event)).status).toBe(200)
    expect(t.backend.calls).toHaveLength(2)
  })

  test('relays a fulfilment answer body and the backend sees each key once', async () => {
    t.backend.answer(() => ({ status: 200, body: { status: 'ok', granted: 'gem' } }))
    const event = grant('p_once', 'gem', 1)
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.server.send(event)))
    expect(answers.every((answer) => answer.status === 200)).toBe(true)
    expect(answers.every((answer) => answer.json.granted === 'gem')).toBe(true)
    expect(t.backend.calls).toHaveLength(1)
  })
})

describe('forward mode: a backend that cannot be reached', () => {
  test('a refused connection answers 502 and nothing is stored', async () => {
    const refused = await startTestServer({ FORWARD_TO: await refusedUrl(), FORWARD_SECRET })
    try {
      const event = grant('p_refused', 'gem', 1)
      const answer = await refused.send(event)
      expect(answer.status).toBe(502)
      expect(answer.json).toMatchObject({ status: 'error', code: 'upstream_failed' })
      expect(answer.json.message).toMatch(/refused/)
      expect((await refused.send(event)).headers.get('x-idempotent-replay')).toBeNull()
      const metrics = await fetch(`${refused.url}/metrics`).then((r) => r.text())
      expect(metrics).toMatch(/aghanim_forward_calls_total\{via="sync",result="refused"\} 2/)
    } finally {
      await refused.close()
    }
  })
})

describe('forward mode: routes and local handlers', () => {
  test('the first matching PATTERN=URL route wins; an unmatched type is an unknown type', async () => {
    const inventory = await startNodeBackend()
    const routed = await startTestServer({ FORWARD_SECRET }, [
      '--forward-to',
      `item.*=${inventory.url}`,
      '--forward-to',
      `player.verify=${t.backend.url}`,
    ])
    try {
      t.backend.answer(({ event }) => ({
        status: 200,
        body: { player_id: event.event_data.player_id, name: 'A', attributes: {} },
      }))
      expect((await routed.send(grant('p_route', 'gem', 1))).status).toBe(200)
      expect((await routed.send(verify('p_route'))).status).toBe(200)
      const unrouted = await routed.send(fixtureEvent('order.paid'))
      expect(unrouted.status).toBe(400)
      expect(unrouted.json.code).toBe('unknown_event_type')
      expect(inventory.calls.map((call) => call.event.event_type)).toEqual(['item.add'])
      expect(t.backend.calls.map((call) => call.event.event_type)).toEqual(['player.verify'])
    } finally {
      await routed.close()
      await inventory.close()
    }
  })

  test('types the --handlers module registers are handled locally; the reference ledger does not run', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(join(tmpdir(), 'awh-fwd-handlers-'))
    const handlers = join(dir, 'handlers.mjs')
    writeFileSync(
      handlers,
      `export default (router) => { router.on('store.get', () => ({ items: [{ sku: 'local' }] })) }\n`,
    )
    const mixed = await startTestServer({
      FORWARD_TO: t.backend.url,
      FORWARD_SECRET,
      AGHANIM_HANDLERS: handlers,
    })
    try {
      expect((await mixed.send(fixtureEvent('store.get'))).json).toEqual({ items: [{ sku: 'local' }] })
      expect((await mixed.send(grant('p_mixed', 'gem', 1))).status).toBe(200)
      expect(t.backend.calls.map((call) => call.event.event_type)).toEqual(['item.add'])
      // No ledger: the grant left no inventory behind, the backend owns it.
      expect((await mixed.api('/api/players/p_mixed')).status).toBe(404)
    } finally {
      await mixed.close()
    }
  })
})
