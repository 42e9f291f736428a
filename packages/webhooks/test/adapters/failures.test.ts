import { once } from 'node:events'
import { createServer } from 'node:http'
import { aghanimWebhooks as expressWebhooks } from 'aghanim-webhooks/express'
import { aghanimWebhooks as fastifyWebhooks } from 'aghanim-webhooks/fastify'
import { aghanimWebhooks as honoWebhooks } from 'aghanim-webhooks/hono'
import { createRouter, aghanimWebhooks as nodeWebhooks } from 'aghanim-webhooks/node'
import express, { type ErrorRequestHandler } from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { deliver, playerVerify, SECRET } from './deliver.js'
import { listen, type Running } from './servers.js'

// A throwing onDelivery is the one failure the core handler does not turn into an answer itself.
const options = {
  secret: SECRET,
  router: createRouter().on('player.verify', (event) => ({
    player_id: event.event_data.player_id,
    name: 'M',
    attributes: {},
  })),
  onDelivery: () => {
    throw new Error('delivery log is down')
  },
}

let running: Running | undefined
afterEach(() => running?.close())

describe('a failure after the handler', () => {
  it("is handed to Express's error middleware", async () => {
    const app = express()
    app.post('/webhook', expressWebhooks(options))
    const seen: unknown[] = []
    const onError: ErrorRequestHandler = (error, _req, res, _next) => {
      seen.push(error)
      res.status(503).json({ status: 'error', code: 'custom', message: 'later' })
    }
    app.use(onError)
    running = await listen(createServer(app))
    const response = await deliver(running.url, playerVerify('p_1'))
    expect(response.status).toBe(503)
    expect(seen).toEqual([new Error('delivery log is down')])
  })

  it('is answered 500 handler_failed and warned about by a bare node:http listener', async () => {
    running = await listen(createServer(nodeWebhooks(options)))
    const warning = once(process, 'warning')
    const response = await deliver(running.url, playerVerify('p_1'))
    expect(response.status).toBe(500)
    expect(await response.json()).toMatchObject({ status: 'error', code: 'handler_failed' })
    const [error] = (await warning) as [Error]
    expect(error.cause).toEqual(new Error('delivery log is down'))
  })
})

describe('a missing secret', () => {
  it.each([
    ['node', nodeWebhooks],
    ['express', expressWebhooks],
    ['fastify', fastifyWebhooks],
    ['hono', honoWebhooks],
  ] as const)('makes the %s adapter throw when mounted, naming the option', (_name, mount) => {
    for (const secret of [undefined, '', []]) {
      const mountWith = () => (mount as (o: unknown) => unknown)({ ...options, secret })
      expect(mountWith).toThrow(expect.objectContaining({ code: 'invalid_config' }))
      expect(mountWith).toThrow(/The webhook option `secret` is (undefined|an empty string|an empty list)\./)
    }
  })
})
