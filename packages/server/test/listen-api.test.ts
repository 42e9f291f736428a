import { fixtureEvent } from 'aghanim-webhooks'
import { afterEach, describe, expect, test } from 'vitest'
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js'

// The listen routes as a listener (here: a plain fetch of the event stream) sees them. The CLI's own tests run
// the real `listen` process; these pin the API's refusals and a listener that leaves mid-delivery.

const servers: TestServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

async function serve(argv: string[] = []) {
  const server = await startTestServer({}, argv)
  servers.push(server)
  return server
}

/** Opens `GET /api/listen` and reads its events as they come. */
async function connect(server: TestServer, query = '') {
  const abort = new AbortController()
  const response = await fetch(`${server.url}/api/listen${query}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    signal: abort.signal,
  })
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  const next = async (event: string): Promise<Record<string, unknown>> => {
    for (;;) {
      const match = new RegExp(`event: ${event}\\n(?:id: .*\\n)?data: (.*)\\n\\n`).exec(buffer)
      if (match) {
        buffer = buffer.slice(match.index + match[0].length)
        return JSON.parse(match[1]!)
      }
      const { value, done } = await reader.read()
      if (done) throw new Error(`the stream ended before a ${event} event`)
      buffer += value
    }
  }
  return { response, next, close: () => abort.abort() }
}

describe('the listen API', () => {
  test('refuses a filter that is not event types or families', async () => {
    const server = await serve()
    const answer = await server.api('/api/listen?events=item.add,not%20a%20type')
    expect(answer.status).toBe(400)
    expect(answer.json).toMatchObject({
      code: 'invalid_query',
      message: expect.stringContaining('"not a type"'),
    })
  })

  test('refuses malformed answers and answers for no ticket it issued, changing nothing', async () => {
    const server = await serve()
    const post = (body: unknown) =>
      server.api('/api/listen/answers', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    expect((await post({ status: 200, duration_ms: 1 })).json.code).toBe('invalid_answer')
    expect((await post({ ticket: 't', status: 999, duration_ms: 1 })).json.code).toBe('invalid_answer')
    expect((await post({ ticket: 't', status: null, duration_ms: 1, error: null })).json.code).toBe(
      'invalid_answer',
    )
    const unknown = await post({ ticket: 'nobody.1', status: 200, body: '{}', duration_ms: 1, error: null })
    expect(unknown.status).toBe(404)
    expect(unknown.json.code).toBe('unknown_ticket')
  })

  test('sends a mirror copy with the exact body and the forward headers, and no signature', async () => {
    const server = await serve()
    const listener = await connect(server, '?events=order.*&name=dev%40laptop')
    expect(listener.response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(await listener.next('ready')).toMatchObject({ mode: 'mirror', events: ['order.*'] })
    const event = fixtureEvent('order.paid')
    expect((await server.send(event)).status).toBe(200)
    const copy = await listener.next('delivery')
    expect(copy).toMatchObject({ mode: 'mirror', event_type: 'order.paid', server_status: 200 })
    expect(copy.body).toBe(JSON.stringify(event))
    expect(Object.keys(copy.headers as object).sort()).toEqual([
      'x-aghanim-attempt',
      'x-aghanim-delivery-id',
      'x-aghanim-idempotency-key',
    ])
    listener.close()
  })

  test('tunnel: a listener that leaves while a delivery waits gets it a 502 at once, not at the timeout', async () => {
    const server = await serve(['--listen-mode', 'tunnel', '--listen-timeout-ms', '20000'])
    const listener = await connect(server)
    await listener.next('ready')
    const started = performance.now()
    const answered = server.send(fixtureEvent('order.paid'))
    await listener.next('delivery')
    listener.close()
    const answer = await answered
    expect(answer.status).toBe(502)
    expect(answer.json.code).toBe('upstream_failed')
    expect(performance.now() - started).toBeLessThan(5000)
  })

  test('tunnel with several listeners: the newest answers Aghanim, the others get a copy', async () => {
    const server = await serve(['--listen-mode', 'tunnel'])
    const older = await connect(server, '?name=older')
    await older.next('ready')
    await new Promise((resolve) => setTimeout(resolve, 5))
    const newer = await connect(server, '?name=newer')
    await newer.next('ready')
    const answered = server.send(fixtureEvent('player.verify', { event_data: { player_id: 'p_1' } }))
    const [copy, tunnelled] = await Promise.all([older.next('delivery'), newer.next('delivery')])
    expect(copy.mode).toBe('mirror')
    expect(tunnelled.mode).toBe('tunnel')
    const report = await server.api('/api/listen/answers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ticket: tunnelled.ticket,
        status: 200,
        body: JSON.stringify({ player_id: 'p_1', name: 'Newer laptop', attributes: {} }),
        duration_ms: 3,
        error: null,
      }),
    })
    expect(report.json).toEqual({ status: 'ok', aghanim: { status: 200, error: null } })
    const answer = await answered
    expect(answer.json).toEqual({ player_id: 'p_1', name: 'Newer laptop', attributes: {} })
    older.close()
    newer.close()
  })
})
