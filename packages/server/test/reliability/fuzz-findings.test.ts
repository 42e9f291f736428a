import { createHmac } from 'node:crypto'
import { connect } from 'node:net'
import { fixtureEvent } from 'aghanim-webhooks'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SECRET, startTestServer, type TestServer } from '../support/test-server.js'

// Each test pins down something the HTTP fuzzer (http-fuzz.test.ts) found, in its smallest form.

function signedRequest(event: unknown, extraHeaders = ''): string {
  const body = JSON.stringify(event)
  const timestamp = String(Math.floor(Date.now() / 1000))
  const signature = createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')
  return (
    `POST /webhook HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
    `x-aghanim-signature: ${signature}\r\nx-aghanim-signature-timestamp: ${timestamp}\r\n${extraHeaders}\r\n${body}`
  )
}

/** Writes `bytes` on one connection and collects everything until the server closes it (or `waitMs` passes). */
function raw(url: string, bytes: string, waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port: Number(new URL(url).port), host: '127.0.0.1' })
    let text = ''
    const timer = setTimeout(() => socket.destroy(), waitMs)
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      text += chunk
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(text)
    })
    socket.write(bytes)
  })
}

describe('found by fuzzing', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
    await t.api('/api/players/p_fuzz', { method: 'PUT', body: JSON.stringify({ name: 'Fuzz' }) })
  })
  afterAll(() => t.close())

  test('answers a grant 200 even when garbage follows it on the same connection, then the garbage 400', async () => {
    // Node's own client-error handler wrote its 400 at once, which the client read as the grant's answer
    // although the grant committed: a refund for goods delivered.
    const text = await raw(
      t.url,
      `${signedRequest(fixtureEvent('item.add', { event_data: { player_id: 'p_fuzz' } }))}GARBAGE\u0001 / HTTP/1.1\r\n\r\n`,
    )
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]))
    expect(statuses).toEqual([200, 400])
    expect(text).toContain('{"status":"ok"}')
    expect(text).toContain('"code":"bad_request"')
    const player = await t.api('/api/players/p_fuzz')
    expect(player.json.inventory).toEqual([{ sku: 'crystals', quantity: 480000 }])
  })

  test('never writes an interim 100 Continue into the middle of a pipelined answer', async () => {
    // Node queues the interim answer of a pipelined request and then puts the final head in front of it.
    const events = [fixtureEvent('order.paid'), fixtureEvent('order.paid'), fixtureEvent('order.paid')]
    const text = await raw(
      t.url,
      signedRequest(events[0]) +
        signedRequest(events[1]) +
        signedRequest(events[2], 'expect: 100-continue\r\nconnection: close\r\n'),
    )
    const answers = text.split(/(?=HTTP\/1\.1 )/)
    expect(answers.map((answer) => answer.slice(0, 12))).toEqual([
      'HTTP/1.1 200',
      'HTTP/1.1 200',
      'HTTP/1.1 200',
    ])
    for (const answer of answers) expect(answer.endsWith('{"status":"ok"}')).toBe(true)
  })

  test('records a client that disconnects mid-body as a 400 incomplete_body, not a server failure', async () => {
    const request = signedRequest(fixtureEvent('order.paid'))
    await raw(t.url, request.slice(0, request.length - 20), 200)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const list = await t.api('/api/deliveries?limit=1')
    expect(list.json.deliveries[0]).toMatchObject({ outcome: 'incomplete_body', status: 400 })
    expect(t.logs.join('')).not.toContain('"level":50')
  })

  test('refuses player attributes that would make every later player.verify answer a 500', async () => {
    for (const body of [
      '{"attributes":{"level":"high"}}',
      '{"attributes":{"level":1e309}}',
      '{"attributes":{"tags":"vip"}}',
    ]) {
      const put = await t.api('/api/players/p_fuzz', { method: 'PUT', body })
      expect([body, put.status, put.json.code]).toEqual([body, 400, 'invalid_player'])
    }
    expect(
      (
        await t.api('/api/players/p_fuzz', {
          method: 'PUT',
          body: '{"attributes":{"level":7,"platform":"ios","extra":null}}',
        })
      ).status,
    ).toBe(200)
    const verify = await t.send(fixtureEvent('player.verify', { event_data: { player_id: 'p_fuzz' } }))
    expect(verify.status).toBe(200)
    expect(verify.json.attributes).toEqual({ level: 7, platform: 'ios', extra: null })
  })
})
