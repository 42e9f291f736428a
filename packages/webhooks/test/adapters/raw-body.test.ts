import { once } from 'node:events'
import { createServer } from 'node:http'
import { Writable } from 'node:stream'
import type { AghanimWebhookError } from 'aghanim-webhooks'
import { aghanimWebhooks as expressWebhooks } from 'aghanim-webhooks/express'
import { aghanimWebhooks as fastifyWebhooks } from 'aghanim-webhooks/fastify'
import { aghanimWebhooks as honoWebhooks } from 'aghanim-webhooks/hono'
import { createRouter, aghanimWebhooks as nodeWebhooks } from 'aghanim-webhooks/node'
import { signedRequest } from 'aghanim-webhooks/testing'
import express from 'express'
import Fastify from 'fastify'
import { type Context, Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { fixtureEvent } from '../../src/events/fixtures.js'
import { deliver, playerVerify, SECRET } from './deliver.js'
import { listen, type Running } from './servers.js'

const router = createRouter().on('player.verify', (event) => ({
  player_id: event.event_data.player_id,
  name: 'Molly',
  attributes: {},
}))
const reported: AghanimWebhookError[] = []
const options = {
  secret: SECRET,
  router,
  onMisconfiguration: (error: AghanimWebhookError) => reported.push(error),
}

let running: Running | undefined
afterEach(async () => {
  reported.length = 0
  await running?.close()
  running = undefined
})

async function expectLoudFailure(response: Response, fix: RegExp) {
  expect(response.status).toBe(500)
  const body = (await response.json()) as { status: string; code: string; message: string }
  expect(body).toMatchObject({ status: 'error', code: 'raw_body_consumed' })
  expect(body.message).toMatch(fix)
}

describe('the Express adapter after a body parser', () => {
  const FIX =
    /mount aghanimWebhooks\(\) before express\.json\(\) \(or any body parser\), or only on this route/

  it('answers 500 raw_body_consumed naming the fix when express.json() ran first, and reports it once', async () => {
    const app = express()
    app.use(express.json())
    app.post('/webhook', expressWebhooks(options))
    running = await listen(createServer(app))
    await expectLoudFailure(await deliver(running.url, playerVerify('p_1')), FIX)
    await expectLoudFailure(await deliver(running.url, playerVerify('p_2')), FIX)
    expect(reported.map((error) => error.code)).toEqual(['raw_body_consumed'])
  })

  it('refuses a body express.text() decoded into a string', async () => {
    const app = express()
    app.use(express.text({ type: '*/*' }))
    app.post('/webhook', expressWebhooks(options))
    running = await listen(createServer(app))
    const response = await deliver(running.url, playerVerify('p_1'))
    await expectLoudFailure(response.clone(), FIX)
    expect(((await response.json()) as { message: string }).message).toMatch(/into a string/)
  })

  it('verifies the Buffer express.raw() captured, since it is the exact body', async () => {
    const app = express()
    app.post('/webhook', express.raw({ type: '*/*' }), expressWebhooks(options))
    running = await listen(createServer(app))
    const response = await deliver(running.url, playerVerify('p_raw'))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ player_id: 'p_raw' })
  })

  it('verifies a Buffer another middleware kept in req.rawBody', async () => {
    const app = express()
    app.use(express.json({ verify: (req, _res, buffer) => Object.assign(req, { rawBody: buffer }) }))
    app.post('/webhook', expressWebhooks(options))
    running = await listen(createServer(app))
    expect((await deliver(running.url, playerVerify('p_kept'))).status).toBe(200)
  })

  it('reports through a process warning when no onMisconfiguration is given', async () => {
    const app = express()
    app.use(express.json())
    app.post('/webhook', expressWebhooks({ secret: SECRET, router }))
    running = await listen(createServer(app))
    const warning = once(process, 'warning')
    await deliver(running.url, playerVerify('p_1'))
    const [error] = (await warning) as [AghanimWebhookError]
    expect(error.code).toBe('raw_body_consumed')
    expect(error.message).not.toContain(SECRET)
  })
})

