import { once } from 'node:events'
import { connect } from 'node:net'
import { createRouter, type Delivery } from 'aghanim-webhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deliver, itemAdd, playerVerify, rawPost, SECRET } from './deliver.js'
import { frameworks, type Running, startServer } from './servers.js'

describe.each(frameworks)('the %s adapter, on a real server', (framework) => {
  let server: Running
  const grants: string[] = []
  const deliveries: Delivery[] = []
  const router = createRouter()
    .on('player.verify', (event) => ({
      player_id: event.event_data.player_id,
      name: 'Molly',
      attributes: {},
    }))
    .on('item.add', (event) => {
      grants.push(event.event_id)
    })

  beforeAll(async () => {
    server = await startServer(framework, {
      secret: SECRET,
      router,
      maxBodyBytes: 4096,
      onDelivery: (delivery) => {
        deliveries.push(delivery)
      },
    })
  })
  afterAll(() => server.close())

  it('answers a signed player.verify with the player the handler returned', async () => {
    const response = await deliver(server.url, playerVerify('p_molly'))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await response.json()).toEqual({ player_id: 'p_molly', name: 'Molly', attributes: {} })
  })

  it('grants a signed item.add once, and answers its duplicate the same with x-idempotent-replay', async () => {
    const body = itemAdd()
    const first = await deliver(server.url, body)
    const duplicate = await deliver(server.url, body)
    expect([first.status, await first.text(), first.headers.get('x-idempotent-replay')]).toEqual([
      200,
      '{"status":"ok"}',
      null,
    ])
    expect([duplicate.status, await duplicate.text(), duplicate.headers.get('x-idempotent-replay')]).toEqual([
      200,
      '{"status":"ok"}',
      'true',
    ])
    expect(grants.filter((id) => id === JSON.parse(body).event_id)).toHaveLength(1)
  })

  it('refuses a body signed with another secret with a 403 JSON error', async () => {
    const response = await deliver(server.url, itemAdd(), { secret: 'whsec_someone_else' })
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ status: 'error', code: 'signature_mismatch' })
  })

  it('refuses a body whose declared length is over the limit with 413', async () => {
    const response = await deliver(server.url, JSON.stringify({ padding: 'x'.repeat(5000) }))
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ status: 'error', code: 'body_too_large' })
  })

  it('refuses a chunked body with 413 as soon as it grows over the limit, before it ends', async () => {
    const chunks = Array.from({ length: 8 }, () => new Uint8Array(1024).fill(0x20))
    const answer = await rawPost(server.url, { chunks, leaveOpen: true })
    expect(answer).toMatchObject({ status: 413 })
    expect(JSON.parse((answer as { body: string }).body)).toMatchObject({ code: 'body_too_large' })
  })

  it('answers 413 to uploads that keep sending, and each client gets to read it', async () => {
    // Closing a socket the client still writes to makes the kernel send a reset, which can destroy the 413
    // before the client reads it: the adapters linger before closing.
    const answers = await Promise.all(Array.from({ length: 10 }, () => endlessUpload(server.url)))
    expect(answers).toEqual(Array.from({ length: 10 }, () => 413))
  })

  it('answers GET with 405', async () => {
    const response = await fetch(server.url)
    expect(response.status).toBe(405)
    expect(await response.json()).toMatchObject({ status: 'error', code: 'method_not_allowed' })
  })

  it('reports each delivery with its method, URL and headers, and as a web Request', async () => {
    const before = deliveries.length
    await deliver(server.url, playerVerify('p_reported'))
    await expect.poll(() => deliveries.length).toBeGreaterThan(before)
    const delivery = deliveries.at(-1)!
    expect(delivery.method).toBe('POST')
    expect(delivery.url).toBe(server.url)
    expect(delivery.headers.get('x-aghanim-signature')).toMatch(/^[0-9a-f]{64}$/)
    expect(delivery.request).toBeInstanceOf(Request)
    expect(delivery.request.method).toBe('POST')
    expect(delivery.request.url).toBe(server.url)
    expect(delivery.request.headers.get('x-aghanim-signature')).toBe(
      delivery.headers.get('x-aghanim-signature'),
    )
    expect(delivery.request).toBe(delivery.request)
  })

  it('survives a client that disconnects half-way through the body, and keeps serving', async () => {
    const before = deliveries.length
    const arrived = once(server.server, 'request')
    const answer = await rawPost(server.url, {
      chunks: [new TextEncoder().encode('{"event_type":')],
      contentLength: 2000,
      abortWhen: arrived,
    })
    expect(answer).toHaveProperty('error')
    await expect.poll(() => deliveries.length).toBeGreaterThan(before)
    expect(deliveries.at(-1)?.status).toBeGreaterThanOrEqual(400)
    const next = await deliver(server.url, playerVerify('p_after'))
    expect(next.status).toBe(200)
  })
})

/** POSTs a chunked body that never ends, as fast as the socket takes it; resolves with the status read back. */
function endlessUpload(url: string): Promise<number | string> {
  const { hostname, port, pathname } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    let reply = ''
    const chunk = `${(64 * 1024).toString(16)}\r\n${'x'.repeat(64 * 1024)}\r\n`
    const pump = () => {
      while (!socket.destroyed && socket.write(chunk)) {}
    }
    socket.on('connect', () => {
      socket.write(`POST ${pathname} HTTP/1.1\r\nhost: ${hostname}\r\ntransfer-encoding: chunked\r\n\r\n`)
      pump()
      // A busy client reads its answer a moment late: by then a server that closed at once has reset it.
      socket.pause()
      setTimeout(() => socket.resume(), 200)
    })
    socket.on('drain', pump)
    socket.setEncoding('latin1').on('data', (text: string) => {
      reply += text
      const status = /^HTTP\/1\.1 (\d{3})/.exec(reply)
      if (status) {
        resolve(Number(status[1]))
        socket.destroy()
      }
    })
    socket.on('error', (error) => resolve(`no answer: ${error.message}`))
    socket.on('close', () => resolve(`no answer: closed after ${reply.length} bytes`))
  })
}
