import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { fixtureEvent } from 'aghanim-webhooks'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { ADMIN_TOKEN, answer, SECRET, startTestServer, type TestServer } from './support/test-server.js'

describe('bad input gets a clear JSON 4xx, never a crash', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer({ MAX_BODY_BYTES: '4096' })
  })
  afterAll(() => t.close())

  const expectError = (got: { status: number; json: unknown }, status: number, code: string) => {
    expect(got.status).toBe(status)
    expect(got.json).toMatchObject({ status: 'error', code, message: expect.any(String) })
  }

  test('rejects a signed body that is not JSON with 400 invalid_json', async () => {
    expectError(await t.send('{"event_type": '), 400, 'invalid_json')
  })

  test('rejects an unknown event type with 400 by default', async () => {
    expectError(
      await t.send({ event_type: 'made.up', event_id: 'whevt_1', event_data: {} }),
      400,
      'unknown_event_type',
    )
  })

  test('rejects an item.add without items with a 400 (declined, so Aghanim can refund)', async () => {
    const event = fixtureEvent('item.add', { event_data: { player_id: 'testplayer', items: [] } })
    expectError(await t.send(event), 400, 'declined')
  })

  test('refuses a body over the limit with 413', async () => {
    const event = fixtureEvent('order.paid', { event_data: { receipt_number: 'x'.repeat(5000) } })
    expectError(await t.send(event), 413, 'body_too_large')
  })

  test('answers GET on the webhook path with 405', async () => {
    expectError(await answer(await fetch(`${t.url}/webhook`)), 405, 'method_not_allowed')
  })

  test('answers an unknown path with a JSON 404', async () => {
    expectError(await answer(await fetch(`${t.url}/nope`)), 404, 'not_found')
  })

  test('answers a wrong method on a known path with 405 and Allow', async () => {
    const got = await answer(await fetch(`${t.url}/healthz`, { method: 'POST' }))
    expectError(got, 405, 'method_not_allowed')
    expect(got.headers.get('allow')).toBe('GET, HEAD')
    expectError(await t.api('/api/players/p1/history', { method: 'DELETE' }), 405, 'method_not_allowed')
  })

  test('refuses the admin API without the token (401) or with a wrong one', async () => {
    expectError(await answer(await fetch(`${t.url}/api/deliveries`)), 401, 'unauthorized')
    const wrong = await fetch(`${t.url}/api/deliveries`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}x` },
    })
    expectError(await answer(wrong), 401, 'unauthorized')
  })

  test('validates player updates field by field', async () => {
    const put = (body: string) => t.api('/api/players/p1', { method: 'PUT', body })
    expectError(await put('{"name": 5}'), 400, 'invalid_player')
    expectError(await put('{"nmae": "typo"}'), 400, 'invalid_player')
    expectError(await put('{"country": "Germany"}'), 400, 'invalid_player')
    expectError(await put('[1]'), 400, 'invalid_player')
    expectError(await put('{'), 400, 'invalid_json')
    const noType = await fetch(`${t.url}/api/players/p1`, {
      method: 'PUT',
      body: '{}',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expectError(await answer(noType), 415, 'unsupported_media_type')
  })

  test('validates delivery filters', async () => {
    expectError(await t.api('/api/deliveries?status=abc'), 400, 'invalid_query')
    expectError(await t.api('/api/deliveries?limit=0'), 400, 'invalid_query')
    expectError(await t.api('/api/deliveries?since=yesterday'), 400, 'invalid_query')
    expectError(await t.api('/api/deliveries?cursor=garbage'), 400, 'invalid_query')
    expectError(await t.api('/api/stats/deliveries?minutes=99999'), 400, 'invalid_query')
    expectError(await t.api('/api/deliveries/nope'), 404, 'not_found')
    expectError(await t.api('/api/deliveries/nope/replay', { method: 'POST' }), 404, 'not_found')
  })

  test('answers a malformed percent-encoding in a path with 400', async () => {
    expectError(await t.api('/api/players/%E0%A4%A'), 400, 'invalid_player')
  })

  test('survives a client that disconnects mid-body', async () => {
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${t.url}/webhook`, {
        method: 'POST',
        headers: { 'content-length': '1000', 'x-aghanim-signature': 'a'.repeat(64) },
      })
      req.on('error', () => resolve())
      req.write('{"event_type":')
      setTimeout(() => {
        req.destroy()
        resolve()
      }, 50)
    })
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200)
  })

  test('never writes the webhook secret or the admin token to its logs', async () => {
    await t.send(fixtureEvent('order.paid'), { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    await t.send(fixtureEvent('order.paid'), { secret: 'wrong' })
    // An accepted delivery's line is written with its batch of the delivery log, a moment after the answer.
    await vi.waitFor(() => expect(t.logs.join('')).toContain('"event_type":"order.paid"'))
    const logs = t.logs.join('')
    expect(logs).not.toContain(SECRET)
    expect(logs).not.toContain(ADMIN_TOKEN)
  })

  test('exposes Prometheus metrics: deliveries by type and outcome, duplicates, latency, rejections', async () => {
    const event = fixtureEvent('order.created')
    await t.send(event)
    await t.send(event)
    const text = await (await fetch(`${t.url}/metrics`)).text()
    expect(text).toMatch(/aghanim_webhook_deliveries_total\{event_type="order.created",outcome="ok"\} 2/)
    expect(text).toMatch(/aghanim_webhook_duplicates_total\{event_type="order.created"\} 1/)
    expect(text).toMatch(/aghanim_webhook_rejections_total\{reason="signature_mismatch"\} \d+/)
    expect(text).toMatch(
      /aghanim_webhook_handler_duration_seconds_bucket\{event_type="order.created",le="\+Inf"\} 2/,
    )
    expect(text).toMatch(
      /aghanim_webhook_deliveries_total\{event_type="unknown",outcome="unknown_event_type"\} 1/,
    )
  })
})

