import { fixtureEvent } from 'aghanim-webhooks'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js'

async function openStream(url: string, signal: AbortSignal) {
  const response = await fetch(`${url}/api/deliveries/stream`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    signal,
  })
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  return {
    response,
    /** Resolves with the data of the next `delivery` event. */
    async next(): Promise<Record<string, unknown>> {
      for (;;) {
        const frame = /event: delivery\nid: [^\n]+\ndata: ([^\n]+)\n\n/.exec(buffer)
        if (frame) {
          buffer = buffer.slice(frame.index + frame[0].length)
          return JSON.parse(frame[1]!)
        }
        const { value, done } = await reader.read()
        if (done) throw new Error('stream ended')
        buffer += value
      }
    },
  }
}

const clients = async (url: string) =>
  Number(/aghanim_inspector_stream_clients (\d+)/.exec(await (await fetch(`${url}/metrics`)).text())![1])

describe('live delivery stream', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(() => t.close())

  test('sends one delivery event per new delivery, as a summary', async () => {
    const abort = new AbortController()
    const stream = await openStream(t.url, abort.signal)
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const event = fixtureEvent('order.paid')
    await t.send(event)
    const summary = await stream.next()
    expect(summary).toMatchObject({
      event_type: 'order.paid',
      event_id: event.event_id,
      key: event.idempotency_key,
      outcome: 'ok',
      status: 200,
    })
    expect(summary).not.toHaveProperty('body')
    abort.abort()
  })

  test('forgets clients that disconnect', async () => {
    const controllers = Array.from({ length: 20 }, () => new AbortController())
    await Promise.all(controllers.map((controller) => openStream(t.url, controller.signal)))
    expect(await clients(t.url)).toBe(20)
    for (const controller of controllers) controller.abort()
    await expect.poll(() => clients(t.url), { timeout: 5000 }).toBe(0)
  })

  test('needs the admin token', async () => {
    expect((await fetch(`${t.url}/api/deliveries/stream`)).status).toBe(401)
  })

  test('ends open streams on shutdown instead of waiting for them', async () => {
    const own = await startTestServer()
    const stream = await openStream(own.url, new AbortController().signal)
    const closed = own.close()
    await expect(stream.next()).rejects.toThrow()
    await closed
  })
})