describe('the node adapter', () => {
  it('refuses a request stream something else already read', async () => {
    const listener = nodeWebhooks(options)
    running = await listen(
      createServer(async (req, res) => {
        for await (const _chunk of req);
        listener(req, res)
      }),
    )
    await expectLoudFailure(await deliver(running.url, playerVerify('p_1')), /only on this route/)
    expect(reported).toHaveLength(1)
  })

  it('answers 405, not a crash, to a method the Fetch API refuses to represent', async () => {
    running = await listen(createServer(nodeWebhooks(options)))
    const { request } = await import('node:http')
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(running!.url, { method: 'TRACE' }, (res) => resolve(res.resume().statusCode))
        .on('error', reject)
        .end()
    })
    expect(status).toBe(405)
  })
})

describe('the Fastify adapter', () => {
  it("keeps the app's own JSON parser for the app's other routes", async () => {
    const app = Fastify()
    app.post('/other', async (request) => ({ saw: request.body }))
    await app.register(fastifyWebhooks(options))
    await app.listen({ port: 0, host: '127.0.0.1' })
    running = { url: '', server: app.server, close: () => app.close() }
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    const other = await fetch(`${base}/other`, {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    })
    expect(await other.json()).toEqual({ saw: { a: 1 } })
    expect((await deliver(`${base}/webhook`, playerVerify('p_f'))).status).toBe(200)
  })

  it('serves the route at options.path under the plugin prefix', async () => {
    const app = Fastify()
    await app.register(fastifyWebhooks({ ...options, path: '/aghanim' }), { prefix: '/hooks' })
    const response = await app.inject({ method: 'GET', url: '/hooks/aghanim' })
    expect(response.statusCode).toBe(405)
  })

  it('answers 500 raw_body_consumed when a hook read the stream first, and logs it once through Fastify', async () => {
    const lines: string[] = []
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const app = Fastify({ logger: { level: 'error', stream } })
    app.addHook('onRequest', async (request) => {
      for await (const _chunk of request.raw);
    })
    await app.register(fastifyWebhooks({ secret: SECRET, router }))
    await app.listen({ port: 0, host: '127.0.0.1' })
    running = { url: '', server: app.server, close: () => app.close() }
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/webhook`
    await expectLoudFailure(
      await deliver(url, playerVerify('p_1')),
      /register aghanimWebhooks\(\) with app\.register\(\)/,
    )
    await expectLoudFailure(await deliver(url, playerVerify('p_2')), /app\.register/)
    expect(lines.filter((line) => line.includes('raw_body_consumed'))).toHaveLength(1)
  })

  it('verifies a Buffer a hook kept in request.rawBody', async () => {
    const app = Fastify()
    app.addHook('onRequest', async (request) => {
      const chunks: Buffer[] = []
      for await (const chunk of request.raw) chunks.push(chunk as Buffer)
      Object.assign(request, { rawBody: Buffer.concat(chunks) })
    })
    await app.register(fastifyWebhooks(options))
    const request = await signedRequest({ secret: SECRET, event: fixtureEvent('player.verify') })
    const response = await app.inject({
      method: 'POST',
      url: '/webhook',
      headers: Object.fromEntries(request.headers),
      payload: await request.text(),
    })
    expect(response.statusCode).toBe(200)
  })
})

describe('the Hono / fetch adapter', () => {
  const signed = () =>
    signedRequest({
      secret: SECRET,
      event: fixtureEvent('player.verify', { event_data: { player_id: 'p_h' } }),
    })

  /** An app whose middleware reads the body (as `read` does) before the webhook route. */
  const appReading = (read: (c: Context) => Promise<unknown>) => {
    const app = new Hono()
    app.use(async (c, next) => {
      await read(c)
      await next()
    })
    app.post('/webhook', honoWebhooks(options))
    return app
  }

  it('answers 500 raw_body_consumed when middleware parsed the JSON first, and reports it once', async () => {
    const app = appReading((c) => c.req.json())
    await expectLoudFailure(
      await app.request(await signed()),
      /mount aghanimWebhooks\(\) before middleware that reads the body/,
    )
    await expectLoudFailure(await app.request(await signed()), /c\.req\.arrayBuffer\(\)/)
    expect(reported).toHaveLength(1)
  })

  it('verifies the exact bytes middleware cached with c.req.arrayBuffer()', async () => {
    const app = appReading((c) => c.req.arrayBuffer())
    const response = await app.request(await signed())
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ player_id: 'p_h' })
  })

  it('is a plain fetch handler too (Bun, Deno, Workers, Next.js)', async () => {
    const handle = honoWebhooks(options)
    expect((await handle(await signed())).status).toBe(200)
    const used = await signed()
    await used.text()
    await expectLoudFailure(await handle(used), /before middleware that reads the body/)
  })
})
