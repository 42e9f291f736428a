import type { IncomingMessage, ServerResponse } from 'node:http'

/** Beyond this many unsent bytes a live client is too slow to follow; it is dropped rather than buffered. */
const MAX_BUFFERED_BYTES = 1024 * 1024
const HEARTBEAT_MS = 15_000

/**
 * Fan-out of delivery summaries to Server-Sent Events clients (`GET /api/deliveries/stream`). Each client is
 * removed the moment its connection closes, and slow clients are cut off, so neither idle tabs nor stalled
 * readers keep memory. Internal.
 *
 * @example const stream = createDeliveryStream(); stream.publish({ id: 'd1', ... })
 */
export interface DeliveryStream {
  /** Takes over the response and keeps it open until the client leaves or `closeAll` runs. */
  /** `accepts`: the summaries this client is sent (its `?game=` and `&sandbox=`); every one by default. */
  attach(req: IncomingMessage, res: ServerResponse, accepts?: (summary: StreamSummary) => boolean): void
  publish(summary: StreamSummary): void
  readonly size: number
  /** Ends every stream (shutdown), so closing the server does not wait for idle tabs. */
  closeAll(): void
}

/** What the stream needs of a summary: its id, and its game and sandbox flag for the clients' filters. */
export interface StreamSummary {
  id: string
  game: string | null
  sandbox: boolean
}

export function createDeliveryStream(
  onSizeChange: (size: number) => Promise<void> | void = () => {},
): DeliveryStream {
  // `live` once the stream's head is sent: until every process knows someone watches, nothing is written.
  const clients = new Map<
    ServerResponse,
    { stop: () => void; live: boolean; accepts: ((summary: StreamSummary) => boolean) | undefined }
  >()

  const remove = (res: ServerResponse) => {
    const client = clients.get(res)
    if (!client) return
    clients.delete(res)
    client.stop()
    void onSizeChange(clients.size)
  }

  return {
    attach(req, res, accepts) {
      const heartbeat = setInterval(() => send(res, ': heartbeat\n\n'), HEARTBEAT_MS)
      heartbeat.unref()
      const client = { stop: () => clearInterval(heartbeat), live: false, accepts }
      clients.set(res, client)
      const socket = req.socket
      socket.setTimeout(0)
      res.on('close', () => {
        remove(res)
        // The client hung up on a response that never ends: its half-closed socket would otherwise linger.
        socket.destroy()
      })
      void Promise.resolve(onSizeChange(clients.size)).then(() => {
        if (!clients.has(res)) return
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        })
        res.write('retry: 3000\n: connected\n\n')
        client.live = true
      })
    },
    publish(summary) {
      const frame = `event: delivery\nid: ${summary.id}\ndata: ${JSON.stringify(summary)}\n\n`
      for (const [res, client] of clients)
        if (client.live && (client.accepts === undefined || client.accepts(summary))) send(res, frame)
    },
    get size() {
      return clients.size
    },
    closeAll() {
      for (const res of [...clients.keys()]) {
        remove(res)
        res.end()
      }
    },
  }

  function send(res: ServerResponse, frame: string): void {
    if (!clients.get(res)?.live) return
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      remove(res)
      res.destroy()
      return
    }
    res.write(frame)
  }
}
