import { once } from 'node:events'
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'

/**
 * A TCP proxy of the test's own between a program and a server (PostgreSQL), so that a test can break the
 * network path of that program alone: other tests using the same server are never disturbed.
 *
 * - `reset()`: every open connection is torn down with a TCP RST, and new ones are refused with an RST too
 *   (a database restarted behind a load balancer, a dropped NAT entry);
 * - `blackhole()`: open connections stay up but nothing goes through in either direction, and new ones are
 *   accepted and then hang (a partition, a frozen host: packets vanish);
 * - `restore()`: traffic flows again, through new connections and the blackholed ones alike (the partition
 *   healed: TCP delivers what it had queued).
 *
 * The port is stable for the proxy's whole life, so a program can be started before anything goes through.
 */
export interface TcpProxy {
  readonly port: number
  /** `connectionString` with its host and port replaced by the proxy's. */
  url(connectionString: string): string
  reset(): void
  blackhole(): void
  restore(): void
  /** Connections that reached the target so far. */
  readonly connections: number
  /** Connections the proxy received so far, refused or not. */
  readonly attempts: number
  close(): Promise<void>
}

type Mode = 'pass' | 'reset' | 'blackhole'

interface Pair {
  client: Socket
  upstream: Socket | undefined
}

export async function startTcpProxy(
  target: { host: string; port: number },
  initial: Mode = 'pass',
): Promise<TcpProxy> {
  let mode: Mode = initial
  let connections = 0
  let attempts = 0
  const pairs = new Set<Pair>()
  const flow = (pair: Pair) => {
    pair.upstream ??= openUpstream(pair)
    pair.client.pipe(pair.upstream)
    pair.upstream.pipe(pair.client)
    pair.client.resume()
    pair.upstream.resume()
  }
  // Breaking a connection breaks both its ends: the program's and the target's.
  const eachSocket = (act: (socket: Socket) => void) => {
    for (const { client, upstream } of pairs) {
      act(client)
      if (upstream) act(upstream)
    }
  }
  const openUpstream = (pair: Pair) => {
    connections += 1
    const upstream = tcpConnect(target)
    upstream.on('error', () => pair.client.destroy())
    upstream.once('close', () => pair.client.destroy())
    return upstream
  }
  const server: Server = createServer((client) => {
    attempts += 1
    client.on('error', () => {})
    if (mode === 'reset') return void client.resetAndDestroy()
    const pair: Pair = { client, upstream: undefined }
    pairs.add(pair)
    client.once('close', () => {
      pairs.delete(pair)
      pair.upstream?.destroy()
    })
    if (mode === 'blackhole') client.pause()
    else flow(pair)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  return {
    port,
    url(connectionString) {
      const url = new URL(connectionString)
      url.hostname = '127.0.0.1'
      url.port = String(port)
      return url.toString()
    },
    get connections() {
      return connections
    },
    get attempts() {
      return attempts
    },
    reset() {
      mode = 'reset'
      eachSocket((socket) => socket.resetAndDestroy())
      pairs.clear()
    },
    blackhole() {
      mode = 'blackhole'
      eachSocket((socket) => socket.unpipe().pause())
    },
    restore() {
      const was = mode
      mode = 'pass'
      if (was === 'blackhole') for (const pair of pairs) flow(pair)
    },
    async close() {
      mode = 'reset'
      eachSocket((socket) => socket.destroy())
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
