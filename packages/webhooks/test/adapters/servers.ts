import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { aghanimWebhooks as expressWebhooks } from 'aghanim-webhooks/express'
import { aghanimWebhooks as fastifyWebhooks } from 'aghanim-webhooks/fastify'
import { aghanimWebhooks as honoWebhooks } from 'aghanim-webhooks/hono'
import type { AghanimWebhooksOptions } from 'aghanim-webhooks/node'
import { aghanimWebhooks as nodeWebhooks } from 'aghanim-webhooks/node'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'

/** A framework app with the webhook on POST /webhook, listening on an ephemeral loopback port. */
export interface Running {
  url: string
  server: Server
  close(): Promise<void>
}

export const frameworks = ['node', 'express', 'fastify', 'hono'] as const
export type Framework = (typeof frameworks)[number]

export async function startServer(framework: Framework, options: AghanimWebhooksOptions): Promise<Running> {
  switch (framework) {
    case 'node':
      return listen(createServer(nodeWebhooks(options)))
    case 'express': {
      const app = express()
      app.all('/webhook', expressWebhooks(options))
      app.use(express.json())
      return listen(createServer(app))
    }
    case 'fastify': {
      const app = Fastify()
      await app.register(fastifyWebhooks(options))
      await app.listen({ port: 0, host: '127.0.0.1' })
      return running(app.server, () => app.close())
    }
    case 'hono': {
      const app = new Hono()
      app.all('/webhook', honoWebhooks(options))
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
      await once(server, 'listening')
      return running(server)
    }
  }
}

/** Listens on port 0 and closes every connection on `close()`, so a test never waits for keep-alive sockets. */
export async function listen(server: Server): Promise<Running> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return running(server)
}

function running(server: Server, close?: () => Promise<unknown>): Running {
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    server,
    async close() {
      server.closeAllConnections()
      if (close) await close()
      else await new Promise((resolve) => server.close(resolve))
    },
  }
}
