import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ServerConfig } from '../config/config.js'
import { guardConnections } from './connection-guards.js'
import { trackConnections } from './connections.js'

// Not `import { createServer } from 'node:http'`: the module's ESM facade reads every export, and one of them
// loads Node's bundled undici, which the server never uses (start-up cost in docs/benchmarks.md).
const { createServer } = process.getBuiltinModule('node:http')

/** How long shutdown waits for in-flight requests before cutting the remaining connections. */
const SHUTDOWN_GRACE_MS = 10_000

export interface HttpListener {
  url: string
  port: number
  /** Stops accepting, lets in-flight requests finish (idle sockets close at once), cuts stragglers after 10 s. */
  stop(): Promise<void>
}

/**
 * The node:http server with the production limits: slow or stalled clients cannot hold memory or sockets (the
 * whole request, headers included, has a deadline, checked every second rather than Node's default 30 s), and
 * headers are capped at 16 KiB. Resolves once it listens. Internal.
 *
 * @example const http = await listenHttp(app, config); await http.stop()
 */
export async function listenHttp(
  app: (req: IncomingMessage, res: ServerResponse) => void,
  config: Pick<ServerConfig, 'port' | 'host' | 'requestTimeoutMs' | 'headersTimeoutMs'>,
): Promise<HttpListener> {
  const server = createServer(
    {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: Math.min(config.headersTimeoutMs, config.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs),
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16 * 1024,
    },
    app,
  )
  const connections = trackConnections(server)
  guardConnections(server)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${urlHost(config.host)}:${port}`,
    port,
    async stop() {
      const done = new Promise<void>((resolve) => server.close(() => resolve()))
      connections.closeIdle()
      const timer = setTimeout(() => connections.closeAll(), SHUTDOWN_GRACE_MS)
      timer.unref()
      await done
      clearTimeout(timer)
    },
  }
}

function urlHost(host: string | undefined): string {
  if (host === undefined || host === '0.0.0.0' || host === '::') return 'localhost'
  return host.includes(':') ? `[${host}]` : host
}