describe('admin API without a token', () => {
  test('answers loopback clients, but not requests that came through a proxy', async () => {
    const t = await startTestServer({ ADMIN_TOKEN: '' })
    try {
      expect((await fetch(`${t.url}/api/deliveries`)).status).toBe(200)
      const proxied = await answer(
        await fetch(`${t.url}/api/deliveries`, { headers: { 'x-forwarded-for': '203.0.113.9' } }),
      )
      expect(proxied.status).toBe(403)
      expect(proxied.json.code).toBe('forbidden')
    } finally {
      await t.close()
    }
  })

  test('is off in production, even for loopback clients', async () => {
    const t = await startTestServer({ ADMIN_TOKEN: '', NODE_ENV: 'production' })
    try {
      const local = await answer(await fetch(`${t.url}/api/deliveries`))
      expect(local.status).toBe(403)
      expect(local.json.code).toBe('admin_disabled')
      expect(local.json.message).toContain('ADMIN_TOKEN')
      const grant = await answer(
        await fetch(`${t.url}/api/players/p1`, { method: 'PUT', body: '{"name":"x"}' }),
      )
      expect(grant.status).toBe(403)
    } finally {
      await t.close()
    }
  })
})

describe('slow clients', () => {
  test('are cut off when their headers or body do not arrive in time', async () => {
    const t = await startTestServer({ HEADERS_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '600' })
    const { port } = new URL(t.url)
    const hangsUp = (first: string) =>
      new Promise<{ ms: number; reply: string }>((resolve) => {
        const started = performance.now()
        let reply = ''
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(first))
        socket.setEncoding('utf8').on('data', (chunk: string) => {
          reply += chunk
        })
        socket.on('close', () => resolve({ ms: performance.now() - started, reply }))
        socket.on('error', () => {})
      })
    try {
      const [headers, body] = await Promise.all([
        hangsUp('POST /webhook HTTP/1.1\r\nhost: x\r\n'),
        hangsUp('POST /webhook HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{"event'),
      ])
      expect(headers.reply).toMatch(/^HTTP\/1.1 408/)
      expect(body.ms).toBeLessThan(5_000)
    } finally {
      await t.close()
    }
  })
})
